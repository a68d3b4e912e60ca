//! Passages for one hit: the seed article and a synthetic 1 MB body, against re-tokenising the
//! body with tantivy's `en_stem` analyzer (the least its snippet generator does per hit).

use divan::{Bencher, black_box, counter::BytesCount};
use newsdex::query::passages::{
    HighlightQuery, PassageOptions, Phrase, QueryTerm, highlight, normalize, passages,
};
use tantivy::tokenizer::TokenizerManager;

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

/// About 1 MB of pseudo-random English-like text (a 20k-word vocabulary, Zipf-ish), with the
/// seed article's sentences sprinkled in so the query terms occur now and then.
fn synthetic_body() -> String {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let vocab: Vec<String> = (0..20_000)
        .map(|_| {
            let len = 2 + (next() % 10) as usize;
            (0..len)
                .map(|_| (b'a' + (next() % 26) as u8) as char)
                .collect()
        })
        .collect();
    let seed_sentences: Vec<&str> = seed_body().split(". ").collect();
    let mut body = String::with_capacity(1 << 20);
    while body.len() < 1 << 20 {
        if next() % 40 == 0 {
            let s = seed_sentences[(next() as usize) % seed_sentences.len()];
            body.push_str(s.trim_end_matches('.'));
        } else {
            let words = 8 + next() % 22;
            for k in 0..words {
                // Zipf-ish: small indexes far more often.
                let r = (next() % 1_000_000) as f64 / 1_000_000.0;
                let word = &vocab[((r * r * r) * vocab.len() as f64) as usize];
                if k == 0 {
                    let mut cs = word.chars();
                    if let Some(c) = cs.next() {
                        body.extend(c.to_uppercase());
                        body.push_str(cs.as_str());
                    }
                } else {
                    body.push(' ');
                    body.push_str(word);
                }
            }
        }
        body.push_str(if next() % 6 == 0 { ".\n\n" } else { ". " });
    }
    body
}

fn query(kind: &str) -> HighlightQuery {
    let term = |w: &str, weight: f32| QueryTerm {
        stem: normalize(w),
        weight,
    };
    match kind {
        "pow transfer" => HighlightQuery {
            terms: vec![term("pow", 4.0), term("transfer", 2.5)],
            phrases: vec![],
        },
        "\"north korean\" casualties" => HighlightQuery {
            terms: vec![term("casualties", 3.0)],
            phrases: vec![Phrase {
                stems: vec![normalize("north"), normalize("korean")],
                slop: 0,
                weight: 3.0,
            }],
        },
        "the central bank" => HighlightQuery {
            terms: vec![term("the", 0.05), term("central", 2.0), term("bank", 1.8)],
            phrases: vec![],
        },
        _ => HighlightQuery::default(),
    }
}

const QUERIES: &[&str] = &[
    "pow transfer",
    "\"north korean\" casualties",
    "the central bank",
    "(empty)",
];

#[divan::bench(args = QUERIES)]
fn seed_passages(bencher: Bencher, kind: &str) {
    let body = seed_body();
    let q = query(kind);
    let opts = PassageOptions::default();
    bencher
        .counter(BytesCount::of_str(body))
        .bench(|| passages(black_box(body), black_box(&q), &opts));
}

#[divan::bench(args = QUERIES)]
fn synthetic_1mb_passages(bencher: Bencher, kind: &str) {
    let body = synthetic_body();
    let q = query(kind);
    let opts = PassageOptions::default();
    bencher
        .counter(BytesCount::of_str(&body))
        .bench(|| passages(black_box(&body), black_box(&q), &opts));
}

#[divan::bench]
fn seed_title_highlight(bencher: Bencher) {
    let title = SEED.lines().next().unwrap_or_default();
    let q = query("pow transfer");
    bencher.bench(|| highlight(black_box(title), black_box(&q)));
}

/// Baseline: only re-tokenising and stemming the body, as tantivy's snippet generator does.
#[divan::bench(args = ["seed", "synthetic_1mb"])]
fn tantivy_en_stem_tokenize(bencher: Bencher, which: &str) {
    let body = if which == "seed" {
        seed_body().to_string()
    } else {
        synthetic_body()
    };
    let mut analyzer = TokenizerManager::default()
        .get("en_stem")
        .expect("en_stem is built in");
    bencher.counter(BytesCount::of_str(&body)).bench_local(|| {
        let mut n = 0usize;
        analyzer
            .token_stream(black_box(&body))
            .process(&mut |t| n += t.text.len());
        n
    });
}
