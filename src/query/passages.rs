//! Passages: the best sentence-aligned snippets of an article body for a query, with the byte
//! ranges to highlight, and the word normalisation the index analyzer applies.
//!
//! Tokens are found exactly as tantivy's `en_stem` analyzer finds them (`SimpleTokenizer` →
//! `RemoveLongFilter::limit(40)` → `LowerCaser` → Snowball English via `frostem`, the crate
//! tantivy itself uses), so a word is highlighted exactly when the index would match it. The
//! body is scanned once; words that cannot stem to a query stem are rejected on their bytes,
//! before being lowercased or stemmed, and the stems of the words that pass are cached.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::index::analyzer::{MAX_TOKEN_BYTES, english_stemmer, lowercase_into, normalize_with};
use serde::Serialize;

/// What to highlight, computed by the query module from the parsed query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HighlightQuery {
    pub terms: Vec<QueryTerm>,
    pub phrases: Vec<Phrase>,
}

/// A single (non-phrase) positive query term, already normalised with [`normalize`].
#[derive(Debug, Clone, PartialEq)]
pub struct QueryTerm {
    pub stem: String,
    /// Rarity weight from the index (idf-like, > 0); common words have a small weight.
    pub weight: f32,
}

/// A phrase: consecutive stems; slop 0 = exact adjacency, N = tantivy-style slop.
#[derive(Debug, Clone, PartialEq)]
pub struct Phrase {
    pub stems: Vec<String>,
    pub slop: u32,
    pub weight: f32,
}

/// How many passages to return and how long each may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassageOptions {
    /// Passages wanted.
    pub count: usize,
    /// Size budget per passage, in characters.
    pub max_chars: usize,
}

impl Default for PassageOptions {
    fn default() -> Self {
        PassageOptions {
            count: 2,
            max_chars: 300,
        }
    }
}

/// One passage of a body: one or more consecutive sentences, or a cut of one long sentence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Passage {
    pub text: String,
    /// Byte ranges into `text`: sorted, non-overlapping, on char boundaries.
    pub highlights: Vec<[usize; 2]>,
    pub score: f32,
    /// Byte offset of `text` in the body.
    pub start: usize,
    /// Byte offset just past `text` in the body.
    pub end: usize,
}

/// Snowball English only rewrites the end of a lowercased word: its stem is never longer than
/// the word, starts with the same character, and differs from the word only in its last two
/// bytes at most, which are then among `e i l y` ("coming" → "come", "body" → "bodi",
/// "vying" → "vie", "capabilities" → "capabl", "skies" → "sky", "ably" → "able"); every other
/// rewrite only deletes. So all of a stem but such a tail is a prefix of any word stemming to
/// it. Read off the algorithm's replacement strings and checked on the 463k distinct words of
/// the shared corpora (tests compare with tantivy's own analyzer).
const STEM_TAIL_BYTES: &[u8] = b"eily";

/// How many leading bytes of `stem` every word stemming to it starts with.
fn stable_prefix(stem: &str) -> usize {
    let tail = stem
        .bytes()
        .rev()
        .take(2)
        .take_while(|b| STEM_TAIL_BYTES.contains(b))
        .count();
    (stem.len() - tail).max(1).min(stem.len())
}

/// Diminishing returns for a unit matched several times in one span: 1, 2, 3+ occurrences.
const SATURATION: [f32; 4] = [0.0, 1.0, 1.35, 1.5];

/// A phrase occurrence says more than the same words scattered.
const PHRASE_BOOST: f32 = 1.5;

/// Weight given to a term whose weight is missing, zero, negative or not a number.
const MIN_WEIGHT: f32 = 1e-3;

/// Upper bound on candidate positions tried while matching sloppy phrases in one call, so an
/// adversarial body or query cannot make phrase matching quadratic.
const PHRASE_STEP_BUDGET: usize = 1 << 20;

/// Abbreviations after which a period does not end a sentence (they precede a name or number).
/// Single letters ("U.S.", "J. K.") are handled separately.
const ABBREVIATIONS: &[&str] = &[
    "Adm", "Apr", "Aug", "Capt", "Cmdr", "Col", "Dec", "Dr", "Feb", "Fig", "Ft", "Gen", "Gov",
    "Hon", "Jan", "Jr", "Lt", "Maj", "Messrs", "Mr", "Mrs", "Ms", "Mt", "No", "Nos", "Nov", "Oct",
    "Prof", "Rep", "Rev", "Sen", "Sep", "Sept", "Sgt", "Sr", "St", "Supt", "approx", "cf", "e.g",
    "i.e", "vs",
];

/// Returns the best `opts.count` passages of `body` for `query`, in document order.
///
/// When nothing in the body matches (a title-only hit, or an empty query) the lead is returned
/// instead: the first sentences up to the budget, unhighlighted, with score 0. An empty body
/// gives no passage.
pub fn passages(body: &str, query: &HighlightQuery, opts: &PassageOptions) -> Vec<Passage> {
    passages_in(body, query, opts, frostem::Algorithm::English)
}

/// [`passages`] for a body in another language: words are stemmed with `algorithm`
/// (the query's stems must come from the same stemmer).
pub fn passages_in(
    body: &str,
    query: &HighlightQuery,
    opts: &PassageOptions,
    algorithm: frostem::Algorithm,
) -> Vec<Passage> {
    if opts.count == 0 {
        return Vec::new();
    }
    let max_chars = opts.max_chars.max(1);
    let matcher = Matcher::with_stemmer(query, algorithm);
    if matcher.units.is_empty() {
        let scan = matcher.scan(body, lead_limit(body, max_chars));
        return lead(body, &scan.sentences, max_chars);
    }
    let scan = matcher.scan(body, usize::MAX);
    let (hits, ranges) = matcher.resolve(&scan.toks);
    if hits.is_empty() {
        return lead(body, &scan.sentences, max_chars);
    }
    let mut selector = Selector {
        body,
        matcher: &matcher,
        sentences: &scan.sentences,
        hits: &hits,
        max_chars,
        chosen: Vec::new(),
        acc: Accumulator::new(&matcher.units),
    };
    let mut chosen = selector.select(opts.count);
    chosen.sort_by_key(|c| c.start);
    chosen
        .into_iter()
        .map(|c| Passage {
            text: body[c.start..c.end].to_string(),
            highlights: clip_ranges(&ranges, c.start, c.end),
            score: c.score,
            start: c.start,
            end: c.end,
        })
        .collect()
}

/// Every match of `query` in `text` (for titles): each occurrence of a term, and each
/// occurrence of a phrase. Byte ranges, sorted, non-overlapping, on char boundaries.
pub fn highlight(text: &str, query: &HighlightQuery) -> Vec<[usize; 2]> {
    highlight_in(text, query, frostem::Algorithm::English)
}

