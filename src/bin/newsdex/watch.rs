//! `newsdex watch`: keep an index fresh until stopped, reindexing on an interval and
//! on file-system events (debounced), one log line per run.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use newsdex::index::writer::canonical_root;
use newsdex::index::{NewsIndex, RunEvent, sync};
use notify::{Event, EventKind, RecursiveMode, Watcher};

use crate::config::Global;
use crate::exit;
use crate::index::{WriterArgs, print_event, summary};

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Time between scheduled runs, e.g. 30s, 15m, 1h
    #[arg(long, default_value = "15m", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub every: Duration,

    /// Quiet time after a file-system event before reindexing, e.g. 2s
    #[arg(long, default_value = "2s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub debounce: Duration,

    /// Only reindex on the interval; ignore file-system events
    #[arg(long)]
    pub no_events: bool,

    #[command(flatten)]
    pub writer: WriterArgs,
}

pub fn run(global: &Global, args: WatchArgs) -> anyhow::Result<u8> {
    let (dir, _) = global.index_dir();
    let index = NewsIndex::open(&dir)?;
    let state = index.state()?;
    let roots = state.roots.clone();
    if roots.is_empty() {
        anyhow::bail!(
            "the index at {} records no roots: run `newsdex index PATH...` first",
            dir.display()
        );
    }

    // Ctrl-C / SIGTERM set the flag: a run in progress stops before its commit.
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .context("installing the signal handler")?;
    }

    let (events_tx, events) = channel::<()>();
    let own_dir = canonical_root(&dir);
    let mut _watcher = None;
    if !args.no_events {
        let tx = events_tx.clone();
        let ignore = own_dir.clone();
        let mut watcher = notify::recommended_watcher(move |res: notify::Result<Event>| {
            // Only changes count: reading files and listing folders (which the reindex
            // itself does) report access events that must not trigger another run.
            if let Ok(event) = res
                && matches!(
                    event.kind,
                    EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
                )
                && !matches!(
                    event.kind,
                    EventKind::Modify(notify::event::ModifyKind::Metadata(_))
                )
                && event.paths.iter().any(|p| !p.starts_with(&ignore))
            {
                let _ = tx.send(());
            }
        })
        .context("starting the file watcher")?;
        for root in &roots {
            if let Err(e) = watcher.watch(root, RecursiveMode::Recursive) {
                eprintln!("newsdex: warning: not watching {}: {e}", root.display());
            }
        }
        _watcher = Some(watcher);
    }
    let mut opts = args.writer.options_following(state.entities)?;
    opts.cancel = Some(Arc::clone(&stop));
    if !global.quiet {
        eprintln!(
            "newsdex: watching {} root(s) of {}, every {}; Ctrl-C stops",
            roots.len(),
            dir.display(),
            humantime::format_duration(args.every)
        );
    }
    let mut failures = 0u32;
    loop {
        let started = chrono::Utc::now();
        match sync(&index, &roots, &opts, &mut |e: RunEvent<'_>| {
            print_event(global, &e)
        }) {
            Ok(r) => {
                failures = 0;
                if !global.quiet {
                    println!(
                        "{} reindex: {}",
                        started.format("%Y-%m-%dT%H:%M:%SZ"),
                        summary(&r)
                    );
                }
            }
            Err(newsdex::Error::Cancelled) => break,
            Err(e) => {
                // A busy lock or a transient error: log it and try again next time.
                failures += 1;
                eprintln!(
                    "{} reindex failed: {e}",
                    started.format("%Y-%m-%dT%H:%M:%SZ")
                );
            }
        }
        if wait_for_next(&stop, &events, args.every, args.debounce) {
            break;
        }
    }
    if !global.quiet {
        eprintln!("newsdex: stopped");
    }
    Ok(if failures > 0 { exit::ERROR } else { exit::OK })
}

/// Waits until the interval passes or a file event arrives, then until `debounce`
/// passes with no further event; true when asked to stop.
fn wait_for_next(
    stop: &AtomicBool,
    events: &std::sync::mpsc::Receiver<()>,
    every: Duration,
    debounce: Duration,
) -> bool {
    let deadline = Instant::now() + every;
    loop {
        if stop.load(Ordering::Relaxed) {
            return true;
        }
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        let slice = (deadline - now).min(Duration::from_millis(200));
        match events.recv_timeout(slice) {
            Ok(()) => {
                // Debounce: a burst of changes (a copy, an unpacked archive) is one run.
                let mut quiet_since = Instant::now();
                while quiet_since.elapsed() < debounce {
                    if stop.load(Ordering::Relaxed) {
                        return true;
                    }
                    if events.recv_timeout(Duration::from_millis(50)).is_ok() {
                        quiet_since = Instant::now();
                    }
                }
                return stop.load(Ordering::Relaxed);
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => std::thread::sleep(slice),
        }
    }
}
