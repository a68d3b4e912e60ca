//! The shipped model: hashed feature weights per label, label transitions, word clusters,
//! a compact binary format, and first-order Viterbi decoding.
//!
//! Weights live in `2^bits` hash buckets; only buckets with a non-zero weight are stored.
//! A bitmap with a running rank per 64 buckets maps a bucket to its row of `N_LABELS` i16
//! weights, so a lookup is one bit test, one popcount and one row read.

use std::ops::Range;

use super::features::{Clusters, HashMap64, N_FEATURES, apply_prior, extract_doc, open_tokens};
use super::label::{self, Label, N_LABELS, O};

const MAGIC: &[u8; 8] = b"NDXNER03";

fn next_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Transition scores: rows are the previous label, the last row is the sentence start.
pub type Transitions = [[f32; N_LABELS]; N_LABELS + 1];

/// Features that only the second pass reads (filled from first-pass labels).
pub const PRIOR_FEATURES: [usize; 4] = [44, 45, 47, 48];

/// For each feature slot: whether the second pass shares it with the first.
const SHARED: [bool; N_FEATURES] = {
    let mut m = [true; N_FEATURES];
    let mut i = 0;
    while i < PRIOR_FEATURES.len() {
        m[PRIOR_FEATURES[i]] = false;
        i += 1;
    }
    m
};

/// Emission weights of all passes in one table: a bucket's row holds `N_LABELS` i16 weights
/// per pass, so both passes cost one lookup per feature.
#[derive(Debug, Clone)]
pub struct Weights {
    /// Identifies these weights for per-thread caches of their sums (clones share it).
    id: u64,
    bits: u32,
    passes: usize,
    /// Per 64 buckets: the occupancy bits and the number of rows before them.
    blocks: Vec<(u64, u32)>,
    /// One row per stored bucket, then an all-zero row; a one-pass model's second half is 0.
    rows: Vec<Row>,
    scales: Vec<f32>,
}

/// Both passes' weights of one bucket, side by side.
pub(crate) const ROW: usize = 2 * N_LABELS;
type Row = [i16; ROW];
/// Lanes of the i32 sums of rows: [`ROW`] padded to a multiple of 4 (vector width).
pub(crate) const SUM: usize = ROW.next_multiple_of(4);

impl Weights {
    /// Builds the table from dense rows (`N_LABELS` weights per pass, passes side by side);
    /// rows whose largest weight is below `prune` in every pass are dropped.
    pub fn from_rows(bits: u32, passes: usize, buckets: &[(u32, Vec<f32>)], prune: f32) -> Weights {
        let width = passes * N_LABELS;
        let scales: Vec<f32> = (0..passes)
            .map(|p| {
                buckets
                    .iter()
                    .flat_map(|(_, r)| r[p * N_LABELS..(p + 1) * N_LABELS].iter())
                    .fold(0f32, |m, &w| m.max(w.abs()))
                    .max(1e-9)
                    / 32767.0
            })
            .collect();
        let mut kept: Vec<(u32, Vec<i16>)> = buckets
            .iter()
            .filter_map(|(b, r)| {
                let q: Vec<i16> = r
                    .iter()
                    .enumerate()
                    .map(|(i, &w)| {
                        let w = if w.abs() < prune { 0.0 } else { w };
                        (w / scales[i / N_LABELS]).round().clamp(-32767.0, 32767.0) as i16
                    })
                    .collect();
                q.iter().any(|&x| x != 0).then_some((*b, q))
            })
            .collect();
        kept.sort_unstable_by_key(|(b, _)| *b);
        let n_blocks = (1usize << bits).div_ceil(64);
        let mut blocks = vec![(0u64, 0u32); n_blocks];
        let mut rows = Vec::with_capacity(kept.len() + 1);
        for (b, q) in &kept {
            blocks[*b as usize / 64].0 |= 1 << (b % 64);
            let mut row = [0; ROW];
            row[..width].copy_from_slice(q);
            rows.push(row);
        }
        rows.push([0; ROW]);
        let mut acc = 0u32;
        for blk in &mut blocks {
            blk.1 = acc;
            acc += blk.0.count_ones();
        }
        Weights {
            id: next_id(),
            bits,
            passes,
            blocks,
            rows,
            scales,
        }
    }

