//! The tagging hot path.
//!
//! It computes exactly the features and scores that [`extract_doc`](super::features::extract_doc),
//! [`Weights::emissions`] and [`apply_prior`](super::features::apply_prior) give (integer
//! sums, so the same labels bit for bit), but most of a token's 49 weight lookups read only
//! the word itself or one neighbour. Their sums are cached per word in a per-thread table: a
//! frequent word costs one cache probe instead of ~33 scattered row reads, and no feature
//! hashing. Per token, only 8 hashed per-position features are looked up in the weight table;
//! the small-domain ones (position, case pattern, document flags, and the second pass's 4)
//! read small per-model tables.
//!
//! Only open tokens ([`open_tokens`]: near a capitalised token) are scored and decoded,
//! as the reference path decodes them; the others are O. A cache entry holds a word's
//! token facts at once and its sums only once an open token needs them, so the many
//! numbers and rare lower-case words far from any name never cost their 31 row reads.

use std::cell::RefCell;
use std::ops::Range;

use super::features::{
    CTX_CODES, HashMap64, Lite, PAD_LEFT, PAD_RIGHT, PRIOR_CODES, Tok, count_cap_stat,
    count_lower_uses, ctx_code_hash, ctx_codes, ctx_hashed, doc_flags, fmix, n1_feats, n2_feats,
    open_tokens, p1_feats, p2_feats, pad_lite, prior_code_hash, prior_codes, prior_placeholder,
    self_feats, sentence_mode_of, tok_in_mode, word_hash,
};
use super::label::{self, Label, N_LABELS, O};
use super::model::{Model, SUM, Transitions, Weights, open_runs};

/// Both passes' weight sums side by side (the second half is zero for a one-pass model),
/// padded to whole vectors.
const W: usize = SUM;
type Sum = [i32; W];

/// log2 of the word cache's sets (two-way set-associative; entries ~440 bytes each, so
/// 14 MB per thread). Two ways keep two frequent words that share a set both cached.
const SET_BITS: u32 = 14;

/// Roles of a word's cached sums.
const SELF: usize = 0;
const AS_P1: usize = 1;
const AS_N1: usize = 2;
const AS_P2: usize = 3;
const AS_N2: usize = 4;

#[derive(Clone, Copy)]
struct Entry {
    /// Word hash (mixed with the sentence mode when that is not 0); 0 = empty.
    key: u64,
    tok: Lite,
    /// Whether `sums` are filled: they are computed only when a token that needs them
    /// (an open token or an open token's neighbour) first reads them.
    ready: bool,
    sums: [Sum; 5],
}

const EMPTY: Entry = Entry {
    key: 0,
    tok: Lite {
        exact: 0,
        lower: 0,
        shape: 0,
        case: 0,
        len: 0,
        geo: false,
    },
    ready: false,
    sums: [[0; W]; 5],
};

/// Per-thread buffers and the word cache of one model.
struct Scratch {
    model_id: u64,
    /// Set `s` holds entries `2s` and `2s + 1`.
    cache: Vec<Entry>,
    /// Per set, the way read most recently (the other one is replaced on a miss).
    mru: Vec<u8>,
    /// Sentence padding's sums as neighbours, and the features every token has.
    pad_l: [Sum; 5],
    pad_r: [Sum; 5],
    constant: Sum,
    /// Summed rows of each code of the small-domain context and prior features.
    ctx_tables: [Vec<Sum>; 4],
    prior_tables: [Vec<Sum>; 4],
    trans: Vec<Masked>,
    raw: Vec<u64>,
    toks: Vec<Lite>,
    modes: Vec<u8>,
    emis: Vec<Sum>,
    alpha: Vec<[f32; LANES]>,
    rows: Vec<u32>,
    /// Cache slots of the current sentence's words in its mode.
    slots: Vec<usize>,
    /// Per token: open (scored and decoded) or closed (O); see [`open_tokens`].
    open: Vec<bool>,
    /// The open tokens, in order.
    open_idx: Vec<u32>,
    stats: HashMap64<(u16, u16)>,
    lower_uses: Vec<u64>,
    types: HashMap64<[u16; 5]>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::new());
}

