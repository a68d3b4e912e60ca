//! Hashed feature templates for the tagger.
//!
//! Every token gets exactly [`N_FEATURES`] 64-bit feature hashes. Word strings are hashed
//! once per token (char by char, no allocation) and features combine those hashes with a
//! template id, so no string is built per feature.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use super::label::{self, Label};

/// Features per token.
pub const N_FEATURES: usize = 49;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

#[inline]
fn fnv(h: u64, c: u32) -> u64 {
    (h ^ c as u64).wrapping_mul(FNV_PRIME)
}

/// splitmix64's finaliser: spreads bits so the top bits make good bucket ids.
#[inline]
pub fn fmix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[inline]
fn mix(a: u64, b: u64) -> u64 {
    fmix(a ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(17))
}

#[inline]
fn feat(template: u64, v: u64) -> u64 {
    mix(
        template.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ 0x5bd1_e995,
        v,
    )
}

/// A hasher for keys that are already good 64-bit hashes: no SipHash on the hot path.
#[derive(Default, Clone, Copy)]
pub struct PreHashed(u64);

impl Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = fnv(self.0, b as u32);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = fmix(x);
    }
}

/// Map and set keyed by word or feature hashes.
pub type HashMap64<V> = HashMap<u64, V, BuildHasherDefault<PreHashed>>;
pub type HashSet64 = HashSet<u64, BuildHasherDefault<PreHashed>>;

/// Reads curly quotes as straight ones, the way the training data writes them.
#[inline]
pub fn norm_char(c: char) -> char {
    match c {
        '’' | '‘' | '‚' | '′' => '\'',
        '“' | '”' | '„' | '«' | '»' | '″' => '"',
        '–' | '—' => '-',
        _ => c,
    }
}

/// Hash of a word's exact (quote-normalised) form; the key of the cluster table.
pub fn word_hash(word: &str) -> u64 {
    let mut h = FNV_OFFSET;
    if word.is_ascii() {
        // Most words: an ASCII byte is its own char, and no quote to normalise.
        for &b in word.as_bytes() {
            h = fnv(h, b as u32);
        }
        return h;
    }
    for c in word.chars() {
        h = fnv(h, norm_char(c) as u32);
    }
    h
}

/// Word-cluster codes: a bit path with a leading 1 (so the depth is implicit).
#[derive(Debug, Clone, Default)]
pub struct Clusters {
    pub map: HashMap64<u16>,
    /// Lower-case forms (by [`lower_hash`]) that news text mostly writes in lower case;
    /// in headlines and Title Case lines such words are read in lower case.
    pub lower: HashSet64,
}

/// Hash of a word's case-folded form (digits read as 0), as features see it.
pub fn lower_hash(word: &str) -> u64 {
    tok_info(word, &Clusters::default()).lower
}

impl Clusters {
    #[inline]
    fn get(&self, h: u64) -> Option<u16> {
        if self.map.is_empty() {
            None
        } else {
            self.map.get(&h).copied()
        }
    }
}

/// Generic words that follow a place name ("Kursk Oblast", "Hebei Province"). The list
/// names no places; it lets designators unseen in training share what seen ones learned.
const GEO_DESIGNATORS: &[&str] = &[
    "oblast",
    "oblasts",
    "province",
    "provinces",
    "prefecture",
    "governorate",
    "county",
    "district",
    "region",
    "krai",
    "kray",
    "raion",
    "rayon",
    "voivodeship",
    "canton",
    "emirate",
    "municipality",
    "okrug",
    "island",
    "islands",
    "peninsula",
    "valley",
    "mountains",
    "strait",
    "gulf",
    "river",
];

fn geo_designators() -> &'static HashSet64 {
    static SET: std::sync::OnceLock<HashSet64> = std::sync::OnceLock::new();
    SET.get_or_init(|| GEO_DESIGNATORS.iter().map(|w| lower_hash(w)).collect())
}

/// Case classes of a token.
const CASE_LOWER: u8 = 0;
const CASE_INIT: u8 = 1;
const CASE_ALLCAPS: u8 = 2;
const CASE_LETTER: u8 = 3;
const CASE_DIGIT: u8 = 4;
const CASE_PUNCT: u8 = 5;
const CASE_MIXED: u8 = 6;

/// What one token contributes to features, all as hashes.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Tok {
    exact: u64,
    lower: u64,
    shape: u64,
    prefix: [u64; 4],
    suffix: [u64; 4],
    cluster: u16,
    case: u8,
    len: u8,
}

