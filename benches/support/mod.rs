//! Shared by the benches: where the corpora are, and loading a sample of articles.

#![allow(clippy::unwrap_used)]
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use newsdex::Article;
use newsdex::ingest::{self, SourceFile};

/// `NEWSDEX_CORPORA` or `../shared/corpora`, if present.
pub fn corpora() -> Option<PathBuf> {
    let dir = std::env::var_os("NEWSDEX_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora"));
    dir.is_dir().then_some(dir)
}

/// A corpus file by its path under the corpora folder, if present; says so when absent.
pub fn corpus_file(rel: &str) -> Option<PathBuf> {
    let path = corpora()?.join(rel);
    if path.is_file() {
        Some(path)
    } else {
        eprintln!("note: {} absent; benchmarking seeds/ only", path.display());
        None
    }
}

pub fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds")
}

pub fn source_file(path: &Path) -> SourceFile {
    let meta = std::fs::metadata(path).expect("stat bench input");
    SourceFile {
        path: path.to_path_buf(),
        rel: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        size: meta.len(),
        mtime_ns: 0,
    }
}

/// Every article of a file (or folder), in order.
pub fn load_articles(path: &Path) -> Vec<Article> {
    let mut out = Vec::new();
    for file in ingest::walk(&[path.to_path_buf()]).flatten() {
        let Ok(raw) = ingest::read_raw(&file) else {
            continue;
        };
        ingest::parse(&file, &raw, &mut |r| {
            if let Ok(a) = r {
                out.push(a);
            }
        });
    }
    out
}