/// [`highlight`] for text in another language (see [`passages_in`]).
pub fn highlight_in(
    text: &str,
    query: &HighlightQuery,
    algorithm: frostem::Algorithm,
) -> Vec<[usize; 2]> {
    let matcher = Matcher::with_stemmer(query, algorithm);
    if matcher.units.is_empty() {
        return Vec::new();
    }
    let scan = matcher.scan(text, usize::MAX);
    let (_, ranges) = matcher.resolve(&scan.toks);
    ranges.into_iter().map(|(s, e)| [s, e]).collect()
}

/// The normalisation the index applies to one word: tantivy's lowercasing, then Snowball
/// English stemming ("Transfers" → "transfer"). The input is taken as one token; use
/// [`tokens`] for text that may hold several words.
pub fn normalize(word: &str) -> String {
    let (mut lower, mut out) = (String::new(), String::new());
    normalize_with(&english_stemmer(), word, &mut lower, &mut out);
    out
}

/// The normalised tokens the index stores for `text`, in order: split on
/// non-alphanumeric characters, tokens of 40 bytes or more dropped, each [`normalize`]d.
/// "Ukraine’s" gives `["ukrain", "s"]`.
pub fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.len() < MAX_TOKEN_BYTES)
        .map(normalize)
        .collect()
}

/// How far the lead scan must read so the first sentences (or a cut of the first one) can
/// fill `max_chars`: a char is at most 4 bytes, plus one char to tell that a sentence overflows.
fn lead_limit(body: &str, max_chars: usize) -> usize {
    let first = body.len() - body.trim_start().len();
    first
        .saturating_add(max_chars.saturating_mul(4))
        .saturating_add(8)
}

// ---------------------------------------------------------------------------------------------
// Query compilation and token matching

/// A scoring unit: a standalone term or a phrase.
struct Unit {
    /// Weight in the score's sum.
    base: f32,
    /// Weight in the share of the query a span covers.
    cover: f32,
}

struct PhraseSpec {
    stems: Vec<u32>,
    slop: u32,
    unit: u32,
}

struct Matcher<'q> {
    /// Distinct non-empty stems of terms and phrases.
    stems: Vec<&'q str>,
    /// For each stem, how many of its bytes a word must start with to stem to it.
    prefix: Vec<usize>,
    /// The unit of each stem that is also a standalone term.
    term_unit: Vec<Option<u32>>,
    phrases: Vec<PhraseSpec>,
    units: Vec<Unit>,
    total_cover: f32,
    /// First bytes of the stems: a word whose lowercased first byte is not here cannot match.
    first_bytes: [bool; 256],
    stemmer: frostem::Stemmer,
    /// Whether the English-only byte prefilter applies (see [`stable_prefix`]); other
    /// languages stem every word.
    prefilter: bool,
}

fn clean_weight(w: f32) -> f32 {
    if w.is_finite() && w > 0.0 {
        w.min(1e6)
    } else {
        MIN_WEIGHT
    }
}

impl<'q> Matcher<'q> {
    fn new(query: &'q HighlightQuery) -> Self {
        Self::with_stemmer(query, frostem::Algorithm::English)
    }

    fn with_stemmer(query: &'q HighlightQuery, algorithm: frostem::Algorithm) -> Self {
        let english = matches!(algorithm, frostem::Algorithm::English);
        let mut m = Matcher {
            stems: Vec::new(),
            prefix: Vec::new(),
            term_unit: Vec::new(),
            phrases: Vec::new(),
            units: Vec::new(),
            total_cover: 0.0,
            first_bytes: [false; 256],
            stemmer: frostem::Stemmer::new(algorithm),
            prefilter: english,
        };
        for term in &query.terms {
            m.add_term(&term.stem, clean_weight(term.weight));
        }
        for phrase in &query.phrases {
            let weight = clean_weight(phrase.weight);
            let parts: Vec<&'q str> = phrase
                .stems
                .iter()
                .map(String::as_str)
                .filter(|s| !s.is_empty())
                .collect();
            match parts.as_slice() {
                [] => {}
                // A one-word phrase is a term, as in tantivy's query parser.
                [one] => m.add_term(one, weight),
                _ => {
                    let stems = parts.iter().map(|s| m.intern(s)).collect();
                    let unit = m.push_unit(weight * PHRASE_BOOST, weight);
                    m.phrases.push(PhraseSpec {
                        stems,
                        slop: phrase.slop,
                        unit,
                    });
                }
            }
        }
        m.total_cover = m.units.iter().map(|u| u.cover).sum::<f32>().max(MIN_WEIGHT);
        m
    }

    fn intern(&mut self, stem: &'q str) -> u32 {
        if let Some(i) = self.stems.iter().position(|s| *s == stem) {
            return i as u32;
        }
        if let Some(&b) = stem.as_bytes().first() {
            self.first_bytes[b as usize] = true;
        }
        self.stems.push(stem);
        self.prefix.push(stable_prefix(stem));
        self.term_unit.push(None);
        (self.stems.len() - 1) as u32
    }

    fn push_unit(&mut self, base: f32, cover: f32) -> u32 {
        self.units.push(Unit { base, cover });
        (self.units.len() - 1) as u32
    }

    fn add_term(&mut self, stem: &'q str, weight: f32) {
        if stem.is_empty() {
            return;
        }
        let id = self.intern(stem) as usize;
        match self.term_unit[id] {
            Some(u) => {
                let unit = &mut self.units[u as usize];
                unit.base = unit.base.max(weight);
                unit.cover = unit.cover.max(weight);
            }
            None => self.term_unit[id] = Some(self.push_unit(weight, weight)),
        }
    }

    /// The stem id `word` (one surface token) normalises to, if it is a query stem.
    fn match_word(
        &self,
        word: &str,
        ascii: bool,
        buf: &mut String,
        cache: &mut StemCache,
    ) -> Option<u32> {
        let bytes = word.as_bytes();
        if ascii && self.prefilter {
            // Reject on the surface bytes, before any copy: the word must be at least as long
            // as the stem and start with its stable prefix.
            let first = bytes.first()?.to_ascii_lowercase();
            if !self.first_bytes[first as usize] {
                return None;
            }
            let possible = self.stems.iter().zip(&self.prefix).any(|(s, &keep)| {
                let s = s.as_bytes();
                bytes.len() >= s.len() && bytes[..keep].eq_ignore_ascii_case(&s[..keep])
            });
            if !possible {
                return None;
            }
        }
        lowercase_into(word, buf);
        if !ascii && self.prefilter {
            let lower = buf.as_bytes();
            let first = *lower.first()?;
            if !self.first_bytes[first as usize] {
                return None;
            }
            let possible = self.stems.iter().zip(&self.prefix).any(|(s, &keep)| {
                let s = s.as_bytes();
                lower.len() >= s.len() && lower[..keep] == s[..keep]
            });
            if !possible {
                return None;
            }
        }
        if let Some(&known) = cache.get(buf.as_str()) {
            return known;
        }
        let stem = self.stemmer.stem(buf);
        let found = self.stems.iter().position(|s| *s == stem).map(|i| i as u32);
        cache.insert(Box::from(buf.as_str()), found);
        found
    }
}