pub(crate) fn tok_info(word: &str, clusters: &Clusters) -> Tok {
    let mut exact = FNV_OFFSET;
    let mut lower = FNV_OFFSET;
    let mut title = FNV_OFFSET;
    let mut shape = FNV_OFFSET;
    let mut last_shape = 0u32;
    let mut prefix = [0u64; 4];
    let mut tail = [0u32; 4];
    let (mut n, mut up, mut low, mut dig, mut alpha) = (0usize, 0usize, 0usize, 0usize, 0usize);
    let mut first_upper = false;
    for c in word.chars() {
        let c = norm_char(c);
        exact = fnv(exact, c as u32);
        let (lc, sc) = if c.is_ascii() {
            let b = c as u8;
            if b.is_ascii_uppercase() {
                up += 1;
                alpha += 1;
                ((b | 0x20) as u32, 'X' as u32)
            } else if b.is_ascii_lowercase() {
                low += 1;
                alpha += 1;
                (b as u32, 'x' as u32)
            } else if b.is_ascii_digit() {
                dig += 1;
                ('0' as u32, 'd' as u32)
            } else {
                (b as u32, b as u32)
            }
        } else if c.is_uppercase() {
            up += 1;
            alpha += 1;
            (c.to_lowercase().next().unwrap_or(c) as u32, 'X' as u32)
        } else if c.is_lowercase() {
            low += 1;
            alpha += 1;
            (c as u32, 'x' as u32)
        } else if c.is_numeric() {
            dig += 1;
            ('0' as u32, 'd' as u32)
        } else if c.is_alphabetic() {
            alpha += 1;
            low += 1;
            (c as u32, 'x' as u32)
        } else {
            (c as u32, '*' as u32)
        };
        if n == 0 {
            first_upper = sc == 'X' as u32;
            title = fnv(title, c as u32);
        } else {
            title = fnv(title, lc);
        }
        lower = fnv(lower, lc);
        if n < 4 {
            prefix[n] = lower;
        }
        tail[n % 4] = lc;
        if sc != last_shape {
            shape = fnv(shape, sc);
            last_shape = sc;
        }
        n += 1;
    }
    for p in n..4 {
        prefix[p] = prefix[n.saturating_sub(1).min(3)] ^ 0xff;
    }
    let mut suffix = [0u64; 4];
    for (k, s) in suffix.iter_mut().enumerate() {
        let len = (k + 1).min(n);
        let mut h = FNV_OFFSET ^ 0x55;
        for j in (n - len)..n {
            h = fnv(h, tail[j % 4]);
        }
        *s = h;
    }
    let case = if alpha == 0 {
        if dig > 0 { CASE_DIGIT } else { CASE_PUNCT }
    } else if dig > 0 {
        CASE_DIGIT
    } else if up == 0 {
        CASE_LOWER
    } else if low == 0 {
        if up == 1 { CASE_LETTER } else { CASE_ALLCAPS }
    } else if first_upper && up == 1 {
        CASE_INIT
    } else if first_upper {
        CASE_MIXED
    } else {
        CASE_LOWER
    };
    let cluster = clusters
        .get(exact)
        .or_else(|| {
            if case == CASE_ALLCAPS {
                clusters.get(title)
            } else {
                None
            }
        })
        .or_else(|| clusters.get(lower))
        .unwrap_or(0);
    Tok {
        exact,
        lower,
        shape,
        prefix,
        suffix,
        cluster,
        case,
        len: n.min(255) as u8,
    }
}

fn is_cap(case: u8) -> bool {
    matches!(case, CASE_INIT | CASE_ALLCAPS | CASE_LETTER | CASE_MIXED)
}

const PAD_L: Tok = Tok {
    exact: 1,
    lower: 1,
    shape: 1,
    prefix: [1; 4],
    suffix: [1; 4],
    cluster: 1,
    case: 7,
    len: 0,
};
const PAD_R: Tok = Tok {
    exact: 2,
    lower: 2,
    shape: 2,
    prefix: [2; 4],
    suffix: [2; 4],
    cluster: 2,
    case: 8,
    len: 0,
};

/// Cluster code truncated to `depth` bits (keeping the leading 1).
#[inline]
fn cluster_prefix(code: u16, depth: u32) -> u64 {
    if code <= 2 {
        return code as u64;
    }
    let d = 15 - code.leading_zeros();
    let v = if d > depth { code >> (d - depth) } else { code };
    (v as u64) | ((depth as u64) << 20)
}

/// The token facts that context and document features read (cheap to copy).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Lite {
    pub exact: u64,
    pub lower: u64,
    pub shape: u64,
    pub case: u8,
    pub len: u8,
    /// A generic place designator ("Oblast", "Province").
    pub geo: bool,
}

