//! Entity facets: the most frequent people, organizations, places and misc names,
//! over the whole index or within the articles a query matches, counted in articles.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use tantivy::DocAddress;

use super::search::{SearchRequest, Searching};
use crate::error::{Error, Result};
use crate::extract::entity_key;
use crate::index::schema::ENTITY_FIELDS;

/// One entity and the number of articles naming it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityCount {
    /// `person`, `org`, `place` or `misc`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The most common spelling among the articles counted.
    pub name: String,
    pub articles: u64,
}

/// The `limit` most frequent entities of each kind in `kinds` (all kinds when empty),
/// within the articles matching `within` (the whole index when `None`). Ties are
/// broken by name so the output is stable. Returns the counts and whether the query
/// was relaxed to "some of the words".
pub fn top_entities(
    searching: &mut Searching,
    within: Option<&SearchRequest>,
    kinds: &[&str],
    limit: usize,
) -> Result<(Vec<EntityCount>, bool)> {
    for kind in kinds {
        if !ENTITY_FIELDS.contains(kind) {
            return Err(Error::Invalid(format!(
                "unknown entity type {kind:?} (expected person, org, place or misc)"
            )));
        }
    }
    let (docs, relaxed): (Option<HashSet<DocAddress>>, bool) = match within {
        Some(req) => {
            let (docs, relaxed) = searching.matching_docs(req)?;
            (Some(docs), relaxed)
        }
        None => (None, false),
    };
    let kinds: Vec<&'static str> = ENTITY_FIELDS
        .iter()
        .copied()
        .filter(|k| kinds.is_empty() || kinds.contains(k))
        .collect();
    let mut out = Vec::new();
    for kind in kinds {
        let mut counts = count_kind(searching, kind, docs.as_ref())?;
        counts.sort_by(|a, b| {
            b.articles
                .cmp(&a.articles)
                .then_with(|| a.name.cmp(&b.name))
        });
        counts.truncate(limit);
        out.extend(counts);
    }
    Ok((out, relaxed))
}

/// Per folded key: articles, and how often each spelling occurred.
#[derive(Default)]
struct Tally {
    articles: u64,
    spellings: HashMap<String, u64>,
}

fn count_kind(
    searching: &Searching,
    kind: &'static str,
    docs: Option<&HashSet<DocAddress>>,
) -> Result<Vec<EntityCount>> {
    let field = format!("{kind}_facet");
    let mut tallies: HashMap<String, Tally> = HashMap::new();
    for (segment_ord, segment) in searching.searcher().segment_readers().iter().enumerate() {
        let Some(column) = segment.fast_fields().str(&field)? else {
            continue;
        };
        // Count per term ordinal first (cheap), then stream the dictionary once to
        // resolve them: looking ordinals up one by one decompresses a block each.
        let mut per_ord: Vec<u64> = vec![0; column.num_terms()];
        let mut count_doc = |doc: u32| {
            for ord in column.term_ords(doc) {
                if let Some(n) = per_ord.get_mut(ord as usize) {
                    *n += 1;
                }
            }
        };
        match docs {
            Some(docs) => {
                for address in docs
                    .iter()
                    .filter(|a| a.segment_ord as usize == segment_ord)
                {
                    count_doc(address.doc_id);
                }
            }
            None => segment.doc_ids_alive().for_each(&mut count_doc),
        }
        let mut terms = column
            .dictionary()
            .stream()
            .map_err(|e| Error::Internal(format!("reading {field}: {e}")))?;
        while terms.advance() {
            let n = per_ord.get(terms.term_ord() as usize).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            // Each distinct spelling is folded once: "Kyiv" and "KYIV" count as one.
            let spelling = String::from_utf8_lossy(terms.key());
            let tally = tallies.entry(entity_key(&spelling)).or_default();
            tally.articles += n;
            *tally.spellings.entry(spelling.into_owned()).or_default() += n;
        }
    }
    Ok(tallies
        .into_values()
        .map(|t| {
            let name = t
                .spellings
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                .map(|(s, _)| s)
                .unwrap_or_default();
            EntityCount {
                kind,
                name,
                articles: t.articles,
            }
        })
        .collect())
}
