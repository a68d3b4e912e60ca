//! Turning a parsed query plus filters into a tantivy query, running it, and
//! assembling hits with their best passages.

use std::collections::HashMap;
use std::ops::Bound as StdBound;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query,
    RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};

use super::parse::{self, Expr, FieldName};
use super::passages::{self, HighlightQuery, Passage, PassageOptions, Phrase, QueryTerm};
use crate::article::Entities;
use crate::error::{Error, Result};
use crate::index::copies::COPY_FIELD;
use crate::index::schema::{self, Fields};
use crate::index::{NewsIndex, dedup};
use crate::language::{self, Analysis};

/// How much more a title match counts than a body match.
pub const TITLE_BOOST: f32 = 2.0;

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    #[default]
    Relevance,
    /// Newest first.
    Date,
}

/// A search request: the query text plus the flags that narrow it.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: String,
    pub limit: usize,
    pub offset: usize,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Each must match (AND); values compare case-insensitively.
    pub sources: Vec<String>,
    pub persons: Vec<String>,
    pub orgs: Vec<String>,
    pub places: Vec<String>,
    pub sort: SortOrder,
    pub passages: usize,
    pub passage_chars: usize,
    /// Show exact and near-duplicate articles as one hit (the best-ranked copy).
    pub collapse: bool,
    /// Only articles in these languages (ISO 639-1 codes; any of them).
    pub languages: Vec<String>,
}

impl SearchRequest {
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            limit: 10,
            offset: 0,
            since: None,
            until: None,
            sources: Vec::new(),
            persons: Vec::new(),
            orgs: Vec::new(),
            places: Vec::new(),
            sort: SortOrder::Relevance,
            passages: 2,
            passage_chars: 300,
            collapse: true,
            languages: Vec::new(),
        }
    }
}

/// One ranked article.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub rank: usize,
    /// BM25 score; `None` when sorted by date.
    pub score: Option<f32>,
    pub id: String,
    pub title: Option<String>,
    /// Byte ranges of matching words in `title`.
    pub title_highlights: Vec<[usize; 2]>,
    pub published: Option<DateTime<Utc>>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub path: Option<String>,
    pub authors: Vec<String>,
    pub language: Option<String>,
    pub entities: Entities,
    pub passages: Vec<Passage>,
    /// Length of the body in bytes, so a renderer can tell whether passages reach its end.
    pub body_len: usize,
    /// Other copies of this article in the index, if any.
    pub duplicates: Option<Duplicates>,
}

/// Copies of an article elsewhere in the index.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Duplicates {
    /// Other articles in the index with exactly the same words (title and body).
    pub exact: u64,
    /// Near-duplicates (same story, small edits) among the results, folded into this hit.
    pub near: u64,
    /// Up to ten of them, exact copies first.
    pub others: Vec<DuplicateRef>,
}

/// Where a copy is.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DuplicateRef {
    pub id: String,
    pub path: Option<String>,
    /// `exact` or `near`.
    pub kind: &'static str,
}

/// Near-duplicates folded into each hit of a page.
type Collapsed = HashMap<DocAddress, Vec<DocAddress>>;

/// How many copies `Duplicates::others` lists at most.
const MAX_DUPLICATE_REFS: usize = 10;

/// The outcome of a search.
#[derive(Debug, Clone)]
pub struct SearchResults {
    /// Articles matching the query and filters.
    pub total: usize,
    pub hits: Vec<Hit>,
    /// True when no article had every word, so articles with some of them are shown.
    pub relaxed: bool,
}

/// A search session over one index: keeps the searcher and analyzers.
pub struct Searching {
    searcher: Searcher,
    fields: Fields,
    name: TextAnalyzer,
    keyword: TextAnalyzer,
    /// How title/body text is analysed in each language present in the index.
    present: Vec<Analysis>,
    /// The analyses query words expand to in the current request.
    active: Vec<Analysis>,
    analyzers: HashMap<Analysis, language::Analyzer>,
}

