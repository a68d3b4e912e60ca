//! Tokenizer and sentence splitter for raw article text, close to CoNLL-2003's tokens.
//!
//! Tokens are byte ranges into the original text, so mentions keep exact offsets.
//! Conventions follow the training data: possessive and contraction clitics split off
//! ("Ukraine’s" → "Ukraine" + "’s", "don't" → "do" + "n't"), hyphenated words kept whole,
//! abbreviations ("U.S.", "Gen.", "Mr.") keep their period, numbers keep inner "," and ".".

use std::ops::Range;

/// One token: a byte range into the text it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }
}

/// Lower-case abbreviations (without their period) that keep the period attached.
/// Sorted, for binary search.
const ABBREVIATIONS: &[&str] = &[
    "adm", "al", "approx", "apr", "ariz", "assn", "aug", "ave", "blvd", "brig", "bros", "calif",
    "capt", "cf", "cmdr", "co", "col", "colo", "conn", "corp", "cpl", "cpt", "dec", "dept", "det",
    "dr", "est", "etc", "feb", "fig", "fla", "ft", "ga", "gen", "gens", "gov", "govt", "hon",
    "ill", "inc", "ind", "insp", "intl", "jan", "jr", "jul", "jun", "kan", "ky", "la", "lt", "ltd",
    "maj", "mar", "mass", "md", "messrs", "mich", "minn", "miss", "mlle", "mme", "mo", "mont",
    "mr", "mrs", "ms", "mt", "neb", "nev", "no", "nov", "oct", "okla", "op", "ore", "pa", "plc",
    "pp", "pres", "prof", "pvt", "rd", "rep", "reps", "rev", "sen", "sens", "sep", "sept", "sgt",
    "sr", "st", "supt", "tenn", "tex", "univ", "va", "vol", "vs", "vt", "wash", "wis", "wyo",
];

/// Clitics split off the end of a word, written with a straight apostrophe.
const CLITICS: &[&str] = &["n't", "'s", "'re", "'ve", "'ll", "'d", "'m"];

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '’' || c == '‘'
}

/// ASCII whitespace and controls: all at or below the space, or DEL.
const SEP: u8 = 1;
/// ASCII letters and digits.
const ALNUM: u8 = 2;
/// Bytes where a chunk may split: ASCII hard punctuation, ',' ':' '-', and 0xC2 / 0xE2,
/// the lead bytes of the non-ASCII hard punctuation (see `hard_punct_len`).
const SPLIT: u8 = 4;

/// Class bits of each byte. The scanners look at bytes, not chars: UTF-8 continuation
/// bytes are never ASCII, so an ASCII byte is always a whole character.
static CLASS: [u8; 256] = byte_classes();

const fn byte_classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if b <= b' ' || b == 0x7f {
            SEP
        } else if b.is_ascii_alphanumeric() {
            ALNUM
        } else if hard_punct_len(&[b]) == 1 || matches!(b, b',' | b':' | b'-' | 0xC2 | 0xE2) {
            SPLIT
        } else {
            0
        };
        i += 1;
    }
    t
}

/// Byte length of the hard punctuation character `s` starts with, or 0 for none.
/// Always a token of its own, wherever it occurs in a word: ( ) [ ] { } " “ ” „ « » ; ! ?
/// — – … |
const fn hard_punct_len(s: &[u8]) -> usize {
    match s {
        [
            b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'"' | b';' | b'!' | b'?' | b'|',
            ..,
        ] => 1,
        // « »
        [0xC2, 0xAB | 0xBB, ..] => 2,
        // – — “ ” „ …
        [0xE2, 0x80, 0x93 | 0x94 | 0x9C | 0x9D | 0x9E | 0xA6, ..] => 3,
        _ => 0,
    }
}

/// Whether the non-ASCII character at byte `i` separates chunks, and its byte length.
fn non_ascii_separator(text: &str, i: usize) -> (bool, usize) {
    let c = text[i..].chars().next().unwrap_or(' ');
    (c.is_whitespace() || c.is_control(), c.len_utf8())
}

/// The end of the chunk running through byte `i`: the next separator or the text's end.
fn chunk_end(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if CLASS[b as usize] & SEP != 0 {
                break;
            }
            i += 1;
        } else {
            let (sep, width) = non_ascii_separator(text, i);
            if sep {
                break;
            }
            i += width;
        }
    }
    i
}

