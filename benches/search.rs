//! In-process search latency: parse + top 10 + passages, per query of
//! benches/queries.txt, on an index of seeds/ or of a corpus file built once in a
//! temp dir. `NEWSDEX_BENCH_INDEX=DIR` reuses an existing index instead (e.g. one of
//! the 106k corpus built by `newsdex index`). Run: `cargo bench --bench search`.

mod support;

use std::path::PathBuf;
use std::sync::OnceLock;

use divan::Bencher;
use newsdex::index::{NewsIndex, RunOptions, sync};
use newsdex::query::{SearchRequest, Searching};

fn main() {
    divan::main();
}

struct Fixture {
    index: NewsIndex,
    _dir: Option<tempfile::TempDir>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        if let Some(dir) = std::env::var_os("NEWSDEX_BENCH_INDEX") {
            let index = NewsIndex::open(&PathBuf::from(dir)).expect("open NEWSDEX_BENCH_INDEX");
            return Fixture { index, _dir: None };
        }
        let input = support::corpus_file("reuters21578/reuters21578.jsonl.gz")
            .unwrap_or_else(support::seeds_dir);
        let dir = tempfile::tempdir().expect("temp dir");
        let index = NewsIndex::open_or_create(dir.path()).expect("create bench index");
        sync(&index, &[input], &RunOptions::default(), &mut |_| {}).expect("build bench index");
        Fixture {
            index,
            _dir: Some(dir),
        }
    })
}

fn queries() -> Vec<String> {
    include_str!("queries.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Every query of the list once per iteration; divan reports time per query list.
fn run_all(bencher: Bencher, passages: usize) {
    let f = fixture();
    let mut searching = Searching::new(&f.index).expect("searcher");
    let queries = queries();
    bencher
        .counter(divan::counter::ItemsCount::new(queries.len()))
        .bench_local(|| {
            let mut hits = 0;
            for q in &queries {
                let mut req = SearchRequest::new(q.as_str());
                req.passages = passages;
                hits += searching.search(&req).expect("search").hits.len();
            }
            hits
        });
}

#[divan::bench(sample_count = 20)]
fn all_queries_top10_with_passages(bencher: Bencher) {
    run_all(bencher, 2);
}

/// The same without passages (stored documents are still loaded).
#[divan::bench(sample_count = 20)]
fn all_queries_top10_without_passages(bencher: Bencher) {
    run_all(bencher, 0);
}