    /// Stored rows (the trailing all-zero row is not counted).
    pub fn n_rows(&self) -> usize {
        self.rows.len() - 1
    }

    pub fn passes(&self) -> usize {
        self.passes
    }

    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// The factor that turns pass `p`'s i16 weights into scores.
    pub(crate) fn scale(&self, p: usize) -> f32 {
        self.scales[p]
    }

    /// Adds both passes' rows of features `hs` to `acc` (lanes past [`ROW`] untouched).
    #[inline]
    pub(crate) fn add_rows(&self, hs: &[u64], acc: &mut [i32; SUM]) {
        self.add_lanes(hs, acc, 0..ROW);
    }

    /// Adds the second pass's half of the rows of features `hs` to `acc`.
    #[inline]
    pub(crate) fn add_rows_second(&self, hs: &[u64], acc: &mut [i32; SUM]) {
        self.add_lanes(hs, acc, N_LABELS..ROW);
    }

    /// Adds the first pass's half of the rows of features `hs` to `acc`.
    #[inline]
    pub(crate) fn add_rows_first(&self, hs: &[u64], acc: &mut [i32; SUM]) {
        self.add_lanes(hs, acc, 0..N_LABELS);
    }

    /// Adds both passes' rows at positions `rows` (from [`Weights::row_index`]) to `acc`.
    #[inline]
    pub(crate) fn add_rows_at(&self, rows: &[u32], acc: &mut [i32; SUM]) {
        let mut a = *acc;
        for &i in rows {
            let r = &self.rows[i as usize];
            let mut wide = [0i32; SUM];
            for (x, &v) in wide.iter_mut().zip(r) {
                *x = v as i32;
            }
            for l in 0..SUM {
                a[l] += wide[l];
            }
        }
        *acc = a;
    }

    #[inline(always)]
    fn add_lanes(&self, hs: &[u64], acc: &mut [i32; SUM], lanes: std::ops::Range<usize>) {
        // Summed in a local copy, widened lane by lane: plain loops over fixed-size arrays
        // that the compiler turns into vector adds.
        let mut a = *acc;
        for &h in hs {
            let r = &self.rows[self.row_index(h)];
            let mut wide = [0i32; SUM];
            for (x, &v) in wide.iter_mut().zip(r) {
                *x = v as i32;
            }
            for l in 0..SUM {
                a[l] += if lanes.contains(&l) { wide[l] } else { 0 };
            }
        }
        *acc = a;
    }

    #[inline]
    fn row(&self, h: u64) -> Option<&[i16]> {
        let idx = self.row_index(h);
        (idx < self.n_rows()).then(|| &self.rows[idx][..self.passes * N_LABELS])
    }

    /// The row of a feature hash, or `n_rows` (an all-zero row) when it has none.
    /// Branch-free, so the loads of a token's features can all be in flight at once.
    #[inline]
    pub(crate) fn row_index(&self, h: u64) -> usize {
        let b = (h >> (64 - self.bits)) as usize;
        let (bits, rank) = self.blocks[b / 64];
        let shift = b % 64;
        let present = ((bits >> shift) & 1) as usize;
        let below = (bits & ((1u64 << shift) - 1)).count_ones() as usize;
        let idx = rank as usize + below;
        let zero = self.rows.len() - 1;
        present * idx + (1 - present) * zero
    }

    /// First-pass emission scores per token, and the second pass's sums over the features
    /// it shares with the first (its prior features are added by [`Weights::add_prior`]).
    pub fn emissions(
        &self,
        feats: &[u64],
        first: &mut Vec<[f32; N_LABELS]>,
        second: &mut Vec<[i32; N_LABELS]>,
    ) {
        first.clear();
        second.clear();
        let mut idx = [0usize; N_FEATURES];
        for tf in feats.chunks_exact(N_FEATURES) {
            for (i, &h) in idx.iter_mut().zip(tf) {
                *i = self.row_index(h);
            }
            let mut a1 = [0i32; N_LABELS];
            let mut a2 = [0i32; N_LABELS];
            for (&i, &shared) in idx.iter().zip(&SHARED) {
                let r = &self.rows[i];
                for (a, &x) in a1.iter_mut().zip(&r[..N_LABELS]) {
                    *a += x as i32;
                }
                if self.passes > 1 && shared {
                    for (a, &x) in a2.iter_mut().zip(&r[N_LABELS..]) {
                        *a += x as i32;
                    }
                }
            }
            first.push(a1.map(|a| a as f32 * self.scales[0]));
            second.push(a2);
        }
    }

