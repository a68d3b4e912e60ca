//! The `Article`: the plain record every stage hands to the next.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One news article as ingest produced it.
///
/// Every field but `body` may be missing; ingest fills what the format gives and
/// never invents a value. `id` is always set: the article's own id or URL where the
/// format has one, otherwise derived from the file path (see `ingest`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Article {
    pub id: String,
    pub title: Option<String>,
    pub body: String,
    pub published: Option<DateTime<Utc>>,
    /// The outlet, e.g. a domain or a publication's name.
    pub source: Option<String>,
    pub url: Option<String>,
    pub authors: Vec<String>,
    /// ISO 639-1 code where known.
    pub language: Option<String>,
    /// Where the article came from, as given on the command line plus the walk.
    pub path: Option<String>,
    pub entities: Entities,
}

/// Named entities an article mentions, by type, each normalised to a canonical name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entities {
    pub person: Vec<String>,
    pub org: Vec<String>,
    pub place: Vec<String>,
    pub misc: Vec<String>,
}

impl Entities {
    pub fn is_empty(&self) -> bool {
        self.person.is_empty()
            && self.org.is_empty()
            && self.place.is_empty()
            && self.misc.is_empty()
    }
}
