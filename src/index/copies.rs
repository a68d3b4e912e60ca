//! Exact copies stored once.
//!
//! Articles with the same exact fingerprint (same words in the same order, see
//! [`dedup`](super::dedup)) form a group. One article of a group, its *original*,
//! is indexed in full; every other is a *copy*: a document with the article's own
//! id, url, source, path, date and manifest fields and the group's fingerprint, but no
//! title, body or entities. Search shows a copy with its original's text and lists
//! every copy of a hit, with where it lives.
//!
//! During a run, workers ask [`Copies::decide`] whether an article starts a group;
//! the first of a group to arrive claims it. When a run deletes the file holding a
//! group's original (it changed or vanished) and the group's text does not come back,
//! the copies left behind would have no text: [`Copies::orphaned_files`] names files
//! holding such copies, and the run re-indexes one of them, whose copy then becomes
//! the original.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Mutex;

/// Name of the fast field that marks copies (1) in the schema.
pub const COPY_FIELD: &str = "copy";

/// Which groups exist in the index at the start of a run, and where (read with the
/// manifest, by [`manifest::load_with_groups`](super::manifest::load_with_groups)).
#[derive(Debug, Default)]
pub struct Groups {
    /// Fingerprint → file holding the original.
    originals: HashMap<u64, String>,
    /// Fingerprint → files holding copies.
    copies: HashMap<u64, Vec<String>>,
}

impl Groups {
    /// Records a live document: fingerprint, whether it is a copy, its file.
    pub fn add(&mut self, print: u64, copy: bool, file: &str) {
        if copy {
            self.copies.entry(print).or_default().push(file.to_string());
        } else {
            self.originals
                .entry(print)
                .or_insert_with(|| file.to_string());
        }
    }
}

/// A run's view of the groups, shared by its workers.
#[derive(Debug)]
pub struct Copies {
    at_start: Groups,
    run: Mutex<RunState>,
}

/// Everything is kept by fingerprint and by file, so that a run replacing many files
/// does work in proportion to what those files held, not to the whole run.
#[derive(Debug, Default)]
struct RunState {
    /// Originals written in this run: fingerprint → file.
    claims: HashMap<u64, String>,
    /// Copies written in this run: fingerprint → files.
    copies: HashMap<u64, Vec<String>>,
    /// What each file wrote in this run: (fingerprint, is a copy).
    written: HashMap<String, Vec<(u64, bool)>>,
    /// Files whose documents this run deleted.
    replaced: HashSet<String>,
}

/// What to write for an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The first of its group: indexed in full.
    Original,
    /// Another article with the same text: stored as a copy.
    Copy,
}

impl Copies {
    pub fn new(at_start: Groups) -> Copies {
        Copies {
            at_start,
            run: Mutex::new(RunState::default()),
        }
    }

    /// Whether the article with fingerprint `print` from `file` is its group's original
    /// (and claims the group) or a copy.
    pub fn decide(&self, print: u64, file: &str) -> Role {
        let Ok(mut run) = self.run.lock() else {
            return Role::Original;
        };
        let kept_original = self
            .at_start
            .originals
            .get(&print)
            .is_some_and(|f| !run.replaced.contains(f));
        let copy = kept_original || run.claims.contains_key(&print);
        if copy {
            run.copies.entry(print).or_default().push(file.to_string());
        } else {
            run.claims.insert(print, file.to_string());
        }
        match run.written.get_mut(file) {
            Some(list) => list.push((print, copy)),
            None => {
                run.written.insert(file.to_string(), vec![(print, copy)]);
            }
        }
        if copy { Role::Copy } else { Role::Original }
    }

    /// Records that every document of `file` was deleted in this run: its originals no
    /// longer hold their groups. Call before the file's new articles are decided.
    pub fn replaced(&self, file: &str) {
        let Ok(mut run) = self.run.lock() else {
            return;
        };
        run.replaced.insert(file.to_string());
        // What this run already wrote from the file is deleted with it.
        for (print, copy) in run.written.remove(file).unwrap_or_default() {
            if copy {
                if let Some(files) = run.copies.get_mut(&print) {
                    files.retain(|f| f != file);
                }
            } else if run.claims.get(&print).is_some_and(|f| f == file) {
                run.claims.remove(&print);
            }
        }
    }