    /// Completes second-pass scores with the prior features.
    pub fn add_prior(
        &self,
        feats: &[u64],
        second: &[[i32; N_LABELS]],
        out: &mut Vec<[f32; N_LABELS]>,
    ) {
        out.clear();
        for (tf, base) in feats.chunks_exact(N_FEATURES).zip(second) {
            let mut a = *base;
            for &j in &PRIOR_FEATURES {
                if let Some(r) = self.row(tf[j]) {
                    for (x, &w) in a.iter_mut().zip(&r[N_LABELS..2 * N_LABELS]) {
                        *x += w as i32;
                    }
                }
            }
            out.push(a.map(|x| x as f32 * self.scales[1]));
        }
    }
}

/// The best label sequence under BIO constraints: an I-X only after B-X or I-X.
pub fn viterbi(emit: &[[f32; N_LABELS]], trans: &Transitions) -> Vec<Label> {
    viterbi_run(emit, trans, false, false)
}

/// The open runs of a sentence's tokens (see [`open_tokens`]): ranges of
/// consecutive open tokens, in order. Tagging decodes each run on its own, the closed
/// tokens around it fixed to O.
pub(crate) fn open_runs(open: &[bool]) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        let start = i + open.get(i..)?.iter().position(|&o| o)?;
        let end = open[start..]
            .iter()
            .position(|&o| !o)
            .map_or(open.len(), |l| start + l);
        i = end;
        Some(start..end)
    })
}