impl Searching {
    pub fn new(index: &NewsIndex) -> Result<Searching> {
        let searcher = index.reader()?.searcher();
        let tokenizers = index.tantivy().tokenizers();
        let get = |name: &str| {
            tokenizers
                .get(name)
                .ok_or_else(|| Error::Internal(format!("analyzer {name:?} is not registered")))
        };
        let present = languages_present(&searcher)?
            .iter()
            .map(|code| Analysis::for_code(code))
            .fold(vec![Analysis::for_code(language::DEFAULT)], |mut acc, a| {
                if !acc.contains(&a) {
                    acc.push(a);
                }
                acc
            });
        Ok(Searching {
            searcher,
            fields: *index.fields(),
            name: get(schema::NAME_ANALYZER)?,
            keyword: get(schema::KEYWORD_ANALYZER)?,
            active: present.clone(),
            present,
            analyzers: HashMap::new(),
        })
    }

    /// Tokens of `text` as the index stores them in one language.
    fn analyze(&mut self, analysis: Analysis, text: &str) -> Vec<(usize, String)> {
        self.analyzers
            .entry(analysis)
            .or_insert_with(|| language::Analyzer::new(analysis))
            .tokens(text)
            .into_iter()
            .map(|t| (t.position, t.text))
            .collect()
    }

    pub fn searcher(&self) -> &Searcher {
        &self.searcher
    }

    /// Articles in the index.
    pub fn num_docs(&self) -> u64 {
        self.searcher.num_docs()
    }

    /// Number of articles matching the request (query and filters), like `grep -c`.
    pub fn count(&mut self, req: &SearchRequest) -> Result<(usize, bool)> {
        let expr = parse::parse(&req.query)?;
        let query = self.build(&expr, req)?;
        let n = self.searcher.search(&query, &Count)?;
        if n == 0
            && let Some(relaxed) = relax(&expr)
        {
            let query = self.build(&relaxed, req)?;
            return Ok((self.searcher.search(&query, &Count)?, true));
        }
        Ok((n, false))
    }

    /// Every article matching the request (query and filters), and whether the query
    /// had to be relaxed to "some of the words" to match anything.
    pub fn matching_docs(
        &mut self,
        req: &SearchRequest,
    ) -> Result<(std::collections::HashSet<DocAddress>, bool)> {
        let expr = parse::parse(&req.query)?;
        let query = self.build(&expr, req)?;
        let docs = self.searcher.search(&query, &DocSetCollector)?;
        if docs.is_empty()
            && let Some(relaxed) = relax(&expr)
        {
            let query = self.build(&relaxed, req)?;
            return Ok((self.searcher.search(&query, &DocSetCollector)?, true));
        }
        Ok((docs, false))
    }

    /// Runs the request: ranked hits with passages.
    pub fn search(&mut self, req: &SearchRequest) -> Result<SearchResults> {
        let expr = parse::parse(&req.query)?;
        let query = self.build(&expr, req)?;
        let (mut total, mut docs, mut collapsed) = self.ranked(&*query, req)?;
        let mut relaxed = false;
        let mut used = expr;
        if total == 0
            && let Some(r) = relax(&used)
        {
            let query = self.build(&r, req)?;
            (total, docs, collapsed) = self.ranked(&*query, req)?;
            relaxed = true;
            used = r;
        }
        let opts = PassageOptions {
            count: req.passages,
            max_chars: req.passage_chars,
        };
        let english = Analysis::for_code(language::DEFAULT);
        let mut highlights: HashMap<Analysis, HighlightQuery> = HashMap::new();
        let mut hits = Vec::with_capacity(docs.len());
        for (i, (score, address)) in docs.into_iter().enumerate() {
            let group = self.exact_group(address)?;
            let doc = self.with_text(address, self.searcher.doc(address)?, &group)?;
            // Passages are stemmed in the article's language where it has a stemmer.
            let analysis = first_str(&doc, self.fields.language)
                .map(|code| Analysis::for_code(&code))
                .filter(|a| a.algorithm().is_some())
                .unwrap_or(english);
            if let std::collections::hash_map::Entry::Vacant(slot) = highlights.entry(analysis) {
                slot.insert(self.highlight_query(&used, analysis)?);
            }
            let highlight = &highlights[&analysis];
            let mut hit = self.hit(req.offset + i + 1, score, &doc, highlight, &opts, analysis);
            let near = collapsed.get(&address).map_or(&[][..], Vec::as_slice);
            hit.duplicates = self.duplicates_of(address, &group, near)?;
            hits.push(hit);
        }
        Ok(SearchResults {
            total,
            hits,
            relaxed,
        })
    }