/// Labels every token of `words`; `sents` are consecutive ranges covering all of them.
pub(crate) fn tag(model: &Model, words: &[&str], sents: &[Range<usize>]) -> Vec<Label> {
    SCRATCH.with(|s| match s.try_borrow_mut() {
        Ok(mut s) => s.tag(model, words, sents),
        Err(_) => Scratch::new().tag(model, words, sents),
    })
}

#[inline(always)]
fn add(acc: &mut Sum, x: &Sum) {
    let mut a = *acc;
    for l in 0..W {
        a[l] += x[l];
    }
    *acc = a;
}

impl Scratch {
    fn new() -> Scratch {
        Scratch {
            model_id: 0,
            cache: Vec::new(),
            mru: Vec::new(),
            pad_l: [[0; W]; 5],
            pad_r: [[0; W]; 5],
            constant: [0; W],
            ctx_tables: Default::default(),
            prior_tables: Default::default(),
            trans: Vec::new(),
            raw: Vec::new(),
            toks: Vec::new(),
            modes: Vec::new(),
            emis: Vec::new(),
            alpha: Vec::new(),
            rows: Vec::new(),
            slots: Vec::new(),
            open: Vec::new(),
            open_idx: Vec::new(),
            stats: HashMap64::default(),
            lower_uses: Vec::new(),
            types: HashMap64::default(),
        }
    }

    /// Points the cache at `model` (emptying it when the model changed).
    fn prepare(&mut self, model: &Model) {
        let w = &model.weights;
        if self.model_id == w.id() && !self.cache.is_empty() {
            return;
        }
        self.model_id = w.id();
        self.cache.clear();
        self.cache.resize(2 << SET_BITS, EMPTY);
        self.mru.clear();
        self.mru.resize(1 << SET_BITS, 0);
        self.pad_l = role_sums(w, &PAD_LEFT, None);
        self.pad_r = role_sums(w, &PAD_RIGHT, None);
        // Every token: the bias feature and, in the first pass, the prior slots' placeholders.
        let mut c = [0; W];
        w.add_rows(&self_feats(&PAD_LEFT, 0)[..1], &mut c);
        w.add_rows_first(&prior_placeholder(), &mut c);
        self.constant = c;
        for (j, (table, &n)) in self.ctx_tables.iter_mut().zip(&CTX_CODES).enumerate() {
            *table = (0..n)
                .map(|code| {
                    let mut s = [0; W];
                    w.add_rows(&[ctx_code_hash(j, code)], &mut s);
                    s
                })
                .collect();
        }
        for (j, (table, &n)) in self.prior_tables.iter_mut().zip(&PRIOR_CODES).enumerate() {
            *table = (0..n)
                .map(|code| {
                    let mut s = [0; W];
                    w.add_rows_second(&[prior_code_hash(j, code)], &mut s);
                    s
                })
                .collect();
        }
        self.trans = model.trans.iter().map(masked).collect();
    }

    /// The cache slot holding `word`'s facts in sentence mode `mode`, and its sums if
    /// [`Scratch::fill`] has computed them since it was cached.
    #[inline]
    fn entry(
        &mut self,
        clusters: &super::features::Clusters,
        word: &str,
        raw: u64,
        mode: u8,
    ) -> usize {
        let key = cache_key(raw, mode);
        let set = (fmix(key) >> (64 - SET_BITS)) as usize;
        let base = 2 * set;
        let way = if self.cache[base].key == key {
            0
        } else if self.cache[base + 1].key == key {
            1
        } else {
            let victim = 1 - (self.mru[set] & 1) as usize;
            let e = &mut self.cache[base + victim];
            e.key = key;
            e.tok = tok_in_mode(word, mode, clusters).1;
            e.ready = false;
            victim
        };
        self.mru[set] = way as u8;
        base + way
    }

    /// Computes the sums of `slot`, which holds `word` in `mode`, unless it has them.
    /// The word's full facts are derived again here rather than kept in the entry: they
    /// are ~3× the size of [`Lite`], and the cache is bound by memory.
    #[inline]
    fn fill(
        &mut self,
        w: &Weights,
        clusters: &super::features::Clusters,
        slot: usize,
        word: &str,
        mode: u8,
    ) {
        let e = &mut self.cache[slot];
        if !e.ready {
            e.sums = role_sums(w, &tok_in_mode(word, mode, clusters).0, Some(mode));
            e.ready = true;
        }
    }

