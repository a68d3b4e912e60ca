//! The baseline newsdex is measured against: a minimal tantivy indexer and searcher of the
//! same articles, with nothing but tantivy's defaults. Used by `benches/compare.py`.
//!
//! ```sh
//! cargo run --release --example raw_tantivy -- index CORPUS.jsonl[.gz] DIR
//! cargo run --release --example raw_tantivy -- search DIR QUERIES.txt [REPS]
//! ```
//!
//! `index` reads JSON Lines (gzip or not), indexes `title` and `body` as TEXT with the
//! `en_stem` tokenizer (positions, stored), with the writer newsdex uses by default
//! (one thread per core, at most 4, 256 MB in all), and prints one JSON line with the
//! counts. `search` runs each query of the file (one a line, `#` comments) `REPS` times
//! warm (default 20) as a naive front end would: QueryParser over title + body, every
//! word required, top 10, then tantivy's `SnippetGenerator` on the body of each hit. It
//! prints one JSON line per query with the median and p95 latency in milliseconds.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use serde::Deserialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::QueryParser;
use tantivy::schema::{IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexWriter, TantivyDocument, doc};

/// The writer budget newsdex uses by default (`newsdex index --memory 256`).
const MEMORY_BUDGET: usize = 256 << 20;
const TOP: usize = 10;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["index", corpus, dir] => index(Path::new(corpus), Path::new(dir)),
        ["search", dir, queries] => search(Path::new(dir), Path::new(queries), 20),
        ["search", dir, queries, reps] => {
            let reps = reps
                .parse()
                .with_context(|| format!("bad repetition count {reps:?}"))?;
            search(Path::new(dir), Path::new(queries), reps)
        }
        _ => bail!("usage: raw_tantivy index CORPUS DIR | raw_tantivy search DIR QUERIES [REPS]"),
    }
}

#[derive(Deserialize)]
struct Record {
    title: Option<String>,
    body: Option<String>,
}

fn index(corpus: &Path, dir: &Path) -> anyhow::Result<()> {
    let clock = Instant::now();
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("en_stem")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    ) | STORED;
    let title = builder.add_text_field("title", text.clone());
    let body = builder.add_text_field("body", text);
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let index = Index::create_in_dir(dir, builder.build())
        .with_context(|| format!("creating an index in {}", dir.display()))?;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4);
    let mut writer: IndexWriter = index.writer_with_num_threads(threads, MEMORY_BUDGET)?;

    let file = File::open(corpus).with_context(|| format!("opening {}", corpus.display()))?;
    let input: Box<dyn Read> = if corpus.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let (mut docs, mut skipped, mut text_bytes) = (0u64, 0u64, 0u64);
    for (n, line) in BufReader::with_capacity(1 << 20, input).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", corpus.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let Ok(record) = serde_json::from_str::<Record>(&line) else {
            eprintln!(
                "raw_tantivy: {}:{}: not a JSON record",
                corpus.display(),
                n + 1
            );
            skipped += 1;
            continue;
        };
        let (t, b) = (
            record.title.unwrap_or_default(),
            record.body.unwrap_or_default(),
        );
        if t.trim().is_empty() && b.trim().is_empty() {
            skipped += 1;
            continue;
        }
        text_bytes += (t.len() + b.len()) as u64;
        writer.add_document(doc!(title => t, body => b))?;
        docs += 1;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    println!(
        "{}",
        serde_json::json!({
            "docs": docs,
            "skipped": skipped,
            "text_bytes": text_bytes,
            "threads": threads,
            "seconds": clock.elapsed().as_secs_f64(),
        })
    );
    Ok(())
}

fn search(dir: &Path, queries: &Path, reps: usize) -> anyhow::Result<()> {
    let index = Index::open_in_dir(dir).with_context(|| format!("opening {}", dir.display()))?;
    let schema = index.schema();
    let (title, body) = (schema.get_field("title")?, schema.get_field("body")?);
    let searcher = index.reader()?.searcher();
    let mut parser = QueryParser::for_index(&index, vec![title, body]);
    parser.set_conjunction_by_default();
    parser.set_field_boost(title, 2.0);

    let text = std::fs::read_to_string(queries)
        .with_context(|| format!("reading {}", queries.display()))?;
    let queries = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    for q in queries {
        // Lenient: a clause tantivy cannot serve (a field this schema lacks, such as
        // `published:`) is dropped and reported instead of failing the query.
        let run = || -> anyhow::Result<(usize, usize)> {
            let (query, _errors) = parser.parse_query_lenient(q);
            let top = searcher.search(&query, &TopDocs::with_limit(TOP).order_by_score())?;
            let snippets = SnippetGenerator::create(&searcher, &*query, body)?;
            let mut chars = 0;
            for (_, address) in &top {
                let doc: TantivyDocument = searcher.doc(*address)?;
                chars += snippets.snippet_from_doc(&doc).fragment().len();
            }
            Ok((top.len(), chars))
        };
        let (hits, _) = run()?; // warm-up
        let mut times = Vec::with_capacity(reps);
        for _ in 0..reps {
            let t = Instant::now();
            std::hint::black_box(run()?);
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let (query, errors) = parser.parse_query_lenient(q);
        let total = searcher.search(&query, &Count)?;
        times.sort_by(f64::total_cmp);
        println!(
            "{}",
            serde_json::json!({
                "query": q,
                "hits": hits,
                "total": total,
                "dropped": errors.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
                "median_ms": percentile(&times, 0.5),
                "p95_ms": percentile(&times, 0.95),
                "times_ms": times,
            })
        );
    }
    Ok(())
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}
