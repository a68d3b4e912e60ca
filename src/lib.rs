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
//!
//! Index two articles in memory and search them:
//!
//! ```
//! use newsdex::index::{NewsIndex, writer::add_articles};
//! use newsdex::query::{SearchRequest, Searching};
//! use newsdex::Article;
//!
//! let index = NewsIndex::create_in_ram();
//! add_articles(&index, [
//!     Article {
//!         id: "a".into(),
//!         title: Some("Central bank holds rates".into()),
//!         body: "The central bank kept interest rates unchanged on Thursday.".into(),
//!         ..Article::default()
//!     },
//!     Article {
//!         id: "b".into(),
//!         title: Some("Harvest report".into()),
//!         body: "Farmers expect a record wheat harvest. Rates of growth vary.".into(),
//!         ..Article::default()
//!     },
//! ])?;
//!
//! let mut searching = Searching::new(&index)?;
//! let results = searching.search(&SearchRequest::new("\"interest rates\""))?;
//! assert_eq!(results.total, 1);
//! let hit = &results.hits[0];
//! assert_eq!(hit.id, "a");
//! // Passages carry byte ranges to highlight, never markup.
//! let passage = &hit.passages[0];
//! let [start, end] = passage.highlights[0];
//! assert_eq!(&passage.text[start..end], "interest rates");
//! # Ok::<(), newsdex::Error>(())
//! ```

pub mod article;
pub mod error;
pub mod extract;
pub mod index;
pub mod ingest;
pub mod language;
pub mod query;
pub mod render;

pub use article::{Article, Entities};
pub use error::{Error, Result};
