//! `newsdex search QUERY`: ranked hits with highlighted passages.

use std::io::{BufWriter, IsTerminal, Write};
use std::sync::OnceLock;

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};
use newsdex::index::writer::index_paths;
use newsdex::index::{NewsIndex, RunOptions};
use newsdex::query::parse::parse_bound;
use newsdex::query::{SearchRequest, Searching, SortOrder};
use newsdex::render::{TextRenderer, json};

use crate::config::{ColorChoice, Format, Global, SEEDS_DIR, is_missing};
use crate::exit;

/// The query being run, so `main` can point at a syntax error's position.
pub static LAST_QUERY: OnceLock<String> = OnceLock::new();

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query: words (all must match), "phrases", "phrase"~N, AND/OR/NOT/-word,
    /// (groups), field:value (title, body, source, author, person, org, place, misc,
    /// lang, id) and published:[2025-01-01 TO 2025-03-31]
    #[arg(value_name = "QUERY", required = true, num_args = 1..)]
    pub query: Vec<String>,

    /// Number of hits to show
    #[arg(short = 'n', long, default_value_t = 10, value_name = "N")]
    pub limit: usize,

    /// Skip this many hits first (for paging)
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub offset: usize,

    /// Only articles published on or after this date (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_name = "DATE", value_parser = since_date)]
    pub since: Option<DateTime<Utc>>,

    /// Only articles published on or before this date (a bare date includes that day)
    #[arg(long, value_name = "DATE", value_parser = until_date)]
    pub until: Option<DateTime<Utc>>,

    /// Only articles from this source (repeatable: all must match)
    #[arg(long, value_name = "SOURCE")]
    pub source: Vec<String>,

    /// Only articles naming this person (repeatable: all must match)
    #[arg(long, value_name = "NAME")]
    pub person: Vec<String>,

    /// Only articles naming this organization (repeatable)
    #[arg(long, value_name = "NAME")]
    pub org: Vec<String>,

    /// Only articles naming this place (repeatable)
    #[arg(long, value_name = "NAME")]
    pub place: Vec<String>,

    /// Only articles in this language, e.g. de (repeatable: any of them); query words
    /// are then stemmed in that language only
    #[arg(long = "lang", value_name = "CODE")]
    pub lang: Vec<String>,

    /// Order of hits
    #[arg(long, value_enum, default_value_t = Sort::Relevance)]
    pub sort: Sort,

    /// Passages to show per hit
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub passages: usize,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// When to use colour (NO_COLOR is honoured with auto)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Show every copy of duplicated articles instead of one hit per story
    #[arg(long)]
    pub no_collapse: bool,

    /// Print only the number of matching articles
    #[arg(short = 'c', long)]
    pub count: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Sort {
    /// Best match first (BM25, title matches count double)
    Relevance,
    /// Newest first
    Date,
}

fn since_date(text: &str) -> Result<DateTime<Utc>, String> {
    parse_bound(text, false).ok_or_else(|| format!("invalid date {text:?}: expected YYYY-MM-DD"))
}

fn until_date(text: &str) -> Result<DateTime<Utc>, String> {
    parse_bound(text, true).ok_or_else(|| format!("invalid date {text:?}: expected YYYY-MM-DD"))
}

pub fn run(global: &Global, args: SearchArgs) -> anyhow::Result<u8> {
    let query = args.query.join(" ");
    let _ = LAST_QUERY.set(query.clone());
    let index = open_or_bootstrap(global)?;
    let mut searching = Searching::new(&index)?;
    let mut req = SearchRequest::new(query);
    req.limit = args.limit;
    req.offset = args.offset;
    req.since = args.since;
    req.until = args.until;
    req.sources = args.source;
    req.persons = args.person;
    req.orgs = args.org;
    req.places = args.place;
    req.sort = match args.sort {
        Sort::Relevance => SortOrder::Relevance,
        Sort::Date => SortOrder::Date,
    };
    req.passages = args.passages;
    req.collapse = !args.no_collapse;
    req.languages = args.lang;

    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.count {
        let (n, relaxed) = searching.count(&req)?;
        if relaxed && !global.quiet {
            eprintln!("newsdex: no article has all the words; counting articles with some of them");
        }
        writeln!(out, "{n}")?;
        out.flush()?;
        return Ok(if n == 0 { exit::NO_HITS } else { exit::OK });
    }
    let results = searching.search(&req)?;
    if results.relaxed && !global.quiet {
        eprintln!("newsdex: no article has all the words; showing articles with some of them");
    }
    match args.format {
        Format::Json => {
            for hit in &results.hits {
                json::write_hit(&mut out, hit)?;
            }
        }
        Format::Text => {
            let color = args.color.enabled();
            let renderer = TextRenderer::new(color);
            for hit in &results.hits {
                renderer.write_hit(&mut out, hit)?;
            }
            if std::io::stdout().is_terminal() && !results.hits.is_empty() {
                let first = req.offset + 1;
                let last = req.offset + results.hits.len();
                writeln!(
                    out,
                    "{}{}–{} of {} matching articles{}",
                    renderer.style.dim, first, last, results.total, renderer.style.reset
                )?;
            }
        }
    }
    out.flush()?;
    Ok(if results.hits.is_empty() && results.total == 0 {
        exit::NO_HITS
    } else {
        exit::OK
    })
}

/// Opens the index; on a fresh checkout (default location, no index yet, a `seeds/`
/// folder here) builds it from `seeds/` first and says so, so the first command works.
pub fn open_or_bootstrap(global: &Global) -> anyhow::Result<NewsIndex> {
    let (dir, chosen) = global.index_dir();
    if is_missing(&dir) && !chosen && std::path::Path::new(SEEDS_DIR).is_dir() {
        eprintln!(
            "newsdex: no index yet; building {} from {SEEDS_DIR}/ first",
            dir.display()
        );
        let opts = RunOptions {
            enrich: Some(crate::index::entity_enricher()?),
            ..RunOptions::default()
        };
        let report = index_paths(&dir, &[SEEDS_DIR.into()], &opts, &mut |e| {
            crate::index::print_event(global, &e)
        })
        .with_context(|| format!("building {} from {SEEDS_DIR}/", dir.display()))?;
        if !global.quiet {
            eprintln!("newsdex: {}", crate::index::summary(&report));
        }
    }
    Ok(NewsIndex::open(&dir)?)
}
