//! Reads the manifest back out of the index: which files are indexed, with what
//! size, mtime and content hash, and how many articles each gave (and, in the same
//! pass, the exact-copy groups `index::copies` needs).

use std::collections::HashMap;

use tantivy::Searcher;

use super::copies::{COPY_FIELD, Groups};
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
    Ok(load_with_groups(searcher)?.0)
}

/// [`load`], and in the same pass the exact-copy groups of every live document
/// (which file holds each group's original and which hold copies).
pub fn load_with_groups(searcher: &Searcher) -> Result<(HashMap<String, FileState>, Groups)> {
    let mut files: HashMap<String, FileState> = HashMap::new();
    let mut groups = Groups::default();
    for segment in searcher.segment_readers() {
        let fast = segment.fast_fields();
        let Some(paths) = fast.str("file")? else {
            continue;
        };
        let sizes = fast.u64("file_size")?;
        let mtimes = fast.i64("file_mtime")?;
        let hashes = fast.u64("file_hash")?;
        let prints = fast.u64("dup_exact")?;
        let flags = fast.u64(COPY_FIELD)?;
        // Group by term ordinal, then stream the dictionary once in order: looking
        // each ordinal up on its own decompresses a block per lookup.
        type Slot = (FileState, Vec<(u64, bool)>);
        let mut by_ord: Vec<Option<Slot>> = vec![None; paths.num_terms()];
        for doc in segment.doc_ids_alive() {
            let Some(slot) = paths
                .term_ords(doc)
                .next()
                .and_then(|ord| by_ord.get_mut(ord as usize))
            else {
                continue;
            };
            let (state, members) = slot.get_or_insert_with(|| {
                let state = FileState {
                    size: sizes.first(doc).unwrap_or(0),
                    mtime_ns: mtimes.first(doc).unwrap_or(0),
                    hash: hashes.first(doc).unwrap_or(0),
                    articles: 0,
                };
                (state, Vec::new())
            });
            state.articles += 1;
            if let Some(print) = prints.first(doc) {
                members.push((print, flags.first(doc) == Some(1)));
            }
        }
        let mut terms = paths
            .dictionary()
            .stream()
            .map_err(|e| Error::Internal(format!("reading the file column: {e}")))?;
        while terms.advance() {
            let Some(Some((state, members))) = by_ord.get(terms.term_ord() as usize) else {
                continue;
            };
            let name = String::from_utf8_lossy(terms.key()).into_owned();
            for &(print, copy) in members {
                groups.add(print, copy, &name);
            }
            files
                .entry(name)
                .and_modify(|s| s.articles += state.articles)
                .or_insert(*state);
        }
    }
    Ok((files, groups))
}