impl Tok {
    fn lite(&self) -> Lite {
        Lite {
            exact: self.exact,
            lower: self.lower,
            shape: self.shape,
            case: self.case,
            len: self.len,
            geo: geo_designators().contains(&self.lower),
        }
    }
}

/// Feature slots by what they depend on. Slots that read only the token itself (and the
/// sentence mode) or only one neighbour can be summed once per word and cached; the rest
/// are computed per position. Together they are every slot exactly once.
pub(crate) const SELF_SLOTS: [usize; 21] = [
    0, 1, 2, 7, 12, 13, 14, 15, 16, 17, 18, 19, 28, 29, 30, 31, 32, 33, 40, 41, 42,
];
/// Slots read from the previous token, the next one, the one before, the one after next.
pub(crate) const P1_SLOTS: [usize; 4] = [3, 8, 34, 35];
pub(crate) const N1_SLOTS: [usize; 4] = [4, 9, 36, 37];
pub(crate) const P2_SLOTS: [usize; 2] = [5, 10];
pub(crate) const N2_SLOTS: [usize; 2] = [6, 11];
/// Slots that combine a token with its neighbours, its position or document statistics:
/// hashed pairs, and small domains (given as codes, see [`ctx_codes`]).
pub(crate) const CTX_SLOTS: [usize; 12] = [20, 21, 22, 23, 24, 25, 26, 27, 38, 39, 43, 46];
pub(crate) const CTX_HASHED_SLOTS: [usize; 8] = [20, 21, 22, 23, 24, 25, 26, 43];
pub(crate) const CTX_CODED_SLOTS: [usize; 4] = [27, 38, 39, 46];
/// Second-pass slots (from first-pass labels); before that they hold [`prior_placeholder`].
pub(crate) use super::model::PRIOR_FEATURES as PRIOR_SLOTS;

/// The value of each prior slot before the first pass has run.
pub(crate) fn prior_placeholder() -> [u64; 4] {
    PRIOR_SLOTS.map(|slot| feat(slot as u64, 100))
}

/// Features of the token itself, in [`SELF_SLOTS`] order.
#[inline]
pub(crate) fn self_feats(t: &Tok, mode: u64) -> [u64; 21] {
    let case = t.case as u64;
    let len_bucket = match t.len {
        0..=4 => t.len as u64,
        5..=6 => 5,
        7..=9 => 6,
        _ => 7,
    };
    [
        feat(0, 0),
        feat(1, t.exact),
        feat(2, t.lower),
        feat(7, t.shape),
        feat(12, t.prefix[0]),
        feat(13, t.prefix[1]),
        feat(14, t.prefix[2]),
        feat(15, t.prefix[3]),
        feat(16, t.suffix[0]),
        feat(17, t.suffix[1]),
        feat(18, t.suffix[2]),
        feat(19, t.suffix[3]),
        feat(28, mode << 8 | case),
        feat(29, mix(mode, t.shape)),
        feat(30, cluster_prefix(t.cluster, 4)),
        feat(31, cluster_prefix(t.cluster, 6)),
        feat(32, cluster_prefix(t.cluster, 9)),
        feat(33, cluster_prefix(t.cluster, 15)),
        feat(40, len_bucket << 8 | case),
        feat(41, mix(t.lower, mode)),
        feat(42, mix(cluster_prefix(t.cluster, 15), case)),
    ]
}

/// Features a token gives the token after it ([`P1_SLOTS`]).
#[inline]
pub(crate) fn p1_feats(p1: &Tok) -> [u64; 4] {
    [
        feat(3, p1.lower),
        feat(8, p1.shape),
        feat(34, cluster_prefix(p1.cluster, 6)),
        feat(35, cluster_prefix(p1.cluster, 15)),
    ]
}

/// Features a token gives the token before it ([`N1_SLOTS`]).
#[inline]
pub(crate) fn n1_feats(n1: &Tok) -> [u64; 4] {
    [
        feat(4, n1.lower),
        feat(9, n1.shape),
        feat(36, cluster_prefix(n1.cluster, 6)),
        feat(37, cluster_prefix(n1.cluster, 15)),
    ]
}

/// Features a token gives the token two after it ([`P2_SLOTS`]).
#[inline]
pub(crate) fn p2_feats(p2: &Tok) -> [u64; 2] {
    [feat(5, p2.lower), feat(10, p2.shape)]
}

