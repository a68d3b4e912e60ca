//! Prints the on-disk bytes of each field of a newsdex index, by structure (terms,
//! postings, positions, fast fields, field norms) and the document store's total:
//! `cargo run --release --example space_usage -- INDEX_DIR`.

use anyhow::Context;
use std::collections::BTreeMap;

fn main() -> anyhow::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .context("usage: space_usage INDEX_DIR")?;
    let index = tantivy::Index::open_in_dir(&dir)?;
    let searcher = index.reader()?.searcher();
    let usage = searcher.space_usage()?;
    let mut per_field: BTreeMap<String, [u64; 5]> = BTreeMap::new();
    let mut store = 0u64;
    for seg in usage.segments() {
        let parts = [
            seg.termdict(),
            seg.postings(),
            seg.positions(),
            seg.fast_fields(),
            seg.fieldnorms(),
        ];
        for (i, part) in parts.iter().enumerate() {
            for fu in part.fields() {
                let name = fu.field_name().to_string();
                per_field.entry(name).or_default()[i] += fu.total().get_bytes();
            }
        }
        store += seg.store().total().get_bytes();
    }
    println!(
        "{:<12} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "field", "terms", "postings", "positions", "fast", "norms", "total"
    );
    let mut sum = 0;
    for (name, b) in &per_field {
        let total: u64 = b.iter().sum();
        sum += total;
        println!(
            "{name:<12} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
            b[0], b[1], b[2], b[3], b[4], total
        );
    }
    println!("{:<12} {:>65}", "store", store);
    println!("{:<12} {:>65}", "all", sum + store);
    println!("{:<12} {:>65}", "searcher", usage.total().get_bytes());
    Ok(())
}