/// Per-call cache of the stems of candidate words (FxHash: keys are short, not adversarial
/// enough to matter for one body).
type StemCache = HashMap<Box<str>, Option<u32>, BuildHasherDefault<FxHasher>>;

#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

// ---------------------------------------------------------------------------------------------
// Scanning: sentences and matching tokens in one pass

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
}

/// A token whose normalised form is a query stem.
#[derive(Debug, Clone, Copy)]
struct Tok {
    /// Token position as tantivy counts it (dropped long tokens still take a position).
    pos: u32,
    stem: u32,
    start: usize,
    end: usize,
    sentence: u32,
}

struct Scan {
    sentences: Vec<Span>,
    toks: Vec<Tok>,
}

/// `char::is_alphanumeric` for ASCII bytes, as a table for the hot loop.
static ASCII_ALNUM: [bool; 128] = {
    let mut t = [false; 128];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric();
        i += 1;
    }
    t
};

/// End of the token whose first char ends at `j`, and whether the token is all ASCII.
#[inline]
fn token_end(body: &str, mut j: usize, mut ascii: bool) -> (usize, bool) {
    let bytes = body.as_bytes();
    while let Some(&c) = bytes.get(j) {
        if c < 0x80 {
            if !ASCII_ALNUM[c as usize] {
                break;
            }
            j += 1;
        } else {
            match char_at(body, j) {
                Some(c) if c.is_alphanumeric() => {
                    ascii = false;
                    j += c.len_utf8();
                }
                _ => break,
            }
        }
    }
    (j, ascii)
}

fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..).and_then(|s| s.chars().next())
}

impl Matcher<'_> {
    /// Splits `body` into sentences and finds the tokens that match query stems, stopping at
    /// the first sentence boundary at or after `limit` bytes (the open sentence is then closed
    /// where the scan stopped).
    fn scan(&self, body: &str, limit: usize) -> Scan {
        let bytes = body.as_bytes();
        let n = bytes.len();
        let matching = !self.stems.is_empty();
        let mut scan = Scan {
            sentences: Vec::new(),
            toks: Vec::new(),
        };
        let mut buf = String::new();
        let mut cache = StemCache::default();
        let mut pos: u32 = u32::MAX; // tantivy's first position is 0, reached by wrapping
        let mut open: Option<usize> = None; // start of the sentence being read
        let mut content_end = 0; // end of its last non-space char
        let mut last_tok = Span { start: 0, end: 0 };
        let mut i = 0;

        macro_rules! close {
            ($end:expr) => {
                if let Some(start) = open.take() {
                    let end: usize = $end;
                    if end > start {
                        scan.sentences.push(Span { start, end });
                    }
                    if end >= limit {
                        break;
                    }
                }
            };
        }

        while i < n {
            if i >= limit && open.is_none() {
                break;
            }
            let b = bytes[i];
            let (ch, len) = if b < 0x80 {
                (b as char, 1)
            } else {
                match char_at(body, i) {
                    Some(c) => (c, c.len_utf8()),
                    None => {
                        i += 1; // unreachable for a &str: i always sits on a char boundary
                        continue;
                    }
                }
            };
            let alnum = if b < 0x80 {
                ASCII_ALNUM[b as usize]
            } else {
                ch.is_alphanumeric()
            };
            if alnum {
                let start = i;
                let (j, ascii) = token_end(body, i + len, b < 0x80);
                pos = pos.wrapping_add(1);
                if open.is_none() {
                    open = Some(start);
                }
                if matching
                    && j - start < MAX_TOKEN_BYTES
                    && let Some(stem) =
                        self.match_word(&body[start..j], ascii, &mut buf, &mut cache)
                {
                    scan.toks.push(Tok {
                        pos,
                        stem,
                        start,
                        end: j,
                        sentence: scan.sentences.len() as u32,
                    });
                }
                last_tok = Span { start, end: j };
                content_end = j;
                i = j;
                continue;
            }
            match ch {
                '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' => {
                    if open.is_some() && newline_breaks(body, i + len, ch) {
                        close!(content_end);
                    }
                }
                '.' | '!' | '?' => {
                    if open.is_none() {
                        open = Some(i);
                    }
                    content_end = i + 1;
                    if let Some(end) = sentence_end(body, i, last_tok) {
                        content_end = end;
                        i = end;
                        close!(end);
                        continue;
                    }
                }
                c if c.is_whitespace() => {}
                _ => {
                    if open.is_none() {
                        open = Some(i);
                    }
                    content_end = i + len;
                }
            }
            if i >= limit {
                close!(content_end);
            }
            i += len;
        }
        if let Some(start) = open
            && content_end > start
        {
            scan.sentences.push(Span {
                start,
                end: content_end,
            });
        }
        scan
    }
}

/// Whether a line break ends the sentence: always at a blank line (paragraph break), and at a
/// single newline unless the next line continues in lowercase (hard-wrapped text).
fn newline_breaks(body: &str, after: usize, ch: char) -> bool {
    if ch == '\u{2029}' {
        return true;
    }
    let rest = body.get(after..).unwrap_or("");
    let mut chars = rest
        .chars()
        .skip_while(|c| *c == ' ' || *c == '\t' || *c == '\r');
    match chars.next() {
        None => true,
        Some(c) if c == '\n' || c == '\u{2029}' => true,
        Some(c) => !c.is_lowercase(),
    }
}

/// If the terminator at `i` ('.', '!' or '?') ends a sentence, the byte just past the sentence
/// (after any further terminators and closing quotes or brackets).
fn sentence_end(body: &str, i: usize, last_tok: Span) -> Option<usize> {
    let rest = body.get(i..)?;
    let mut end = i;
    for (off, c) in rest.char_indices() {
        if matches!(
            c,
            '.' | '!' | '?' | '"' | '\'' | ')' | ']' | '’' | '”' | '»' | '…'
        ) {
            end = i + off + c.len_utf8();
        } else {
            break;
        }
    }
    let after = body.get(end..)?;
    let mut chars = after.chars();
    match chars.next() {
        None => return Some(end),
        Some(c) if c.is_whitespace() => {}
        Some(_) => return None, // "3.5", "U.S.", "example.com"
    }
    let next = after.chars().find(|c| !c.is_whitespace());
    let Some(next) = next else {
        return Some(end);
    };
    let opens = next.is_uppercase()
        || next.is_numeric()
        || matches!(next, '"' | '\'' | '(' | '[' | '‘' | '“' | '«');
    if !opens {
        return None;
    }
    if body.as_bytes().get(i) == Some(&b'.') && last_tok.end == i && last_tok.end > last_tok.start {
        let word = &body[last_tok.start..last_tok.end];
        if word.chars().count() == 1 || ABBREVIATIONS.contains(&word) {
            return None;
        }
    }
    Some(end)
}

