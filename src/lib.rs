//! newsdex: full-text search for news archives, on tantivy.
//!
//! Data flows through one module per stage, each handing plain data to the next:
//!
//! ```text
//! files/dirs ─walk─▶ ingest ─Article─▶ extract ─Article+Entities─▶ index ◀─── reindex
//!                                                                    │
//!             terminal / JSON ◀─render─ Hit+Passages ◀─query─────────┘
//! ```
//!
//! - [`ingest`] walks paths, detects formats and parses files into [`Article`]s.
//! - [`extract`] finds the people, organizations and places an article names.
//! - [`index`] owns the tantivy schema, the writer, incremental reindexing and locking.
//! - [`query`] parses the query language, searches, and ranks passages with highlights.
//! - [`render`] turns hits into terminal text or JSON Lines.
//!
//! Only `index` and `query` know tantivy; the library never prints.

pub mod article;
pub mod error;
pub mod extract;
pub mod index;
pub mod ingest;
pub mod query;
pub mod render;

pub use article::{Article, Entities};
pub use error::{Error, Result};