    // Token index loops read several parallel arrays (words, hashes, facts, sums).
    #[allow(clippy::needless_range_loop)]
    fn tag(&mut self, model: &Model, words: &[&str], sents: &[Range<usize>]) -> Vec<Label> {
        self.prepare(model);
        let w = &model.weights;
        let n = words.len();
        let two = model.trans.len() >= 2 && w.passes() >= 2;
        self.raw.clear();
        self.raw.extend(words.iter().map(|x| word_hash(x)));
        self.toks.clear();
        self.toks.resize(n, Lite::default());
        self.emis.clear();
        self.emis.resize(n, self.constant);
        self.modes.clear();
        self.stats.clear();
        self.lower_uses.clear();
        self.open.clear();
        for r in sents {
            let (s, e) = (r.start, r.end);
            if s == e {
                self.modes.push(0);
                continue;
            }
            // Raw token facts decide the sentence mode (headline, Title Case line, text).
            self.slots.clear();
            for k in s..e {
                let slot = self.entry(&model.clusters, words[k], self.raw[k], 0);
                self.toks[k] = self.cache[slot].tok;
                self.slots.push(slot);
            }
            let mode = sentence_mode_of(self.toks[s..e].iter().map(|t| (t.case, t.len)));
            self.modes.push(mode);
            if mode != 0 {
                // Headline and Title Case words are read truecased: the entries of this mode.
                for k in s..e {
                    let slot = self.entry(&model.clusters, words[k], self.raw[k], mode);
                    self.toks[k] = self.cache[slot].tok;
                    self.slots[k - s] = slot;
                }
            }
            open_tokens(&self.toks[s..e], &mut self.open);
            // Scatter each word's cached sums onto the open tokens among itself and its
            // neighbours. The entry read above is the one needed, unless a later word of
            // the sentence evicted it.
            for k in s..e {
                if !self.open[k.saturating_sub(2).max(s)..(k + 3).min(e)].contains(&true) {
                    continue;
                }
                let first = self.slots[k - s];
                let slot = if self.cache[first].key == cache_key(self.raw[k], mode) {
                    first
                } else {
                    self.entry(&model.clusters, words[k], self.raw[k], mode)
                };
                self.fill(w, &model.clusters, slot, words[k], mode);
                let ent = &self.cache[slot];
                if self.open[k] {
                    add(&mut self.emis[k], &ent.sums[SELF]);
                }
                if k + 1 < e && self.open[k + 1] {
                    add(&mut self.emis[k + 1], &ent.sums[AS_P1]);
                }
                if k + 2 < e && self.open[k + 2] {
                    add(&mut self.emis[k + 2], &ent.sums[AS_P2]);
                }
                if k > s && self.open[k - 1] {
                    add(&mut self.emis[k - 1], &ent.sums[AS_N1]);
                }
                if k > s + 1 && self.open[k - 2] {
                    add(&mut self.emis[k - 2], &ent.sums[AS_N2]);
                }
            }
            add(&mut self.emis[s], &self.pad_l[AS_P1]);
            add(&mut self.emis[s], &self.pad_l[AS_P2]);
            if s + 1 < e {
                add(&mut self.emis[s + 1], &self.pad_l[AS_P2]);
            }
            add(&mut self.emis[e - 1], &self.pad_r[AS_N1]);
            add(&mut self.emis[e - 1], &self.pad_r[AS_N2]);
            if e - 1 > s {
                add(&mut self.emis[e - 2], &self.pad_r[AS_N2]);
            }
            for (i, t) in self.toks[s..e].iter().enumerate() {
                count_cap_stat(&mut self.stats, &mut self.lower_uses, t, i, mode);
            }
        }
        count_lower_uses(&mut self.stats, &self.lower_uses);
        // Per-position features of the open tokens: neighbours' words and shapes together,
        // document statistics.
        self.rows.clear();
        self.open_idx.clear();
        let (pad_l, pad_r) = (pad_lite(true), pad_lite(false));
        for (r, &mode) in sents.iter().zip(&self.modes) {
            let sent = &self.toks[r.clone()];
            for (i, t) in sent.iter().enumerate() {
                if !self.open[r.start + i] {
                    continue;
                }
                let p1 = if i > 0 { &sent[i - 1] } else { &pad_l };
                let n1 = sent.get(i + 1).unwrap_or(&pad_r);
                let doc = doc_flags(t, &self.stats, i > 0 && mode == 0);
                let acc = &mut self.emis[r.start + i];
                for (table, code) in self.ctx_tables.iter().zip(ctx_codes(p1, t, n1, i, doc)) {
                    add(acc, &table[code]);
                }
                // Row positions first, rows later: independent loads that overlap in
                // flight, instead of a bitmap read then a row read per feature.
                self.rows
                    .extend(ctx_hashed(p1, t, n1).map(|h| w.row_index(h) as u32));
                self.open_idx.push((r.start + i) as u32);
            }
        }
        for (&k, rows) in self.open_idx.iter().zip(self.rows.chunks_exact(CTX_HASHED)) {
            w.add_rows_at(rows, &mut self.emis[k as usize]);
        }
        let mut labels = vec![label::O; n];
        self.decode(w.scale(0), 0, sents, 0, &mut labels);
        if !two {
            return labels;
        }
        let Scratch {
            toks,
            emis,
            types,
            prior_tables,
            open,
            ..
        } = self;
        prior_codes(
            toks,
            sents.iter().map(|r| (r.start, r.end)),
            &labels,
            types,
            |k, codes| {
                if open[k] {
                    for (table, code) in prior_tables.iter().zip(codes) {
                        add(&mut emis[k], &table[code]);
                    }
                }
            },
        );
        self.decode(w.scale(1), N_LABELS, sents, 1, &mut labels);
        labels
    }