// ---------------------------------------------------------------------------------------------
// Resolving matches: term hits, phrase occurrences, highlight ranges

/// One scored occurrence: a standalone term, or a whole phrase occurrence.
#[derive(Debug, Clone, Copy)]
struct Hit {
    unit: u32,
    start: usize,
    end: usize,
    sentence: u32,
}

impl Matcher<'_> {
    /// Scored hits (sorted by sentence, then start) and merged highlight ranges.
    fn resolve(&self, toks: &[Tok]) -> (Vec<Hit>, Vec<(usize, usize)>) {
        let mut hits = Vec::new();
        let mut ranges = Vec::new();
        for t in toks {
            if let Some(unit) = self.term_unit[t.stem as usize] {
                hits.push(Hit {
                    unit,
                    start: t.start,
                    end: t.end,
                    sentence: t.sentence,
                });
                ranges.push((t.start, t.end));
            }
        }
        let mut budget = PHRASE_STEP_BUDGET;
        let mut chosen = Vec::new();
        for phrase in &self.phrases {
            find_phrase(
                phrase,
                toks,
                &mut budget,
                &mut chosen,
                &mut hits,
                &mut ranges,
            );
        }
        hits.sort_unstable_by_key(|h| (h.sentence, h.start, h.unit));
        (hits, merge_ranges(ranges))
    }
}

/// Finds every occurrence of `phrase` among the matching tokens: for each token of its first
/// stem, the other stems in order at positions within the slop. As in tantivy, slop is spent on
/// each term's distance from where it would sit in an exact match, summed over the phrase.
fn find_phrase(
    phrase: &PhraseSpec,
    toks: &[Tok],
    budget: &mut usize,
    chosen: &mut Vec<(usize, u32)>,
    hits: &mut Vec<Hit>,
    ranges: &mut Vec<(usize, usize)>,
) {
    let k = phrase.stems.len();
    let Some(&first) = phrase.stems.first().filter(|_| k >= 2) else {
        return;
    };
    let slop = i64::from(phrase.slop);
    // cursor[level]: next token index to try for that level
    let mut cursor = vec![0usize; k];
    for (t0, tok) in toks.iter().enumerate() {
        if tok.stem != first {
            continue;
        }
        chosen.clear();
        chosen.push((t0, 0)); // (token index, slop used so far)
        let mut level = 1;
        cursor[1] = window_start(toks, tok.pos, 0, slop);
        while level >= 1 && level < k {
            let Some(&(prev, used)) = chosen.get(level - 1) else {
                break;
            };
            let target = i64::from(toks[prev].pos) + 1;
            let remaining = slop - i64::from(used);
            let mut next = None;
            while let Some(t) = toks.get(cursor[level]) {
                if *budget == 0 {
                    return;
                }
                *budget -= 1;
                let c = cursor[level];
                cursor[level] += 1;
                let d = i64::from(t.pos) - target;
                if d > remaining {
                    cursor[level] = toks.len();
                    break;
                }
                if d.abs() <= remaining
                    && t.stem == phrase.stems[level]
                    && !chosen.iter().any(|&(ci, _)| ci == c)
                {
                    next = Some((c, used + d.unsigned_abs() as u32));
                    break;
                }
            }
            match next {
                Some(step) => {
                    chosen.truncate(level);
                    chosen.push(step);
                    level += 1;
                    if level < k {
                        cursor[level] =
                            window_start(toks, toks[step.0].pos, i64::from(step.1), slop);
                    }
                }
                None => {
                    level -= 1;
                    chosen.truncate(level.max(1));
                }
            }
        }
        if level < k || chosen.len() != k {
            continue;
        }
        let start = chosen
            .iter()
            .map(|&(c, _)| toks[c].start)
            .min()
            .unwrap_or(tok.start);
        let end = chosen
            .iter()
            .map(|&(c, _)| toks[c].end)
            .max()
            .unwrap_or(tok.end);
        hits.push(Hit {
            unit: phrase.unit,
            start,
            end,
            sentence: tok.sentence,
        });
        let exact = chosen.last().is_some_and(|&(_, used)| used == 0);
        if exact {
            ranges.push((start, end));
        } else {
            ranges.extend(chosen.iter().map(|&(c, _)| (toks[c].start, toks[c].end)));
        }
    }
}

/// First token index whose position can follow a token at `pos` with `used` of `slop` spent.
fn window_start(toks: &[Tok], pos: u32, used: i64, slop: i64) -> usize {
    let lowest = i64::from(pos) + 1 - (slop - used);
    toks.partition_point(|t| i64::from(t.pos) < lowest)
}