/// Features a token gives the token two before it ([`N2_SLOTS`]).
#[inline]
pub(crate) fn n2_feats(n2: &Tok) -> [u64; 2] {
    [feat(6, n2.lower), feat(11, n2.shape)]
}

/// Document statistics of a token for slot 38: does its lower-case form occur in lower
/// case elsewhere, and capitalised mid-sentence elsewhere (2, 2 for non-capitalised tokens).
#[inline]
pub(crate) fn doc_flags(t: &Lite, stats: &HashMap64<(u16, u16)>, own_cap: bool) -> (u64, u64) {
    if is_cap(t.case) {
        let st = stats.get(&t.lower).copied().unwrap_or_default();
        ((st.0 > 0) as u64, (st.1 > own_cap as u16) as u64)
    } else {
        (2, 2)
    }
}

/// Per-position features that hash word or shape pairs ([`CTX_HASHED_SLOTS`] order).
#[inline]
pub(crate) fn ctx_hashed(p1: &Lite, t: &Lite, n1: &Lite) -> [u64; 8] {
    let p1_shape_t = mix(p1.shape, t.shape);
    [
        feat(20, mix(p1.lower, t.lower)),
        feat(21, mix(t.lower, n1.lower)),
        feat(22, p1_shape_t),
        feat(23, mix(t.shape, n1.shape)),
        feat(24, mix(p1_shape_t, n1.shape)),
        feat(25, mix(p1.lower, t.shape)),
        feat(26, mix(t.shape, n1.lower)),
        feat(43, mix(p1.exact, t.shape)),
    ]
}

/// Case classes, the two paddings included.
const N_CASES: usize = 9;

/// Per-position features over small domains ([`CTX_CODED_SLOTS`] order), as codes below
/// [`CTX_CODES`]; [`ctx_code_hash`] turns a code into its feature hash. `i` is the position
/// in the sentence, `doc` the token's [`doc_flags`].
#[inline]
pub(crate) fn ctx_codes(p1: &Lite, t: &Lite, n1: &Lite, i: usize, doc: (u64, u64)) -> [usize; 4] {
    let case = t.case as usize;
    let (doc_lower, doc_cap) = (doc.0 as usize, doc.1 as usize);
    [
        i.min(3) * N_CASES + case,
        ((doc_lower * 3 + doc_cap) * 2 + (i == 0) as usize) * N_CASES + case,
        (p1.case as usize * N_CASES + case) * N_CASES + n1.case as usize,
        ((p1.geo as usize * 2 + t.geo as usize) * 2 + n1.geo as usize) * N_CASES + case,
    ]
}

/// How many codes each of [`CTX_CODED_SLOTS`] has.
pub(crate) const CTX_CODES: [usize; 4] = [
    4 * N_CASES,
    3 * 3 * 2 * N_CASES,
    N_CASES * N_CASES * N_CASES,
    8 * N_CASES,
];

/// The feature hash of code `code` of coded context feature `j`.
pub(crate) fn ctx_code_hash(j: usize, code: usize) -> u64 {
    let case = (code % N_CASES) as u64;
    let rest = (code / N_CASES) as u64;
    match j {
        0 => feat(27, rest << 8 | case),
        1 => {
            let (first, dl_dc) = (rest % 2, rest / 2);
            let (doc_lower, doc_cap) = (dl_dc / 3, dl_dc % 3);
            feat(38, doc_lower << 16 | doc_cap << 12 | first << 8 | case)
        }
        2 => {
            let (p1, t) = (rest / N_CASES as u64, rest % N_CASES as u64);
            feat(39, p1 << 16 | t << 8 | case)
        }
        _ => {
            let (p1, t, n1) = (rest >> 2 & 1, rest >> 1 & 1, rest & 1);
            feat(46, p1 << 20 | t << 16 | n1 << 12 | case)
        }
    }
}

/// Per-position features ([`CTX_SLOTS`] order).
pub(crate) fn ctx_feats(p1: &Lite, t: &Lite, n1: &Lite, i: usize, doc: (u64, u64)) -> [u64; 12] {
    let h = ctx_hashed(p1, t, n1);
    let c = ctx_codes(p1, t, n1, i, doc);
    let mut f = [0; 12];
    for (&slot, x) in CTX_HASHED_SLOTS.iter().zip(h) {
        f[CTX_SLOTS.iter().position(|&s| s == slot).unwrap_or(0)] = x;
    }
    for (j, (&slot, x)) in CTX_CODED_SLOTS.iter().zip(c).enumerate() {
        f[CTX_SLOTS.iter().position(|&s| s == slot).unwrap_or(0)] = ctx_code_hash(j, x);
    }
    f
}

