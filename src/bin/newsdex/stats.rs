//! `newsdex stats`: what is in the index and what the last run did.

use std::io::{BufWriter, Write};

use clap::Args;
use newsdex::index::NewsIndex;
use newsdex::index::stats::{IndexStats, collect};
use newsdex::render::json::format_date;

use crate::config::{Format, Global};
use crate::exit;

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(global: &Global, args: StatsArgs) -> anyhow::Result<u8> {
    let (dir, _) = global.index_dir();
    let index = NewsIndex::open(&dir)?;
    let stats = collect(&index)?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Json => {
            serde_json::to_writer(&mut out, &stats)?;
            writeln!(out)?;
        }
        Format::Text => write_text(&mut out, &dir, &stats)?,
    }
    out.flush()?;
    Ok(exit::OK)
}

fn write_text(out: &mut dyn Write, dir: &std::path::Path, s: &IndexStats) -> std::io::Result<()> {
    writeln!(out, "index      {}", dir.display())?;
    writeln!(out, "articles   {}", s.articles)?;
    writeln!(out, "files      {}", s.files)?;
    writeln!(out, "sources    {}", s.sources)?;
    let span = match (&s.earliest, &s.latest) {
        (Some(a), Some(b)) => format!("{} … {}", a.format("%Y-%m-%d"), b.format("%Y-%m-%d")),
        _ => "no dated articles".into(),
    };
    writeln!(out, "dates      {span}")?;
    writeln!(out, "size       {}", human_bytes(s.size_bytes))?;
    writeln!(
        out,
        "duplicates {} exact copies in {} groups (collapsed in search)",
        s.duplicate_copies, s.duplicate_groups
    )?;
    for (i, root) in s.roots.iter().enumerate() {
        let label = if i == 0 { "roots" } else { "" };
        writeln!(out, "{label:<10} {}", root.display())?;
    }
    match &s.last_run {
        Some(r) => {
            let when = r.started.as_ref().map(format_date).unwrap_or_default();
            writeln!(
                out,
                "last run   {when}, {:.2} s: {} added, {} updated, {} removed, {} unchanged files; {} articles indexed, {} errors",
                r.seconds,
                r.files_added,
                r.files_updated,
                r.files_removed,
                r.files_unchanged,
                r.articles_indexed,
                r.errors
            )?;
        }
        None => writeln!(out, "last run   never")?,
    }
    Ok(())
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