fn merge_ranges(mut ranges: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// The merged `ranges` that fall in `start..end`, clipped and made relative to `start`.
fn clip_ranges(ranges: &[(usize, usize)], start: usize, end: usize) -> Vec<[usize; 2]> {
    let first = ranges.partition_point(|r| r.1 <= start);
    ranges[first..]
        .iter()
        .take_while(|r| r.0 < end)
        .filter_map(|&(s, e)| {
            let (s, e) = (s.max(start), e.min(end));
            (s < e).then(|| [s - start, e - start])
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Scoring and passage selection

/// Running score of a span: the sum of unit weights with diminishing returns for repeats,
/// multiplied by how much of the query (by weight) the span covers, so distinct rare terms win
/// and a common word repeated cannot pick a passage on its own.
struct Accumulator<'u> {
    units: &'u [Unit],
    counts: Vec<u32>,
    base: f32,
    covered: f32,
}

impl<'u> Accumulator<'u> {
    fn new(units: &'u [Unit]) -> Self {
        Accumulator {
            units,
            counts: vec![0; units.len()],
            base: 0.0,
            covered: 0.0,
        }
    }

    fn saturation(count: u32) -> f32 {
        SATURATION[(count as usize).min(SATURATION.len() - 1)]
    }

    fn add(&mut self, unit: u32) {
        let (Some(c), Some(u)) = (
            self.counts.get_mut(unit as usize),
            self.units.get(unit as usize),
        ) else {
            return;
        };
        *c += 1;
        self.base += u.base * (Self::saturation(*c) - Self::saturation(*c - 1));
        if *c == 1 {
            self.covered += u.cover;
        }
    }

    fn remove(&mut self, unit: u32) {
        let (Some(c), Some(u)) = (
            self.counts.get_mut(unit as usize),
            self.units.get(unit as usize),
        ) else {
            return;
        };
        if *c == 0 {
            return;
        }
        self.base -= u.base * (Self::saturation(*c) - Self::saturation(*c - 1));
        *c -= 1;
        if *c == 0 {
            self.covered -= u.cover;
        }
    }

    fn score(&self, total_cover: f32) -> f32 {
        let coverage = (self.covered / total_cover).clamp(0.0, 1.0);
        self.base.max(0.0) * (1.0 + coverage) * (1.0 + coverage)
    }

    fn score_of(&mut self, hits: &[Hit], total_cover: f32) -> f32 {
        for h in hits {
            self.add(h.unit);
        }
        let s = self.score(total_cover);
        for h in hits {
            self.remove(h.unit);
        }
        // Start every span from exact zero, whatever the float rounding of add/remove.
        self.base = 0.0;
        self.covered = 0.0;
        s
    }
}

#[derive(Debug, Clone, Copy)]
struct Chosen {
    first: usize,
    last: usize,
    start: usize,
    end: usize,
    score: f32,
}

struct Selector<'a> {
    body: &'a str,
    matcher: &'a Matcher<'a>,
    sentences: &'a [Span],
    hits: &'a [Hit],
    max_chars: usize,
    chosen: Vec<Chosen>,
    acc: Accumulator<'a>,
}

impl<'a> Selector<'a> {
    /// Greedy: the best sentence not yet used anchors a passage, which grows into free
    /// neighbours (the better-scoring side first, the following one on a tie) while the budget
    /// allows. Repeats until `count` passages or no matching sentence is left.
    fn select(&mut self, count: usize) -> Vec<Chosen> {
        let total = self.matcher.total_cover;
        let mut scores = vec![0.0f32; self.sentences.len()];
        let mut anchors = Vec::new();
        let mut i = 0;
        while i < self.hits.len() {
            let s = self.hits[i].sentence;
            let j = i + self.hits[i..].partition_point(|h| h.sentence == s);
            let score = self.acc.score_of(&self.hits[i..j], total);
            if let Some(slot) = scores.get_mut(s as usize) {
                *slot = score;
                anchors.push((score, s as usize));
            }
            i = j;
        }
        anchors.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, anchor) in &anchors {
            if self.chosen.len() >= count {
                break;
            }
            if !self.is_free(anchor) {
                continue;
            }
            let passage = self.grow(anchor, &scores);
            self.chosen.push(passage);
        }
        std::mem::take(&mut self.chosen)
    }

    fn is_free(&self, sentence: usize) -> bool {
        !self
            .chosen
            .iter()
            .any(|c| c.first <= sentence && sentence <= c.last)
    }

    fn sentence_hits(&self, first: usize, last: usize) -> &'a [Hit] {
        let hits: &'a [Hit] = self.hits;
        let lo = hits.partition_point(|h| (h.sentence as usize) < first);
        let hi = hits.partition_point(|h| (h.sentence as usize) <= last);
        &hits[lo..hi.max(lo)]
    }

    fn grow(&mut self, anchor: usize, scores: &[f32]) -> Chosen {
        let sentences = self.sentences;
        let body = self.body;
        let span = sentences[anchor];
        let mut len = body[span.start..span.end].chars().count();
        if len > self.max_chars {
            let hits = self.sentence_hits(anchor, anchor);
            let (start, end) = cut_window(
                body,
                span,
                hits,
                self.max_chars,
                self.matcher,
                &mut self.acc,
            );
            let inside: Vec<Hit> = hits
                .iter()
                .filter(|h| h.start >= start && h.end <= end)
                .copied()
                .collect();
            let score = self.acc.score_of(&inside, self.matcher.total_cover);
            return Chosen {
                first: anchor,
                last: anchor,
                start,
                end,
                score,
            };
        }
        let (mut first, mut last) = (anchor, anchor);
        loop {
            let prev = first.checked_sub(1).filter(|&p| self.is_free(p)).map(|p| {
                (
                    p,
                    body[sentences[p].start..sentences[first].start]
                        .chars()
                        .count(),
                )
            });
            let next = Some(last + 1)
                .filter(|&q| q < sentences.len() && self.is_free(q))
                .map(|q| {
                    (
                        q,
                        body[sentences[last].end..sentences[q].end].chars().count(),
                    )
                });
            let score = |c: Option<(usize, usize)>| c.map_or(f32::NEG_INFINITY, |(s, _)| scores[s]);
            let order = if score(prev) > score(next) {
                [prev, next]
            } else {
                [next, prev]
            };
            let Some((s, cost)) = order
                .into_iter()
                .flatten()
                .find(|&(_, cost)| len + cost <= self.max_chars)
            else {
                break;
            };
            len += cost;
            if s < first {
                first = s;
            } else {
                last = s;
            }
        }
        let hits = self.sentence_hits(first, last);
        let score = self.acc.score_of(hits, self.matcher.total_cover);
        Chosen {
            first,
            last,
            start: sentences[first].start,
            end: sentences[last].end,
            score,
        }
    }
}

