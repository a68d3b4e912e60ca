//! Ingest parsing throughput (MB/s of decompressed text) on seeds/ and, when present,
//! the Reuters-21578 JSONL.gz. Run: `cargo bench --bench ingest`.

mod support;

use divan::Bencher;
use divan::counter::BytesCount;
use newsdex::ingest;

fn main() {
    divan::main();
}

fn bench_file(bencher: Bencher, path: &std::path::Path) {
    let file = support::source_file(path);
    let raw = ingest::read_raw(&file).expect("read bench input");
    // Count decompressed bytes of text so the figure compares across formats.
    let mut text_bytes = 0usize;
    ingest::parse(&file, &raw, &mut |r| {
        if let Ok(a) = r {
            text_bytes += a.body.len() + a.title.as_ref().map_or(0, String::len);
        }
    });
    bencher.counter(BytesCount::new(text_bytes)).bench(|| {
        let mut n = 0usize;
        ingest::parse(&file, &raw, &mut |r| {
            if r.is_ok() {
                n += 1;
            }
        });
        n
    });
}

#[divan::bench]
fn seed_txt(bencher: Bencher) {
    bench_file(
        bencher,
        &support::seeds_dir().join("000_d5240dadc151992f.txt"),
    );
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn reuters21578_jsonl_gz(bencher: Bencher) {
    match support::corpus_file("reuters21578/reuters21578.jsonl.gz") {
        Some(path) => bench_file(bencher, &path),
        None => bencher.bench(|| ()),
    }
}
