//! `newsdex show ID`: one article in full, with its entities.

use std::io::{BufWriter, Write};

use clap::Args;
use newsdex::query::Searching;
use newsdex::render::json::{ArticleRecord, format_date};
use newsdex::render::sanitize::sanitize;
use newsdex::render::text::Style;

use crate::config::{ColorChoice, Format, Global};
use crate::exit;

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The article's id (as printed by `search`)
    pub id: String,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// When to use colour
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

pub fn run(global: &Global, args: ShowArgs) -> anyhow::Result<u8> {
    let index = crate::search::open_or_bootstrap(global)?;
    let mut searching = Searching::new(&index)?;
    let Some((hit, body)) = searching.get(&args.id)? else {
        eprintln!("newsdex: no article with id {:?}", args.id);
        return Ok(exit::NO_HITS);
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Json => {
            let record = ArticleRecord::new(&hit, &body);
            serde_json::to_writer(&mut out, &record)?;
            writeln!(out)?;
        }
        Format::Text => {
            let s = Style::new(args.color.enabled());
            let title = hit.title.as_deref().map(sanitize).unwrap_or_default();
            writeln!(out, "{}{}{}", s.bold, title, s.reset)?;
            let fields = [
                ("id", Some(hit.id.clone())),
                ("published", hit.published.as_ref().map(format_date)),
                ("source", hit.source.clone()),
                ("url", hit.url.clone()),
                ("path", hit.path.clone()),
                (
                    "authors",
                    (!hit.authors.is_empty()).then(|| hit.authors.join(", ")),
                ),
                ("language", hit.language.clone()),
            ];
            for (name, value) in fields {
                if let Some(value) = value {
                    writeln!(out, "{}{name:>9}{}: {}", s.meta, s.reset, sanitize(&value))?;
                }
            }
            let e = &hit.entities;
            for (name, list) in [
                ("people", &e.person),
                ("orgs", &e.org),
                ("places", &e.place),
                ("misc", &e.misc),
            ] {
                if !list.is_empty() {
                    writeln!(
                        out,
                        "{}{name:>9}{}: {}",
                        s.meta,
                        s.reset,
                        sanitize(&list.join(", "))
                    )?;
                }
            }
            writeln!(out)?;
            for line in body.lines() {
                writeln!(out, "{}", sanitize(line))?;
            }
        }
    }
    out.flush()?;
    Ok(exit::OK)
}
