//! Bringing the index in line with the files: add new files, update changed ones,
//! drop deleted ones, and commit once with the run's report.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tantivy::{IndexWriter, TantivyDocument, Term};

use super::NewsIndex;
use super::copies::{Copies, Role};
use super::dedup::{self, Fingerprint};
use super::lock::{LockWait, WriterLock};
use super::manifest;
use super::schema::{Fields, SCHEMA_VERSION};
use crate::article::Article;
use crate::error::{Error, Result};
use crate::ingest::{self, Problem, SourceFile};
use crate::language::{self, Analysis};

/// Articles per hand-over from the parsing thread to the workers. (Documents still go to
/// tantivy one by one: its queue holds 10,000 operations, so batches there would let ten
/// times more documents wait in memory when its threads are the slower side.)
const BATCH: usize = 32;
/// Batches queued for the workers before the parsing thread waits.
const BATCHES_IN_FLIGHT: usize = 8;

/// A step applied to every article before it is written (entity extraction).
pub type Enricher = Arc<dyn Fn(&mut Article) + Send + Sync>;

/// How a run behaves.
#[derive(Clone)]
pub struct RunOptions {
    /// Memory the tantivy writer may use for buffering, in bytes (split over its threads).
    pub memory_budget: usize,
    /// Indexing threads; 0 picks one per core (at most 4).
    pub threads: usize,
    /// Whether to wait for another writer instead of failing.
    pub wait: LockWait,
    /// Removes articles of files that are gone from the scanned roots.
    pub remove_missing: bool,
    /// Called on every article before it is written, e.g. to extract entities.
    /// Runs on worker threads.
    pub enrich: Option<Enricher>,
    /// When set (e.g. by a signal handler), the run stops before its commit and the
    /// index keeps its last commit.
    pub cancel: Option<Arc<AtomicBool>>,
}

impl RunOptions {
    fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|flag| flag.load(Ordering::Relaxed))
    }
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            memory_budget: 256 << 20,
            threads: 0,
            wait: LockWait::No,
            remove_missing: true,
            enrich: None,
            cancel: None,
        }
    }
}

/// What happened to one file, for `-v` output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileAction {
    Added,
    Updated,
    Unchanged,
    Removed,
}

/// Progress a caller may want to show while a run goes on.
#[derive(Debug)]
pub enum RunEvent<'a> {
    /// A file or record was skipped or only partly read.
    Problem(&'a Problem),
    /// A file was handled.
    File {
        path: &'a str,
        action: FileAction,
        articles: u64,
    },
}

/// The outcome of one run; it is also stored in the commit (see `newsdex stats`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    pub started: Option<DateTime<Utc>>,
    pub seconds: f64,
    pub files_seen: u64,
    pub files_added: u64,
    pub files_updated: u64,
    pub files_unchanged: u64,
    pub files_removed: u64,
    pub articles_indexed: u64,
    pub articles_removed: u64,
    /// Bytes of files read and parsed in this run.
    pub bytes_read: u64,
    /// Skipped records and files, by reason.
    pub problems: BTreeMap<String, u64>,
    /// Warnings (e.g. invalid UTF-8 decoded lossily, an unreadable date), by reason:
    /// the article was still indexed.
    #[serde(default)]
    pub warnings: BTreeMap<String, u64>,
    /// How many records and files were skipped.
    pub errors: u64,
}

impl RunReport {
    /// Articles (and files) skipped, not counting warnings.
    pub fn skipped(&self) -> u64 {
        self.errors
    }
}

/// Canonical absolute form of a root; falls back to the path made absolute.
pub fn canonical_root(root: &Path) -> PathBuf {
    std::fs::canonicalize(root).unwrap_or_else(|_| std::path::absolute(root).unwrap_or(root.into()))
}