    /// The page of hits asked for; with `collapse`, duplicates of a better-ranked hit
    /// are skipped (fetching more candidates until the page is full or none are left).
    /// Also returns, per hit on the page, the near-duplicates collapsed into it.
    #[allow(clippy::type_complexity)]
    fn ranked(
        &self,
        query: &dyn Query,
        req: &SearchRequest,
    ) -> Result<(usize, Vec<(Option<f32>, DocAddress)>, Collapsed)> {
        if !req.collapse || req.limit == 0 {
            let (total, docs) = self.top(query, req)?;
            return Ok((total, docs, Collapsed::new()));
        }
        let wanted = req.offset + req.limit;
        let mut fetch = wanted * 2 + 20;
        loop {
            let mut wide = req.clone();
            wide.offset = 0;
            wide.limit = fetch;
            let (total, candidates) = self.top(query, &wide)?;
            let exhausted = candidates.len() < fetch;
            let mut prints = FingerprintReader::default();
            // Kept hits in rank order: fingerprint, address, near-duplicates folded in.
            let mut kept: Vec<(Option<u64>, Vec<u64>, DocAddress, Vec<DocAddress>)> = Vec::new();
            let mut page = Vec::new();
            for (score, address) in candidates {
                let (exact, bands) = prints.read(&self.searcher, address)?;
                let owner = kept.iter_mut().find(|(e, b, _, _)| {
                    (exact.is_some() && *e == exact) || dedup::is_near(b, &bands)
                });
                if let Some((e, _, _, near)) = owner {
                    // Exact copies are listed from the index itself; keep near ones.
                    if *e != exact {
                        near.push(address);
                    }
                    continue;
                }
                if page.len() == req.limit {
                    continue; // page full: still fold later candidates into its hits
                }
                kept.push((exact, bands, address, Vec::new()));
                if kept.len() > req.offset {
                    page.push((score, address));
                }
            }
            if page.len() == req.limit || exhausted {
                let collapsed = kept
                    .into_iter()
                    .skip(req.offset)
                    .map(|(_, _, address, near)| (address, near))
                    .collect();
                return Ok((total, page, collapsed));
            }
            fetch *= 4;
        }
    }

    /// Every document with the same exact fingerprint as `address` (itself included), in
    /// index order: the article and its copies anywhere in the index.
    fn exact_group(&self, address: DocAddress) -> Result<Vec<DocAddress>> {
        let segment = self.searcher.segment_reader(address.segment_ord);
        let Some(exact) = segment
            .fast_fields()
            .u64("dup_exact")?
            .first(address.doc_id)
        else {
            return Ok(Vec::new());
        };
        let query = TermQuery::new(
            Term::from_field_u64(self.fields.dup_exact, exact),
            IndexRecordOption::Basic,
        );
        let mut group: Vec<DocAddress> = self
            .searcher
            .search(&query, &DocSetCollector)?
            .into_iter()
            .collect();
        group.sort();
        Ok(group)
    }

    /// Exact copies of a document anywhere in the index (the rest of its `group`), and
    /// the near-duplicates that were folded into it among the results.
    fn duplicates_of(
        &self,
        address: DocAddress,
        group: &[DocAddress],
        near: &[DocAddress],
    ) -> Result<Option<Duplicates>> {
        let mut dups = Duplicates::default();
        for &d in group.iter().filter(|d| **d != address) {
            dups.exact += 1;
            if dups.others.len() < MAX_DUPLICATE_REFS {
                dups.others.push(self.duplicate_ref(d, "exact")?);
            }
        }
        dups.near = near.len() as u64;
        for d in near {
            if dups.others.len() < MAX_DUPLICATE_REFS {
                dups.others.push(self.duplicate_ref(*d, "near")?);
            }
        }
        Ok((dups.exact + dups.near > 0).then_some(dups))
    }

    fn duplicate_ref(&self, address: DocAddress, kind: &'static str) -> Result<DuplicateRef> {
        let doc: TantivyDocument = self.searcher.doc(address)?;
        Ok(DuplicateRef {
            id: first_str(&doc, self.fields.id).unwrap_or_default(),
            path: first_str(&doc, self.fields.path),
            kind,
        })
    }

    /// Looks up one article by id: its hit (no passages) and its full body.
    pub fn get(&mut self, id: &str) -> Result<Option<(Hit, String)>> {
        let Some((address, doc)) = self.doc_by_id(id)? else {
            return Ok(None);
        };
        let group = self.exact_group(address)?;
        let doc = self.with_text(address, doc, &group)?;
        let empty = HighlightQuery {
            terms: Vec::new(),
            phrases: Vec::new(),
        };
        let opts = PassageOptions {
            count: 0,
            max_chars: 0,
        };
        let hit = self.hit(
            1,
            None,
            &doc,
            &empty,
            &opts,
            Analysis::for_code(language::DEFAULT),
        );
        let body = first_str(&doc, self.fields.body).unwrap_or_default();
        Ok(Some((hit, body)))
    }

