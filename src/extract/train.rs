//! Averaged structured perceptron training, deterministic for a given seed.
//!
//! Two passes: the first model sees only the sentence and document statistics; the second
//! also sees how the first labelled other mentions of the same word in the document.
//! Training labels for the second pass come from jackknifing (each fold tagged by a
//! first-pass model that never saw it), so they are as noisy as at run time.

use std::time::Instant;

use super::conll::{Document, Scores};
use super::features::{Clusters, DocInfo, N_FEATURES, apply_prior, extract_doc};
use super::label::{Label, N_LABELS};
use super::model::{Model, Transitions, Weights, viterbi};

/// Training settings.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Maximum epochs per pass; the best epoch on the dev set is kept.
    pub epochs: usize,
    pub seed: u64,
    /// log2 of the number of hash buckets.
    pub bits: u32,
    /// Train the document-level second pass.
    pub two_pass: bool,
    /// Folds for jackknifed first-pass labels.
    pub folds: usize,
    /// Weights smaller than this are not shipped.
    pub prune: f32,
    /// Features used by fewer training tokens than this are ignored.
    pub min_count: u16,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 20,
            seed: 1,
            bits: 20,
            two_pass: true,
            folds: 4,
            prune: 0.02,
            min_count: 2,
        }
    }
}