/// Scans `roots` and brings the index in line with them in one commit: new files are
/// added, changed files re-indexed (size or mtime differ and the content hash too),
/// files gone from a scanned root removed. `roots` are recorded in the index.
pub fn sync(
    index: &NewsIndex,
    roots: &[PathBuf],
    opts: &RunOptions,
    on_event: &mut dyn FnMut(RunEvent<'_>),
) -> Result<RunReport> {
    let clock = Instant::now();
    let mut report = RunReport {
        started: Some(Utc::now()),
        ..RunReport::default()
    };
    let _lock = match index.dir() {
        Some(dir) => Some(WriterLock::acquire(dir, opts.wait)?),
        None => None,
    };
    let mut state = index.state()?;
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(4)
    } else {
        opts.threads
    };
    let mut owned_writer: IndexWriter<TantivyDocument> = index
        .tantivy()
        .writer_with_num_threads(threads, opts.memory_budget.max(threads * (16 << 20)))
        .map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => Error::Locked {
                path: index.dir().map(Path::to_path_buf).unwrap_or_default(),
                holder: " (a process that is not newsdex)".into(),
            },
            other => Error::Tantivy(other),
        })?;
    let searcher = index.reader()?.searcher();
    let (known, groups) = manifest::load_with_groups(&searcher)?;
    let copies = Copies::new(groups);
    drop(searcher);
    let fields = *index.fields();

    let roots: Vec<PathBuf> = roots.iter().map(|r| canonical_root(r)).collect();
    let own_dir = index.dir().map(canonical_root);
    // Every file walked, by manifest key, with its root (for re-reading it, see below).
    let mut seen: HashMap<String, SourceFile> = HashMap::new();
    let mut unavailable: Vec<&Path> = Vec::new();

    let writer = &owned_writer;
    let copies = &copies;
    // Language detection, fingerprints and document building (and entity extraction)
    // run on workers so the parsing thread only parses.
    let worker_count = threads.max(1);
    let result: Result<()> = std::thread::scope(|scope| {
        // Workers detect the language, enrich, build and add documents; tantivy's
        // add_document takes &self. Articles travel to the workers in batches: one
        // hand-over per batch instead of per article keeps the parser and the workers from
        // waking each other constantly (5x fewer context switches).
        let (tx, rx) = sync_channel::<Vec<(Article, Arc<FileMeta>)>>(BATCHES_IN_FLIGHT);
        let rx = Arc::new(Mutex::new(rx));
        let failure: Arc<Mutex<Option<Error>>> = Arc::new(Mutex::new(None));
        let mut handles = Vec::new();
        for _ in 0..worker_count {
            let rx = Arc::clone(&rx);
            let enrich = opts.enrich.clone();
            let failure = Arc::clone(&failure);
            handles.push(scope.spawn(move || {
                loop {
                    let next = match rx.lock() {
                        Ok(guard) => guard.recv(),
                        Err(_) => return,
                    };
                    let Ok(batch) = next else {
                        return;
                    };
                    for (mut article, meta) in batch {
                        let doc = build(&fields, copies, enrich.as_ref(), &mut article, &meta);
                        if let Err(e) = writer.add_document(doc) {
                            if let Ok(mut slot) = failure.lock() {
                                slot.get_or_insert(Error::Tantivy(e));
                            }
                            return;
                        }
                    }
                }
            }));
        }

        let mut batch = Vec::with_capacity(BATCH);
        let mut send_failed = false;
        'roots: for root in &roots {
            if !root.exists() {
                unavailable.push(root);
                let problem = Problem {
                    path: root.clone(),
                    line: None,
                    kind: ingest::ProblemKind::Unreadable,
                    message: "root does not exist; its indexed files are kept".into(),
                };
                count_problem(&mut report, &problem);
                on_event(RunEvent::Problem(&problem));
                continue;
            }
            let root_is_file = root.is_file();
            for entry in ingest::walk(std::slice::from_ref(root)) {
                let file = match entry {
                    Ok(file) => file,
                    Err(problem) => {
                        count_problem(&mut report, &problem);
                        on_event(RunEvent::Problem(&problem));
                        continue;
                    }
                };
                if opts.cancelled() {
                    break;
                }
                let key = file_key(root, root_is_file, &file);
                if own_dir
                    .as_ref()
                    .is_some_and(|d| Path::new(&key).starts_with(d))
                {
                    continue; // never index the index itself (a root may contain it)
                }
                if seen.contains_key(&key) {
                    continue; // reached twice (overlapping roots or symlinks)
                }
                seen.insert(key.clone(), file.clone());
                report.files_seen += 1;
                let before = known.get(&key);
                if let Some(b) = before
                    && b.size == file.size
                    && b.mtime_ns == file.mtime_ns
                {
                    report.files_unchanged += 1;
                    on_event(RunEvent::File {
                        path: &key,
                        action: FileAction::Unchanged,
                        articles: b.articles,
                    });
                    continue;
                }
                let raw = match ingest::read_raw(&file) {
                    Ok(raw) => raw,
                    Err(problem) => {
                        count_problem(&mut report, &problem);
                        on_event(RunEvent::Problem(&problem));
                        continue;
                    }
                };
                let hash = ingest::content_hash(&raw);
                if let Some(b) = before
                    && b.hash == hash
                {
                    // Touched but not changed: same articles, nothing to write.
                    report.files_unchanged += 1;
                    on_event(RunEvent::File {
                        path: &key,
                        action: FileAction::Unchanged,
                        articles: b.articles,
                    });
                    continue;
                }
                if let Some(b) = before {
                    writer.delete_term(Term::from_field_text(fields.file, &key));
                    copies.replaced(&key);
                    report.articles_removed += b.articles;
                }
                report.bytes_read += raw.len() as u64;
                let meta = Arc::new(FileMeta {
                    key: key.clone(),
                    size: file.size,
                    mtime_ns: file.mtime_ns,
                    hash,
                });
                let mut articles = 0u64;
                let cancel = opts.cancel.clone();
                ingest::parse(&file, &raw, &mut |record| match record {
                    _ if cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed)) => {}
                    Ok(article) => {
                        articles += 1;
                        batch.push((article, Arc::clone(&meta)));
                        if batch.len() == BATCH
                            && tx
                                .send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                                .is_err()
                        {
                            send_failed = true;
                        }
                    }
                    Err(problem) => {
                        count_problem(&mut report, &problem);
                        on_event(RunEvent::Problem(&problem));
                    }
                });
                if send_failed {
                    break 'roots; // a worker stopped on an error, reported below
                }
                report.articles_indexed += articles;
                let action = if before.is_some() {
                    report.files_updated += 1;
                    FileAction::Updated
                } else {
                    report.files_added += 1;
                    FileAction::Added
                };
                on_event(RunEvent::File {
                    path: &key,
                    action,
                    articles,
                });
            }
        }
        if !batch.is_empty() && !send_failed {
            // The last, partly filled batch; a failed send is reported below, as above.
            let _ = tx.send(batch);
        }
        drop(tx);
        for handle in handles {
            let _ = handle.join();
        }
        let failed = failure.lock().ok().and_then(|mut slot| slot.take());
        match failed {
            Some(e) => Err(e),
            None => Ok(()),
        }
    });
    result?;
    if opts.cancelled() {
        // Dropping the writer without committing discards this run's changes.
        return Err(Error::Cancelled);
    }

    if opts.remove_missing {
        for (key, file_state) in &known {
            if seen.contains_key(key) {
                continue;
            }
            let key_path = Path::new(key);
            let scanned = roots
                .iter()
                .any(|root| key_path.starts_with(root) && !unavailable.contains(&root.as_path()));
            if !scanned {
                continue;
            }
            writer.delete_term(Term::from_field_text(fields.file, key));
            copies.replaced(key);
            report.files_removed += 1;
            report.articles_removed += file_state.articles;
            on_event(RunEvent::File {
                path: key,
                action: FileAction::Removed,
                articles: file_state.articles,
            });
        }
    }

    // Groups whose original was deleted but whose copies remain: re-index a file holding
    // a copy, which then becomes the original (see `index::copies`).
    let mut retried: HashSet<String> = HashSet::new();
    loop {
        let orphaned: Vec<String> = copies
            .orphaned_files()
            .into_iter()
            .filter(|f| !retried.contains(f))
            .collect();
        if orphaned.is_empty() || opts.cancelled() {
            break;
        }
        for key in orphaned {
            retried.insert(key.clone());
            let Some(file) = seen.get(&key) else {
                continue; // under a root that is not there now: left as it is
            };
            let raw = match ingest::read_raw(file) {
                Ok(raw) => raw,
                Err(problem) => {
                    count_problem(&mut report, &problem);
                    on_event(RunEvent::Problem(&problem));
                    continue;
                }
            };
            writer.delete_term(Term::from_field_text(fields.file, &key));
            copies.replaced(&key);
            let meta = FileMeta {
                key: key.clone(),
                size: file.size,
                mtime_ns: file.mtime_ns,
                hash: ingest::content_hash(&raw),
            };
            // A file that still holds what the index recorded was counted unchanged and not
            // read: count it as updated now. One read earlier in this run (added or
            // changed) is already in the report.
            let before = known.get(&key).filter(|b| b.hash == meta.hash);
            let first_read = before.is_some();
            let mut failed = None;
            let mut articles = 0u64;
            ingest::parse(file, &raw, &mut |record| match record {
                Ok(mut article) => {
                    if failed.is_none() {
                        articles += 1;
                        let doc = build(&fields, copies, opts.enrich.as_ref(), &mut article, &meta);
                        if let Err(e) = writer.add_document(doc) {
                            failed = Some(e);
                        }
                    }
                }
                Err(problem) if first_read => {
                    count_problem(&mut report, &problem);
                    on_event(RunEvent::Problem(&problem));
                }
                Err(_) => {}
            });
            if let Some(e) = failed {
                return Err(Error::Tantivy(e));
            }
            if first_read {
                report.files_unchanged = report.files_unchanged.saturating_sub(1);
                report.files_updated += 1;
                report.bytes_read += raw.len() as u64;
                report.articles_removed += before.map_or(0, |b| b.articles);
                report.articles_indexed += articles;
                on_event(RunEvent::File {
                    path: &key,
                    action: FileAction::Updated,
                    articles,
                });
            }
        }
    }
    if opts.cancelled() {
        return Err(Error::Cancelled);
    }

    // A root that does not exist is not recorded (a typo must not become a root that
    // every reindex reports); one recorded earlier stays, its articles kept.
    let missing: Vec<PathBuf> = unavailable.iter().map(|p| p.to_path_buf()).collect();
    for root in roots {
        if !state.roots.contains(&root) && !missing.contains(&root) {
            state.roots.push(root);
        }
    }
    state.schema_version = SCHEMA_VERSION;
    state.entities = Some(opts.enrich.is_some());
    report.seconds = clock.elapsed().as_secs_f64();
    state.last_run = Some(report.clone());
    let payload = serde_json::to_string(&state)
        .map_err(|e| Error::Internal(format!("serialising the commit payload: {e}")))?;
    let mut prepared = owned_writer.prepare_commit()?;
    prepared.set_payload(&payload);
    prepared.commit()?;
    owned_writer.wait_merging_threads()?;
    Ok(report)
}

