//! The English text analyzer of title and body, with a per-writer stem cache.
//!
//! It gives exactly the tokens of tantivy's `SimpleTokenizer` → `RemoveLongFilter(40)` →
//! `LowerCaser` → `Stemmer(English)` chain (a test compares the two on real and odd text),
//! but news vocabulary is Zipfian: a few thousand words make up most tokens, and stemming
//! them again and again was a quarter of the indexer's CPU. Each analyzer instance keeps a
//! small direct-mapped cache from a word as written to its term ([`StemCache`]), one cache
//! line per word, so a frequent word is lowercased and stemmed once per segment writer.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use xxhash_rust::xxh3::xxh3_64;

/// Tokens of this many bytes or more are dropped (tantivy's `RemoveLongFilter::limit(40)`).
pub const MAX_TOKEN_BYTES: usize = 40;

/// log2 of the stem cache's slots (64 bytes each).
const CACHE_BITS: u32 = 15;
/// Longest word and term a slot holds, in bytes; longer ones are stemmed every time.
const SLOT_BYTES: usize = 29;

/// Lowercases like tantivy's `LowerCaser`: ASCII in place, otherwise char by char (which
/// differs from `str::to_lowercase` on a final sigma, so the std version must not be used).
pub fn lowercase_into(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.push_str(word);
        out.make_ascii_lowercase();
    } else {
        for c in word.chars() {
            out.extend(c.to_lowercase());
        }
    }
}

/// The indexed term of one word: lowercased, then English-stemmed.
pub fn normalize_with(
    stemmer: &frostem::Stemmer,
    word: &str,
    lower: &mut String,
    out: &mut String,
) {
    out.clear();
    // Snowball's English rules only ever touch letters: a run of digits is its own stem.
    if word.bytes().all(|b| b.is_ascii_digit()) {
        out.push_str(word);
        return;
    }
    lowercase_into(word, lower);
    out.push_str(&stemmer.stem(lower));
}

/// The English stemmer tantivy's `Stemmer::new(Language::English)` uses.
pub fn english_stemmer() -> frostem::Stemmer {
    frostem::Stemmer::new(frostem::Algorithm::English)
}

/// The next word of `text` at or after byte `from`: a maximal run of alphanumeric chars
/// (`char::is_alphanumeric`, as `SimpleTokenizer` splits), as a byte range.
pub fn next_word(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut pos = from;
    // Skip separators.
    loop {
        let &b = bytes.get(pos)?;
        if b < 0x80 {
            if b.is_ascii_alphanumeric() {
                break;
            }
            pos += 1;
        } else {
            let c = text.get(pos..)?.chars().next()?;
            if c.is_alphanumeric() {
                break;
            }
            pos += c.len_utf8();
        }
    }
    let start = pos;
    while let Some(&b) = bytes.get(pos) {
        if b < 0x80 {
            if !b.is_ascii_alphanumeric() {
                break;
            }
            pos += 1;
        } else {
            match text.get(pos..).and_then(|t| t.chars().next()) {
                Some(c) if c.is_alphanumeric() => pos += c.len_utf8(),
                _ => break,
            }
        }
    }
    Some((start, pos))
}

/// One cached word and its term, in one cache line.
#[derive(Clone, Copy)]
struct Slot {
    /// High bits of the word's hash.
    tag: u32,
    /// Byte length of the word; 0 = empty.
    word_len: u8,
    term_len: u8,
    word: [u8; SLOT_BYTES],
    term: [u8; SLOT_BYTES],
}

const EMPTY_SLOT: Slot = Slot {
    tag: 0,
    word_len: 0,
    term_len: 0,
    word: [0; SLOT_BYTES],
    term: [0; SLOT_BYTES],
};

/// Words stemmed before the cache's 2 MB are allocated: parsing a query or a short
/// text never pays for them, indexing does at once.
const CACHE_AFTER: u32 = 512;