/// Splits `text` into tokens.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 5 + 1);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // ASCII bytes decide on their own; other characters are decoded.
        let b = bytes[i];
        if CLASS[b as usize] & SEP != 0 {
            i += 1;
            continue;
        }
        if b >= 0x80 {
            let (sep, width) = non_ascii_separator(text, i);
            if sep {
                i += width;
                continue;
            }
        }
        // A chunk starts. Most are plain ASCII words, one token each: no splitting.
        let start = i;
        while i < bytes.len() && CLASS[bytes[i] as usize] & ALNUM != 0 {
            i += 1;
        }
        let end = chunk_end(text, i);
        if end == i {
            out.push(Token { start, end });
        } else {
            split_chunk(text, start, end, &mut out);
        }
        i = end;
    }
    out
}

/// Splits one whitespace-free chunk at punctuation that is always separate.
fn split_chunk(text: &str, start: usize, end: usize, out: &mut Vec<Token>) {
    let bytes = text.as_bytes();
    let mut piece_start = start;
    let mut i = start;
    while i < end {
        let b = bytes[i];
        if CLASS[b as usize] & SPLIT == 0 {
            i += 1;
            continue;
        }
        // The neighbouring characters within the chunk, as bytes: only ASCII digits and
        // '-' matter, and a multi-byte character has no ASCII byte.
        let prev = if i > start { bytes[i - 1] } else { 0 };
        let next = if i + 1 < end { bytes[i + 1] } else { 0 };
        let width = match b {
            // Kept inside numbers: "12,000", "10:30".
            b',' | b':' => usize::from(!(prev.is_ascii_digit() && next.is_ascii_digit())),
            b'-' => usize::from(prev == b'-' || next == b'-'),
            _ => hard_punct_len(&bytes[i..end]),
        };
        if width == 0 {
            i += 1;
            continue;
        }
        if piece_start < i {
            split_piece(text, piece_start, i, out);
        }
        // A run of "--" becomes one token.
        if b == b'-' && prev == b'-' {
            if let Some(last) = out.last_mut() {
                last.end = i + 1;
            }
        } else {
            out.push(Token {
                start: i,
                end: i + width,
            });
        }
        i += width;
        piece_start = i;
    }
    if piece_start < end {
        split_piece(text, piece_start, end, out);
    }
}

/// Peels quotes, periods and clitics off a piece that holds no hard punctuation.
fn split_piece(text: &str, start: usize, end: usize, out: &mut Vec<Token>) {
    // Without an apostrophe (' or ’ ‘, whose UTF-8 starts with 0xE2) there are no quotes
    // or clitics to peel, only trailing periods: the common "said," "said." and "U.S.".
    let bytes = &text.as_bytes()[start..end];
    if !bytes.iter().any(|&b| b == b'\'' || b == 0xE2) {
        let dots = bytes.iter().rev().take_while(|&&b| b == b'.').count();
        let core = end - dots;
        if dots == 0 || core == start || (dots == 1 && is_abbreviation(&text[start..core])) {
            out.push(Token { start, end });
        } else {
            out.push(Token { start, end: core });
            out.push(Token { start: core, end });
        }
        return;
    }
    peel(text, start, end, out);
}

/// [`split_piece`] for a piece with an apostrophe: opening quotes, closing quotes and
/// trailing periods, then a clitic.
fn peel(text: &str, mut start: usize, mut end: usize, out: &mut Vec<Token>) {
    // A clitic written on its own ("'s") stays whole.
    if is_clitic(&text[start..end]) {
        out.push(Token { start, end });
        return;
    }
    // Leading apostrophes are opening quotes unless they start a year ("'90s").
    while start < end {
        let c = first_char(&text[start..end]);
        let rest = &text[start + c.len_utf8()..end];
        if is_apostrophe(c) && !rest.starts_with(|n: char| n.is_ascii_digit()) {
            out.push(Token {
                start,
                end: start + c.len_utf8(),
            });
            start += c.len_utf8();
        } else {
            break;
        }
    }
    // Trailing tokens go to `out` first (innermost last), then the core; one rotation
    // and reversal put them in text order without a buffer of their own.
    let mark = out.len();
    loop {
        if start >= end {
            break;
        }
        let piece = &text[start..end];
        let last = last_char(piece);
        if is_apostrophe(last) {
            // A closing quote or a plural possessive ("workers'"): its own token.
            let l = last.len_utf8();
            out.push(Token {
                start: end - l,
                end,
            });
            end -= l;
            continue;
        }
        if last == '.' {
            let core = piece.trim_end_matches('.');
            let dots = piece.len() - core.len();
            if core.is_empty() {
                break;
            }
            if dots == 1 && is_abbreviation(core) {
                break;
            }
            out.push(Token {
                start: end - dots,
                end,
            });
            end -= dots;
            continue;
        }
        break;
    }
    let n_tail = out.len() - mark;
    if start < end {
        let piece = &text[start..end];
        match clitic_split(piece) {
            Some(at) if at > 0 => {
                out.push(Token {
                    start,
                    end: start + at,
                });
                out.push(Token {
                    start: start + at,
                    end,
                });
            }
            _ => out.push(Token { start, end }),
        }
    }
    if n_tail > 0 {
        let moved = &mut out[mark..];
        moved.rotate_left(n_tail);
        let len = moved.len();
        moved[len - n_tail..].reverse();
    }
}

