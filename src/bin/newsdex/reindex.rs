//! `newsdex reindex`: re-scan the recorded roots; the form cron and systemd call.

use anyhow::Context;
use clap::Args;
use newsdex::index::{NewsIndex, sync};

use crate::config::Global;
use crate::exit;
use crate::index::{WriterArgs, print_event, summary};

#[derive(Debug, Args)]
pub struct ReindexArgs {
    #[command(flatten)]
    pub writer: WriterArgs,
}

pub fn run(global: &Global, args: ReindexArgs) -> anyhow::Result<u8> {
    let (dir, _) = global.index_dir();
    let index = NewsIndex::open(&dir)?;
    let state = index.state()?;
    if state.roots.is_empty() {
        anyhow::bail!(
            "the index at {} records no roots: run `newsdex index PATH...` first",
            dir.display()
        );
    }
    let opts = args.writer.options_following(state.entities)?;
    let report = sync(&index, &state.roots, &opts, &mut |e| {
        print_event(global, &e)
    })
    .with_context(|| format!("reindexing {}", dir.display()))?;
    // Quiet by default for cron: the summary only with -v.
    if global.verbose {
        eprintln!("newsdex: {}", summary(&report));
    }
    Ok(if report.errors > 0 {
        exit::ERROR
    } else {
        exit::OK
    })
}