/// The left and right sentence padding as neighbours.
pub(crate) const PAD_LEFT: Tok = PAD_L;
pub(crate) const PAD_RIGHT: Tok = PAD_R;

pub(crate) fn pad_lite(left: bool) -> Lite {
    if left { PAD_L.lite() } else { PAD_R.lite() }
}

/// Token facts of a word as tagging reads them, after truecasing in a headline or Title
/// Case sentence (`mode` != 0).
pub(crate) fn tok_in_mode(word: &str, mode: u8, clusters: &Clusters) -> (Tok, Lite) {
    let t = tok_info(word, clusters);
    let t = if mode != 0 && truecase(&t, clusters) {
        tok_info(&word.to_lowercase(), clusters)
    } else {
        t
    };
    (t, t.lite())
}

/// Whether a capitalised headline or Title Case word is one running text writes in lower case.
#[inline]
fn truecase(t: &Tok, clusters: &Clusters) -> bool {
    !clusters.lower.is_empty()
        && matches!(t.case, CASE_INIT | CASE_ALLCAPS)
        && clusters.lower.contains(&t.lower)
}

/// Sentence mode from the raw (not truecased) tokens' case classes and lengths.
pub(crate) fn sentence_mode_of(toks: impl Iterator<Item = (u8, u8)>) -> u8 {
    let (mut alpha, mut caps, mut content, mut init) = (0, 0, 0, 0);
    for (case, len) in toks {
        if matches!(
            case,
            CASE_LOWER | CASE_INIT | CASE_ALLCAPS | CASE_MIXED | CASE_LETTER
        ) {
            alpha += 1;
            if case == CASE_ALLCAPS || case == CASE_LETTER {
                caps += 1;
            }
            if len >= 4 {
                content += 1;
                if is_cap(case) {
                    init += 1;
                }
            }
        }
    }
    if alpha >= 2 && caps * 10 >= alpha * 6 {
        1
    } else if content >= 3 && init * 10 >= content * 8 {
        2
    } else {
        0
    }
}

/// Counts the document statistics of token `t` (position `i` of a sentence in `mode`): per
/// lower-case form of a capitalised token, its lower-case uses and its capitalised uses in
/// running text (not sentence-initial, not a headline). [`doc_flags`] reads only
/// capitalised tokens' forms, so lower-case uses go to `lower_uses`, and
/// [`count_lower_uses`] adds them once the document is counted: the map holds a document's
/// few capitalised words, not its whole vocabulary.
#[inline]
pub(crate) fn count_cap_stat(
    stats: &mut HashMap64<(u16, u16)>,
    lower_uses: &mut Vec<u64>,
    t: &Lite,
    i: usize,
    mode: u8,
) {
    if t.case == CASE_LOWER {
        lower_uses.push(t.lower);
    } else if is_cap(t.case) {
        let e = stats.entry(t.lower).or_default();
        if i > 0 && mode == 0 {
            e.1 = e.1.saturating_add(1);
        }
    }
}

/// Adds the lower-case uses kept by [`count_cap_stat`] to the forms in `stats`.
pub(crate) fn count_lower_uses(stats: &mut HashMap64<(u16, u16)>, lower_uses: &[u64]) {
    for h in lower_uses {
        if let Some(e) = stats.get_mut(h) {
            e.0 = e.0.saturating_add(1);
        }
    }
}

/// How far from a capitalised token another token can still be part of a name: the
/// lower-case words inside "Bank of the Philippine Islands" or "University of California at
/// Los Angeles" are each next to a capitalised one. (A radius of 2 scored 0.06 dev F1 more
/// and cost 7% more tagging instructions.)
pub(crate) const OPEN_RADIUS: usize = 1;

/// Appends, for each token of one sentence, whether it is open: within [`OPEN_RADIUS`]
/// tokens of a capitalised token (after truecasing). Tagging labels closed tokens O without
/// scoring them, since names are capitalised; in news text about two thirds of tokens are
/// closed.
pub(crate) fn open_tokens(sent: &[Lite], open: &mut Vec<bool>) {
    let base = open.len();
    open.resize(base + sent.len(), false);
    let out = &mut open[base..];
    // Distance to the last capitalised token seen, in a forward then a backward sweep.
    let mut since = usize::MAX;
    for (o, t) in out.iter_mut().zip(sent) {
        since = if is_cap(t.case) {
            0
        } else {
            since.saturating_add(1)
        };
        *o = since <= OPEN_RADIUS;
    }
    since = usize::MAX;
    for (o, t) in out.iter_mut().zip(sent).rev() {
        since = if is_cap(t.case) {
            0
        } else {
            since.saturating_add(1)
        };
        *o |= since <= OPEN_RADIUS;
    }
}