fn first_char(s: &str) -> char {
    s.chars().next().unwrap_or(' ')
}

fn last_char(s: &str) -> char {
    s.chars().next_back().unwrap_or(' ')
}

fn is_abbreviation(core: &str) -> bool {
    // "U.S", "e.g", "a.m": inner periods between letters.
    if core.bytes().any(|b| b == b'.')
        && core
            .split('.')
            .all(|p| !p.is_empty() && p.chars().count() <= 3)
    {
        return true;
    }
    // An initial: "J".
    let mut chars = core.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return c.is_alphabetic();
    }
    // This runs for most words before a period: compare numbers, not strings.
    core.len() <= 6
        && ABBREVIATION_KEYS
            .binary_search(&abbreviation_key(core.as_bytes()))
            .is_ok()
}

/// `ABBREVIATIONS` as `abbreviation_key`s, in the same (sorted) order.
static ABBREVIATION_KEYS: [u64; ABBREVIATIONS.len()] = {
    let mut keys = [0; ABBREVIATIONS.len()];
    let mut i = 0;
    while i < keys.len() {
        keys[i] = abbreviation_key(ABBREVIATIONS[i].as_bytes());
        i += 1;
    }
    keys
};

/// A word of at most six bytes as a number: its bytes lower-cased (ASCII) and big-endian,
/// so keys sort as the words do, then its length, so the zero padding of a short word
/// never matches a longer word's zero byte.
const fn abbreviation_key(word: &[u8]) -> u64 {
    let mut key = 0;
    let mut i = 0;
    while i < 6 {
        let b = if i < word.len() {
            word[i].to_ascii_lowercase()
        } else {
            0
        };
        key = key << 8 | b as u64;
        i += 1;
    }
    key << 8 | word.len() as u64
}

fn is_clitic(s: &str) -> bool {
    clitic_split(s) == Some(0)
}

/// Byte offset where a trailing clitic starts, if `piece` ends with one.
fn clitic_split(piece: &str) -> Option<usize> {
    // Every clitic holds an apostrophe: most pieces have none.
    if !piece.contains(is_apostrophe) {
        return None;
    }
    for clitic in CLITICS {
        let n = clitic.len();
        if piece.len() < n {
            continue;
        }
        // Compare with ’ or ‘ read as ', case-insensitively.
        let mut pc = piece.char_indices().rev();
        let mut cc = clitic.chars().rev();
        let mut at = None;
        loop {
            match (cc.next(), pc.next()) {
                (None, _) => break,
                (Some(_), None) => {
                    at = None;
                    break;
                }
                (Some(c), Some((i, p))) => {
                    let p = if is_apostrophe(p) {
                        '\''
                    } else {
                        p.to_ascii_lowercase()
                    };
                    if p != c {
                        at = None;
                        break;
                    }
                    at = Some(i);
                }
            }
        }
        if let Some(i) = at {
            // "n't" needs a word before it; "'s" may stand alone.
            if *clitic == "n't" && i == 0 {
                continue;
            }
            return Some(i);
        }
    }
    None
}