    /// A copy (see `index::copies`) has no text of its own: it gets its original's title,
    /// body and entities (and language if it has none). Other documents come back as
    /// they are.
    fn with_text(
        &self,
        address: DocAddress,
        mut doc: TantivyDocument,
        group: &[DocAddress],
    ) -> Result<TantivyDocument> {
        if !self.is_copy(address)? {
            return Ok(doc);
        }
        for &other in group {
            if self.is_copy(other)? {
                continue;
            }
            let original: TantivyDocument = self.searcher.doc(other)?;
            let f = &self.fields;
            let mut borrowed = vec![f.title, f.body, f.person, f.org, f.place, f.misc];
            if doc.get_first(f.language).is_none() {
                borrowed.push(f.language);
            }
            for field in borrowed {
                for value in original.get_all(field) {
                    if let Some(text) = value.as_str() {
                        doc.add_text(field, text);
                    }
                }
            }
            break;
        }
        Ok(doc)
    }

    fn is_copy(&self, address: DocAddress) -> Result<bool> {
        let segment = self.searcher.segment_reader(address.segment_ord);
        let flag = segment.fast_fields().u64(COPY_FIELD)?.first(address.doc_id);
        Ok(flag == Some(1))
    }

    fn doc_by_id(&self, id: &str) -> Result<Option<(DocAddress, TantivyDocument)>> {
        let query = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = self
            .searcher
            .search(&query, &TopDocs::with_limit(1).order_by_score())?;
        match top.first() {
            Some((_, address)) => Ok(Some((*address, self.searcher.doc(*address)?))),
            None => Ok(None),
        }
    }

    #[allow(clippy::type_complexity)]
    fn top(
        &self,
        query: &dyn Query,
        req: &SearchRequest,
    ) -> Result<(usize, Vec<(Option<f32>, DocAddress)>)> {
        let limit = req.limit.max(1);
        let top = TopDocs::with_limit(limit).and_offset(req.offset);
        let (total, docs) = match req.sort {
            SortOrder::Relevance => {
                let (n, docs) = self
                    .searcher
                    .search(query, &(Count, top.order_by_score()))?;
                (n, docs.into_iter().map(|(s, a)| (Some(s), a)).collect())
            }
            SortOrder::Date => {
                let (n, docs) = self.searcher.search(
                    query,
                    &(
                        Count,
                        top.order_by_fast_field::<tantivy::DateTime>("published", Order::Desc),
                    ),
                )?;
                (n, docs.into_iter().map(|(_, a)| (None, a)).collect())
            }
        };
        let docs = if req.limit == 0 { Vec::new() } else { docs };
        Ok((total, docs))
    }