/// A window of at most `max_chars` chars inside a sentence that is longer than that: the run of
/// hits that scores best within the budget, with context around it, cut at word boundaries.
fn cut_window(
    body: &str,
    span: Span,
    hits: &[Hit],
    max_chars: usize,
    matcher: &Matcher<'_>,
    acc: &mut Accumulator<'_>,
) -> (usize, usize) {
    // Choose the core on bytes: a window of max_chars bytes never holds more than max_chars chars.
    let mut core = (span.start, span.start);
    let mut best = f32::NEG_INFINITY;
    let mut j = 0;
    for i in 0..hits.len() {
        j = j.max(i);
        while j < hits.len() && hits[j].end.min(span.end).saturating_sub(hits[i].start) <= max_chars
        {
            acc.add(hits[j].unit);
            j += 1;
        }
        let (score, end) = if j > i {
            let end = hits[i..j]
                .iter()
                .map(|h| h.end)
                .max()
                .unwrap_or(hits[i].end);
            (acc.score(matcher.total_cover), end)
        } else {
            (0.0, hits[i].end) // a single hit longer than the budget
        };
        if score > best {
            best = score;
            core = (hits[i].start, end);
        }
        if j > i {
            acc.remove(hits[i].unit);
        }
    }
    acc.base = 0.0;
    acc.covered = 0.0;
    let start = core.0.clamp(span.start, span.end);
    let mut end = core.1.clamp(start, span.end);
    if end - start > max_chars {
        end = floor_char_boundary(body, start + max_chars);
    }
    let core = (start, end);

    // Spend what is left of the budget on context: a third before, the rest after, and whatever
    // one side cannot use on the other.
    let used = body[core.0..core.1].chars().count();
    let spare = max_chars.saturating_sub(used);
    let mut start = back_chars(body, span.start, core.0, spare / 3);
    let taken = body[start..core.0].chars().count();
    let mut end = forward_chars(body, core.1, span.end, spare - taken);
    let after = body[core.1..end].chars().count();
    if taken + after < spare {
        start = back_chars(body, span.start, core.0, spare - after);
    }

    // Whole words only: drop a word cut at either edge, unless that leaves nothing.
    let (cut_start, cut_end) = (start, end);
    if start > span.start
        && start < core.0
        && is_word_char_before(body, start)
        && is_word_char_at(body, start)
    {
        while start < core.0 && is_word_char_at(body, start) {
            start += char_at(body, start).map_or(1, char::len_utf8);
        }
    }
    while start < core.0 && char_at(body, start).is_some_and(|c| !c.is_alphanumeric()) {
        start += char_at(body, start).map_or(1, char::len_utf8);
    }
    if end < span.end
        && end > core.1
        && is_word_char_before(body, end)
        && is_word_char_at(body, end)
    {
        while end > core.1 && is_word_char_before(body, end) {
            end = floor_char_boundary(body, end - 1);
        }
    }
    while end > core.1
        && body[..end]
            .chars()
            .next_back()
            .is_some_and(char::is_whitespace)
    {
        end = floor_char_boundary(body, end - 1);
    }
    if end <= start {
        (cut_start, cut_end)
    } else {
        (start, end)
    }
}

fn is_word_char_at(body: &str, i: usize) -> bool {
    char_at(body, i).is_some_and(char::is_alphanumeric)
}

fn is_word_char_before(body: &str, i: usize) -> bool {
    body.get(..i)
        .and_then(|s| s.chars().next_back())
        .is_some_and(char::is_alphanumeric)
}

