//! The `newsdex` command line: parses arguments, resolves them into a config, runs
//! one subcommand, prints errors once and maps the outcome to an exit code.

mod config;
mod entities;
mod index;
mod ner;
mod parse;
mod reindex;
mod search;
mod show;
mod stats;
mod watch;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use config::Global;

/// mimalloc instead of the system allocator: indexing allocates many small, short-lived
/// strings (tokens, entity names, documents) on several threads at once.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Full-text search for news archives: index folders of articles, then search them
/// with ranked, highlighted passages.
#[derive(Debug, Parser)]
#[command(name = "newsdex", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ingest files and folders into the index (default: seeds/), incrementally
    Index(index::IndexArgs),
    /// Re-scan the recorded roots: add new files, update changed ones, drop deleted ones
    Reindex(reindex::ReindexArgs),
    /// Search: ranked articles with their best passages, matching words highlighted
    Search(search::SearchArgs),
    /// Top people, organizations, places and misc names, overall or within the hits
    Entities(entities::EntitiesArgs),
    /// Print one article in full
    Show(show::ShowArgs),
    /// Keep the index fresh: reindex on an interval and on file changes until stopped
    Watch(watch::WatchArgs),
    /// Articles, sources, date span, size on disk, roots and the last reindex
    Stats(stats::StatsArgs),
    /// Print the articles extracted from files as JSON Lines, without an index
    Parse(parse::ParseArgs),
    /// Named-entity model: train, evaluate, tag text from stdin
    Ner(ner::NerArgs),
}

/// Exit codes (grep's convention, plus one for a busy index).
pub mod exit {
    /// Hits found / success.
    pub const OK: u8 = 0;
    /// The search found nothing.
    pub const NO_HITS: u8 = 1;
    /// An error.
    pub const ERROR: u8 = 2;
    /// Another writer holds the index (EX_TEMPFAIL): try again later or pass --wait.
    pub const LOCKED: u8 = 75;
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Index(args) => index::run(&cli.global, args),
        Command::Reindex(args) => reindex::run(&cli.global, args),
        Command::Search(args) => search::run(&cli.global, args),
        Command::Show(args) => show::run(&cli.global, args),
        Command::Entities(args) => entities::run(&cli.global, args),
        Command::Stats(args) => stats::run(&cli.global, args),
        Command::Watch(args) => watch::run(&cli.global, args),
        Command::Parse(args) => parse::run(&cli.global, args),
        Command::Ner(args) => ner::run(args).map(|code| u8::try_from(code).unwrap_or(exit::ERROR)),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => report(&err),
    }
}

/// Prints the error chain once and picks the exit code; a closed pipe is not an error.
fn report(err: &anyhow::Error) -> ExitCode {
    for cause in err.chain() {
        if let Some(io) = cause.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::BrokenPipe
        {
            return ExitCode::from(exit::OK);
        }
    }
    let mut message = format!("newsdex: {err}");
    for cause in err.chain().skip(1) {
        message.push_str(&format!(": {cause}"));
    }
    eprintln!("{message}");
    if let Some(newsdex::Error::Query { position, .. }) = err.downcast_ref::<newsdex::Error>()
        && let Some(query) = search::LAST_QUERY.get()
    {
        eprintln!("  {query}");
        eprintln!("  {}^", " ".repeat(*position));
    }
    let locked = err.chain().any(|c| {
        matches!(
            c.downcast_ref::<newsdex::Error>(),
            Some(newsdex::Error::Locked { .. })
        )
    });
    ExitCode::from(if locked { exit::LOCKED } else { exit::ERROR })
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        super::Cli::command().debug_assert();
    }
}
