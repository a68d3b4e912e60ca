//! Figures about an index: articles, files, sources, date span, size, roots, last run.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::writer::RunReport;
use super::{NewsIndex, manifest};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Serialize)]
pub struct IndexStats {
    pub articles: u64,
    pub files: u64,
    pub sources: u64,
    pub earliest: Option<DateTime<Utc>>,
    pub latest: Option<DateTime<Utc>>,
    pub size_bytes: u64,
    /// Groups of articles with exactly the same text (each group has 2 or more).
    pub duplicate_groups: u64,
    /// Articles beyond the first of each such group: what collapsing hides.
    pub duplicate_copies: u64,
    pub roots: Vec<PathBuf>,
    pub last_run: Option<RunReport>,
}

pub fn collect(index: &NewsIndex) -> Result<IndexStats> {
    let searcher = index.reader()?.searcher();
    let files = manifest::load(&searcher)?.len() as u64;
    let mut sources: HashSet<String> = HashSet::new();
    let mut prints: HashMap<u64, u64> = HashMap::new();
    let mut earliest: Option<i64> = None;
    let mut latest: Option<i64> = None;
    for segment in searcher.segment_readers() {
        let fast = segment.fast_fields();
        if let Some(column) = fast.str("source")? {
            let mut terms = column
                .dictionary()
                .stream()
                .map_err(|e| Error::Internal(format!("reading sources: {e}")))?;
            while terms.advance() {
                sources.insert(String::from_utf8_lossy(terms.key()).into_owned());
            }
        }
        let exact = fast.u64("dup_exact")?;
        for doc in segment.doc_ids_alive() {
            if let Some(e) = exact.first(doc) {
                *prints.entry(e).or_default() += 1;
            }
        }
        let dates = fast.date("published")?;
        for doc in segment.doc_ids_alive() {
            if let Some(d) = dates.first(doc) {
                let secs = d.into_timestamp_secs();
                earliest = Some(earliest.map_or(secs, |e| e.min(secs)));
                latest = Some(latest.map_or(secs, |l| l.max(secs)));
            }
        }
    }
    let state = index.state()?;
    let size_bytes = match index.dir() {
        Some(dir) => dir_size(dir),
        None => 0,
    };
    Ok(IndexStats {
        articles: searcher.num_docs(),
        files,
        sources: sources.len() as u64,
        earliest: earliest.and_then(|s| DateTime::from_timestamp(s, 0)),
        latest: latest.and_then(|s| DateTime::from_timestamp(s, 0)),
        size_bytes,
        duplicate_groups: prints.values().filter(|n| **n > 1).count() as u64,
        duplicate_copies: prints.values().filter(|n| **n > 1).map(|n| n - 1).sum(),
        roots: state.roots,
        last_run: state.last_run,
    })
}

fn dir_size(dir: &std::path::Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}