/// Token facts of one document, kept so the second pass can add its features cheaply.
pub struct DocInfo {
    toks: Vec<Lite>,
    sents: Vec<(usize, usize)>,
}

impl DocInfo {
    /// Every token's facts, sentences flattened in order.
    pub(crate) fn toks(&self) -> &[Lite] {
        &self.toks
    }

    /// Each sentence's token range in [`DocInfo::toks`].
    pub(crate) fn sents(&self) -> &[(usize, usize)] {
        &self.sents
    }
}

/// Extracts features for one document given as sentences of words.
///
/// Appends `N_FEATURES` hashes per token to `out`; the second-pass features get a
/// constant value until [`apply_prior`] fills them from first-pass labels.
pub fn extract_doc(doc: &[Vec<&str>], clusters: &Clusters, out: &mut Vec<u64>) -> DocInfo {
    let toks: Vec<Vec<Tok>> = doc
        .iter()
        .map(|s| s.iter().map(|w| tok_info(w, clusters)).collect())
        .collect();
    let modes: Vec<u8> = toks
        .iter()
        .map(|s| sentence_mode_of(s.iter().map(|t| (t.case, t.len))))
        .collect();
    let mut toks = toks;
    // Truecase headline and Title Case words that running text writes in lower case.
    for (s, sent) in toks.iter_mut().enumerate() {
        if modes[s] == 0 {
            continue;
        }
        for (i, t) in sent.iter_mut().enumerate() {
            if truecase(t, clusters) {
                *t = tok_info(&doc[s][i].to_lowercase(), clusters);
            }
        }
    }
    let lites: Vec<Vec<Lite>> = toks
        .iter()
        .map(|s| s.iter().map(Tok::lite).collect())
        .collect();

    let mut stats: HashMap64<(u16, u16)> = HashMap64::default();
    let mut lower_uses = Vec::new();
    let mut total = 0;
    for (s, sent) in lites.iter().enumerate() {
        for (i, t) in sent.iter().enumerate() {
            count_cap_stat(&mut stats, &mut lower_uses, t, i, modes[s]);
        }
        total += sent.len();
    }
    count_lower_uses(&mut stats, &lower_uses);

    let (pad_l, pad_r) = (pad_lite(true), pad_lite(false));
    let placeholder = prior_placeholder();
    out.reserve(total * N_FEATURES);
    let mut sents = Vec::with_capacity(toks.len());
    let mut k = 0;
    for (s, sent) in toks.iter().enumerate() {
        let mode = modes[s] as u64;
        let lite = &lites[s];
        let n = sent.len();
        sents.push((k, k + n));
        k += n;
        let at = |i: isize| -> &Tok {
            if i < 0 {
                &PAD_L
            } else if i as usize >= n {
                &PAD_R
            } else {
                &sent[i as usize]
            }
        };
        for (i, t) in sent.iter().enumerate() {
            let ii = i as isize;
            let mut f = [0u64; N_FEATURES];
            for (&slot, h) in SELF_SLOTS.iter().zip(self_feats(t, mode)) {
                f[slot] = h;
            }
            for (&slot, h) in P1_SLOTS.iter().zip(p1_feats(at(ii - 1))) {
                f[slot] = h;
            }
            for (&slot, h) in N1_SLOTS.iter().zip(n1_feats(at(ii + 1))) {
                f[slot] = h;
            }
            for (&slot, h) in P2_SLOTS.iter().zip(p2_feats(at(ii - 2))) {
                f[slot] = h;
            }
            for (&slot, h) in N2_SLOTS.iter().zip(n2_feats(at(ii + 2))) {
                f[slot] = h;
            }
            let p1 = if i > 0 { &lite[i - 1] } else { &pad_l };
            let n1 = lite.get(i + 1).unwrap_or(&pad_r);
            let doc = doc_flags(&lite[i], &stats, i > 0 && mode == 0);
            for (&slot, h) in CTX_SLOTS.iter().zip(ctx_feats(p1, &lite[i], n1, i, doc)) {
                f[slot] = h;
            }
            for (&slot, h) in PRIOR_SLOTS.iter().zip(placeholder) {
                f[slot] = h;
            }
            out.extend_from_slice(&f);
        }
    }
    DocInfo {
        toks: lites.into_iter().flatten().collect(),
        sents,
    }
}

