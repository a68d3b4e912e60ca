//! JSON Lines output: one [`HitRecord`] per hit, the same type the HTTP API returns.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::article::Entities;
use crate::query::Hit;
use crate::query::search::Duplicates;

/// One passage in JSON: `highlights` are byte ranges into `text`.
#[derive(Debug, Serialize)]
pub struct PassageRecord<'a> {
    pub text: &'a str,
    pub highlights: &'a [[usize; 2]],
    pub score: f32,
}

/// One hit in JSON, documented in the README ("JSON output").
#[derive(Debug, Serialize)]
pub struct HitRecord<'a> {
    pub rank: usize,
    pub id: &'a str,
    pub score: Option<f32>,
    pub title: Option<&'a str>,
    pub published: Option<String>,
    pub source: Option<&'a str>,
    pub url: Option<&'a str>,
    pub path: Option<&'a str>,
    pub authors: &'a [String],
    pub language: Option<&'a str>,
    pub entities: &'a Entities,
    pub passages: Vec<PassageRecord<'a>>,
    /// Other copies of the article in the index (null when there are none).
    pub duplicates: Option<&'a Duplicates>,
}

/// RFC 3339 in UTC with a `Z`, to the second.
pub fn format_date(d: &DateTime<Utc>) -> String {
    d.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl<'a> From<&'a Hit> for HitRecord<'a> {
    fn from(hit: &'a Hit) -> Self {
        HitRecord {
            rank: hit.rank,
            id: &hit.id,
            score: hit.score,
            title: hit.title.as_deref(),
            published: hit.published.as_ref().map(format_date),
            source: hit.source.as_deref(),
            url: hit.url.as_deref(),
            path: hit.path.as_deref(),
            authors: &hit.authors,
            language: hit.language.as_deref(),
            entities: &hit.entities,
            passages: hit
                .passages
                .iter()
                .map(|p| PassageRecord {
                    text: &p.text,
                    highlights: &p.highlights,
                    score: p.score,
                })
                .collect(),
            duplicates: hit.duplicates.as_ref(),
        }
    }
}

/// Writes one hit as a JSON line.
pub fn write_hit(out: &mut dyn std::io::Write, hit: &Hit) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, &HitRecord::from(hit))?;
    out.write_all(b"\n")
}

/// One article in full, for `newsdex show --format json`.
#[derive(Debug, Serialize)]
pub struct ArticleRecord<'a> {
    pub id: &'a str,
    pub title: Option<&'a str>,
    pub published: Option<String>,
    pub source: Option<&'a str>,
    pub url: Option<&'a str>,
    pub path: Option<&'a str>,
    pub authors: &'a [String],
    pub language: Option<&'a str>,
    pub entities: &'a Entities,
    pub body: &'a str,
}

impl<'a> ArticleRecord<'a> {
    pub fn new(hit: &'a Hit, body: &'a str) -> Self {
        ArticleRecord {
            id: &hit.id,
            title: hit.title.as_deref(),
            published: hit.published.as_ref().map(format_date),
            source: hit.source.as_deref(),
            url: hit.url.as_deref(),
            path: hit.path.as_deref(),
            authors: &hit.authors,
            language: hit.language.as_deref(),
            entities: &hit.entities,
            body,
        }
    }
}