/// Groups tokens into sentences: token index ranges.
///
/// A sentence ends after ".", "!", "?" or "..." (with any closing quotes or brackets)
/// unless the next word starts in lower case, and always at a line break.
pub fn sentences(text: &str, tokens: &[Token]) -> Vec<Range<usize>> {
    const MAX_LEN: usize = 250;
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < tokens.len() {
        if i == start
            && let Some(end) = dateline_sentences(text, tokens, i, &mut out)
        {
            i = end;
            start = i;
            continue;
        }
        let mut end_here = false;
        let mut j = i + 1;
        if is_stop(bytes, tokens[i]) {
            while j < tokens.len()
                && is_closer(tokens[j].text(text))
                && tokens[j - 1].end == tokens[j].start
            {
                j += 1;
            }
            end_here = match tokens.get(j) {
                None => true,
                Some(n) => !n.text(text).starts_with(|c: char| c.is_lowercase()),
            };
        }
        if !end_here && j < tokens.len() && newline_between(bytes, tokens[j - 1], tokens[j]) {
            end_here = true;
        }
        if !end_here && j - start >= MAX_LEN {
            end_here = true;
        }
        if end_here || j >= tokens.len() {
            out.push(start..j);
            start = j;
        }
        i = j;
    }
    out
}

/// ".", "!", "?", "..." or "…". This runs for every token: the length decides first.
fn is_stop(bytes: &[u8], t: Token) -> bool {
    match t.end - t.start {
        1 => matches!(bytes[t.start], b'.' | b'!' | b'?'),
        3 => matches!(&bytes[t.start..t.end], b"..." | b"\xE2\x80\xA6"),
        _ => false,
    }
}

/// A line break between two tokens. The gap is almost always empty or one space: those
/// are decided without a `memchr` call.
fn newline_between(bytes: &[u8], a: Token, b: Token) -> bool {
    match &bytes[a.end..b.start] {
        [] => false,
        [c] => *c == b'\n',
        gap => gap.contains(&b'\n'),
    }
}

fn is_dash(t: &str) -> bool {
    matches!(t, "-" | "--" | "—" | "–")
}

fn is_caps_word(t: &str) -> bool {
    t.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !t.chars().any(char::is_lowercase)
}

/// The sentences of a wire dateline at token `i` ("NEW YORK (Reuters) -"): the place and
/// the credit are sentences of their own, as datelines are in the training data. Pushes
/// them to `out` and returns the index of the token after the dateline.
fn dateline_sentences(
    text: &str,
    tokens: &[Token],
    i: usize,
    out: &mut Vec<Range<usize>>,
) -> Option<usize> {
    let (place_end, end) = dateline(text, &tokens[i..])?;
    out.push(i..i + place_end);
    out.push(i + place_end..i + end);
    Some(i + end)
}

/// A wire dateline at the start of `tokens`: ALL-CAPS place words (a comma and a state or
/// country may follow), then "(Agency)" and a dash. Returns where the place ends and where
/// the dateline ends.
fn dateline(text: &str, tokens: &[Token]) -> Option<(usize, usize)> {
    let t = |i: usize| tokens.get(i).map(|x| x.text(text));
    if !t(0).is_some_and(is_caps_word) {
        return None;
    }
    let mut k = 1;
    while k < 8 {
        match t(k) {
            Some(w) if is_caps_word(w) || w == "," => k += 1,
            Some(w) if t(k - 1) == Some(",") && w.starts_with(char::is_uppercase) => k += 1,
            _ => break,
        }
    }
    if t(k) == Some("(") && t(k + 2) == Some(")") && t(k + 3).is_some_and(is_dash) {
        return Some((k, k + 4));
    }
    None
}

fn is_closer(t: &str) -> bool {
    matches!(t, "\"" | "”" | "’" | "'" | ")" | "]" | "}" | "»")
}

/// The tokenizer and sentence splitter as they were before the byte-level scanners, kept
/// verbatim to prove the fast code gives identical output. Helpers the rewrite left alone
/// (`clitic_split`, `dateline_sentences`, `is_closer`, ...) are shared; the abbreviation list was
/// only sorted, and `contains` ignores order.
#[cfg(test)]
mod reference {
    // The old `split_piece` is today's `peel`, which the fast path of `split_piece` leaves
    // out; it reads today's `is_abbreviation`, which is checked against the old one below.
    use super::peel as split_piece;
    use super::{ABBREVIATIONS, Token, dateline_sentences, is_closer};
    use std::ops::Range;

