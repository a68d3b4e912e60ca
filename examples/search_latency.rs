//! In-process search latency of newsdex, per query: parse + top 10 + passages, the work
//! `newsdex search` does minus start-up and rendering. Used by `benches/compare.py`.
//!
//! ```sh
//! cargo run --release --example search_latency -- INDEX_DIR QUERIES.txt [REPS]
//! ```
//!
//! Each query of the file (one a line, `#` comments) runs once to warm up, then `REPS`
//! times (default 20); one JSON line per query gives the median and p95 in milliseconds.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use newsdex::index::NewsIndex;
use newsdex::query::{SearchRequest, Searching};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, queries, reps) = match args.as_slice() {
        [dir, queries] => (dir, queries, 20),
        [dir, queries, reps] => (
            dir,
            queries,
            reps.parse()
                .with_context(|| format!("bad repetition count {reps:?}"))?,
        ),
        _ => bail!("usage: search_latency INDEX_DIR QUERIES [REPS]"),
    };
    let index = NewsIndex::open(Path::new(dir)).with_context(|| format!("opening {dir}"))?;
    let mut searching = Searching::new(&index)?;
    let text = std::fs::read_to_string(queries).with_context(|| format!("reading {queries}"))?;
    let queries = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    for q in queries {
        let req = SearchRequest::new(q);
        let first = searching
            .search(&req)
            .with_context(|| format!("query {q:?}"))?;
        let mut times = Vec::with_capacity(reps);
        for _ in 0..reps {
            let t = Instant::now();
            std::hint::black_box(searching.search(&req)?);
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{}",
            serde_json::json!({
                "query": q,
                "hits": first.hits.len(),
                "total": first.total,
                "relaxed": first.relaxed,
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