    fn hit(
        &self,
        rank: usize,
        score: Option<f32>,
        doc: &TantivyDocument,
        highlight: &HighlightQuery,
        opts: &PassageOptions,
        analysis: Analysis,
    ) -> Hit {
        let algorithm = analysis.algorithm().unwrap_or(frostem::Algorithm::English);
        let f = &self.fields;
        let title = first_str(doc, f.title);
        let body = first_str(doc, f.body).unwrap_or_default();
        let all = |field: Field| -> Vec<String> {
            doc.get_all(field)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        let passages = if opts.count == 0 {
            Vec::new()
        } else {
            passages::passages_in(&body, highlight, opts, algorithm)
        };
        Hit {
            rank,
            score,
            id: first_str(doc, f.id).unwrap_or_default(),
            title_highlights: title
                .as_deref()
                .map(|t| passages::highlight_in(t, highlight, algorithm))
                .unwrap_or_default(),
            title,
            published: doc
                .get_first(f.published)
                .and_then(|v| v.as_datetime())
                .and_then(|d| DateTime::<Utc>::from_timestamp(d.into_timestamp_secs(), 0)),
            source: first_str(doc, f.source),
            url: first_str(doc, f.url),
            path: first_str(doc, f.path),
            authors: all(f.authors),
            language: first_str(doc, f.language),
            entities: Entities {
                person: all(f.person),
                org: all(f.org),
                place: all(f.place),
                misc: all(f.misc),
            },
            passages,
            body_len: body.trim_end().len(),
            duplicates: None,
        }
    }

    /// The tantivy query for a parsed expression with the request's filters.
    fn build(&mut self, expr: &Expr, req: &SearchRequest) -> Result<Box<dyn Query>> {
        self.active = if req.languages.is_empty() {
            self.present.clone()
        } else {
            let mut active = Vec::new();
            for code in &req.languages {
                let a = Analysis::for_code(&language::normalize_code(code));
                if !active.contains(&a) {
                    active.push(a);
                }
            }
            active
        };
        let main = self.expr(expr)?.unwrap_or_else(|| Box::new(EmptyQuery));
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        if !req.languages.is_empty() {
            let clauses: Vec<(Occur, Box<dyn Query>)> = req
                .languages
                .iter()
                .map(|code| {
                    let q: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_text(
                            self.fields.language,
                            &language::normalize_code(code),
                        ),
                        IndexRecordOption::Basic,
                    ));
                    (Occur::Should, q)
                })
                .collect();
            filters.push(Box::new(BooleanQuery::new(clauses)));
        }
        if req.since.is_some() || req.until.is_some() {
            filters.push(self.date_range(req.since, req.until));
        }
        for source in &req.sources {
            filters.push(self.leaf(Some(FieldName::Source), source, 0, true)?);
        }
        let entity_filters = [
            (FieldName::Person, &req.persons),
            (FieldName::Org, &req.orgs),
            (FieldName::Place, &req.places),
        ];
        for (field, values) in entity_filters {
            for value in values {
                filters.push(self.leaf(Some(field), value, 0, true)?);
            }
        }
        if filters.is_empty() {
            return Ok(main);
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, main)];
        for filter in filters {
            // Filters narrow the hits without changing their scores.
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    /// `None` when the expression has no searchable token (e.g. only punctuation).
    fn expr(&mut self, expr: &Expr) -> Result<Option<Box<dyn Query>>> {
        Ok(match expr {
            Expr::Term { field, text } => Some(self.leaf(*field, text, 0, false)?),
            Expr::Phrase { field, text, slop } => Some(self.leaf(*field, text, *slop, true)?),
            Expr::DateRange { from, to } => Some(self.date_range(*from, *to)),
            Expr::And { children, .. } => {
                let mut clauses = Vec::new();
                for child in children {
                    let (occur, inner) = match child {
                        Expr::Not(inner) => (Occur::MustNot, inner.as_ref()),
                        other => (Occur::Must, other),
                    };
                    if let Some(q) = self.expr(inner)? {
                        clauses.push((occur, q));
                    }
                }
                bool_query(clauses)
            }
            Expr::Or(children) => {
                let mut clauses = Vec::new();
                for child in children {
                    if let Some(q) = self.expr(child)? {
                        clauses.push((Occur::Should, q));
                    }
                }
                bool_query(clauses)
            }
            Expr::Not(inner) => self
                .expr(inner)?
                .and_then(|q| bool_query(vec![(Occur::MustNot, q)])),
        })
    }

    fn date_range(&self, from: parse::Bound, to: parse::Bound) -> Box<dyn Query> {
        let term = |d: DateTime<Utc>| {
            Term::from_field_date_for_search(
                self.fields.published,
                tantivy::DateTime::from_timestamp_secs(d.timestamp()),
            )
        };
        let lo = from.map_or(StdBound::Unbounded, |d| StdBound::Included(term(d)));
        let hi = to.map_or(StdBound::Unbounded, |d| StdBound::Included(term(d)));
        if matches!((&lo, &hi), (StdBound::Unbounded, StdBound::Unbounded)) {
            // `[* TO *]`: any article with a date.
            let lo = StdBound::Included(term(DateTime::<Utc>::MIN_UTC));
            return Box::new(RangeQuery::new(lo, StdBound::Unbounded));
        }
        Box::new(RangeQuery::new(lo, hi))
    }

    /// A word or phrase on one field, or on title and body when `field` is `None`.
    fn leaf(
        &mut self,
        field: Option<FieldName>,
        text: &str,
        slop: u32,
        phrase: bool,
    ) -> Result<Box<dyn Query>> {
        let f = self.fields;
        let (targets, kind): (Vec<(Field, f32)>, Analyzer) = match field {
            None => (vec![(f.title, TITLE_BOOST), (f.body, 1.0)], Analyzer::Text),
            Some(FieldName::Title) => (vec![(f.title, 1.0)], Analyzer::Text),
            Some(FieldName::Body) => (vec![(f.body, 1.0)], Analyzer::Text),
            Some(FieldName::Source) => (vec![(f.source, 1.0)], Analyzer::Keyword),
            Some(FieldName::Language) => (vec![(f.language, 1.0)], Analyzer::Keyword),
            Some(FieldName::Id) => (vec![(f.id, 1.0)], Analyzer::Raw),
            Some(FieldName::Author) => (vec![(f.authors, 1.0)], Analyzer::Name),
            Some(FieldName::Person) => (vec![(f.person, 1.0)], Analyzer::Name),
            Some(FieldName::Org) => (vec![(f.org, 1.0)], Analyzer::Name),
            Some(FieldName::Place) => (vec![(f.place, 1.0)], Analyzer::Name),
            Some(FieldName::Misc) => (vec![(f.misc, 1.0)], Analyzer::Name),
            Some(FieldName::Url) => {
                return Err(Error::Invalid(
                    "the url field is stored, not searchable; search words of the url instead"
                        .into(),
                ));
            }
            Some(FieldName::Published) => {
                return Err(Error::Invalid(
                    "published takes a date or a date range".into(),
                ));
            }
        };
        // Title and body words expand to their form in each active language
        // ("Häuser" → "häuser" in English, "haus" in German).
        let mut variants: Vec<Vec<(usize, String)>> = Vec::new();
        if matches!(kind, Analyzer::Text) {
            for analysis in self.active.clone() {
                let tokens = self.analyze(analysis, text);
                if !tokens.is_empty() && !variants.contains(&tokens) {
                    variants.push(tokens);
                }
            }
        } else {
            let tokens = self.tokens(kind, text);
            if !tokens.is_empty() {
                variants.push(tokens);
            }
        }
        if variants.is_empty() {
            return Ok(Box::new(EmptyQuery));
        }
        let mut per_field: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, boost) in targets {
            for tokens in &variants {
                let q: Box<dyn Query> = if tokens.len() == 1 {
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, &tokens[0].1),
                        IndexRecordOption::WithFreqs,
                    ))
                } else {
                    let terms = tokens
                        .iter()
                        .map(|(pos, t)| (*pos, Term::from_field_text(field, t)))
                        .collect();
                    Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop))
                };
                let q: Box<dyn Query> = if boost != 1.0 {
                    Box::new(BoostQuery::new(q, boost))
                } else {
                    q
                };
                per_field.push((Occur::Should, q));
            }
        }
        let _ = phrase;
        Ok(if per_field.len() == 1 {
            per_field.remove(0).1
        } else {
            Box::new(BooleanQuery::new(per_field))
        })
    }

    fn tokens(&mut self, kind: Analyzer, text: &str) -> Vec<(usize, String)> {
        let analyzer = match kind {
            Analyzer::Text => return self.analyze(Analysis::for_code(language::DEFAULT), text),
            Analyzer::Name => &mut self.name,
            Analyzer::Keyword => &mut self.keyword,
            Analyzer::Raw => return vec![(0, text.to_string())],
        };
        let mut out = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while let Some(token) = stream.next() {
            out.push((token.position, token.text.clone()));
        }
        out
    }

    /// The positive title/body words and phrases of a query, weighted by rarity, as
    /// stemmed in one language.
    fn highlight_query(&mut self, expr: &Expr, analysis: Analysis) -> Result<HighlightQuery> {
        let mut leaves = Vec::new();
        collect_positive(expr, &mut leaves);
        let n = self.searcher.num_docs().max(1) as f32;
        let mut out = HighlightQuery {
            terms: Vec::new(),
            phrases: Vec::new(),
        };
        for (text, is_phrase, slop) in leaves {
            let stems: Vec<String> = self
                .analyze(analysis, &text)
                .into_iter()
                .map(|(_, t)| t)
                .collect();
            let mut weight = 0.0;
            for stem in &stems {
                weight += self.idf(stem, n)?;
            }
            if stems.is_empty() {
                continue;
            }
            if stems.len() == 1 && !is_phrase {
                if !out.terms.iter().any(|t| t.stem == stems[0]) {
                    out.terms.push(QueryTerm {
                        stem: stems[0].clone(),
                        weight,
                    });
                }
            } else if stems.len() == 1 {
                out.terms.push(QueryTerm {
                    stem: stems[0].clone(),
                    weight,
                });
            } else {
                out.phrases.push(Phrase {
                    stems,
                    slop,
                    weight,
                });
            }
        }
        Ok(out)
    }

    fn idf(&self, stem: &str, n: f32) -> Result<f32> {
        let df = self
            .searcher
            .doc_freq(&Term::from_field_text(self.fields.body, stem))? as f32;
        Ok((1.0 + (n - df + 0.5) / (df + 0.5)).ln().max(0.01))
    }
}

