//! `newsdex index [PATH...]`: ingest files and folders, incrementally.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use newsdex::Article;
use newsdex::extract::Tagger;
use newsdex::index::lock::LockWait;
use newsdex::index::writer::{Enricher, FileAction, index_paths};
use newsdex::index::{RunEvent, RunOptions, RunReport};

use crate::config::{Global, SEEDS_DIR};
use crate::exit;

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Files and folders to ingest, at any depth [default: seeds/]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub writer: WriterArgs,
}

/// Flags shared by the commands that write to the index.
#[derive(Debug, Clone, Copy, Args)]
pub struct WriterArgs {
    /// Wait for another indexer to finish instead of failing
    #[arg(long)]
    pub wait: bool,

    /// Memory for tantivy's indexing buffers, in MB
    #[arg(long, value_name = "MB", default_value_t = 256)]
    pub memory: usize,

    /// Indexing threads [default: one per core, at most 4]
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Skip named-entity extraction (faster; person/org/place/misc stay empty).
    /// reindex and watch follow what the last run did unless given --entities
    #[arg(long, conflicts_with = "entities")]
    pub no_entities: bool,

    /// Extract named entities (the default for index)
    #[arg(long)]
    pub entities: bool,
}

impl WriterArgs {
    /// Options for a run; `recorded` is what the index's last run did about entities
    /// (followed by reindex and watch when neither flag is given).
    pub fn options_following(&self, recorded: Option<bool>) -> anyhow::Result<RunOptions> {
        let entities = if self.entities {
            true
        } else if self.no_entities {
            false
        } else {
            recorded.unwrap_or(true)
        };
        let flags = WriterArgs {
            no_entities: !entities,
            entities,
            ..*self
        };
        flags.options()
    }

    pub fn options(&self) -> anyhow::Result<RunOptions> {
        let mut opts = RunOptions {
            memory_budget: self.memory.max(16) << 20,
            threads: self.threads.unwrap_or(0),
            wait: if self.wait {
                LockWait::Yes
            } else {
                LockWait::No
            },
            ..RunOptions::default()
        };
        if !self.no_entities {
            opts.enrich = Some(entity_enricher()?);
        }
        Ok(opts)
    }
}

/// Extracts entities with the shipped model on the writer's worker threads.
pub fn entity_enricher() -> anyhow::Result<Enricher> {
    let tagger = Tagger::embedded().context("loading the shipped NER model")?;
    Ok(Arc::new(move |article: &mut Article| {
        // The model is trained on English news; in other languages (German capitalises
        // every noun) it would mostly invent entities.
        if article.language.as_deref().is_none_or(|l| l == "en") {
            article.entities = tagger.entities(article.title.as_deref(), &article.body);
        }
    }))
}

pub fn run(global: &Global, args: IndexArgs) -> anyhow::Result<u8> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(SEEDS_DIR)]
    } else {
        args.paths
    };
    let (dir, _) = global.index_dir();
    let opts = args.writer.options()?;
    let report = index_paths(&dir, &paths, &opts, &mut |e| print_event(global, &e))
        .with_context(|| format!("indexing into {}", dir.display()))?;
    if !global.quiet {
        eprintln!("newsdex: {}", summary(&report));
    }
    // Failure when nothing usable came of the run: every path missing or every file bad.
    Ok(
        if report.errors > 0 && report.articles_indexed == 0 && report.files_unchanged == 0 {
            exit::ERROR
        } else {
            exit::OK
        },
    )
}

/// Problems go to stderr unless -q; per-file lines only with -v.
pub fn print_event(global: &Global, event: &RunEvent<'_>) {
    match event {
        RunEvent::Problem(p) => {
            if !global.quiet {
                let level = if p.kind.is_warning() {
                    "warning"
                } else {
                    "skipped"
                };
                eprintln!("newsdex: {level}: {p}");
            }
        }
        RunEvent::File {
            path,
            action,
            articles,
        } => {
            if global.verbose {
                let what = match action {
                    FileAction::Added => "added",
                    FileAction::Updated => "updated",
                    FileAction::Unchanged => "unchanged",
                    FileAction::Removed => "removed",
                };
                eprintln!("{what:>9} {path} ({articles} articles)");
            }
        }
    }
}

/// The one summary line of a run.
pub fn summary(r: &RunReport) -> String {
    let files = if r.files_seen == 1 { "file" } else { "files" };
    let mut line = format!(
        "{} {files} ({} added, {} updated, {} removed, {} unchanged), {} articles indexed, {} removed",
        r.files_seen,
        r.files_added,
        r.files_updated,
        r.files_removed,
        r.files_unchanged,
        r.articles_indexed,
        r.articles_removed,
    );
    let list = |map: &std::collections::BTreeMap<String, u64>| -> String {
        let parts: Vec<String> = map.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        parts.join(", ")
    };
    if !r.problems.is_empty() {
        line.push_str(&format!(
            ", {} skipped ({})",
            r.skipped(),
            list(&r.problems)
        ));
    }
    if !r.warnings.is_empty() {
        let n: u64 = r.warnings.values().sum();
        let noun = if n == 1 { "warning" } else { "warnings" };
        line.push_str(&format!(", {n} {noun} ({})", list(&r.warnings)));
    }
    line.push_str(&format!(", {:.2} s", r.seconds));
    line
}
