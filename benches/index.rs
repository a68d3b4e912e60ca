//! Index build throughput (articles/s) into a RAM index, without entity extraction:
//! seeds/ and, when present, the first 5,000 Reuters-21578 articles.
//! Run: `cargo bench --bench index`. Whole-corpus figures come from
//! `benches/compare.sh` (see BENCHMARKS.md).

mod support;

use divan::Bencher;
use divan::counter::ItemsCount;
use newsdex::Article;
use newsdex::index::NewsIndex;
use newsdex::index::writer::add_articles;

fn main() {
    divan::main();
}

fn bench_articles(bencher: Bencher, articles: Vec<Article>) {
    bencher
        .counter(ItemsCount::new(articles.len()))
        .with_inputs(|| articles.clone())
        .bench_values(|batch| {
            let index = NewsIndex::create_in_ram();
            add_articles(&index, batch).expect("index bench articles")
        });
}

#[divan::bench(sample_count = 10)]
fn seeds(bencher: Bencher) {
    bench_articles(bencher, support::load_articles(&support::seeds_dir()));
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn reuters21578_first_5000(bencher: Bencher) {
    let articles = support::corpus_file("reuters21578/reuters21578.jsonl.gz")
        .map(|p| support::load_articles(&p).into_iter().take(5000).collect())
        .unwrap_or_default();
    bench_articles(bencher, articles);
}