#[derive(Clone, Copy)]
enum Analyzer {
    Text,
    Name,
    Keyword,
    Raw,
}

fn bool_query(clauses: Vec<(Occur, Box<dyn Query>)>) -> Option<Box<dyn Query>> {
    if clauses.is_empty() {
        return None;
    }
    if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
        // A purely negative query means "everything except".
        let mut clauses = clauses;
        clauses.push((Occur::Must, Box::new(AllQuery)));
        return Some(Box::new(BooleanQuery::new(clauses)));
    }
    let mut clauses = clauses;
    if clauses.len() == 1 && clauses[0].0 != Occur::MustNot {
        return Some(clauses.remove(0).1);
    }
    Some(Box::new(BooleanQuery::new(clauses)))
}

/// For a plain list of words (no explicit operator), the same words OR-ed: what to
/// show when no article has them all.
fn relax(expr: &Expr) -> Option<Expr> {
    let Expr::And {
        children,
        implicit: true,
    } = expr
    else {
        return None;
    };
    let (negative, positive): (Vec<&Expr>, Vec<&Expr>) =
        children.iter().partition(|c| matches!(c, Expr::Not(_)));
    if positive.len() < 2
        || !positive
            .iter()
            .all(|c| matches!(c, Expr::Term { .. } | Expr::Phrase { .. }))
    {
        return None;
    }
    let any = Expr::Or(positive.into_iter().cloned().collect());
    if negative.is_empty() {
        return Some(any);
    }
    let mut children = vec![any];
    children.extend(negative.into_iter().cloned());
    Some(Expr::And {
        children,
        implicit: false,
    })
}

