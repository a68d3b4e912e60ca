//! `newsdex entities [QUERY]`: the most frequent people, organizations, places and
//! misc names, overall or within the articles a query matches.

use std::io::{BufWriter, Write};

use clap::{Args, ValueEnum};
use newsdex::query::entities::top_entities;
use newsdex::query::{SearchRequest, Searching};
use newsdex::render::sanitize::sanitize;

use crate::config::{Format, Global};
use crate::exit;

#[derive(Debug, Args)]
pub struct EntitiesArgs {
    /// Count only within the articles matching this query (same syntax as search)
    #[arg(value_name = "QUERY", num_args = 0..)]
    pub query: Vec<String>,

    /// Only this entity type [default: all four]
    #[arg(long = "type", short = 't', value_enum, value_name = "TYPE")]
    pub kind: Option<EntityType>,

    /// Entities to show per type
    #[arg(short = 'n', long, default_value_t = 20, value_name = "N")]
    pub limit: usize,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EntityType {
    Person,
    Org,
    Place,
    Misc,
}

impl EntityType {
    fn name(self) -> &'static str {
        match self {
            EntityType::Person => "person",
            EntityType::Org => "org",
            EntityType::Place => "place",
            EntityType::Misc => "misc",
        }
    }
}

pub fn run(global: &Global, args: EntitiesArgs) -> anyhow::Result<u8> {
    let index = crate::search::open_or_bootstrap(global)?;
    let mut searching = Searching::new(&index)?;
    let query = args.query.join(" ");
    let request = (!query.trim().is_empty()).then(|| {
        let _ = crate::search::LAST_QUERY.set(query.clone());
        SearchRequest::new(query)
    });
    let kinds: Vec<&str> = args.kind.map(|k| vec![k.name()]).unwrap_or_default();
    let (counts, relaxed) = top_entities(&mut searching, request.as_ref(), &kinds, args.limit)?;
    if relaxed && !global.quiet {
        eprintln!("newsdex: no article has all the words; counting in articles with some of them");
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Json => {
            for c in &counts {
                serde_json::to_writer(&mut out, c)?;
                writeln!(out)?;
            }
        }
        Format::Text => {
            let width = counts
                .iter()
                .map(|c| c.articles.to_string().len())
                .max()
                .unwrap_or(1);
            let mut current = "";
            for c in &counts {
                if c.kind != current {
                    if !current.is_empty() {
                        writeln!(out)?;
                    }
                    writeln!(out, "{}", heading(c.kind))?;
                    current = c.kind;
                }
                writeln!(out, "{:>width$}  {}", c.articles, sanitize(&c.name))?;
            }
        }
    }
    out.flush()?;
    Ok(if counts.is_empty() {
        exit::NO_HITS
    } else {
        exit::OK
    })
}

fn heading(kind: &str) -> &'static str {
    match kind {
        "person" => "people",
        "org" => "organizations",
        "place" => "places",
        _ => "misc",
    }
}