    /// Files to re-index so that every group with a copy left has an original: for each
    /// group whose original was deleted and not written again, one file holding a copy.
    pub fn orphaned_files(&self) -> Vec<String> {
        let Ok(run) = self.run.lock() else {
            return Vec::new();
        };
        if run.replaced.is_empty() {
            return Vec::new(); // every orphan's original is in a replaced file
        }
        let mut files: BTreeSet<String> = BTreeSet::new();
        for (print, original) in &self.at_start.originals {
            if !run.replaced.contains(original) || run.claims.contains_key(print) {
                continue; // still held, or written again in this run
            }
            // Copies from before the run count if their file was not replaced; copies
            // written in this run are dropped from `run.copies` when theirs is.
            let kept_copy = self
                .at_start
                .copies
                .get(print)
                .into_iter()
                .flatten()
                .find(|f| !run.replaced.contains(*f))
                .or_else(|| run.copies.get(print).and_then(|files| files.first()));
            if let Some(file) = kept_copy {
                files.insert(file.clone());
            }
        }
        files.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(originals: &[(u64, &str)], copies: &[(u64, &str)]) -> Groups {
        let mut g = Groups::default();
        for (p, f) in originals {
            g.add(*p, false, f);
        }
        for (p, f) in copies {
            g.add(*p, true, f);
        }
        g
    }

    #[test]
    fn first_of_a_group_is_the_original() {
        let c = Copies::new(Groups::default());
        assert_eq!(c.decide(1, "a"), Role::Original);
        assert_eq!(c.decide(1, "b"), Role::Copy);
        assert_eq!(c.decide(2, "b"), Role::Original);
        assert!(c.orphaned_files().is_empty());
    }

    #[test]
    fn an_indexed_original_keeps_its_group() {
        let c = Copies::new(groups(&[(7, "old")], &[]));
        assert_eq!(c.decide(7, "new"), Role::Copy);
        assert!(c.orphaned_files().is_empty());
    }

    #[test]
    fn a_replaced_original_hands_its_group_on() {
        // The original's file changed: its text is gone, a copy elsewhere must take over.
        let c = Copies::new(groups(&[(7, "a")], &[(7, "b"), (7, "c")]));
        c.replaced("a");
        assert_eq!(c.orphaned_files(), ["b"]);
        // Re-indexing b makes its copy the original.
        c.replaced("b");
        assert_eq!(c.decide(7, "b"), Role::Original);
        assert!(c.orphaned_files().is_empty());
    }

    #[test]
    fn a_replaced_original_that_comes_back_keeps_its_group() {
        let c = Copies::new(groups(&[(7, "a")], &[(7, "b")]));
        c.replaced("a");
        assert_eq!(c.decide(7, "a"), Role::Original);
        assert_eq!(c.decide(7, "d"), Role::Copy);
        assert!(c.orphaned_files().is_empty());
    }

    #[test]
    fn a_file_replaced_again_takes_back_what_it_wrote() {
        // A file re-read during the run (repair) first loses what it wrote, then decides anew.
        let c = Copies::new(Groups::default());
        assert_eq!(c.decide(1, "f"), Role::Original);
        assert_eq!(c.decide(1, "g"), Role::Copy);
        assert_eq!(c.decide(2, "g"), Role::Original);
        c.replaced("g");
        assert_eq!(c.decide(2, "h"), Role::Original, "g's claim went with it");
        assert_eq!(c.decide(1, "g"), Role::Copy, "f still holds group 1");
        assert!(c.orphaned_files().is_empty());
    }

    #[test]
    fn many_replaced_files_each_keep_their_group() {
        // 20,000 files each replaced once, each holding the original of its own group; the
        // per-file bookkeeping keeps this linear (not asserted: a test does not time).
        let mut g = Groups::default();
        for i in 0..20_000u64 {
            g.add(i, false, &format!("old/{i}"));
        }
        let c = Copies::new(g);
        for i in 0..20_000u64 {
            let f = format!("old/{i}");
            c.replaced(&f);
            assert_eq!(c.decide(i, &f), Role::Original);
        }
        assert!(c.orphaned_files().is_empty());
    }

    #[test]
    fn copies_written_in_the_run_can_take_over() {
        // A copy written before the original's file was found gone.
        let c = Copies::new(groups(&[(7, "a")], &[]));
        assert_eq!(c.decide(7, "new"), Role::Copy);
        c.replaced("a");
        assert_eq!(c.orphaned_files(), ["new"]);
        // A group with no copy left needs nothing.
        let c = Copies::new(groups(&[(7, "a")], &[(7, "b")]));
        c.replaced("a");
        c.replaced("b");
        assert!(c.orphaned_files().is_empty());
    }
}