/// Conjunction word hashes for the coordination features: "and", "or", ",", "&".
fn conjunctions() -> &'static [u64; 4] {
    static SET: std::sync::OnceLock<[u64; 4]> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        [
            lower_hash("and"),
            lower_hash("or"),
            lower_hash(","),
            lower_hash("&"),
        ]
    })
}

/// How many codes each of [`PRIOR_SLOTS`] has (see [`prior_codes`]).
pub(crate) const PRIOR_CODES: [usize; 4] = [21, 9 * 6, 6 * N_CASES, 6 * N_CASES];

/// The "best other type" values of slots 44/45 (9: none) and the coordination partner
/// types of slots 47/48 (9: O, 10: no conjunction), by code.
const BEST_VALUES: [u64; 6] = [0, 1, 2, 3, 9, 99];

/// The feature hash of code `code` of prior feature `j` ([`PRIOR_SLOTS`] order).
pub(crate) fn prior_code_hash(j: usize, code: usize) -> u64 {
    match j {
        0 if code == 20 => feat(44, 99),
        0 => {
            let (best, o_more, first) = (
                BEST_VALUES[code / 4],
                (code / 2 % 2) as u64,
                (code % 2) as u64,
            );
            feat(44, best << 8 | o_more << 4 | first)
        }
        1 => feat(45, ((code / 6) as u64) << 8 | BEST_VALUES[code % 6]),
        _ => {
            let side = [0, 1, 2, 3, 9, 10][code / N_CASES];
            feat(
                if j == 2 { 47 } else { 48 },
                side << 8 | (code % N_CASES) as u64,
            )
        }
    }
}

/// Computes the second-pass features from first-pass labels of every token in the
/// document: how other capitalised occurrences of the same word were labelled, the token's
/// own first-pass label, and the type across a conjunction. Calls `put(k, codes)` per
/// token `k`, codes in [`PRIOR_SLOTS`] order (see [`prior_code_hash`]); `types` is scratch.
pub(crate) fn prior_codes(
    toks: &[Lite],
    sents: impl Iterator<Item = (usize, usize)>,
    prior: &[Label],
    types: &mut HashMap64<[u16; 5]>,
    mut put: impl FnMut(usize, [usize; 4]),
) {
    let conj = conjunctions();
    types.clear();
    for (t, &p) in toks.iter().zip(prior) {
        if is_cap(t.case) {
            let c = &mut types.entry(t.lower).or_default()[label::ty(p).map_or(0, |x| x + 1)];
            *c = c.saturating_add(1);
        }
    }
    for (s, e) in sents {
        let sent = &toks[s..e];
        for (i, t) in sent.iter().enumerate() {
            let k = s + i;
            let own = prior[k];
            let case = t.case as usize;
            // Coordination: "Seoul and Kyiv" — the type across a conjunction (code 4: O,
            // 5: no conjunction).
            let ty_at = |j: usize| label::ty(prior[s + j]).unwrap_or(4);
            let left = if i >= 2 && conj.contains(&sent[i - 1].lower) {
                ty_at(i - 2)
            } else {
                5
            };
            let right = if i + 2 < sent.len() && conj[..2].contains(&sent[i + 1].lower) {
                ty_at(i + 2)
            } else {
                5
            };
            let (c44, c45) = if is_cap(t.case) {
                let mut c = types.get(&t.lower).copied().unwrap_or_default();
                let slot = label::ty(own).map_or(0, |x| x + 1);
                c[slot] = c[slot].saturating_sub(1);
                let mut best = 4;
                let mut cnt = 0;
                for (j, &x) in c[1..].iter().enumerate() {
                    if x > cnt {
                        cnt = x;
                        best = j;
                    }
                }
                let o_more = (c[0] > cnt) as usize;
                (
                    (best * 2 + o_more) * 2 + (i == 0) as usize,
                    own as usize * 6 + best,
                )
            } else {
                (20, own as usize * 6 + 5)
            };
            put(k, [c44, c45, left * N_CASES + case, right * N_CASES + case]);
        }
    }
}