/// Direct-mapped cache of word → term: a newer word takes an older one's slot.
struct StemCache {
    /// Empty until [`CACHE_AFTER`] words have missed.
    slots: Box<[Slot]>,
    misses: u32,
}

impl StemCache {
    fn new() -> StemCache {
        StemCache {
            slots: Box::default(),
            misses: 0,
        }
    }

    fn slot_of(word: &str) -> (usize, u32) {
        let h = xxh3_64(word.as_bytes());
        ((h as usize) & ((1 << CACHE_BITS) - 1), (h >> 32) as u32)
    }

    /// Appends the cached term of `word` to `out`; false when it is not cached.
    fn get(&self, word: &str, out: &mut String) -> bool {
        if word.len() > SLOT_BYTES {
            return false;
        }
        let (i, tag) = Self::slot_of(word);
        let Some(slot) = self.slots.get(i) else {
            return false;
        };
        if slot.tag != tag || usize::from(slot.word_len) != word.len() {
            return false;
        }
        if slot.word.get(..word.len()) != Some(word.as_bytes()) {
            return false;
        }
        match slot
            .term
            .get(..usize::from(slot.term_len))
            .map(std::str::from_utf8)
        {
            Some(Ok(term)) => {
                out.push_str(term);
                true
            }
            _ => false,
        }
    }

    fn put(&mut self, word: &str, term: &str) {
        if word.len() > SLOT_BYTES || term.len() > SLOT_BYTES {
            return;
        }
        if self.slots.is_empty() {
            self.misses += 1;
            if self.misses < CACHE_AFTER {
                return;
            }
            self.slots = vec![EMPTY_SLOT; 1 << CACHE_BITS].into_boxed_slice();
        }
        let (i, tag) = Self::slot_of(word);
        let Some(slot) = self.slots.get_mut(i) else {
            return;
        };
        slot.tag = tag;
        // Both lengths are at most SLOT_BYTES, checked above.
        slot.word_len = word.len() as u8;
        slot.term_len = term.len() as u8;
        slot.word[..word.len()].copy_from_slice(word.as_bytes());
        slot.term[..term.len()].copy_from_slice(term.as_bytes());
    }
}

/// The analyzer's tokenizer: split, drop long words, lowercase and stem, through the cache.
pub struct EnglishTokenizer {
    token: Token,
    stemmer: frostem::Stemmer,
    cache: StemCache,
    lower: String,
}

impl Default for EnglishTokenizer {
    fn default() -> Self {
        EnglishTokenizer {
            token: Token::default(),
            stemmer: english_stemmer(),
            cache: StemCache::new(),
            lower: String::new(),
        }
    }
}

/// A clone starts with an empty cache: tantivy clones the analyzer once per field and
/// segment writer, and each clone then fills its own.
impl Clone for EnglishTokenizer {
    fn clone(&self) -> Self {
        EnglishTokenizer::default()
    }
}

impl Tokenizer for EnglishTokenizer {
    type TokenStream<'a> = EnglishTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> EnglishTokenStream<'a> {
        self.token.reset();
        EnglishTokenStream {
            text,
            pos: 0,
            tokenizer: self,
        }
    }
}

pub struct EnglishTokenStream<'a> {
    text: &'a str,
    pos: usize,
    tokenizer: &'a mut EnglishTokenizer,
}