/// Sets the article's language: the source's tag normalised (`en-GB` → `en`), else
/// detected from its text; left unset when detection is not confident.
pub fn assign_language(article: &mut Article) {
    article.language = match &article.language {
        Some(tag) => Some(language::normalize_code(tag)),
        None => language::detect(article.title.as_deref(), &article.body),
    };
}

/// The per-file values every document of that file carries (the manifest).
struct FileMeta {
    key: String,
    size: u64,
    mtime_ns: i64,
    hash: u64,
}

/// The manifest key of a file: its canonical root joined with its relative path, so it
/// is the same whichever working directory `reindex` runs from.
fn file_key(root: &Path, root_is_file: bool, file: &SourceFile) -> String {
    if root_is_file {
        root.to_string_lossy().into_owned()
    } else {
        root.join(&file.rel).to_string_lossy().into_owned()
    }
}

fn count_problem(report: &mut RunReport, problem: &Problem) {
    let label = problem.kind.label().to_string();
    if problem.kind.is_warning() {
        *report.warnings.entry(label).or_default() += 1;
    } else {
        *report.problems.entry(label).or_default() += 1;
        report.errors += 1;
    }
}

/// The document for one article: detects its language, fingerprints it, and writes it in
/// full (with its entities) if it is its group's original, else as a copy.
fn build(
    fields: &Fields,
    copies: &Copies,
    enrich: Option<&Enricher>,
    article: &mut Article,
    meta: &FileMeta,
) -> TantivyDocument {
    assign_language(article);
    let print = dedup::fingerprint(article.title.as_deref(), &article.body);
    match copies.decide(print.exact, &meta.key) {
        Role::Original => {
            if let Some(enrich) = enrich {
                enrich(article);
            }
            to_document(fields, article, meta, &print)
        }
        Role::Copy => copy_document(fields, article, meta, print.exact),
    }
}