/// Tiny xorshift64* generator: deterministic shuffles without a dependency.
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> Self {
        XorShift(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// A document with its features hashed.
struct Prepared {
    hashes: Vec<u64>,
    rows: Vec<u32>,
    sents: Vec<(usize, usize)>,
    gold: Vec<Label>,
    info: DocInfo,
}

const NONE: u32 = u32::MAX;

/// Maps hash buckets seen in training to dense weight rows.
struct RowMap {
    bits: u32,
    row_of: Vec<u32>,
    n_rows: usize,
}

impl RowMap {
    fn bucket(&self, h: u64) -> usize {
        (h >> (64 - self.bits)) as usize
    }
    /// Gives a row to every bucket that at least `min_count` training tokens use; rarer
    /// features are left out of training and of the model alike.
    fn assign(&mut self, docs: &mut [Prepared], min_count: u16) {
        let mut counts = vec![0u16; self.row_of.len()];
        for d in docs.iter() {
            for &h in &d.hashes {
                let c = &mut counts[self.bucket(h)];
                *c = c.saturating_add(1);
            }
        }
        for d in docs.iter_mut() {
            d.rows.clear();
            for &h in &d.hashes {
                let b = self.bucket(h);
                if self.row_of[b] == NONE && counts[b] >= min_count {
                    self.row_of[b] = self.n_rows as u32;
                    self.n_rows += 1;
                }
                d.rows.push(self.row_of[b]);
            }
        }
    }
    fn lookup(&self, d: &mut Prepared) {
        d.rows.clear();
        d.rows
            .extend(d.hashes.iter().map(|&h| self.row_of[self.bucket(h)]));
    }
}

fn prepare(docs: &[Document], clusters: &Clusters) -> Vec<Prepared> {
    docs.iter()
        .map(|doc| {
            let words: Vec<Vec<&str>> = doc
                .sentences
                .iter()
                .map(|s| s.words.iter().map(String::as_str).collect())
                .collect();
            let mut hashes = Vec::new();
            let info = extract_doc(&words, clusters, &mut hashes);
            let mut sents = Vec::new();
            let mut gold = Vec::new();
            for s in &doc.sentences {
                sents.push((gold.len(), gold.len() + s.labels.len()));
                gold.extend_from_slice(&s.labels);
            }
            Prepared {
                hashes,
                rows: Vec::new(),
                sents,
                gold,
                info,
            }
        })
        .collect()
}

/// Raw and accumulated weights for lazy averaging: avg = w - u / c.
struct Perceptron {
    w: Vec<f32>,
    u: Vec<f64>,
    tw: [[f32; N_LABELS]; N_LABELS + 1],
    tu: [[f64; N_LABELS]; N_LABELS + 1],
    c: f64,
}

/// Weights ready for decoding.
struct Averaged {
    w: Vec<f32>,
    trans: Transitions,
}

fn emissions(w: &[f32], rows: &[u32], out: &mut Vec<[f32; N_LABELS]>) {
    out.clear();
    for tr in rows.chunks_exact(N_FEATURES) {
        let mut acc = [0f32; N_LABELS];
        for &r in tr {
            if r != NONE {
                let base = r as usize * N_LABELS;
                for (a, &x) in acc.iter_mut().zip(&w[base..base + N_LABELS]) {
                    *a += x;
                }
            }
        }
        out.push(acc);
    }
}

impl Perceptron {
    fn new(n_rows: usize) -> Self {
        Perceptron {
            w: vec![0.0; n_rows * N_LABELS],
            u: vec![0.0; n_rows * N_LABELS],
            tw: [[0.0; N_LABELS]; N_LABELS + 1],
            tu: [[0.0; N_LABELS]; N_LABELS + 1],
            c: 1.0,
        }
    }

    fn bump(&mut self, rows: &[u32], l: Label, d: f32) {
        let c = self.c * d as f64;
        for &r in rows {
            if r != NONE {
                let i = r as usize * N_LABELS + l as usize;
                self.w[i] += d;
                self.u[i] += c;
            }
        }
    }

    fn learn(&mut self, d: &Prepared, (s, e): (usize, usize), emit: &mut Vec<[f32; N_LABELS]>) {
        let rows = &d.rows[s * N_FEATURES..e * N_FEATURES];
        emissions(&self.w, rows, emit);
        let pred = viterbi(emit, &self.tw);
        let gold = &d.gold[s..e];
        if pred != gold {
            for i in 0..gold.len() {
                let (g, p) = (gold[i], pred[i]);
                let tr = &rows[i * N_FEATURES..(i + 1) * N_FEATURES];
                if g != p {
                    self.bump(tr, g, 1.0);
                    self.bump(tr, p, -1.0);
                }
                let pg = if i == 0 {
                    N_LABELS
                } else {
                    gold[i - 1] as usize
                };
                let pp = if i == 0 {
                    N_LABELS
                } else {
                    pred[i - 1] as usize
                };
                if (pg, g) != (pp, p) {
                    self.tw[pg][g as usize] += 1.0;
                    self.tu[pg][g as usize] += self.c;
                    self.tw[pp][p as usize] -= 1.0;
                    self.tu[pp][p as usize] -= self.c;
                }
            }
        }
        self.c += 1.0;
    }

    fn averaged(&self) -> Averaged {
        let c = self.c;
        let w = self
            .w
            .iter()
            .zip(&self.u)
            .map(|(&w, &u)| (w as f64 - u / c) as f32)
            .collect();
        let mut trans = [[0f32; N_LABELS]; N_LABELS + 1];
        for ((row, tw), tu) in trans.iter_mut().zip(&self.tw).zip(&self.tu) {
            for ((t, &w), &u) in row.iter_mut().zip(tw).zip(tu) {
                *t = (w as f64 - u / c) as f32;
            }
        }
        Averaged { w, trans }
    }
}

fn predict(a: &Averaged, d: &Prepared, emit: &mut Vec<[f32; N_LABELS]>) -> Vec<Label> {
    let mut out = Vec::with_capacity(d.gold.len());
    for &(s, e) in &d.sents {
        emissions(&a.w, &d.rows[s * N_FEATURES..e * N_FEATURES], emit);
        out.extend(viterbi(emit, &a.trans));
    }
    out
}

fn score(docs: &[Prepared], labels: &[Vec<Label>]) -> Scores {
    let mut sc = Scores::default();
    for (d, l) in docs.iter().zip(labels) {
        for &(s, e) in &d.sents {
            sc.add(&d.gold[s..e], &l[s..e]);
        }
    }
    sc
}

/// Trains one pass on the sentences of `train` (doc indices), early-stopping on `dev`
/// when given, else running `epochs` epochs. Returns the weights and the epoch count used.
fn train_pass(
    data: &[Prepared],
    train: &[usize],
    dev: Option<&[Prepared]>,
    n_rows: usize,
    epochs: usize,
    seed: u64,
    log: &mut dyn FnMut(String),
) -> (Averaged, usize) {
    let mut order: Vec<(usize, usize)> = train
        .iter()
        .flat_map(|&d| (0..data[d].sents.len()).map(move |s| (d, s)))
        .collect();
    let mut rng = XorShift::new(seed);
    let mut p = Perceptron::new(n_rows);
    let mut emit = Vec::new();
    let mut best: Option<(f64, Averaged, usize)> = None;
    let mut since_best = 0;
    for epoch in 1..=epochs {
        let t = Instant::now();
        rng.shuffle(&mut order);
        for &(d, s) in &order {
            p.learn(&data[d], data[d].sents[s], &mut emit);
        }
        let Some(dev) = dev else {
            continue;
        };
        let avg = p.averaged();
        let labels: Vec<Vec<Label>> = dev.iter().map(|d| predict(&avg, d, &mut emit)).collect();
        let f1 = score(dev, &labels).overall().f1;
        log(format!(
            "  epoch {epoch:>2}: dev F1 {f1:.2} ({:.1}s)",
            t.elapsed().as_secs_f64()
        ));
        if best.as_ref().is_none_or(|b| f1 > b.0) {
            best = Some((f1, avg, epoch));
            since_best = 0;
        } else {
            since_best += 1;
            if since_best >= 4 {
                break;
            }
        }
    }
    match best {
        Some((_, avg, epoch)) => (avg, epoch),
        None => (p.averaged(), epochs),
    }
}

/// Quantises and prunes the averaged weights of each pass into one shipped table.
fn to_model(map: &RowMap, passes: &[&Averaged], clusters: Clusters, prune: f32) -> Model {
    let rows: Vec<(u32, Vec<f32>)> = map
        .row_of
        .iter()
        .enumerate()
        .filter(|&(_, &r)| r != NONE)
        .map(|(b, &r)| {
            let base = r as usize * N_LABELS;
            let row = passes
                .iter()
                .flat_map(|a| {
                    a.w.get(base..base + N_LABELS)
                        .unwrap_or(&[0.0; N_LABELS])
                        .iter()
                        .copied()
                })
                .collect();
            (b as u32, row)
        })
        .collect();
    Model {
        clusters,
        weights: Weights::from_rows(map.bits, passes.len(), &rows, prune),
        trans: passes.iter().map(|a| a.trans).collect(),
    }
}

/// Scores a model on CoNLL documents, through the same path tagging uses.
pub fn evaluate(model: &Model, docs: &[Document]) -> Scores {
    let mut sc = Scores::default();
    for doc in docs {
        let words: Vec<Vec<&str>> = doc
            .sentences
            .iter()
            .map(|s| s.words.iter().map(String::as_str).collect())
            .collect();
        let labels = model.tag_doc(&words);
        let mut k = 0;
        for s in &doc.sentences {
            sc.add(&s.labels, &labels[k..k + s.labels.len()]);
            k += s.labels.len();
        }
    }
    sc
}

/// Trains a model on `train`, early-stopping on `dev`.
pub fn train(
    train: &[Document],
    dev: &[Document],
    clusters: Clusters,
    opts: &TrainOptions,
    log: &mut dyn FnMut(String),
) -> Model {
    let t0 = Instant::now();
    let mut map = RowMap {
        bits: opts.bits,
        row_of: vec![NONE; 1 << opts.bits],
        n_rows: 0,
    };
    let mut tr = prepare(train, &clusters);
    let mut dv = prepare(dev, &clusters);
    map.assign(&mut tr, opts.min_count);
    for d in &mut dv {
        map.lookup(d);
    }
    log(format!(
        "features: {} rows from {} training tokens ({:.1}s)",
        map.n_rows,
        tr.iter().map(|d| d.gold.len()).sum::<usize>(),
        t0.elapsed().as_secs_f64()
    ));
    let all: Vec<usize> = (0..tr.len()).collect();
    log("pass 1".into());
    let (a1, epochs1) = train_pass(
        &tr,
        &all,
        Some(&dv),
        map.n_rows,
        opts.epochs,
        opts.seed,
        log,
    );
    let first = to_model(&map, &[&a1], clusters, opts.prune);
    if !opts.two_pass {
        return first;
    }

    // Jackknifed first-pass labels for the training documents.
    let mut emit = Vec::new();
    let mut prior: Vec<Vec<Label>> = vec![Vec::new(); tr.len()];
    let folds = opts.folds.max(2);
    for k in 0..folds {
        let rest: Vec<usize> = (0..tr.len()).filter(|d| d % folds != k).collect();
        let (a, _) = train_pass(
            &tr,
            &rest,
            None,
            map.n_rows,
            epochs1,
            opts.seed + 1 + k as u64,
            log,
        );
        for d in (0..tr.len()).filter(|d| d % folds == k) {
            prior[d] = predict(&a, &tr[d], &mut emit);
        }
        log(format!(
            "  fold {}/{folds} tagged ({:.1}s)",
            k + 1,
            t0.elapsed().as_secs_f64()
        ));
    }
    // Dev documents get the shipped first pass's labels, exactly as at run time.
    let dev_prior: Vec<Vec<Label>> = dev
        .iter()
        .map(|doc| {
            let words: Vec<Vec<&str>> = doc
                .sentences
                .iter()
                .map(|s| s.words.iter().map(String::as_str).collect())
                .collect();
            first.tag_doc(&words)
        })
        .collect();
    for (d, p) in tr.iter_mut().zip(&prior) {
        apply_prior(&d.info, p, &mut d.hashes);
    }
    map.assign(&mut tr, opts.min_count);
    for (d, p) in dv.iter_mut().zip(&dev_prior) {
        apply_prior(&d.info, p, &mut d.hashes);
        map.lookup(d);
    }
    log("pass 2".into());
    let (a2, _) = train_pass(
        &tr,
        &all,
        Some(&dv),
        map.n_rows,
        opts.epochs,
        opts.seed + 100,
        log,
    );
    let model = to_model(&map, &[&a1, &a2], first.clusters, opts.prune);
    log(format!("trained in {:.1}s", t0.elapsed().as_secs_f64()));
    model
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::conll;

    #[test]
    fn learns_a_tiny_made_up_corpus_deterministically() {
        let text = "Alice I-PER\nvisited O\nLondon I-LOC\n. O\n\nBob I-PER\nlikes O\nParis I-LOC\n. O\n\n\
                    Carol I-PER\nleft O\nRome I-LOC\n. O\n";
        let docs = conll::parse(text).expect("valid");
        let opts = TrainOptions {
            epochs: 5,
            bits: 16,
            folds: 2,
            ..TrainOptions::default()
        };
        let a = train(&docs, &docs, Clusters::default(), &opts, &mut |_| {});
        let b = train(&docs, &docs, Clusters::default(), &opts, &mut |_| {});
        assert_eq!(a.to_bytes(), b.to_bytes());
        assert_eq!(evaluate(&a, &docs).overall().f1, 100.0);
        // One pass only; and the cached path agrees with the reference path either way.
        let one = train(
            &docs,
            &docs,
            Clusters::default(),
            &TrainOptions {
                two_pass: false,
                ..opts.clone()
            },
            &mut |_| {},
        );
        for m in [&a, &one] {
            for d in &docs {
                let words: Vec<Vec<&str>> = d
                    .sentences
                    .iter()
                    .map(|s| s.words.iter().map(String::as_str).collect())
                    .collect();
                assert_eq!(m.tag_doc(&words), m.tag_doc_reference(&words));
            }
        }
    }
}
