//! The shipped model: hashed feature weights per label, label transitions, word clusters,
//! a compact binary format, and first-order Viterbi decoding.
//!
//! Weights live in `2^bits` hash buckets; only buckets with a non-zero weight are stored.
//! A bitmap with a running rank per 64 buckets maps a bucket to its row of `N_LABELS` i16
//! weights, so a lookup is one bit test, one popcount and one row read.

use std::collections::HashMap;

use super::features::{Clusters, N_FEATURES, apply_prior, extract_doc};
use super::label::{self, Label, N_LABELS};

const MAGIC: &[u8; 8] = b"NDXNER01";

/// Transition scores: rows are the previous label, the last row is the sentence start.
pub type Transitions = [[f32; N_LABELS]; N_LABELS + 1];

/// One pass of the tagger: emission weights and transitions.
#[derive(Debug, Clone)]
pub struct Stage {
    bits: u32,
    /// Per 64 buckets: the occupancy bits and the number of rows before them.
    blocks: Vec<(u64, u32)>,
    rows: Vec<i16>,
    scale: f32,
    pub trans: Transitions,
}

impl Stage {
    /// Builds a stage from dense weights of the buckets seen in training.
    /// `weights(bucket)` yields that bucket's row; rows whose largest weight is below
    /// `prune` are dropped.
    pub fn from_rows(bits: u32, buckets: &[(u32, [f32; N_LABELS])], trans: Transitions, prune: f32) -> Stage {
        let max = buckets
            .iter()
            .flat_map(|(_, r)| r.iter())
            .fold(0f32, |m, &w| m.max(w.abs()))
            .max(1e-9);
        let scale = max / 32767.0;
        let mut kept: Vec<(u32, [i16; N_LABELS])> = buckets
            .iter()
            .filter_map(|(b, r)| {
                let q = r.map(|w| (w / scale).round().clamp(-32767.0, 32767.0) as i16);
                let big = r.iter().any(|w| w.abs() >= prune) && q.iter().any(|&x| x != 0);
                big.then_some((*b, q))
            })
            .collect();
        kept.sort_unstable_by_key(|(b, _)| *b);
        let n_blocks = (1usize << bits).div_ceil(64);
        let mut blocks = vec![(0u64, 0u32); n_blocks];
        let mut rows = Vec::with_capacity(kept.len() * N_LABELS);
        for (b, q) in &kept {
            blocks[*b as usize / 64].0 |= 1 << (b % 64);
            rows.extend_from_slice(q);
        }
        let mut acc = 0u32;
        for blk in &mut blocks {
            blk.1 = acc;
            acc += blk.0.count_ones();
        }
        Stage {
            bits,
            blocks,
            rows,
            scale,
            trans,
        }
    }

    pub fn n_rows(&self) -> usize {
        self.rows.len() / N_LABELS
    }

    #[inline]
    fn row(&self, h: u64) -> Option<&[i16]> {
        let b = (h >> (64 - self.bits)) as usize;
        let (bits, rank) = self.blocks[b / 64];
        let bit = 1u64 << (b % 64);
        if bits & bit == 0 {
            return None;
        }
        let idx = rank as usize + (bits & (bit - 1)).count_ones() as usize;
        Some(&self.rows[idx * N_LABELS..(idx + 1) * N_LABELS])
    }

    /// Emission scores for each token of `feats` (`N_FEATURES` hashes per token).
    pub fn emissions(&self, feats: &[u64], out: &mut Vec<[f32; N_LABELS]>) {
        out.clear();
        for tf in feats.chunks_exact(N_FEATURES) {
            let mut acc = [0i32; N_LABELS];
            for &h in tf {
                if let Some(r) = self.row(h) {
                    for (a, &w) in acc.iter_mut().zip(r) {
                        *a += w as i32;
                    }
                }
            }
            out.push(acc.map(|a| a as f32 * self.scale));
        }
    }
}