/// A copy: the article's own id, place and date, but no text (its original has it).
fn copy_document(fields: &Fields, a: &Article, meta: &FileMeta, exact: u64) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.id, &a.id);
    add_metadata(fields, a, &mut doc);
    doc.add_u64(fields.copy, 1);
    doc.add_u64(fields.dup_exact, exact);
    add_manifest(fields, meta, &mut doc);
    doc
}

/// Fields an article and each of its copies have of their own.
fn add_metadata(fields: &Fields, a: &Article, doc: &mut TantivyDocument) {
    if let Some(code) = &a.language {
        doc.add_text(fields.language, code);
    }
    if let Some(published) = a.published {
        doc.add_date(
            fields.published,
            tantivy::DateTime::from_timestamp_secs(published.timestamp()),
        );
    }
    let optional = [
        (fields.source, &a.source),
        (fields.url, &a.url),
        (fields.path, &a.path),
    ];
    for (field, value) in optional {
        if let Some(value) = value {
            doc.add_text(field, value);
        }
    }
    for author in &a.authors {
        doc.add_text(fields.authors, author);
    }
}

fn add_manifest(fields: &Fields, meta: &FileMeta, doc: &mut TantivyDocument) {
    doc.add_text(fields.file, &meta.key);
    doc.add_u64(fields.file_size, meta.size);
    doc.add_i64(fields.file_mtime, meta.mtime_ns);
    doc.add_u64(fields.file_hash, meta.hash);
}