fn floor_char_boundary(body: &str, mut i: usize) -> usize {
    i = i.min(body.len());
    while !body.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The offset `n` chars before `from`, not before `floor`.
fn back_chars(body: &str, floor: usize, from: usize, n: usize) -> usize {
    if n == 0 {
        return from;
    }
    body[floor..from]
        .char_indices()
        .rev()
        .take(n)
        .last()
        .map_or(from, |(off, _)| floor + off)
}

/// The offset `n` chars after `from`, not past `ceil`.
fn forward_chars(body: &str, from: usize, ceil: usize, n: usize) -> usize {
    body[from..ceil]
        .char_indices()
        .nth(n)
        .map_or(ceil, |(off, _)| from + off)
}

/// The lead: the first sentences up to the budget (the first one cut if it alone is too long).
fn lead(body: &str, sentences: &[Span], max_chars: usize) -> Vec<Passage> {
    let Some(&first) = sentences.first() else {
        return Vec::new();
    };
    let mut len = body[first.start..first.end].chars().count();
    let (start, end) = if len > max_chars {
        let empty = Matcher::new(&EMPTY_QUERY);
        let mut acc = Accumulator::new(&empty.units);
        cut_window(body, first, &[], max_chars, &empty, &mut acc)
    } else {
        let mut end = first.end;
        for pair in sentences.windows(2) {
            let cost = body[pair[0].end..pair[1].end].chars().count();
            if len + cost > max_chars {
                break;
            }
            len += cost;
            end = pair[1].end;
        }
        (first.start, end)
    };
    vec![Passage {
        text: body[start..end].to_string(),
        highlights: Vec::new(),
        score: 0.0,
        start,
        end,
    }]
}

static EMPTY_QUERY: HighlightQuery = HighlightQuery {
    terms: Vec::new(),
    phrases: Vec::new(),
};

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use tantivy::tokenizer::TokenizerManager;

    use super::*;

    const SEED: &str = include_str!("../../seeds/000_d5240dadc151992f.txt");

    /// The seed article's body: without the title line and the `Original Source:` line.
    fn seed_body() -> &'static str {
        let (_, rest) = SEED.split_once('\n').expect("seed has a title line");
        let body = rest.trim();
        match body.rfind("Original Source:") {
            Some(i) => body[..i].trim_end(),
            None => body,
        }
    }

    fn terms(words: &[(&str, f32)]) -> HighlightQuery {
        HighlightQuery {
            terms: words
                .iter()
                .map(|&(w, weight)| QueryTerm {
                    stem: normalize(w),
                    weight,
                })
                .collect(),
            phrases: Vec::new(),
        }
    }

    fn phrase(words: &[&str], slop: u32) -> Phrase {
        Phrase {
            stems: words.iter().map(|w| normalize(w)).collect(),
            slop,
            weight: 3.0,
        }
    }

    fn marked(text: &str, ranges: &[[usize; 2]]) -> Vec<String> {
        ranges
            .iter()
            .map(|r| text[r[0]..r[1]].to_string())
            .collect()
    }

    /// (start, end, stem) of every token tantivy's `en_stem` analyzer produces.
    fn tantivy_tokens(text: &str) -> Vec<(usize, usize, String)> {
        let mut analyzer = TokenizerManager::default()
            .get("en_stem")
            .expect("en_stem is built in");
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        stream.process(&mut |t| out.push((t.offset_from, t.offset_to, t.text.clone())));
        out
    }

    fn assert_valid(text: &str, ranges: &[[usize; 2]]) {
        let mut prev_end = 0;
        for (k, r) in ranges.iter().enumerate() {
            assert!(
                r[0] < r[1] && r[1] <= text.len(),
                "range {r:?} out of bounds"
            );
            assert!(text.is_char_boundary(r[0]) && text.is_char_boundary(r[1]));
            if k > 0 {
                assert!(
                    r[0] >= prev_end,
                    "ranges overlap or are unsorted: {ranges:?}"
                );
            }
            prev_end = r[1];
        }
    }

    fn assert_passages_valid(body: &str, ps: &[Passage], opts: &PassageOptions) {
        assert!(ps.len() <= opts.count.max(1));
        let mut prev_end = 0;
        for p in ps {
            assert!(body.is_char_boundary(p.start) && body.is_char_boundary(p.end));
            assert!(p.start >= prev_end, "passages overlap or are out of order");
            assert_eq!(&body[p.start..p.end], p.text);
            assert!(
                p.text.chars().count() <= opts.max_chars.max(1),
                "passage over budget: {:?}",
                p.text
            );
            assert!(!p.text.is_empty());
            assert_valid(&p.text, &p.highlights);
            prev_end = p.end;
        }
    }

    #[test]
    fn seed_pow_transfer_passage_highlights_both_terms() {
        let body = seed_body();
        let opts = PassageOptions::default();
        let ps = passages(body, &terms(&[("pow", 4.0), ("transfer", 2.5)]), &opts);
        assert_passages_valid(body, &ps, &opts);
        assert_eq!(ps.len(), 2);
        for p in &ps {
            let words: Vec<String> = marked(&p.text, &p.highlights)
                .into_iter()
                .map(|w| w.to_lowercase())
                .collect();
            assert!(
                words.iter().any(|w| w.starts_with("pow")),
                "{words:?} in {:?}",
                p.text
            );
            assert!(
                words.iter().any(|w| w == "transfer"),
                "{words:?} in {:?}",
                p.text
            );
        }
        assert!(ps[0].text.contains("POW transfer"), "{:?}", ps[0].text);
    }

    #[test]
    fn phrase_highlights_only_adjacent_occurrences() {
        let text = "North Korean troops moved north. A Korean official in the north spoke. \
                    Korean north of Seoul.";
        let q = HighlightQuery {
            terms: Vec::new(),
            phrases: vec![phrase(&["north", "korean"], 0)],
        };
        assert_eq!(marked(text, &highlight(text, &q)), ["North Korean"]);

        // In the seed, "South Korean" and a lone "North" stay plain.
        let body = seed_body();
        let opts = PassageOptions {
            count: 3,
            max_chars: 300,
        };
        let ps = passages(body, &q, &opts);
        assert_passages_valid(body, &ps, &opts);
        assert!(!ps.is_empty());
        for p in &ps {
            for w in marked(&p.text, &p.highlights) {
                assert!(
                    w == "North Korean" || w == "North Koreans",
                    "{w:?} highlighted"
                );
            }
            assert!(!p.highlights.is_empty());
        }
    }

    #[test]
    fn phrase_slop_allows_gaps_within_budget() {
        let text = "north big korean. north very big korean.";
        let exact = HighlightQuery {
            terms: Vec::new(),
            phrases: vec![phrase(&["north", "korean"], 0)],
        };
        assert!(highlight(text, &exact).is_empty());
        let sloppy = HighlightQuery {
            terms: Vec::new(),
            phrases: vec![phrase(&["north", "korean"], 1)],
        };
        assert_eq!(marked(text, &highlight(text, &sloppy)), ["north", "korean"]);
    }

    #[test]
    fn stems_highlight_their_surface_forms() {
        let text =
            "Transfers were transferred; the TRANSFERRING goes on. A transformer is not one.";
        let got = marked(text, &highlight(text, &terms(&[("transfer", 1.0)])));
        assert_eq!(got, ["Transfers", "transferred", "TRANSFERRING"]);
    }

    #[test]
    fn possessive_splits_like_the_index() {
        let text = "Ukraine’s army and Ukraine's navy";
        let got = marked(text, &highlight(text, &terms(&[("ukraine", 1.0)])));
        assert_eq!(got, ["Ukraine", "Ukraine"]);
        assert_eq!(tokens("Ukraine’s"), ["ukrain", "s"]);
    }

    #[test]
    fn common_term_does_not_pick_the_passage() {
        let body = "The minister said the plan, the budget and the schedule were the focus of the \
                    talks with the unions. Rates rose after the central bank met. The weather was \
                    fine for the time of the year in the capital.";
        let q = terms(&[("the", 0.05), ("central", 2.0), ("bank", 1.8)]);
        let opts = PassageOptions {
            count: 1,
            max_chars: 60,
        };
        let ps = passages(body, &q, &opts);
        assert_passages_valid(body, &ps, &opts);
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].text, "Rates rose after the central bank met.");
        assert_eq!(
            marked(&ps[0].text, &ps[0].highlights),
            ["the", "central", "bank"]
        );

        // Even with equal weights, covering more of the query wins over repeating one word.
        let flat = terms(&[("the", 1.0), ("central", 1.0), ("bank", 1.0)]);
        assert_eq!(passages(body, &flat, &opts)[0].text, ps[0].text);
    }

    #[test]
    fn title_only_match_returns_the_lead() {
        let body = seed_body();
        let opts = PassageOptions::default();
        let ps = passages(body, &terms(&[("seoul", 5.0)]), &opts);
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].start, 0);
        assert!(ps[0].highlights.is_empty());
        assert!(ps[0].text.starts_with("Ukraine is negotiating"));
        assert!(
            ps[0].text.ends_with("to move to South Korea."),
            "{:?}",
            ps[0].text
        );
        assert_passages_valid(body, &ps, &opts);

        let empty = passages(body, &HighlightQuery::default(), &opts);
        assert_eq!(empty, ps);
    }

    #[test]
    fn empty_body_gives_no_passage() {
        let q = terms(&[("pow", 1.0)]);
        let opts = PassageOptions::default();
        assert!(passages("", &q, &opts).is_empty());
        assert!(passages(" \n\t\n ", &q, &opts).is_empty());
        assert!(passages("", &HighlightQuery::default(), &opts).is_empty());
        assert!(highlight("", &q).is_empty());
        assert!(
            passages(
                "POW",
                &q,
                &PassageOptions {
                    count: 0,
                    max_chars: 10
                }
            )
            .is_empty()
        );
    }

    #[test]
    fn sentences_respect_abbreviations_decimals_and_paragraphs() {
        let body = "Gen. Smith met Mr. Jones in the U.S. Capitol at 3.5 p.m. on Jan. 11. Prices rose \
                    2.5 percent! Did they? \"Yes,\" he said.\n\nHeading\nNext line starts here\nand \
                    wraps here.";
        let m = Matcher::new(&EMPTY_QUERY);
        let scan = m.scan(body, usize::MAX);
        let got: Vec<&str> = scan
            .sentences
            .iter()
            .map(|s| &body[s.start..s.end])
            .collect();
        assert_eq!(
            got,
            [
                "Gen. Smith met Mr. Jones in the U.S. Capitol at 3.5 p.m. on Jan. 11.",
                "Prices rose 2.5 percent!",
                "Did they?",
                "\"Yes,\" he said.",
                "Heading",
                "Next line starts here\nand wraps here.",
            ]
        );
    }

    #[test]
    fn neighbours_join_up_to_the_budget() {
        let body = "One two three. Four five six. The pow was moved. Seven eight nine. Ten eleven.";
        let q = terms(&[("pow", 1.0)]);
        let ps = passages(
            body,
            &q,
            &PassageOptions {
                count: 2,
                max_chars: 50,
            },
        );
        assert_eq!(ps.len(), 1, "only one sentence matches");
        assert!(ps[0].text.contains("The pow was moved."));
        assert!(
            ps[0].text.len() > "The pow was moved.".len(),
            "neighbours joined"
        );
        assert!(ps[0].text.chars().count() <= 50);
        let ps = passages(
            body,
            &q,
            &PassageOptions {
                count: 2,
                max_chars: 18,
            },
        );
        assert_eq!(ps[0].text, "The pow was moved.");
    }

    #[test]
    fn long_sentence_is_cut_at_words_around_the_match() {
        let filler = "lorem ipsum dolor sit amet ".repeat(40);
        let body = format!("{filler}the prisoner transfer was agreed {filler}");
        let q = terms(&[("transfer", 1.0)]);
        let opts = PassageOptions {
            count: 2,
            max_chars: 80,
        };
        let ps = passages(&body, &q, &opts);
        assert_passages_valid(&body, &ps, &opts);
        assert_eq!(ps.len(), 1);
        let p = &ps[0];
        assert_eq!(marked(&p.text, &p.highlights), ["transfer"]);
        assert!(p.text.chars().count() > 60, "budget used: {:?}", p.text);
        assert!(
            !is_word_char_before(&body, p.start) && !is_word_char_at(&body, p.end),
            "{:?}",
            p.text
        );
    }

    #[test]
    fn passages_are_disjoint_and_in_document_order() {
        let body = seed_body();
        let q = terms(&[("korean", 1.0), ("casualties", 3.0), ("sybiha", 4.0)]);
        let opts = PassageOptions {
            count: 3,
            max_chars: 160,
        };
        let ps = passages(body, &q, &opts);
        assert_eq!(ps.len(), 3);
        assert_passages_valid(body, &ps, &opts);
    }

    #[test]
    fn body_tokens_match_the_index_analyzer() {
        let text = "Dogs are the BESTS! Ukraine’s «Kyiv» straße ΣΊΣΥΦΟΣ İstanbul 3.5km co-operate \
                    supercalifragilisticexpialidociousandthensomemoreletters x";
        let expected: Vec<String> = tantivy_tokens(text).into_iter().map(|t| t.2).collect();
        assert_eq!(tokens(text), expected);
    }

    #[test]
    fn byte_filter_keeps_every_word_that_stems_to_the_stem() {
        // The algorithm's exceptions and every kind of suffix rewrite that changes bytes.
        let words = [
            "skies",
            "skis",
            "sky",
            "dying",
            "lying",
            "tying",
            "vying",
            "idly",
            "gently",
            "ugly",
            "early",
            "only",
            "singly",
            "news",
            "ably",
            "probably",
            "capabilities",
            "sensibility",
            "activity",
            "formality",
            "valency",
            "hesitancy",
            "generously",
            "hopping",
            "hoping",
            "luxuriating",
            "agreed",
            "bodies",
            "happily",
            "relational",
            "conditional",
            "organization",
            "hopefulness",
            "electricity",
            "Σίσυφος",
            "ΣΊΣΥΦΟΣ",
            "İstanbul",
            "Y",
            "yelling",
            "played",
            "cries",
            "succeeded",
            "exceeding",
            "innings",
            "outing",
        ];
        for w in words {
            let q = terms(&[(w, 1.0)]);
            assert_eq!(
                highlight(w, &q),
                [[0, w.len()]],
                "{w:?} -> {:?}",
                normalize(w)
            );
        }
    }

    fn text_strategy() -> impl Strategy<Value = String> {
        let word = prop_oneof![
            Just("Transfers".to_string()),
            Just("transfer".to_string()),
            Just("north".to_string()),
            Just("Korean".to_string()),
            Just("POWs".to_string()),
            Just("lying".to_string()),
            Just("ably".to_string()),
            Just("capabilities".to_string()),
            Just("Skies".to_string()),
            Just("vying".to_string()),
            Just("bodies".to_string()),
            Just("happily".to_string()),
            Just("probably".to_string()),
            Just("coming".to_string()),
            Just("agreed".to_string()),
            Just("Σίσυφος".to_string()),
            Just("İstanbul".to_string()),
            "[a-zA-Z]{1,12}",
            "\\PC{1,6}",
            "[a-z]{38,42}",
        ];
        let sep = prop_oneof![
            Just(" ".to_string()),
            Just(". ".to_string()),
            Just("’s ".to_string()),
            Just("\n".to_string()),
            Just("\n\n".to_string()),
            Just("! ".to_string()),
            "\\PC{0,3}",
        ];
        prop::collection::vec((word, sep), 0..60)
            .prop_map(|parts| parts.into_iter().map(|(w, s)| w + &s).collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn highlights_and_passages_stay_valid(
            text in prop_oneof![text_strategy(), any::<String>()],
            words in prop::collection::vec("\\PC{0,8}|transfer|korean|north", 0..4),
            phrase_words in prop::collection::vec("\\PC{0,8}|north|korean", 0..3),
            slop in 0u32..3,
            count in 0usize..4,
            max_chars in 0usize..120,
        ) {
            let q = HighlightQuery {
                terms: words.iter().map(|w| QueryTerm { stem: normalize(w), weight: 1.0 }).collect(),
                phrases: vec![Phrase {
                    stems: phrase_words.iter().map(|w| normalize(w)).collect(),
                    slop,
                    weight: 2.0,
                }],
            };
            assert_valid(&text, &highlight(&text, &q));
            let opts = PassageOptions { count, max_chars };
            let ps = passages(&text, &q, &opts);
            assert_passages_valid(&text, &ps, &opts);
        }

        /// The fast path (byte filters, stem cache) finds exactly the tokens the index would
        /// match: compare with tantivy's analyzer on every token whose stem is queried.
        #[test]
        fn term_matches_equal_the_index_analyzer(text in text_strategy(), pick in 0usize..7) {
            let toks = tantivy_tokens(&text);
            let stems: Vec<String> = toks
                .iter()
                .enumerate()
                .filter(|(k, _)| pick == 0 || k % pick == 0)
                .map(|(_, t)| t.2.clone())
                .collect();
            let q = HighlightQuery {
                terms: stems.iter().map(|s| QueryTerm { stem: s.clone(), weight: 1.0 }).collect(),
                phrases: Vec::new(),
            };
            let expected: Vec<[usize; 2]> = toks
                .iter()
                .filter(|t| stems.contains(&t.2))
                .map(|t| [t.0, t.1])
                .collect();
            prop_assert_eq!(highlight(&text, &q), expected);
        }

        #[test]
        fn tokens_equal_the_index_analyzer(text in prop_oneof![text_strategy(), any::<String>()]) {
            let expected: Vec<String> = tantivy_tokens(&text).into_iter().map(|t| t.2).collect();
            prop_assert_eq!(tokens(&text), expected);
        }
    }
}