    /// Punctuation that is always a token of its own, wherever it occurs in a word.
    pub fn is_hard_punct(c: char) -> bool {
        matches!(
            c,
            '(' | ')'
                | '['
                | ']'
                | '{'
                | '}'
                | '"'
                | '“'
                | '”'
                | '„'
                | '«'
                | '»'
                | ';'
                | '!'
                | '?'
                | '—'
                | '–'
                | '…'
                | '|'
        )
    }

    /// Splits `text` into tokens.
    pub fn tokenize(text: &str) -> Vec<Token> {
        let mut out = Vec::with_capacity(text.len() / 5 + 1);
        let mut chunk_start = None;
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // ASCII bytes decide on their own (whitespace and controls are all at or below
            // the space, or DEL); other characters are decoded.
            let b = bytes[i];
            let (sep, width) = if b < 0x80 {
                (b <= b' ' || b == 0x7f, 1)
            } else {
                let c = text[i..].chars().next().unwrap_or(' ');
                (c.is_whitespace() || c.is_control(), c.len_utf8())
            };
            if sep {
                if let Some(s) = chunk_start.take() {
                    split_chunk(text, s, i, &mut out);
                }
            } else if chunk_start.is_none() {
                chunk_start = Some(i);
            }
            i += width;
        }
        if let Some(s) = chunk_start {
            split_chunk(text, s, text.len(), &mut out);
        }
        out
    }

    /// Splits one whitespace-free chunk at punctuation that is always separate.
    fn split_chunk(text: &str, start: usize, end: usize, out: &mut Vec<Token>) {
        let chunk = &text[start..end];
        if chunk.is_ascii() && chunk.bytes().all(|b| b.is_ascii_alphanumeric()) {
            out.push(Token { start, end });
            return;
        }
        let mut piece_start = start;
        let mut prev: Option<char> = None;
        let mut iter = chunk.char_indices().peekable();
        while let Some((off, c)) = iter.next() {
            let i = start + off;
            let next = iter.peek().map(|&(_, n)| n);
            let digit_flanked = prev.is_some_and(|p| p.is_ascii_digit())
                && next.is_some_and(|n| n.is_ascii_digit());
            let split = is_hard_punct(c)
                || ((c == ',' || c == ':') && !digit_flanked)
                || (c == '-' && next == Some('-'))
                || (c == '-' && prev == Some('-'));
            if split {
                if piece_start < i {
                    split_piece(text, piece_start, i, out);
                }
                // A run of "--" becomes one token.
                if c == '-' && prev == Some('-') {
                    if let Some(last) = out.last_mut() {
                        last.end = i + 1;
                    }
                } else {
                    out.push(Token {
                        start: i,
                        end: i + c.len_utf8(),
                    });
                }
                piece_start = i + c.len_utf8();
            }
            prev = Some(c);
        }
        if piece_start < end {
            split_piece(text, piece_start, end, out);
        }
    }

    pub fn is_abbreviation(core: &str) -> bool {
        // "U.S", "e.g", "a.m": inner periods between letters.
        if core.contains('.')
            && core
                .split('.')
                .all(|p| !p.is_empty() && p.chars().count() <= 3)
        {
            return true;
        }
        // An initial: "J".
        let mut chars = core.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return c.is_alphabetic();
        }
        if core.len() > 6 {
            return false;
        }
        let lower = core.to_ascii_lowercase();
        ABBREVIATIONS.contains(&lower.as_str())
    }

    /// Groups tokens into sentences: token index ranges.
    ///
    /// A sentence ends after ".", "!", "?" or "..." (with any closing quotes or brackets)
    /// unless the next word starts in lower case, and always at a line break.
    pub fn sentences(text: &str, tokens: &[Token]) -> Vec<Range<usize>> {
        const MAX_LEN: usize = 250;
        let mut out = Vec::new();
        let mut start = 0;
        let mut i = 0;
        while i < tokens.len() {
            if i == start
                && let Some(end) = dateline_sentences(text, tokens, i, &mut out)
            {
                i = end;
                start = i;
                continue;
            }
            let t = tokens[i].text(text);
            let mut end_here = false;
            let mut j = i + 1;
            if matches!(t, "." | "!" | "?" | "..." | "…") {
                while j < tokens.len()
                    && is_closer(tokens[j].text(text))
                    && tokens[j - 1].end == tokens[j].start
                {
                    j += 1;
                }
                end_here = match tokens.get(j) {
                    None => true,
                    Some(n) => !n.text(text).starts_with(|c: char| c.is_lowercase()),
                };
            }
            if !end_here && j < tokens.len() && gap_has_newline(text, &tokens[j - 1], &tokens[j]) {
                end_here = true;
            }
            if !end_here && j - start >= MAX_LEN {
                end_here = true;
            }
            if end_here || j >= tokens.len() {
                out.push(start..j);
                start = j;
            }
            i = j;
        }
        out
    }

    fn gap_has_newline(text: &str, a: &Token, b: &Token) -> bool {
        text[a.end..b.start].contains('\n')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<&str> {
        tokenize(text).iter().map(|t| t.text(text)).collect()
    }

    #[test]
    fn possessives_and_curly_quotes() {
        assert_eq!(toks("Ukraine’s army"), ["Ukraine", "’s", "army"]);
        assert_eq!(toks("Italy's coast"), ["Italy", "'s", "coast"]);
        assert_eq!(
            toks("“Hello,” she said."),
            ["“", "Hello", ",", "”", "she", "said", "."]
        );
        assert_eq!(toks("the workers' union"), ["the", "workers", "'", "union"]);
        assert_eq!(toks("They don't know"), ["They", "do", "n't", "know"]);
        assert_eq!(toks("'quoted'"), ["'", "quoted", "'"]);
    }

    #[test]
    fn hyphens_numbers_abbreviations() {
        assert_eq!(
            toks("Minister Cho Tae-yul said"),
            ["Minister", "Cho", "Tae-yul", "said"]
        );
        assert_eq!(
            toks("around 12,000 troops, 3.5 pct."),
            ["around", "12,000", "troops", ",", "3.5", "pct", "."]
        );
        assert_eq!(
            toks("the U.S. and Gen. Smith met Mr. Jones."),
            [
                "the", "U.S.", "and", "Gen.", "Smith", "met", "Mr.", "Jones", "."
            ]
        );
        assert_eq!(
            toks("at 10:30 on Monday: fine"),
            ["at", "10:30", "on", "Monday", ":", "fine"]
        );
        assert_eq!(
            toks("peace -- or war (maybe)!"),
            ["peace", "--", "or", "war", "(", "maybe", ")", "!"]
        );
        assert_eq!(toks("east—west"), ["east", "—", "west"]);
    }

    #[test]
    fn offsets_point_into_text() {
        let text = "  Kýiv’s mayor,\tVitali.";
        for t in tokenize(text) {
            assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
            assert!(!t.text(text).trim().is_empty());
        }
        assert_eq!(toks(text), ["Kýiv", "’s", "mayor", ",", "Vitali", "."]);
    }

    /// Each sentence as its tokens joined by spaces.
    fn sentence_texts(text: &str) -> Vec<String> {
        let tokens = tokenize(text);
        sentences(text, &tokens)
            .into_iter()
            .map(|r| {
                tokens[r]
                    .iter()
                    .map(|t| t.text(text))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn sentence_split() {
        let text = "He met Mr. Smith in the U.S. on Friday. They talked. \"Good,\" he said.\nNew line here";
        let sents = sentence_texts(text);
        assert_eq!(
            sents,
            [
                "He met Mr. Smith in the U.S. on Friday .",
                "They talked .",
                "\" Good , \" he said .",
                "New line here"
            ]
        );
    }

    fn check_invariants(text: &str) {
        let tokens = tokenize(text);
        let mut prev_end = 0;
        for t in &tokens {
            assert!(t.start >= prev_end && t.start < t.end && t.end <= text.len());
            assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
            assert!(
                !t.text(text).chars().any(char::is_whitespace),
                "{:?}",
                t.text(text)
            );
            prev_end = t.end;
        }
        // Every non-space character is in some token.
        let covered: usize = tokens.iter().map(|t| t.text(text).chars().count()).sum();
        let visible = text
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .count();
        assert_eq!(covered, visible);
        // Sentences tile the tokens in order.
        let mut next = 0;
        for r in sentences(text, &tokens) {
            assert_eq!(r.start, next);
            assert!(r.end > r.start);
            next = r.end;
        }
        assert_eq!(next, tokens.len());
    }

    proptest::proptest! {
        #[test]
        fn tokens_tile_any_text(text in "\\PC{0,200}") {
            check_invariants(&text);
        }

        #[test]
        fn tokens_tile_newsy_text(text in "[A-Za-z0-9 .,;:!?'’‘“”\"()\\-—–\n$%ýé]{0,200}") {
            check_invariants(&text);
        }
    }

    #[test]
    fn datelines_are_sentences_of_their_own() {
        let text = "ANCHORAGE, Alaska (Reuters) - Acme Corp offered to pay. PARIS (AFP) -- More.";
        let sents = sentence_texts(text);
        assert_eq!(
            sents,
            [
                "ANCHORAGE , Alaska",
                "( Reuters ) -",
                "Acme Corp offered to pay .",
                "PARIS",
                "( AFP ) --",
                "More ."
            ]
        );
    }

    /// `text` through the tokenizer and sentence splitter, and through the reference.
    fn check_same_as_reference(text: &str) {
        let tokens = tokenize(text);
        assert_eq!(tokens, reference::tokenize(text), "tokens of {text:?}");
        assert_eq!(
            sentences(text, &tokens),
            reference::sentences(text, &tokens),
            "sentences of {text:?}"
        );
    }

    #[test]
    fn seed_article_same_as_reference() {
        let text = include_str!("../../seeds/000_d5240dadc151992f.txt");
        check_same_as_reference(text);
        assert!(tokenize(text).len() > 100);
    }

    #[test]
    fn hard_punct_bytes_match_chars() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let mut buf = [0u8; 4];
            let s = c.encode_utf8(&mut buf).as_bytes();
            let want = if reference::is_hard_punct(c) {
                s.len()
            } else {
                0
            };
            assert_eq!(hard_punct_len(s), want, "{c:?}");
        }
    }

    #[test]
    fn abbreviations_sorted() {
        assert!(ABBREVIATIONS.windows(2).all(|w| w[0] < w[1]));
        assert!(ABBREVIATIONS.iter().all(|a| a.len() <= 6));
        assert!(ABBREVIATION_KEYS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn abbreviations_same_as_reference() {
        for a in ABBREVIATIONS {
            for word in [
                a.to_string(),
                a.to_uppercase(),
                format!("{a}x"),
                format!("x{a}"),
            ] {
                assert_eq!(
                    is_abbreviation(&word),
                    reference::is_abbreviation(&word),
                    "{word}"
                );
            }
        }
        for word in [
            "",
            "J",
            "é",
            "Ж",
            "U.S",
            "e.g",
            "a.b.cdef",
            "mr\0",
            "M\u{212A}",
            "Gen",
        ] {
            assert_eq!(
                is_abbreviation(word),
                reference::is_abbreviation(word),
                "{word}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn same_as_reference_newsy(
            text in "[A-Za-z0-9.,:;'\"()!?\\- \n\t’‘“”—–éýЖ中…«»|$]{0,120}"
        ) {
            check_same_as_reference(&text);
        }

        /// Words drawn from a small vocabulary, so abbreviations, clitics, "--" runs,
        /// datelines and sentence ends come up often.
        #[test]
        fn same_as_reference_words(words in proptest::collection::vec(
            "(U\\.S\\.|Mr\\.|GEN\\.|e\\.g\\.|J\\.|said[.,:]|don't|Ukraine’s|workers'|'90s|'s|\
              12,000|10:30|3\\.5|--|---|-|—|NEW|YORK|\\(Reuters\\)|\\(|\\)|\"|“|”|'|’|‘|\\.\\.\\.|…|\
              [.!?]|[a-zA-Z]{1,7}|Kýiv|Жук|中国|x\u{a0}y|\u{2003}|\u{85}|[ \n\t]{1,2})",
            0..60,
        )) {
            check_same_as_reference(&words.join(""));
            check_same_as_reference(&words.join(" "));
        }

        #[test]
        fn abbreviation_same_as_reference(word in "[a-zA-Z.\0é]{0,8}") {
            proptest::prop_assert_eq!(is_abbreviation(&word), reference::is_abbreviation(&word));
        }

        #[test]
        fn same_as_reference_any_text(text in "\\PC{0,200}") {
            check_same_as_reference(&text);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Long texts with few sentence ends, so sentences reach the 250-token limit.
        #[test]
        fn same_as_reference_long(words in proptest::collection::vec(
            proptest::prop_oneof![
                400 => "[a-z]{1,5}",
                20 => "(said|Mr\\.|U\\.S\\.|,|\"|\\))",
                1 => "(\\.|!|\\.\"|\n)",
            ],
            200..900,
        )) {
            check_same_as_reference(&words.join(" "));
        }
    }
}
