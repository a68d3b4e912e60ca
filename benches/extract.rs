//! NER throughput in bytes of raw article text per second, tokenisation included: the seed
//! article, and (when `../shared/corpora` or `NEWSDEX_CORPORA` holds it) 300 Reuters bodies.

mod support;

use std::io::BufRead;

use divan::{Bencher, black_box, counter::BytesCount};
use newsdex::extract::Tagger;
use newsdex::extract::tokenize::{sentences, tokenize};

const SEED: &str = include_str!("../seeds/000_d5240dadc151992f.txt");

fn main() {
    divan::main();
}

fn seed_body() -> &'static str {
    let rest = SEED.split_once('\n').map_or(SEED, |(_, rest)| rest);
    rest.find("Original Source:")
        .map_or(rest, |i| &rest[..i])
        .trim()
}

/// Up to 300 article bodies from the Reuters financial corpus, or none when it is absent.
fn reuters_bodies() -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Rec {
        body: Option<String>,
    }
    let Some(path) =
        support::corpus_file("reuters_financial_2006_2013/reuters_financial_2006_2013.jsonl.gz")
    else {
        return Vec::new();
    };
    let Ok(f) = std::fs::File::open(&path) else {
        return Vec::new();
    };
    let r = std::io::BufReader::new(flate2::read::MultiGzDecoder::new(f));
    r.lines()
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str::<Rec>(&l).ok()?.body)
        .filter(|b| !b.trim().is_empty())
        .take(300)
        .collect()
}

fn tagger() -> Tagger {
    Tagger::embedded().expect("the shipped model parses")
}

#[divan::bench]
fn load_embedded_model_uncached() -> Tagger {
    // Parsing cost of the shipped bytes (Tagger::embedded caches this once per process).
    Tagger::from_bytes(black_box(include_bytes!("../models/ner.bin"))).expect("parses")
}

#[divan::bench]
fn tokenize_seed(b: Bencher) {
    let body = seed_body();
    b.counter(BytesCount::of_str(body)).bench(|| {
        let t = tokenize(black_box(body));
        sentences(body, &t).len()
    });
}

#[divan::bench]
fn mentions_seed(b: Bencher) {
    let t = tagger();
    let body = seed_body();
    b.counter(BytesCount::of_str(body))
        .bench(|| t.mentions(black_box(body)).len());
}

#[divan::bench]
fn entities_seed(b: Bencher) {
    let t = tagger();
    let title = SEED.lines().next().unwrap_or_default();
    let body = seed_body();
    b.counter(BytesCount::new(title.len() + body.len()))
        .bench(|| t.entities(Some(black_box(title)), black_box(body)));
}

#[divan::bench(sample_count = 10)]
fn mentions_reuters_300(b: Bencher) {
    let t = tagger();
    let bodies = reuters_bodies();
    let bytes: usize = bodies.iter().map(String::len).sum();
    b.counter(BytesCount::new(bytes)).bench(|| {
        bodies
            .iter()
            .map(|x| t.mentions(black_box(x)).len())
            .sum::<usize>()
    });
}
