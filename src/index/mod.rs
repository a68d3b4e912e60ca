//! The index: schema, opening and creating, incremental sync, locking and commit.
//!
//! The index is its own manifest: every document stores the canonical path, size,
//! mtime and content hash of the file it came from, and each commit carries a small
//! JSON payload ([`IndexState`]) with the indexed roots and the last run's report.
//! There is no side file that could disagree with the index after a crash.

pub mod analyzer;
pub mod copies;
pub mod dedup;
pub mod lock;
pub mod manifest;
pub mod schema;
pub mod stats;
pub mod writer;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexReader, ReloadPolicy};

use crate::error::{Error, Result};
pub use schema::Fields;
pub use writer::{RunEvent, RunOptions, RunReport, sync};

/// Where the index lives when neither `--index` nor `NEWSDEX_INDEX` says otherwise.
pub const DEFAULT_INDEX_DIR: &str = "index";

/// An opened newsdex index.
#[derive(Clone)]
pub struct NewsIndex {
    index: Index,
    fields: Fields,
    dir: Option<PathBuf>,
}

/// What each commit records besides the documents: stored in tantivy's commit payload.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct IndexState {
    pub schema_version: u32,
    /// Canonical paths of the roots that were indexed; `reindex` re-scans them.
    pub roots: Vec<PathBuf>,
    /// The report of the run that made this commit.
    pub last_run: Option<RunReport>,
    /// Whether that run extracted entities; `reindex` and `watch` follow it unless told
    /// otherwise, so one index is not half with entities and half without.
    #[serde(default)]
    pub entities: Option<bool>,
}

impl NewsIndex {
    /// Opens an existing index; a missing or empty directory is a user error that says
    /// how to create one.
    pub fn open(dir: &Path) -> Result<NewsIndex> {
        if !dir.join("meta.json").is_file() {
            return Err(Error::NoIndex {
                path: dir.to_path_buf(),
            });
        }
        let mmap = MmapDirectory::open(dir).map_err(|e| Error::Invalid(format!("{e}")))?;
        let index = Index::open(mmap)?;
        let opened = Self::wrap(index, Some(dir.to_path_buf()))?;
        let version = opened.state()?.schema_version;
        if version != 0 && version != schema::SCHEMA_VERSION {
            return Err(Error::Schema {
                path: dir.to_path_buf(),
                message: format!(
                    "it was written by another newsdex version (schema {version}, this one reads {})",
                    schema::SCHEMA_VERSION
                ),
            });
        }
        Ok(opened)
    }

    /// Opens the index in `dir`, creating the directory and an empty index if needed.
    pub fn open_or_create(dir: &Path) -> Result<NewsIndex> {
        if dir.join("meta.json").is_file() {
            return Self::open(dir);
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let index = Index::builder()
            .schema(schema::build_schema())
            .settings(schema::index_settings())
            .create_in_dir(dir)?;
        Self::wrap(index, Some(dir.to_path_buf()))
    }

    /// A fresh index in memory, for tests and examples.
    pub fn create_in_ram() -> NewsIndex {
        let index = Index::builder()
            .schema(schema::build_schema())
            .settings(schema::index_settings())
            .create_in_ram()
            .expect("creating an index in RAM cannot fail");
        Self::wrap(index, None).expect("a freshly built schema has every field")
    }

    fn wrap(index: Index, dir: Option<PathBuf>) -> Result<NewsIndex> {
        let fields = Fields::from_schema(&index.schema()).map_err(|message| Error::Schema {
            path: dir.clone().unwrap_or_default(),
            message,
        })?;
        schema::register_analyzers(&index);
        Ok(NewsIndex { index, fields, dir })
    }

    pub fn tantivy(&self) -> &Index {
        &self.index
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The directory the index lives in (`None` for an in-RAM index).
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// A reader that sees the last commit; reload it to see newer ones.
    pub fn reader(&self) -> Result<IndexReader> {
        Ok(self
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?)
    }

    /// The state recorded by the last commit (empty for a new index).
    pub fn state(&self) -> Result<IndexState> {
        let metas = self.index.load_metas()?;
        match metas.payload.as_deref() {
            None | Some("") => Ok(IndexState::default()),
            Some(text) => serde_json::from_str(text).map_err(|e| Error::Schema {
                path: self.dir.clone().unwrap_or_default(),
                message: format!("unreadable commit payload: {e}"),
            }),
        }
    }
}