/// [`viterbi`] over a run of tokens that follows an O (`after_o`; else the sentence start)
/// and precedes one (`before_o`; else the sentence end): the best labels of the run when
/// the tokens around it are O.
pub fn viterbi_run(
    emit: &[[f32; N_LABELS]],
    trans: &Transitions,
    after_o: bool,
    before_o: bool,
) -> Vec<Label> {
    let n = emit.len();
    if n == 0 {
        return Vec::new();
    }
    let start = if after_o { O as usize } else { N_LABELS };
    // Forbidden transitions score -inf, so the inner loop needs no branches.
    let mut t = *trans;
    for (p, row) in t.iter_mut().enumerate() {
        let prev = (p < N_LABELS).then_some(p as Label);
        for (c, x) in row.iter_mut().enumerate() {
            if !label::allowed(prev, c as Label) {
                *x = f32::NEG_INFINITY;
            }
        }
    }
    let mut score = [0f32; N_LABELS];
    for (c, s) in score.iter_mut().enumerate() {
        *s = emit[0][c] + t[start][c];
    }
    let mut back = vec![[0u8; N_LABELS]; n];
    for i in 1..n {
        let mut next = [f32::NEG_INFINITY; N_LABELS];
        for c in 0..N_LABELS {
            let mut best = f32::NEG_INFINITY;
            let mut arg = 0u8;
            for (p, &sp) in score.iter().enumerate() {
                let s = sp + t[p][c];
                if s > best {
                    best = s;
                    arg = p as u8;
                }
            }
            next[c] = best + emit[i][c];
            back[i][c] = arg;
        }
        score = next;
    }
    if before_o {
        for (c, s) in score.iter_mut().enumerate() {
            *s += t[c][O as usize];
        }
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
    pub weights: Weights,
    /// One transition table per pass.
    pub trans: Vec<Transitions>,
}

impl Model {
    /// Labels every token of a document (sentences of words), flattened in order.
    pub fn tag_doc(&self, doc: &[Vec<&str>]) -> Vec<Label> {
        let mut words = Vec::with_capacity(doc.iter().map(Vec::len).sum());
        let mut sents = Vec::with_capacity(doc.len());
        for s in doc {
            sents.push(words.len()..words.len() + s.len());
            words.extend_from_slice(s);
        }
        self.tag_words(&words, &sents)
    }

    /// Labels `words`, a document whose sentences are the consecutive ranges `sents`
    /// (covering every word).
    pub fn tag_words(&self, words: &[&str], sents: &[std::ops::Range<usize>]) -> Vec<Label> {
        let mut labels = super::fastpath::tag(self, words, sents);
        if self.trans.len() >= 2 && self.weights.passes() >= 2 {
            harmonise_coordination(words, sents, &mut labels);
        }
        labels
    }

    /// The reference implementation of [`Model::tag_doc`]: every feature hashed and looked
    /// up per token, as training sees them. Tagging uses the cached fast path instead.
    pub fn tag_doc_reference(&self, doc: &[Vec<&str>]) -> Vec<Label> {
        let mut feats = Vec::new();
        let info = extract_doc(doc, &self.clusters, &mut feats);
        let (mut first, mut second) = (Vec::new(), Vec::new());
        self.weights.emissions(&feats, &mut first, &mut second);
        let mut open = Vec::with_capacity(first.len());
        for &(s, e) in info.sents() {
            open_tokens(&info.toks()[s..e], &mut open);
        }
        let labels = decode(info.sents(), &open, &first, &self.trans[0]);
        if self.trans.len() < 2 || self.weights.passes() < 2 {
            return labels;
        }
        apply_prior(&info, &labels, &mut feats);
        self.weights.add_prior(&feats, &second, &mut first);
        let mut labels = decode(info.sents(), &open, &first, &self.trans[1]);
        let mut words = Vec::new();
        let mut sents = Vec::new();
        for s in doc {
            sents.push(words.len()..words.len() + s.len());
            words.extend_from_slice(s);
        }
        harmonise_coordination(&words, &sents, &mut labels);
        labels
    }
}

/// "Seoul and Kyiv": a one-word person right after a place or organisation and a
/// conjunction takes the type of its partner, unless the document names it as a person
/// elsewhere. Unknown words default to PER; coordination is the better evidence.
fn harmonise_coordination(words: &[&str], sents: &[std::ops::Range<usize>], labels: &mut [Label]) {
    let mut person_words: Vec<&str> = Vec::new();
    for r in sents {
        for k in r.clone() {
            let l = labels[k];
            let multi = label::ty(l) == Some(0)
                && (label::inside(0) == l
                    || labels.get(k + 1) == Some(&label::inside(0)) && k + 1 < r.end);
            if multi {
                person_words.push(words[k]);
            }
        }
    }
    for r in sents {
        for k in r.start + 2..r.end {
            let (a, b) = (labels[k - 2], labels[k]);
            let single =
                label::is_begin(b) && (k + 1 == r.end || labels[k + 1] != label::inside(0));
            if single
                && label::ty(b) == Some(0)
                && matches!(label::ty(a), Some(1) | Some(2))
                && matches!(words[k - 1], "and" | "or" | "&")
                && !person_words.contains(&words[k])
            {
                labels[k] = label::begin(label::ty(a).unwrap_or(2));
            }
        }
    }
}

/// Each sentence's open runs decoded on their own; closed tokens are O.
fn decode(
    sents: &[(usize, usize)],
    open: &[bool],
    emit: &[[f32; N_LABELS]],
    trans: &Transitions,
) -> Vec<Label> {
    let mut out = vec![O; emit.len()];
    for &(s, e) in sents {
        for r in open_runs(&open[s..e]) {
            let path = viterbi_run(
                &emit[s + r.start..s + r.end],
                trans,
                r.start > 0,
                s + r.end < e,
            );
            out[s + r.start..s + r.end].copy_from_slice(&path);
        }
    }
    out
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
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
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
        let mut lower: Vec<u64> = self.clusters.lower.iter().copied().collect();
        lower.sort_unstable();
        out.extend_from_slice(&(lower.len() as u32).to_le_bytes());
        for h in &lower {
            out.extend_from_slice(&h.to_le_bytes());
        }
        let w = &self.weights;
        out.extend_from_slice(&(w.passes as u32).to_le_bytes());
        out.extend_from_slice(&w.bits.to_le_bytes());
        for (scale, trans) in w.scales.iter().zip(&self.trans) {
            out.extend_from_slice(&scale.to_le_bytes());
            for row in trans {
                for x in row {
                    out.extend_from_slice(&x.to_le_bytes());
                }
            }
        }
        out.extend_from_slice(&(w.n_rows() as u32).to_le_bytes());
        for (bits, _) in &w.blocks {
            out.extend_from_slice(&bits.to_le_bytes());
        }
        for row in &w.rows[..w.n_rows()] {
            for x in &row[..w.passes * N_LABELS] {
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Model, String> {
        let mut r = Reader { b: bytes };
        if bytes.len() < 8 || r.take(8)? != MAGIC {
            return Err("not a newsdex NER model (bad magic)".into());
        }
        if r.u32()? as usize != N_LABELS || r.u32()? as usize != N_FEATURES {
            return Err("model was written for a different feature set or label set".into());
        }
        let n = r.u32()? as usize;
        let hashes = r.take(n * 8)?;
        let codes = r.take(n * 2)?;
        let map: HashMap64<u16> = hashes
            .chunks_exact(8)
            .zip(codes.chunks_exact(2))
            .map(|(h, c)| {
                (
                    u64::from_le_bytes(h.try_into().expect("8 bytes")),
                    u16::from_le_bytes(c.try_into().expect("2 bytes")),
                )
            })
            .collect();
        let n_lower = r.u32()? as usize;
        let lower = r
            .take(n_lower * 8)?
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect();
        let passes = r.u32()? as usize;
        if passes == 0 || passes > 2 {
            return Err(format!("model has {passes} passes, expected 1 or 2"));
        }
        let bits = r.u32()?;
        if !(10..=26).contains(&bits) {
            return Err(format!("model has an implausible bucket count 2^{bits}"));
        }
        let mut scales = Vec::new();
        let mut trans = Vec::new();
        for _ in 0..passes {
            scales.push(r.f32()?);
            let mut t = [[0f32; N_LABELS]; N_LABELS + 1];
            for row in &mut t {
                for x in row.iter_mut() {
                    *x = r.f32()?;
                }
            }
            trans.push(t);
        }
        let n_rows = r.u32()? as usize;
        let n_blocks = (1usize << bits).div_ceil(64);
        let bm = r.take(n_blocks * 8)?;
        let mut blocks = Vec::with_capacity(n_blocks);
        let mut acc = 0u32;
        for c in bm.chunks_exact(8) {
            let b = u64::from_le_bytes(c.try_into().expect("8 bytes"));
            blocks.push((b, acc));
            acc += b.count_ones();
        }
        if acc as usize != n_rows {
            return Err("model bitmap and row count disagree".into());
        }
        let rb = r.take(n_rows * passes * N_LABELS * 2)?;
        let rows = rb
            .chunks_exact(2 * passes * N_LABELS)
            .map(|c| {
                let mut row = [0; ROW];
                for (x, b) in row.iter_mut().zip(c.chunks_exact(2)) {
                    *x = i16::from_le_bytes(b.try_into().expect("2 bytes"));
                }
                row
            })
            .chain(std::iter::once([0; ROW]))
            .collect();
        if !r.b.is_empty() {
            return Err("model file has trailing bytes".into());
        }
        Ok(Model {
            clusters: Clusters { map, lower },
            weights: Weights {
                id: next_id(),
                bits,
                passes,
                blocks,
                rows,
                scales,
            },
            trans,
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
                assert!(
                    label::allowed(prev, l),
                    "{:?} then {}",
                    prev.map(label::name),
                    label::name(l)
                );
                prev = Some(l);
            }
        }
    }

    #[test]
    fn open_runs_split_at_closed_tokens() {
        let runs = |open: &[bool]| open_runs(open).collect::<Vec<_>>();
        assert_eq!(runs(&[]), Vec::<Range<usize>>::new());
        assert_eq!(runs(&[false, false]), Vec::<Range<usize>>::new());
        assert_eq!(runs(&[true, true]), vec![0..2]);
        assert_eq!(
            runs(&[false, true, true, false, true, false, false, true]),
            vec![1..3, 4..5, 7..8]
        );
    }

    #[test]
    fn a_run_between_os_is_decoded_with_their_transitions() {
        // Emissions favour I-PER at the run's first token; after an O that is forbidden,
        // at a sentence start too, so B-PER wins either way, and before an O a strong
        // penalty on PER→O moves the last label.
        let mut emit = vec![[0f32; N_LABELS]; 2];
        emit[0][label::I_PER as usize] = 5.0;
        emit[0][label::B_PER as usize] = 4.0;
        emit[1][label::I_PER as usize] = 3.0;
        emit[1][label::O as usize] = 2.9;
        let mut trans = [[0f32; N_LABELS]; N_LABELS + 1];
        trans[label::I_PER as usize][label::O as usize] = -10.0;
        assert_eq!(
            viterbi_run(&emit, &trans, false, false),
            vec![label::B_PER, label::I_PER]
        );
        assert_eq!(
            viterbi_run(&emit, &trans, true, false),
            vec![label::B_PER, label::I_PER]
        );
        // Followed by an O, ending in I-PER costs 10: B-PER then O is best.
        assert_eq!(
            viterbi_run(&emit, &trans, true, true),
            vec![label::B_PER, label::O]
        );
    }

    /// The cached fast path labels exactly as the reference path (every feature looked up).
    #[test]
    fn fast_path_matches_reference() {
        let tagger = crate::extract::Tagger::embedded().expect("shipped model parses");
        let model = tagger.model();
        let seed = include_str!("../../seeds/000_d5240dadc151992f.txt");
        let mut texts: Vec<String> = vec![
            seed.to_string(),
            seed.to_uppercase(),
            "PRESIDENT ZELENSKY VISITS SEOUL\n\nKyiv and Seoul agreed on Monday.".into(),
            "Bank Of England Raises Rates In Surprise Move\nThe Bank of England said.".into(),
            String::new(),
            "A".into(),
        ];
        let mut x = 0x9e37_79b9u64;
        let words = [
            "Kyiv", "and", "Seoul", ".", "SEOUL", "the", "Bank", "of", "England", ",", "Cho", "’s",
            "Oblast", "Kursk", "or", "&", "\n",
        ];
        for _ in 0..200 {
            let mut t = String::new();
            for _ in 0..(x % 60) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                t.push_str(words[(x % words.len() as u64) as usize]);
                t.push(' ');
            }
            texts.push(t);
        }
        // Twice, so the second round reads the per-thread cache.
        for _ in 0..2 {
            for text in &texts {
                let tokens = super::super::tokenize::tokenize(text);
                let sents = super::super::tokenize::sentences(text, &tokens);
                let doc: Vec<Vec<&str>> = sents
                    .iter()
                    .map(|r| tokens[r.clone()].iter().map(|t| t.text(text)).collect())
                    .collect();
                assert_eq!(
                    model.tag_doc(&doc),
                    model.tag_doc_reference(&doc),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn save_load_round_trip() {
        let mut trans = [[0f32; N_LABELS]; N_LABELS + 1];
        trans[3][4] = 1.5;
        let rows = vec![
            (5u32, vec![0.5f32; 2 * N_LABELS]),
            (1000, vec![-2.0; 2 * N_LABELS]),
            (77, vec![1e-6; 2 * N_LABELS]),
        ];
        let weights = Weights::from_rows(12, 2, &rows, 1e-3);
        assert_eq!(weights.n_rows(), 2);
        let mut clusters = Clusters::default();
        clusters.map.insert(42, 0b101);
        clusters.lower.insert(7);
        let model = Model {
            clusters,
            weights,
            trans: vec![trans, trans],
        };
        let bytes = model.to_bytes();
        let back = Model::from_bytes(&bytes).expect("round trip");
        assert_eq!(back.to_bytes(), bytes);
        assert_eq!(back.clusters.map.get(&42), Some(&0b101));
        assert!(back.clusters.lower.contains(&7));
        assert_eq!(back.trans[1][3][4], 1.5);
        let w = &back.weights;
        let h = |b: u64| b << (64 - 12);
        assert!(w.row(h(77)).is_none());
        let r = w.row(h(1000)).expect("kept row");
        assert!((r[0] as f32 * w.scales[0] + 2.0).abs() < 1e-3);
        assert!((w.row(h(5)).expect("kept row")[12] as f32 * w.scales[1] - 0.5).abs() < 1e-3);
        for cut in [1, 100, bytes.len() / 2] {
            assert!(Model::from_bytes(&bytes[..bytes.len() - cut]).is_err());
        }
        assert!(Model::from_bytes(b"garbage").is_err());
    }
}