/// Title/body leaves that are not negated: (text, is_phrase, slop).
fn collect_positive(expr: &Expr, out: &mut Vec<(String, bool, u32)>) {
    match expr {
        Expr::Term { field, text } if is_text_field(*field) => out.push((text.clone(), false, 0)),
        Expr::Phrase { field, text, slop } if is_text_field(*field) => {
            out.push((text.clone(), true, *slop))
        }
        Expr::And { children, .. } | Expr::Or(children) => {
            for child in children {
                collect_positive(child, out);
            }
        }
        _ => {}
    }
}

fn is_text_field(field: Option<FieldName>) -> bool {
    matches!(field, None | Some(FieldName::Title) | Some(FieldName::Body))
}

fn first_str(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str().map(str::to_string))
}

/// Reads the duplicate fingerprints of documents, keeping each segment's columns open.
#[derive(Default)]
struct FingerprintReader {
    columns: HashMap<
        u32,
        (
            tantivy::columnar::Column<u64>,
            tantivy::columnar::Column<u64>,
        ),
    >,
}

impl FingerprintReader {
    fn read(
        &mut self,
        searcher: &Searcher,
        address: DocAddress,
    ) -> Result<(Option<u64>, Vec<u64>)> {
        let columns = match self.columns.entry(address.segment_ord) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let fast = searcher.segment_reader(address.segment_ord).fast_fields();
                e.insert((fast.u64("dup_exact")?, fast.u64("nearband")?))
            }
        };
        Ok((
            columns.0.first(address.doc_id),
            dedup::unpack(columns.1.values_for_doc(address.doc_id)),
        ))
    }
}

/// The language codes stored in the index.
fn languages_present(searcher: &Searcher) -> Result<Vec<String>> {
    let mut codes: Vec<String> = Vec::new();
    for segment in searcher.segment_readers() {
        let Some(column) = segment.fast_fields().str("language")? else {
            continue;
        };
        let mut terms = column
            .dictionary()
            .stream()
            .map_err(|e| Error::Internal(format!("reading languages: {e}")))?;
        while terms.advance() {
            let code = String::from_utf8_lossy(terms.key()).into_owned();
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
    }
    Ok(codes)
}