impl TokenStream for EnglishTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let t = &mut *self.tokenizer;
        loop {
            let Some((from, to)) = next_word(self.text, self.pos) else {
                t.token.text.clear();
                return false;
            };
            self.pos = to;
            // Positions count every word, dropped ones too, as tantivy's chain does.
            t.token.position = t.token.position.wrapping_add(1);
            if to - from >= MAX_TOKEN_BYTES {
                continue;
            }
            let word = &self.text[from..to];
            t.token.offset_from = from;
            t.token.offset_to = to;
            t.token.text.clear();
            if !t.cache.get(word, &mut t.token.text) {
                normalize_with(&t.stemmer, word, &mut t.lower, &mut t.token.text);
                t.cache.put(word, &t.token.text);
            }
            return true;
        }
    }

    fn token(&self) -> &Token {
        &self.tokenizer.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokenizer.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{
        Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
    };

    fn tantivy_chain() -> TextAnalyzer {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build()
    }

    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut out = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while let Some(t) = stream.next() {
            out.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
        }
        out
    }

    fn same_as_tantivy(texts: &[&str]) {
        let mut ours = TextAnalyzer::from(EnglishTokenizer::default());
        let mut theirs = tantivy_chain();
        // Enough distinct words that the cache is allocated, then each text twice, so the
        // second pass reads the cache.
        let warm_up: String = (0..2 * CACHE_AFTER).map(|i| format!("warm{i}s ")).collect();
        assert_eq!(tokens(&mut ours, &warm_up), tokens(&mut theirs, &warm_up));
        for _ in 0..2 {
            for text in texts {
                assert_eq!(
                    tokens(&mut ours, text),
                    tokens(&mut theirs, text),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn matches_tantivys_chain() {
        same_as_tantivy(&[
            "",
            "   ,,, ",
            "Hello, happy tax payer!",
            "Ukraine’s POW transfer: Kyiv says 1,234 prisoners were exchanged in 2024-25.",
            "ΣΊΣΥΦΟΣ Ὀδυσσεύς naïve Café DÉJÀ-VU straße İstanbul",
            "Münchener Rückversicherungs-Gesellschaft ünd Schifffahrtsgesellschaften",
            "a_very_long_word_that_goes_on_and_on_and_on_past_forty_bytes then short",
            "Supercalifragilisticexpialidociouslyyyyyy (41 bytes) and 0123456789012345678901234567890123456789x",
            "北京 2024年 東京都 서울 running runs ran 1990s 10th 3.5% $4bn",
            "tab\tnewline\nmixed\u{a0}nbsp\u{2003}emspace end",
            "internationalisations internationalizations_ 29byteswordxxxxxxxxxxxxxxx 30byteswordxxxxxxxxxxxxxxxx",
            "İİİİİİİİİİİİİİ ẞẞẞẞẞẞẞẞẞẞ ΑΣ ΣΑΣ",
        ]);
    }

    #[test]
    fn digit_runs_are_their_own_stems() {
        let stemmer = english_stemmer();
        for n in [0u64, 7, 42, 1990, 2024, 1_000_000, 9_876_543_210] {
            let s = n.to_string();
            assert_eq!(stemmer.stem(&s), s.as_str());
        }
        assert_eq!(stemmer.stem("0007"), "0007");
    }

    #[test]
    fn cache_collisions_keep_terms_right() {
        let mut ours = TextAnalyzer::from(EnglishTokenizer::default());
        let mut theirs = tantivy_chain();
        let text: String = (0..(1 << CACHE_BITS) * 3)
            .map(|i| format!("w{i}ing "))
            .collect();
        assert_eq!(tokens(&mut ours, &text), tokens(&mut theirs, &text));
    }

    #[test]
    fn the_cache_is_allocated_only_for_long_inputs() {
        let mut tok = EnglishTokenizer::default();
        let drain = |tok: &mut EnglishTokenizer, text: &str| {
            let mut stream = tok.token_stream(text);
            while stream.advance() {}
        };
        drain(&mut tok, "a short query about interest rates");
        assert!(tok.cache.slots.is_empty());
        let long: String = (0..CACHE_AFTER).map(|i| format!("word{i} ")).collect();
        drain(&mut tok, &long);
        assert_eq!(tok.cache.slots.len(), 1 << CACHE_BITS);
    }

    #[test]
    fn next_word_handles_edges() {
        assert_eq!(next_word("", 0), None);
        assert_eq!(next_word("ab", 2), None);
        assert_eq!(next_word("ab", 5), None);
        assert_eq!(next_word("  é1 x", 0), Some((2, 5)));
        assert_eq!(next_word("x—y", 1), Some((4, 5)));
    }
}