/// The best label sequence under BIO constraints: an I-X only after B-X or I-X.
pub fn viterbi(emit: &[[f32; N_LABELS]], trans: &Transitions) -> Vec<Label> {
    let n = emit.len();
    if n == 0 {
        return Vec::new();
    }
    let mut allowed = [[false; N_LABELS]; N_LABELS + 1];
    for (p, row) in allowed.iter_mut().enumerate() {
        for (c, a) in row.iter_mut().enumerate() {
            let prev = (p < N_LABELS).then_some(p as Label);
            *a = label::allowed(prev, c as Label);
        }
    }
    let mut score = [f32::NEG_INFINITY; N_LABELS];
    for c in 0..N_LABELS {
        if allowed[N_LABELS][c] {
            score[c] = emit[0][c] + trans[N_LABELS][c];
        }
    }
    let mut back = vec![[0u8; N_LABELS]; n];
    for i in 1..n {
        let mut next = [f32::NEG_INFINITY; N_LABELS];
        for c in 0..N_LABELS {
            let mut best = f32::NEG_INFINITY;
            let mut arg = 0u8;
            for p in 0..N_LABELS {
                if allowed[p][c] && score[p] > f32::NEG_INFINITY {
                    let s = score[p] + trans[p][c];
                    if s > best {
                        best = s;
                        arg = p as u8;
                    }
                }
            }
            next[c] = best + emit[i][c];
            back[i][c] = arg;
        }
        score = next;
    }
    let mut last = 0;
    for c in 0..N_LABELS {
        if score[c] > score[last] {
            last = c;
        }
    }
    let mut out = vec![0u8; n];
    out[n - 1] = last as Label;
    for i in (1..n).rev() {
        out[i - 1] = back[i][out[i] as usize];
    }
    out
}

/// A trained tagger: word clusters, a first pass, and optionally a second pass that also
/// sees the first pass's labels of the whole document.
#[derive(Debug, Clone)]
pub struct Model {
    pub clusters: Clusters,
    pub stages: Vec<Stage>,
}

impl Model {
    /// Labels every token of a document (sentences of words), flattened in order.
    pub fn tag_doc(&self, doc: &[Vec<&str>]) -> Vec<Label> {
        let mut feats = Vec::new();
        let info = extract_doc(doc, &self.clusters, &mut feats);
        let mut emit = Vec::new();
        let mut labels = self.decode(&self.stages[0], doc, &feats, &mut emit);
        if let Some(second) = self.stages.get(1) {
            apply_prior(&info, &labels, &mut feats);
            labels = self.decode(second, doc, &feats, &mut emit);
        }
        labels
    }

    fn decode(&self, stage: &Stage, doc: &[Vec<&str>], feats: &[u64], emit: &mut Vec<[f32; N_LABELS]>) -> Vec<Label> {
        let mut out = Vec::with_capacity(feats.len() / N_FEATURES);
        let mut k = 0;
        for sent in doc {
            let n = sent.len();
            stage.emissions(&feats[k * N_FEATURES..(k + n) * N_FEATURES], emit);
            out.extend(viterbi(emit, &stage.trans));
            k += n;
        }
        out
    }
}

struct Reader<'a> {
    b: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.b.len() < n {
            return Err("model file is truncated".into());
        }
        let (a, rest) = self.b.split_at(n);
        self.b = rest;
        Ok(a)
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
}

