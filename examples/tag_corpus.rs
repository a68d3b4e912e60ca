//! NER throughput on one thread, and a digest of every entity list it found: the tool for
//! checking that a tagger change is as fast as claimed and changes what it claims.
//!
//! ```sh
//! cargo run --release --example tag_corpus -- PATH [MAX_ARTICLES]
//! ```
//!
//! PATH is anything `newsdex index` reads (a JSON Lines corpus, gzipped or not, or a
//! folder), read by the same ingest code. Each article's title and body are tagged as one
//! document, as the indexer does. It prints articles, MB of raw text, seconds, MB/s, entity
//! names found, and a digest of every article's entity lists: two runs with the same digest
//! found the same entities.

use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use newsdex::extract::Tagger;
use newsdex::ingest;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (path, max) = match args.as_slice() {
        [p] => (p, usize::MAX),
        [p, n] => (p, n.parse().with_context(|| format!("bad count {n:?}"))?),
        _ => bail!("usage: tag_corpus PATH [MAX_ARTICLES]"),
    };
    let mut docs = Vec::new();
    for file in ingest::walk(&[PathBuf::from(path)]) {
        let file = file.map_err(|p| anyhow::anyhow!("{p}"))?;
        let raw = ingest::read_raw(&file).map_err(|p| anyhow::anyhow!("{p}"))?;
        ingest::parse(&file, &raw, &mut |record| {
            if let Ok(a) = record
                && docs.len() < max
            {
                docs.push((a.title.unwrap_or_default(), a.body));
            }
        });
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
