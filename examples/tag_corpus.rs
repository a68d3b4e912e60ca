//! NER throughput on a JSONL corpus, one thread, and a digest of every label it gave: the
//! tool for checking that a tagger change is as fast as claimed and changes what it claims.
//!
//! ```sh
//! cargo run --release --example tag_corpus -- CORPUS.jsonl[.gz] [MAX_ARTICLES]
//! ```
//!
//! Each article's title and body are tagged as one document, as the indexer does. It prints
//! articles, MB of raw text, seconds, MB/s, entity names found, and a digest of every
//! article's entity lists: two runs with the same digest found the same entities.

use std::hash::{Hash, Hasher};
use std::io::BufRead;
use std::time::Instant;

use anyhow::{Context, bail};
use newsdex::extract::Tagger;

#[derive(serde::Deserialize)]
struct Rec {
    title: Option<String>,
    body: Option<String>,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (path, max) = match args.as_slice() {
        [p] => (p, usize::MAX),
        [p, n] => (p, n.parse().with_context(|| format!("bad count {n:?}"))?),
        _ => bail!("usage: tag_corpus CORPUS.jsonl[.gz] [MAX_ARTICLES]"),
    };
    let f = std::fs::File::open(path).with_context(|| format!("opening {path}"))?;
    let reader: Box<dyn BufRead> = if path.ends_with(".gz") {
        Box::new(std::io::BufReader::new(flate2::read::MultiGzDecoder::new(
            f,
        )))
    } else {
        Box::new(std::io::BufReader::new(f))
    };
    let mut docs = Vec::new();
    for line in reader.lines().take(max) {
        let line = line.with_context(|| format!("reading {path}"))?;
        if let Ok(r) = serde_json::from_str::<Rec>(&line) {
            docs.push((r.title.unwrap_or_default(), r.body.unwrap_or_default()));
        }
    }
    let bytes: usize = docs.iter().map(|(t, b)| t.len() + b.len()).sum();
    let tagger = Tagger::embedded()?;
    let mut digest = std::collections::hash_map::DefaultHasher::new();
    let mut names = 0usize;
    let start = Instant::now();
    for (title, body) in &docs {
        let e = tagger.entities(Some(title), body);
        names += e.person.len() + e.org.len() + e.place.len() + e.misc.len();
        e.person.hash(&mut digest);
        e.org.hash(&mut digest);
        e.place.hash(&mut digest);
        e.misc.hash(&mut digest);
    }
    let secs = start.elapsed().as_secs_f64();
    let mb = bytes as f64 / 1e6;
    println!(
        "{} articles, {mb:.1} MB, {secs:.2} s, {:.2} MB/s, {names} entity names, digest {:016x}",
        docs.len(),
        mb / secs,
        digest.finish()
    );
    Ok(())
}