impl Model {
    /// Serialises the model (little-endian).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(N_LABELS as u32).to_le_bytes());
        out.extend_from_slice(&(N_FEATURES as u32).to_le_bytes());
        let mut cl: Vec<(u64, u16)> = self.clusters.map.iter().map(|(&h, &c)| (h, c)).collect();
        cl.sort_unstable();
        out.extend_from_slice(&(cl.len() as u32).to_le_bytes());
        for (h, _) in &cl {
            out.extend_from_slice(&h.to_le_bytes());
        }
        for (_, c) in &cl {
            out.extend_from_slice(&c.to_le_bytes());
        }
        out.extend_from_slice(&(self.stages.len() as u32).to_le_bytes());
        for st in &self.stages {
            out.extend_from_slice(&st.bits.to_le_bytes());
            out.extend_from_slice(&st.scale.to_le_bytes());
            for row in &st.trans {
                for w in row {
                    out.extend_from_slice(&w.to_le_bytes());
                }
            }
            out.extend_from_slice(&(st.n_rows() as u32).to_le_bytes());
            for (bits, _) in &st.blocks {
                out.extend_from_slice(&bits.to_le_bytes());
            }
            for w in &st.rows {
                out.extend_from_slice(&w.to_le_bytes());
            }
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Model, String> {
        let mut r = Reader { b: bytes };
        if r.take(8)? != MAGIC {
            return Err("not a newsdex NER model (bad magic)".into());
        }
        if r.u32()? as usize != N_LABELS || r.u32()? as usize != N_FEATURES {
            return Err("model was written for a different feature set or label set".into());
        }
        let n = r.u32()? as usize;
        let hashes = r.take(n * 8)?;
        let codes = r.take(n * 2)?;
        let map: HashMap<u64, u16> = hashes
            .chunks_exact(8)
            .zip(codes.chunks_exact(2))
            .map(|(h, c)| {
                (
                    u64::from_le_bytes(h.try_into().expect("8 bytes")),
                    u16::from_le_bytes(c.try_into().expect("2 bytes")),
                )
            })
            .collect();
        let n_stages = r.u32()? as usize;
        if n_stages == 0 || n_stages > 2 {
            return Err(format!("model has {n_stages} stages, expected 1 or 2"));
        }
        let mut stages = Vec::new();
        for _ in 0..n_stages {
            let bits = r.u32()?;
            if !(10..=26).contains(&bits) {
                return Err(format!("model has an implausible bucket count 2^{bits}"));
            }
            let scale = r.f32()?;
            let mut trans = [[0f32; N_LABELS]; N_LABELS + 1];
            for row in &mut trans {
                for w in row.iter_mut() {
                    *w = r.f32()?;
                }
            }
            let n_rows = r.u32()? as usize;
            let n_blocks = (1usize << bits).div_ceil(64);
            let bm = r.take(n_blocks * 8)?;
            let mut blocks = Vec::with_capacity(n_blocks);
            let mut acc = 0u32;
            for c in bm.chunks_exact(8) {
                let bits = u64::from_le_bytes(c.try_into().expect("8 bytes"));
                blocks.push((bits, acc));
                acc += bits.count_ones();
            }
            if acc as usize != n_rows {
                return Err("model bitmap and row count disagree".into());
            }
            let rb = r.take(n_rows * N_LABELS * 2)?;
            let rows = rb
                .chunks_exact(2)
                .map(|c| i16::from_le_bytes(c.try_into().expect("2 bytes")))
                .collect();
            stages.push(Stage {
                bits,
                blocks,
                rows,
                scale,
                trans,
            });
        }
        if !r.b.is_empty() {
            return Err("model file has trailing bytes".into());
        }
        Ok(Model {
            clusters: Clusters { map },
            stages,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viterbi_never_emits_invalid_transitions() {
        // Emissions that strongly prefer I- labels everywhere, and transitions that reward
        // type switches: decoding must still respect BIO.
        let mut x = 0x1234_5678u64;
        let mut rnd = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 1000) as f32 / 100.0 - 5.0
        };
        for _ in 0..200 {
            let n = 1 + (rnd().abs() as usize) % 8;
            let mut emit = vec![[0f32; N_LABELS]; n];
            for row in &mut emit {
                for (l, e) in row.iter_mut().enumerate() {
                    *e = rnd() + if l % 2 == 0 && l > 0 { 20.0 } else { 0.0 };
                }
            }
            let mut trans = [[0f32; N_LABELS]; N_LABELS + 1];
            for row in &mut trans {
                for t in row.iter_mut() {
                    *t = rnd();
                }
            }
            let path = viterbi(&emit, &trans);
            assert_eq!(path.len(), n);
            let mut prev = None;
            for &l in &path {
                assert!(label::allowed(prev, l), "{:?} then {}", prev.map(label::name), label::name(l));
                prev = Some(l);
            }
        }
    }

    #[test]
    fn save_load_round_trip() {
        let mut trans = [[0f32; N_LABELS]; N_LABELS + 1];
        trans[3][4] = 1.5;
        let rows = vec![(5u32, [0.5f32; N_LABELS]), (1000, [-2.0; N_LABELS]), (77, [1e-6; N_LABELS])];
        let stage = Stage::from_rows(12, &rows, trans, 1e-3);
        assert_eq!(stage.n_rows(), 2);
        let mut clusters = Clusters::default();
        clusters.map.insert(42, 0b101);
        let model = Model {
            clusters,
            stages: vec![stage],
        };
        let bytes = model.to_bytes();
        let back = Model::from_bytes(&bytes).expect("round trip");
        assert_eq!(back.to_bytes(), bytes);
        assert_eq!(back.clusters.map.get(&42), Some(&0b101));
        let st = &back.stages[0];
        assert_eq!(st.trans[3][4], 1.5);
        let h = |b: u64| b << (64 - 12);
        assert!(st.row(h(77)).is_none());
        let r = st.row(h(1000)).expect("kept row");
        assert!((r[0] as f32 * st.scale + 2.0).abs() < 1e-3);
        assert!((st.row(h(5)).expect("kept row")[3] as f32 * st.scale - 0.5).abs() < 1e-3);
        assert!(Model::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!(Model::from_bytes(b"garbage").is_err());
    }
}