    /// Viterbi over each open run of each sentence with the scores of one pass (`off`
    /// selects its half); closed tokens keep their O.
    fn decode(
        &mut self,
        scale: f32,
        off: usize,
        sents: &[Range<usize>],
        pass: usize,
        out: &mut [Label],
    ) {
        for r in sents {
            for run in open_runs(&self.open[r.clone()]) {
                let (a, b) = (r.start + run.start, r.start + run.end);
                viterbi_masked(
                    &self.emis[a..b],
                    off,
                    scale,
                    &self.trans[pass],
                    &mut self.alpha,
                    &mut out[a..b],
                    (a > r.start, b < r.end),
                );
            }
        }
    }
}

/// The cache key of a word hash in sentence mode `mode` (never 0, which marks empty).
#[inline]
fn cache_key(raw: u64, mode: u8) -> u64 {
    if mode == 0 {
        raw
    } else {
        fmix(raw ^ (mode as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }
    .max(1)
}

/// A word's summed rows in each role; `mode` None for padding (no self features).
fn role_sums(w: &Weights, t: &Tok, mode: Option<u8>) -> [Sum; 5] {
    let mut s = [[0; W]; 5];
    // Row positions of all roles' features first, then the rows (see the context features).
    let mut rows = [0u32; 32];
    let f = self_feats(t, mode.unwrap_or(0) as u64);
    let (p1, n1, p2, n2) = (p1_feats(t), n1_feats(t), p2_feats(t), n2_feats(t));
    let hs = f[1..].iter().chain(&p1).chain(&n1).chain(&p2).chain(&n2);
    for (r, &h) in rows.iter_mut().zip(hs) {
        *r = w.row_index(h) as u32;
    }
    // The bias (first self slot) is in the per-token constant instead; padding has no
    // self features.
    if mode.is_some() {
        w.add_rows_at(&rows[..20], &mut s[SELF]);
    }
    w.add_rows_at(&rows[20..24], &mut s[AS_P1]);
    w.add_rows_at(&rows[24..28], &mut s[AS_N1]);
    w.add_rows_at(&rows[28..30], &mut s[AS_P2]);
    w.add_rows_at(&rows[30..32], &mut s[AS_N2]);
    s
}

/// Hashed per-position features per token.
const CTX_HASHED: usize = 8;

/// Labels padded to a multiple of 4 lanes.
const LANES: usize = 12;

/// Transitions with the forbidden BIO moves (and the padding lanes) at -inf: by previous
/// label (the last row is the sentence start), and transposed (by next label, over the
/// previous labels only) for the backward pass.
struct Masked {
    rows: [[f32; LANES]; N_LABELS + 1],
    cols: [[f32; LANES]; N_LABELS],
}

fn masked(trans: &Transitions) -> Masked {
    let mut t = [[f32::NEG_INFINITY; LANES]; N_LABELS + 1];
    for (p, row) in t.iter_mut().enumerate() {
        let prev = (p < N_LABELS).then_some(p as Label);
        for (c, x) in row.iter_mut().take(N_LABELS).enumerate() {
            if label::allowed(prev, c as Label) {
                *x = trans[p][c];
            }
        }
    }
    let mut cols = [[f32::NEG_INFINITY; LANES]; N_LABELS];
    for (c, col) in cols.iter_mut().enumerate() {
        for (p, x) in col.iter_mut().take(N_LABELS).enumerate() {
            *x = t[p][c];
        }
    }
    Masked { rows: t, cols }
}

/// The first `p` with the largest `prev[p] + col[p]` (0 when all are -inf): what a
/// strict `>` scan from -inf picks, without its chain of dependent compares.
#[inline]
fn best_prev(prev: &[f32; LANES], col: &[f32; LANES]) -> usize {
    let mut s = [0f32; LANES];
    for p in 0..LANES {
        s[p] = prev[p] + col[p];
    }
    let mut m4 = [0f32; 4];
    for j in 0..4 {
        let a = if s[j + 4] > s[j] { s[j + 4] } else { s[j] };
        m4[j] = if s[j + 8] > a { s[j + 8] } else { a };
    }
    let a = if m4[1] > m4[0] { m4[1] } else { m4[0] };
    let b = if m4[3] > m4[2] { m4[3] } else { m4[2] };
    let m = if b > a { b } else { a };
    if m > f32::NEG_INFINITY {
        s.iter().position(|&x| x == m).unwrap_or(0)
    } else {
        0
    }
}

/// [`viterbi_run`](super::model::viterbi_run) over integer emission sums (lanes
/// `off..off + 9`, times `scale`) with pre-masked transitions: the same arithmetic, so the
/// same path. `around_o` says whether an O precedes and follows the run.
///
/// The forward pass keeps every position's scores and takes label-parallel maxima (it
/// vectorises); the backward pass recomputes each step's best previous label for the one
/// label on the path, first maximum winning, as `viterbi`'s strict `>` scan does.
fn viterbi_masked(
    emis: &[Sum],
    off: usize,
    scale: f32,
    t: &Masked,
    alpha: &mut Vec<[f32; LANES]>,
    out: &mut [Label],
    around_o: (bool, bool),
) {
    let n = emis.len();
    if n == 0 {
        return;
    }
    let emit = |i: usize| {
        let mut e = [0f32; LANES];
        for (x, &v) in e.iter_mut().zip(&emis[i][off..off + N_LABELS]) {
            *x = v as f32 * scale;
        }
        e
    };
    alpha.clear();
    let e0 = emit(0);
    let start = if around_o.0 { O as usize } else { N_LABELS };
    let mut score = [f32::NEG_INFINITY; LANES];
    for c in 0..N_LABELS {
        score[c] = e0[c] + t.rows[start][c];
    }
    alpha.push(score);
    for i in 1..n {
        let mut best = [f32::NEG_INFINITY; LANES];
        for (p, tp) in t.rows[..N_LABELS].iter().enumerate() {
            let sp = score[p];
            for c in 0..LANES {
                let s = sp + tp[c];
                best[c] = if s > best[c] { s } else { best[c] };
            }
        }
        let e = emit(i);
        for c in 0..LANES {
            score[c] = best[c] + e[c];
        }
        alpha.push(score);
    }
    if around_o.1 {
        for (s, row) in score.iter_mut().zip(&t.rows[..N_LABELS]) {
            *s += row[O as usize];
        }
    }
    let mut last = 0;
    for c in 0..N_LABELS {
        if score[c] > score[last] {
            last = c;
        }
    }
    out[n - 1] = last as Label;
    for i in (1..n).rev() {
        let c = out[i] as usize;
        out[i - 1] = best_prev(&alpha[i - 1], &t.cols[c]) as Label;
    }
}
