//! Reads the manifest back out of the index: which files are indexed, with what
//! size, mtime and content hash, and how many articles each gave.

use std::collections::HashMap;

use tantivy::Searcher;

use crate::error::{Error, Result};

/// What the index knows about one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileState {
    pub size: u64,
    pub mtime_ns: i64,
    pub hash: u64,
    /// Live articles from this file.
    pub articles: u64,
}

/// Every indexed file by its canonical path, read from fast fields (no stored
/// documents are touched, so this stays fast for 100k files).
pub fn load(searcher: &Searcher) -> Result<HashMap<String, FileState>> {
    let mut files: HashMap<String, FileState> = HashMap::new();
    let mut name = String::new();
    for segment in searcher.segment_readers() {
        let fast = segment.fast_fields();
        let Some(paths) = fast.str("file")? else {
            continue;
        };
        let sizes = fast.u64("file_size")?;
        let mtimes = fast.i64("file_mtime")?;
        let hashes = fast.u64("file_hash")?;
        // Group by term ordinal first so each path string is decoded once per segment.
        let mut by_ord: HashMap<u64, FileState> = HashMap::new();
        for doc in segment.doc_ids_alive() {
            let Some(ord) = paths.term_ords(doc).next() else {
                continue;
            };
            let state = by_ord.entry(ord).or_insert_with(|| FileState {
                size: sizes.first(doc).unwrap_or(0),
                mtime_ns: mtimes.first(doc).unwrap_or(0),
                hash: hashes.first(doc).unwrap_or(0),
                articles: 0,
            });
            state.articles += 1;
        }
        for (ord, state) in by_ord {
            name.clear();
            let found = paths
                .ord_to_str(ord, &mut name)
                .map_err(|e| Error::Internal(format!("reading the file column: {e}")))?;
            if !found {
                continue;
            }
            files
                .entry(name.clone())
                .and_modify(|s| s.articles += state.articles)
                .or_insert(state);
        }
    }
    Ok(files)
}