/// Fills the second-pass features from first-pass labels of every token in the document
/// (see [`prior_codes`]).
pub fn apply_prior(info: &DocInfo, prior: &[Label], feats: &mut [u64]) {
    let mut types = HashMap64::default();
    prior_codes(
        &info.toks,
        info.sents.iter().copied(),
        prior,
        &mut types,
        |k, codes| {
            let f = &mut feats[k * N_FEATURES..(k + 1) * N_FEATURES];
            for (j, (&slot, code)) in PRIOR_SLOTS.iter().zip(codes).enumerate() {
                f[slot] = prior_code_hash(j, code);
            }
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_info_cases_and_shapes() {
        let c = Clusters::default();
        assert_eq!(tok_info("Kyiv", &c).case, CASE_INIT);
        assert_eq!(tok_info("NATO", &c).case, CASE_ALLCAPS);
        assert_eq!(tok_info("iPhone", &c).case, CASE_LOWER);
        assert_eq!(tok_info("12,000", &c).case, CASE_DIGIT);
        assert_eq!(tok_info("Kýiv", &c).case, CASE_INIT);
        // Case-folded forms agree; shapes collapse runs.
        assert_eq!(tok_info("KYIV", &c).lower, tok_info("kyiv", &c).lower);
        assert_eq!(tok_info("Kyiv", &c).shape, tok_info("Seoul", &c).shape);
        assert_ne!(tok_info("Kyiv", &c).shape, tok_info("KYIV", &c).shape);
        // Curly and straight apostrophes are the same word.
        assert_eq!(tok_info("’s", &c).exact, tok_info("'s", &c).exact);
        assert_eq!(lower_hash("Kýiv"), tok_info("KÝIV", &c).lower);
    }

    #[test]
    fn word_hash_is_the_exact_form_hash() {
        let c = Clusters::default();
        for w in [
            "Kyiv", "’s", "'s", "Kýiv", "U.S.", "“Hi”", "12,000", "", "東京",
        ] {
            assert_eq!(word_hash(w), tok_info(w, &c).exact, "{w:?}");
        }
        assert_eq!(word_hash("’s"), word_hash("'s"));
    }

    #[test]
    fn open_tokens_lie_near_capitalised_ones() {
        let c = Clusters::default();
        let lites = |words: &[&str]| -> Vec<Lite> {
            words.iter().map(|w| tok_info(w, &c).lite()).collect()
        };
        let sent = lites(&[
            "prices", "of", "the", "Bank", "of", "England", "rose", "as", "traders", "said", "it",
            "would", "go", "on",
        ]);
        let mut open = vec![true];
        open_tokens(&sent, &mut open);
        // Appended after what was there; next to "Bank" (3) or "England" (5).
        let want: Vec<usize> = (2..=6).collect();
        let got: Vec<usize> = (0..sent.len()).filter(|&i| open[1 + i]).collect();
        assert!(open[0]);
        assert_eq!(got, want);
        // No capitalised token: nothing is open; numbers and punctuation are not names.
        let mut open = Vec::new();
        open_tokens(
            &lites(&["shr", "41", "cts", "vs", "33", "cts", "."]),
            &mut open,
        );
        assert_eq!(open, vec![false; 7]);
    }

    #[test]
    fn document_statistics_count_uses_of_capitalised_forms() {
        let c = Clusters::default();
        let lite = |w: &str| tok_info(w, &c).lite();
        let (mut stats, mut lower_uses) = (HashMap64::default(), Vec::new());
        // "The bank said Bank of Korea and Bank ..." in running text, then a headline.
        let sents: [(&[&str], u8); 2] = [
            (
                &["The", "bank", "said", "Bank", "of", "Korea", "and", "Bank"],
                0,
            ),
            (&["BANK", "RATES", "RISE"], 1),
        ];
        for (words, mode) in sents {
            for (i, w) in words.iter().enumerate() {
                count_cap_stat(&mut stats, &mut lower_uses, &lite(w), i, mode);
            }
        }
        count_lower_uses(&mut stats, &lower_uses);
        let bank = lite("Bank");
        // One lower-case use; two capitalised mid-sentence uses, one of them its own.
        assert_eq!(stats.get(&bank.lower), Some(&(1, 2)));
        assert_eq!(doc_flags(&bank, &stats, true), (1, 1));
        // "The" starts its sentence: counted as a form, never as a capitalised use.
        assert_eq!(stats.get(&lite("The").lower), Some(&(0, 0)));
        // Lower-case words that never occur capitalised are not kept.
        assert_eq!(stats.get(&lite("said").lower), None);
        assert_eq!(doc_flags(&lite("said"), &stats, true), (2, 2));
    }

    #[test]
    fn fixed_feature_count() {
        let doc = vec![vec!["Anna", "met", "Bo", "."], vec!["Bo", "left"]];
        let mut out = Vec::new();
        extract_doc(&doc, &Clusters::default(), &mut out);
        assert_eq!(out.len(), 6 * N_FEATURES);
        // Same word, same lexical feature, across sentences.
        assert_eq!(out[2 * N_FEATURES + 1], out[4 * N_FEATURES + 1]);
    }
}
