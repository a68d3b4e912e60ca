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
struct Tok {
    exact: u64,
    lower: u64,
    shape: u64,
    prefix: [u64; 4],
    suffix: [u64; 4],
    cluster: u16,
    case: u8,
    len: u8,
}

fn tok_info(word: &str, clusters: &Clusters) -> Tok {
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

/// Sentence modes: normal text, an ALL-CAPS headline, a Title Case line.
fn sentence_mode(toks: &[Tok]) -> u8 {
    let (mut alpha, mut caps, mut content, mut init) = (0, 0, 0, 0);
    for t in toks {
        if matches!(
            t.case,
            CASE_LOWER | CASE_INIT | CASE_ALLCAPS | CASE_MIXED | CASE_LETTER
        ) {
            alpha += 1;
            if t.case == CASE_ALLCAPS || t.case == CASE_LETTER {
                caps += 1;
            }
            if t.len >= 4 {
                content += 1;
                if is_cap(t.case) {
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

/// Token facts of one document, kept so the second pass can add its features cheaply.
pub struct DocInfo {
    toks: Vec<Vec<Tok>>,
}

/// Extracts features for one document given as sentences of words.
///
/// Appends `N_FEATURES` hashes per token to `out`; the two second-pass features get a
/// constant value until [`apply_prior`] fills them from first-pass labels.
pub fn extract_doc(doc: &[Vec<&str>], clusters: &Clusters, out: &mut Vec<u64>) -> DocInfo {
    let toks: Vec<Vec<Tok>> = doc
        .iter()
        .map(|s| s.iter().map(|w| tok_info(w, clusters)).collect())
        .collect();
    let modes: Vec<u8> = toks.iter().map(|s| sentence_mode(s)).collect();
    let mut toks = toks;
    if !clusters.lower.is_empty() {
        // Truecase headline and Title Case words that running text writes in lower case.
        for (s, sent) in toks.iter_mut().enumerate() {
            if modes[s] == 0 {
                continue;
            }
            for (i, t) in sent.iter_mut().enumerate() {
                if matches!(t.case, CASE_INIT | CASE_ALLCAPS) && clusters.lower.contains(&t.lower) {
                    *t = tok_info(&doc[s][i].to_lowercase(), clusters);
                }
            }
        }
    }

    // Document statistics per lower-case form: lower-case uses, and capitalised uses in
    // running text (not sentence-initial, not a headline).
    let mut stats: HashMap64<(u16, u16)> = HashMap64::default();
    let mut total = 0;
    for (s, sent) in toks.iter().enumerate() {
        for (i, t) in sent.iter().enumerate() {
            if t.case == CASE_LOWER {
                stats.entry(t.lower).or_default().0 += 1;
            } else if is_cap(t.case) && i > 0 && modes[s] == 0 {
                stats.entry(t.lower).or_default().1 += 1;
            }
        }
        total += sent.len();
    }

    out.reserve(total * N_FEATURES);
    for (s, sent) in toks.iter().enumerate() {
        let mode = modes[s] as u64;
        let n = sent.len();
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
            let (p1, p2, n1, n2) = (at(ii - 1), at(ii - 2), at(ii + 1), at(ii + 2));
            let case = t.case as u64;
            let first = (i == 0) as u64;
            let pos = i.min(3) as u64;
            let mut f = [0u64; N_FEATURES];
            f[0] = feat(0, 0);
            f[1] = feat(1, t.exact);
            f[2] = feat(2, t.lower);
            f[3] = feat(3, p1.lower);
            f[4] = feat(4, n1.lower);
            f[5] = feat(5, p2.lower);
            f[6] = feat(6, n2.lower);
            f[7] = feat(7, t.shape);
            f[8] = feat(8, p1.shape);
            f[9] = feat(9, n1.shape);
            f[10] = feat(10, p2.shape);
            f[11] = feat(11, n2.shape);
            for j in 0..4 {
                f[12 + j] = feat(12 + j as u64, t.prefix[j]);
                f[16 + j] = feat(16 + j as u64, t.suffix[j]);
            }
            f[20] = feat(20, mix(p1.lower, t.lower));
            f[21] = feat(21, mix(t.lower, n1.lower));
            f[22] = feat(22, mix(p1.shape, t.shape));
            f[23] = feat(23, mix(t.shape, n1.shape));
            f[24] = feat(24, mix(mix(p1.shape, t.shape), n1.shape));
            f[25] = feat(25, mix(p1.lower, t.shape));
            f[26] = feat(26, mix(t.shape, n1.lower));
            f[27] = feat(27, pos << 8 | case);
            f[28] = feat(28, mode << 8 | case);
            f[29] = feat(29, mix(mode, t.shape));
            f[30] = feat(30, cluster_prefix(t.cluster, 4));
            f[31] = feat(31, cluster_prefix(t.cluster, 6));
            f[32] = feat(32, cluster_prefix(t.cluster, 9));
            f[33] = feat(33, cluster_prefix(t.cluster, 15));
            f[34] = feat(34, cluster_prefix(p1.cluster, 6));
            f[35] = feat(35, cluster_prefix(p1.cluster, 15));
            f[36] = feat(36, cluster_prefix(n1.cluster, 6));
            f[37] = feat(37, cluster_prefix(n1.cluster, 15));
            let (doc_lower, doc_cap) = if is_cap(t.case) {
                let st = stats.get(&t.lower).copied().unwrap_or_default();
                let own_cap = (i > 0 && modes[s] == 0) as u16;
                ((st.0 > 0) as u64, (st.1 > own_cap) as u64)
            } else {
                (2, 2)
            };
            f[38] = feat(38, doc_lower << 16 | doc_cap << 12 | first << 8 | case);
            f[39] = feat(39, (p1.case as u64) << 16 | case << 8 | n1.case as u64);
            let len_bucket = match t.len {
                0..=4 => t.len as u64,
                5..=6 => 5,
                7..=9 => 6,
                _ => 7,
            };
            f[40] = feat(40, len_bucket << 8 | case);
            f[41] = feat(41, mix(t.lower, mode));
            f[42] = feat(42, mix(cluster_prefix(t.cluster, 15), case));
            f[43] = feat(43, mix(p1.exact, t.shape));
            let geo = geo_designators();
            let g = |t: &Tok| geo.contains(&t.lower) as u64;
            f[46] = feat(46, g(p1) << 20 | g(t) << 16 | g(n1) << 12 | case);
            f[44] = feat(44, 100);
            f[45] = feat(45, 100);
            f[47] = feat(47, 100);
            f[48] = feat(48, 100);
            out.extend_from_slice(&f);
        }
    }
    DocInfo { toks }
}

/// Fills the second-pass features from first-pass labels of every token in the document:
/// how other capitalised occurrences of the same word were labelled, and the token's own
/// first-pass label.
pub fn apply_prior(info: &DocInfo, prior: &[Label], feats: &mut [u64]) {
    let conj = [
        lower_hash("and"),
        lower_hash("or"),
        lower_hash(","),
        lower_hash("&"),
    ];
    let mut types: HashMap64<[u16; 5]> = HashMap64::default();
    let mut k = 0;
    for sent in &info.toks {
        for t in sent {
            if is_cap(t.case) {
                types.entry(t.lower).or_default()[label::ty(prior[k]).map_or(0, |x| x + 1)] += 1;
            }
            k += 1;
        }
    }
    let mut k = 0;
    for sent in &info.toks {
        for (i, t) in sent.iter().enumerate() {
            let f = &mut feats[k * N_FEATURES..(k + 1) * N_FEATURES];
            let own = prior[k];
            // Coordination: "Seoul and Kyiv" — the type across a conjunction.
            let ty_at = |j: usize| label::ty(prior[k + j - i]).map_or(9, |x| x as u64);
            let left = if i >= 2 && conj.contains(&sent[i - 1].lower) {
                ty_at(i - 2)
            } else {
                10
            };
            let right = if i + 2 < sent.len() && conj[..2].contains(&sent[i + 1].lower) {
                ty_at(i + 2)
            } else {
                10
            };
            f[47] = feat(47, left << 8 | t.case as u64);
            f[48] = feat(48, right << 8 | t.case as u64);
            if is_cap(t.case) {
                let mut c = types.get(&t.lower).copied().unwrap_or_default();
                let slot = label::ty(own).map_or(0, |x| x + 1);
                c[slot] = c[slot].saturating_sub(1);
                let mut best = 9u64;
                let mut cnt = 0;
                for (j, &x) in c[1..].iter().enumerate() {
                    if x > cnt {
                        cnt = x;
                        best = j as u64;
                    }
                }
                let o_more = (c[0] > cnt) as u64;
                f[44] = feat(44, best << 8 | o_more << 4 | (i == 0) as u64);
                f[45] = feat(45, (own as u64) << 8 | best);
            } else {
                f[44] = feat(44, 99);
                f[45] = feat(45, (own as u64) << 8 | 99);
            }
            k += 1;
        }
    }
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
    fn fixed_feature_count() {
        let doc = vec![vec!["Anna", "met", "Bo", "."], vec!["Bo", "left"]];
        let mut out = Vec::new();
        extract_doc(&doc, &Clusters::default(), &mut out);
        assert_eq!(out.len(), 6 * N_FEATURES);
        // Same word, same lexical feature, across sentences.
        assert_eq!(out[2 * N_FEATURES + 1], out[4 * N_FEATURES + 1]);
    }
}