fn to_document(
    fields: &Fields,
    a: &Article,
    meta: &FileMeta,
    print: &Fingerprint,
) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.id, &a.id);
    // The language was set by `assign_language` (the source's tag, else detected, once).
    // English text goes through the field's analyzer; other languages are analysed
    // (stemmed, or bigrams) here.
    let language = a.language.as_ref();
    let analysis = Analysis::for_code(language.map_or(language::DEFAULT, String::as_str));
    if analysis.is_english() {
        if let Some(title) = &a.title {
            doc.add_text(fields.title, title);
        }
        doc.add_text(fields.body, &a.body);
    } else {
        let mut analyzer = language::Analyzer::new(analysis);
        if let Some(title) = &a.title {
            doc.add_pre_tokenized_text(fields.title, analyzer.pre_tokenize(title));
        }
        doc.add_pre_tokenized_text(fields.body, analyzer.pre_tokenize(&a.body));
    }
    add_metadata(fields, a, &mut doc);
    let entities = [
        (fields.person, fields.person_facet, &a.entities.person),
        (fields.org, fields.org_facet, &a.entities.org),
        (fields.place, fields.place_facet, &a.entities.place),
        (fields.misc, fields.misc_facet, &a.entities.misc),
    ];
    for (field, facet_field, names) in entities {
        for name in names {
            doc.add_text(field, name);
            doc.add_text(facet_field, name);
        }
    }
    doc.add_u64(fields.dup_exact, print.exact);
    for packed in dedup::pack(&print.bands) {
        doc.add_u64(fields.nearband, packed);
    }
    add_manifest(fields, meta, &mut doc);
    doc
}

/// Opens (or creates) the index in `dir` and syncs `roots` into it.
pub fn index_paths(
    dir: &Path,
    roots: &[PathBuf],
    opts: &RunOptions,
    on_event: &mut dyn FnMut(RunEvent<'_>),
) -> Result<RunReport> {
    let index = NewsIndex::open_or_create(dir)?;
    sync(&index, roots, opts, on_event)
}

/// Adds articles that did not come from files (for embedding, examples and tests),
/// replacing any article with the same id, in one commit. Returns how many were added.
pub fn add_articles(index: &NewsIndex, articles: impl IntoIterator<Item = Article>) -> Result<u64> {
    let fields = *index.fields();
    let mut writer: IndexWriter<TantivyDocument> =
        index.tantivy().writer_with_num_threads(1, 32 << 20)?;
    let mut added = 0;
    for mut article in articles {
        assign_language(&mut article);
        writer.delete_term(Term::from_field_text(fields.id, &article.id));
        let meta = FileMeta {
            key: format!("article:{}", article.id),
            size: article.body.len() as u64,
            mtime_ns: 0,
            hash: ingest::content_hash(article.body.as_bytes()),
        };
        let print = dedup::fingerprint(article.title.as_deref(), &article.body);
        writer.add_document(to_document(&fields, &article, &meta, &print))?;
        added += 1;
    }
    writer.commit()?;
    Ok(added)
}
