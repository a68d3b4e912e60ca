//! Ingest: walking paths, detecting formats and parsing files into `Article`s.
//!
//! The stage is split so the index can decide what to re-parse: [`walk`] lists the
//! files under the roots with their size and mtime, [`read_raw`] and [`content_hash`]
//! give the bytes and their hash, and [`parse`] streams the articles of one file to a
//! sink. Nothing here is fatal to a run: a bad file, line or record becomes a
//! [`Problem`] naming the path (and line, where known), and the rest goes on.
//!
//! Formats are recognised by content, not by name: gzip by its magic bytes, WARC by
//! its `WARC/1.` line, JSON and JSON Lines by a leading `{` or `[`, markup by its root
//! element (`<rss>`, `<feed>`, `<rdf:RDF>` are feeds; a doctype, `<html>` or an HTML
//! element is a page; other XML is unsupported), anything else is plain text. Binary
//! content and other compressors are reported as unsupported rather than read as text.
//! The file name only decides which files a directory walk picks up and breaks ties
//! (`.jsonl` is read line by line even when its first line is broken; a `.txt` starting
//! with `[Update]` or `<b>` stays text, one starting with `<!DOCTYPE html` is a page).

mod date;
mod feed;
mod gz;
mod html;
mod json;
mod txt;
mod walk;
mod warc;

use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

use crate::article::Article;

pub use date::parse_date;
pub use walk::walk;

/// A file found by [`walk`], with what reindexing needs to tell whether it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The path as walked: the root joined with the relative part.
    pub path: PathBuf,
    /// The path relative to the ingested root, `/`-separated; for a root that is itself
    /// a file, its file name. Ids of articles without their own id derive from it.
    pub rel: String,
    /// Size in bytes, as stat reported it during the walk.
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch (negative before it).
    pub mtime_ns: i64,
}

/// What kind of trouble a [`Problem`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// The file or folder could not be read (permissions, vanished, broken link).
    Unreadable,
    /// A symbolic link points back to one of its own ancestors.
    Loop,
    /// The content does not follow its format (bad JSON, corrupt or truncated gzip).
    Malformed,
    /// A record has neither title nor body.
    NoText,
    /// Bytes that are not UTF-8 were replaced by U+FFFD; the file is still ingested.
    InvalidUtf8,
    /// A binary or compressed format newsdex does not read.
    Unsupported,
    /// A date that could not be read; the article is kept without a date.
    BadDate,
}

impl ProblemKind {
    /// A short label for summaries, e.g. "3 malformed, 1 no text".
    pub fn label(&self) -> &'static str {
        match self {
            ProblemKind::Unreadable => "unreadable",
            ProblemKind::Loop => "symlink loop",
            ProblemKind::Malformed => "malformed",
            ProblemKind::NoText => "no text",
            ProblemKind::InvalidUtf8 => "invalid utf-8",
            ProblemKind::Unsupported => "unsupported",
            ProblemKind::BadDate => "bad date",
        }
    }

    /// True when the article (or file) was still ingested and the problem is only
    /// worth a warning.
    pub fn is_warning(&self) -> bool {
        matches!(self, ProblemKind::InvalidUtf8 | ProblemKind::BadDate)
    }
}

/// Something wrong with one file, line or record; reported, counted, never fatal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    /// 1-based line number, where the format has lines and the problem has one.
    pub line: Option<usize>,
    pub kind: ProblemKind,
    /// Lowercase, no trailing period, offending values quoted.
    pub message: String,
}

impl Problem {
    pub fn new(
        path: impl Into<PathBuf>,
        line: Option<usize>,
        kind: ProblemKind,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            path: path.into(),
            line,
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path.display(), line, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for Problem {}

/// Reads the raw, possibly compressed, bytes of a file.
pub fn read_raw(file: &SourceFile) -> Result<Vec<u8>, Problem> {
    std::fs::read(&file.path).map_err(|e| {
        Problem::new(
            &file.path,
            None,
            ProblemKind::Unreadable,
            format!("cannot read file: {}", io_message(&e)),
        )
    })
}

/// The content hash stored in the index: xxh3-64 of the raw bytes.
pub fn content_hash(raw: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(raw)
}

/// How many decompressed bytes are looked at to tell the format and spot binaries.
const SNIFF_LEN: u64 = 8 * 1024;

/// Streams the articles of one file to `sink`, interleaved with the problems met.
///
/// gzip is recognised by its magic bytes and decompressed as a stream; JSON Lines is
/// read line by line, so a large file is never held whole in memory. Warnings
/// ([`ProblemKind::is_warning`]) come before the article they concern.
pub fn parse(file: &SourceFile, raw: &[u8], sink: &mut dyn FnMut(Result<Article, Problem>)) {
    let hint = FormatHint::from_name(&file.rel);
    if let Some(what) = sniff_unsupported_compression(raw) {
        sink(Err(Problem::new(
            &file.path,
            None,
            ProblemKind::Unsupported,
            format!("unsupported format: {what}"),
        )));
        return;
    }
    let gzip = gz::is_gzip(raw);
    if !gzip {
        return parse_stream(file, hint, &mut &raw[..], false, sink);
    }
    if hint == FormatHint::Warc || gzip_starts_warc(raw) {
        // Member by member, so a damaged record loses only itself.
        let mut members = warc::MemberReader::new(raw);
        return parse_stream(file, hint, &mut members, true, sink);
    }
    gz::with_decoder(raw, |decoded| parse_stream(file, hint, decoded, true, sink));
}

/// [`parse`] on the decompressed content.
fn parse_stream(
    file: &SourceFile,
    hint: FormatHint,
    decoded: &mut dyn Read,
    gzip: bool,
    sink: &mut dyn FnMut(Result<Article, Problem>),
) {
    let mut input = BufReader::with_capacity(256 * 1024, decoded);

    // Look at the first few KB to tell the format, then read on from where we were.
    let mut head = Vec::with_capacity(SNIFF_LEN as usize);
    let mut damaged = false;
    if let Err(e) = input.by_ref().take(SNIFF_LEN).read_to_end(&mut head) {
        sink(Err(gz::read_problem(file, None, &e, gzip)));
        if head.is_empty() {
            return;
        }
        damaged = true;
    }
    if head.contains(&0) {
        sink(Err(Problem::new(
            &file.path,
            None,
            ProblemKind::Unsupported,
            "binary content (nul bytes), not an article format",
        )));
        return;
    }
    let bom = if head.starts_with(BOM) { BOM.len() } else { 0 };
    // Telling one long JSON object from the first of many needs the whole first line.
    if !damaged && head.len() as u64 == SNIFF_LEN && first_line_is_open_object(&head[bom..]) {
        // And a little of what follows, to see whether another value comes.
        let read = input
            .read_until(b'\n', &mut head)
            .and_then(|_| input.by_ref().take(SNIFF_LEN).read_to_end(&mut head));
        if let Err(e) = read {
            sink(Err(gz::read_problem(file, Some(1), &e, gzip)));
            damaged = true;
        }
    }
    let format = detect(hint, &head[bom..]);
    let mut head = std::io::Cursor::new(head);
    head.set_position(bom as u64);
    let rest: Box<dyn BufRead + '_> = if damaged && format != Format::Warc {
        // Whatever was decompressed before the damage is still worth parsing.
        Box::new(std::io::empty())
    } else {
        Box::new(input)
    };
    let mut reader = head.chain(rest);

    let mut ctx = Ctx {
        file,
        sink,
        gzip,
        utf8_reported: false,
    };
    match format {
        Format::Text => txt::parse(&mut ctx, &mut reader),
        Format::JsonLines => json::parse_lines(&mut ctx, &mut reader),
        Format::JsonDocument => json::parse_document(&mut ctx, &mut reader),
        Format::Html => html::parse(&mut ctx, &mut reader),
        Format::Feed => feed::parse(&mut ctx, &mut reader),
        Format::Warc => warc::parse(&mut ctx, &mut reader),
        Format::Markup => ctx.problem(
            None,
            ProblemKind::Unsupported,
            "xml document is neither a feed (rss, atom, rdf) nor an html page",
        ),
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Whether gzip data decompresses to a WARC record (`.warc.gz` under another name).
fn gzip_starts_warc(raw: &[u8]) -> bool {
    let mut head = [0u8; 7];
    flate2::bufread::GzDecoder::new(raw)
        .read_exact(&mut head)
        .is_ok()
        && warc::starts_warc(&head)
}

/// True when the content starts with `{` and its first line does not end in `head`.
fn first_line_is_open_object(head: &[u8]) -> bool {
    let start = head.iter().position(|b| !b.is_ascii_whitespace());
    start.is_some_and(|s| head[s] == b'{' && !head[s..].contains(&b'\n'))
}

/// Shared state of one [`parse`] call: where records go and what was reported.
pub(crate) struct Ctx<'a, 'b> {
    pub file: &'a SourceFile,
    pub sink: &'b mut dyn FnMut(Result<Article, Problem>),
    /// Whether the raw bytes were gzip, so read errors can say so.
    pub gzip: bool,
    utf8_reported: bool,
}

impl Ctx<'_, '_> {
    pub fn problem(&mut self, line: Option<usize>, kind: ProblemKind, message: impl Into<String>) {
        let problem = Problem::new(&self.file.path, line, kind, message);
        (self.sink)(Err(problem));
    }

    pub fn article(&mut self, article: Article) {
        (self.sink)(Ok(article));
    }

    /// The path for `Article::path`.
    pub fn path_string(&self) -> String {
        self.file.path.to_string_lossy().into_owned()
    }

    /// Decodes `bytes` as UTF-8, lossily; the first invalid sequence of the file is
    /// reported once as a warning. `line` is the line `bytes` starts on.
    pub fn decode<'s>(
        &mut self,
        bytes: &'s [u8],
        line: Option<usize>,
    ) -> std::borrow::Cow<'s, str> {
        match std::str::from_utf8(bytes) {
            Ok(s) => std::borrow::Cow::Borrowed(s),
            Err(e) => {
                if !self.utf8_reported {
                    self.utf8_reported = true;
                    let line = line.map(|l| {
                        l + bytes[..e.valid_up_to()]
                            .iter()
                            .filter(|&&b| b == b'\n')
                            .count()
                    });
                    let bad = &bytes[e.valid_up_to()..];
                    let bad = &bad[..bad.len().min(e.error_len().unwrap_or(bad.len()).min(4))];
                    let hex: Vec<String> = bad.iter().map(|b| format!("{b:#04x}")).collect();
                    self.problem(
                        line,
                        ProblemKind::InvalidUtf8,
                        format!(
                            "invalid utf-8 (byte {} at offset {}), decoded lossily",
                            hex.join(" "),
                            e.valid_up_to()
                        ),
                    );
                }
                String::from_utf8_lossy(bytes)
            }
        }
    }

    /// Reports an I/O error met while reading the (decompressed) content.
    pub fn read_error(&mut self, line: Option<usize>, err: &std::io::Error) {
        let problem = gz::read_problem(self.file, line, err, self.gzip);
        (self.sink)(Err(problem));
    }
}

/// What the file name suggests, once a `.gz` suffix is set aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FormatHint {
    Text,
    Json,
    JsonLines,
    Html,
    Feed,
    Warc,
    Unknown,
}

impl FormatHint {
    fn from_name(name: &str) -> Self {
        let name = name.rsplit('/').next().unwrap_or(name);
        let lower = name.to_ascii_lowercase();
        let stem = lower.strip_suffix(".gz").unwrap_or(&lower);
        match stem.rsplit_once('.').map(|(_, ext)| ext) {
            Some("txt" | "text") => FormatHint::Text,
            Some("json") => FormatHint::Json,
            Some("jsonl" | "ndjson") => FormatHint::JsonLines,
            Some("html" | "htm" | "xhtml") => FormatHint::Html,
            Some("rss" | "atom" | "xml" | "rdf") => FormatHint::Feed,
            Some("warc") => FormatHint::Warc,
            _ => FormatHint::Unknown,
        }
    }
}

/// Extensions a directory walk picks up (each also with `.gz`).
pub(crate) fn has_supported_extension(name: &str) -> bool {
    FormatHint::from_name(name) != FormatHint::Unknown
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    JsonDocument,
    JsonLines,
    Html,
    /// RSS 2.0, RSS 1.0 (RDF) or Atom.
    Feed,
    Warc,
    /// XML that is neither a feed nor HTML: not read, and not to be taken for text.
    Markup,
}

/// Tells the format from the first bytes of the decompressed content.
fn detect(hint: FormatHint, head: &[u8]) -> Format {
    if hint == FormatHint::Warc || warc::starts_warc(head) {
        return Format::Warc;
    }
    let Some(start) = head.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Format::Text;
    };
    let first = head[start];
    if first == b'<' && looks_like_markup(&head[start..]) {
        let root = markup_root(&head[start..]);
        match (hint, root) {
            // A text article may start with "<b>"; only a whole page is HTML.
            (FormatHint::Text, Root::Html { explicit: true }) => return Format::Html,
            (FormatHint::Text, _) => return Format::Text,
            (_, Root::Feed) => return Format::Feed,
            (_, Root::Html { .. }) | (FormatHint::Html, _) => return Format::Html,
            _ => return Format::Markup,
        }
    }
    if first != b'{' && first != b'[' {
        return Format::Text;
    }
    // A text article may well start with "[Update]"; only a bracket that opens JSON
    // counts, unless the name says JSON.
    let json_name = matches!(hint, FormatHint::Json | FormatHint::JsonLines);
    if !json_name && !opens_json(&head[start..]) {
        return Format::Text;
    }
    let first_line = first_line(&head[start..]);
    let trimmed = first_line.trim_ascii();
    if hint == FormatHint::JsonLines {
        // A pretty-printed document behind a .jsonl name: its first line is a lone bracket.
        if trimmed == b"{" || trimmed == b"[" {
            return Format::JsonDocument;
        }
        return Format::JsonLines;
    }
    // One complete value on the first line and more values after it: JSON Lines.
    let rest = &head[start + first_line.len()..];
    let more = rest.iter().any(|b| !b.is_ascii_whitespace());
    if more && serde_json::from_slice::<serde::de::IgnoredAny>(trimmed).is_ok() {
        Format::JsonLines
    } else {
        Format::JsonDocument
    }
}

/// `<?xml`, `<!DOCTYPE`, `<!--` or a tag name such as `<html`, `<rss`, `<feed`.
fn looks_like_markup(bytes: &[u8]) -> bool {
    matches!(bytes.get(1), Some(b'?' | b'!')) || bytes.get(1).is_some_and(u8::is_ascii_alphabetic)
}

/// What the first element of a markup document says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Root {
    Feed,
    /// `explicit`: a `<!DOCTYPE html>` or an `<html>` element, not just a fragment.
    Html {
        explicit: bool,
    },
    Other,
}

/// Skips the prolog, comments and doctype to the root element's name.
fn markup_root(mut s: &[u8]) -> Root {
    const HTML_TAGS: &[&str] = &[
        "head", "body", "meta", "title", "link", "script", "style", "div", "p", "article",
        "section", "main", "header", "nav", "span", "table", "h1", "h2", "h3", "a", "ul", "img",
        "br", "b", "i", "em", "strong", "form", "base",
    ];
    loop {
        let Some(start) = s.iter().position(|b| !b.is_ascii_whitespace()) else {
            return Root::Other;
        };
        s = &s[start..];
        let skip_past = |s: &[u8], end: &[u8]| {
            s.windows(end.len())
                .position(|w| w == end)
                .map(|i| i + end.len())
        };
        let past = if s.starts_with(b"<?") {
            skip_past(s, b"?>")
        } else if s.starts_with(b"<!--") {
            skip_past(s, b"-->")
        } else if s.starts_with(b"<!") {
            let end = s.iter().position(|&b| b == b'>');
            let decl = s[..end.unwrap_or(s.len())].to_ascii_lowercase();
            if decl.starts_with(b"<!doctype") && decl.windows(4).any(|w| w == b"html") {
                return Root::Html { explicit: true };
            }
            end.map(|i| i + 1)
        } else if s.first() == Some(&b'<') {
            let name: Vec<u8> = s[1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'-' | b'_'))
                .map(u8::to_ascii_lowercase)
                .collect();
            let name = String::from_utf8_lossy(&name);
            let local = name.rsplit(':').next().unwrap_or(&name);
            return match local {
                "rss" | "feed" | "rdf" => Root::Feed,
                "html" => Root::Html { explicit: true },
                n if HTML_TAGS.contains(&n) => Root::Html { explicit: false },
                _ => Root::Other,
            };
        } else {
            return Root::Other;
        };
        match past {
            Some(i) => s = &s[i..],
            None => return Root::Other,
        }
    }
}

/// The first line including its `\n`, or everything if there is none.
fn first_line(bytes: &[u8]) -> &[u8] {
    match bytes.iter().position(|&b| b == b'\n') {
        Some(i) => &bytes[..=i],
        None => bytes,
    }
}

/// Whether `bytes` (starting at `{` or `[`) plausibly opens a JSON value.
fn opens_json(bytes: &[u8]) -> bool {
    let next = bytes[1..]
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .copied();
    match bytes[0] {
        b'{' => matches!(next, Some(b'"' | b'}')),
        b'[' => matches!(next, Some(b'{' | b'[' | b']' | b'"')),
        _ => false,
    }
}

/// Names compressed or container formats that are not read, so the problem says what
/// the file is rather than "binary".
fn sniff_unsupported_compression(raw: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"PK\x03\x04", "zip archive"),
        (b"BZh", "bzip2 data"),
        (b"\xFD7zXZ\x00", "xz data"),
        (b"\x28\xB5\x2F\xFD", "zstd data"),
        (b"7z\xBC\xAF\x27\x1C", "7-zip archive"),
        (b"%PDF-", "pdf document"),
    ];
    MAGIC
        .iter()
        .find(|(magic, _)| raw.starts_with(magic))
        .map(|(_, what)| *what)
}

/// An I/O error's message, lowercase and without the OS error number in front.
pub(crate) fn io_message(err: &std::io::Error) -> String {
    lowercase_first(&err.to_string())
}

pub(crate) fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        // Keep acronyms such as "EOF" intact.
        Some(c) if c.is_uppercase() && !chars.next().is_some_and(|n| n.is_uppercase()) => {
            c.to_lowercase().chain(s[c.len_utf8()..].chars()).collect()
        }
        _ => s.to_string(),
    }
}

/// Reads one line into `buf` (cleared first), including its `\n`; `Ok(false)` at end.
pub(crate) fn read_line(reader: &mut dyn BufRead, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    buf.clear();
    Ok(reader.read_until(b'\n', buf)? > 0)
}

/// Collapses whitespace runs to one space and trims; `None` when nothing is left.
pub(crate) fn clean_line(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let needs_work = s
        .as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_whitespace() && w[1].is_ascii_whitespace())
        || s.bytes().any(|b| b.is_ascii_whitespace() && b != b' ')
        || s.chars().any(|c| !c.is_ascii() && c.is_whitespace());
    if !needs_work {
        return Some(s.to_string());
    }
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    Some(out)
}

/// Normalises line breaks (`\r\n` and lone `\r` become `\n`) and trims the ends,
/// keeping paragraph breaks.
pub(crate) fn clean_body(mut s: String) -> String {
    if s.contains('\r') {
        s = s.replace("\r\n", "\n").replace('\r', "\n");
    }
    let end = s.trim_end().len();
    s.truncate(end);
    let start = s.len() - s.trim_start().len();
    if start > 0 {
        s.drain(..start);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn source(rel: &str) -> SourceFile {
        SourceFile {
            path: PathBuf::from("root").join(rel),
            rel: rel.to_string(),
            size: 0,
            mtime_ns: 0,
        }
    }

    pub(crate) fn run(rel: &str, raw: &[u8]) -> (Vec<Article>, Vec<Problem>) {
        let mut articles = Vec::new();
        let mut problems = Vec::new();
        parse(&source(rel), raw, &mut |r| match r {
            Ok(a) => articles.push(a),
            Err(p) => problems.push(p),
        });
        (articles, problems)
    }

    pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(bytes).expect("writing to a vec");
        enc.finish().expect("writing to a vec")
    }

    /// The shared corpora beside the checkout, or `NEWSDEX_CORPORA`.
    fn corpora() -> Option<PathBuf> {
        let dir = std::env::var_os("NEWSDEX_CORPORA")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpora"))
            });
        dir.is_dir().then_some(dir)
    }

    /// Parses a corpus file, printing counts and throughput; returns articles and
    /// problems by kind.
    fn parse_corpus(path: &std::path::Path) -> (usize, Vec<Problem>) {
        let file = walk(&[path.to_path_buf()])
            .next()
            .expect("one root")
            .expect("corpus file is readable");
        let raw = read_raw(&file).expect("corpus file is readable");
        let start = std::time::Instant::now();
        let (mut articles, mut problems, mut bytes) = (0, Vec::new(), 0);
        parse(&file, &raw, &mut |r| match r {
            Ok(a) => {
                articles += 1;
                bytes += a.body.len() + a.title.as_ref().map_or(0, String::len);
            }
            Err(p) => problems.push(p),
        });
        let secs = start.elapsed().as_secs_f64();
        let mut decompressed = Vec::new();
        gz::decoder(&raw)
            .read_to_end(&mut decompressed)
            .expect("corpus is valid gzip");
        eprintln!(
            "{}: {articles} articles, {} problems, {:.2} s, {:.0} MB/s decompressed ({} MB), {:.0} MB/s of text",
            file.rel,
            problems.len(),
            secs,
            decompressed.len() as f64 / secs / 1e6,
            decompressed.len() / 1_000_000,
            bytes as f64 / secs / 1e6,
        );
        (articles, problems)
    }

    #[test]
    #[ignore = "reads the shared corpora; run with --ignored (in release for timings)"]
    fn reuters_corpora_parse_completely() {
        let Some(dir) = corpora() else {
            eprintln!(
                "shared corpora not found beside the checkout; set NEWSDEX_CORPORA to run this test"
            );
            return;
        };
        let (articles, problems) = parse_corpus(&dir.join("reuters21578/reuters21578.jsonl.gz"));
        assert_eq!(articles, 21_577);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].kind, ProblemKind::NoText);
        let (articles, problems) = parse_corpus(
            &dir.join("reuters_financial_2006_2013/reuters_financial_2006_2013.jsonl.gz"),
        );
        assert_eq!(articles, 106_494);
        assert!(
            problems.is_empty(),
            "{:?}",
            &problems[..problems.len().min(5)]
        );
    }

    #[test]
    fn seeds_parse_without_problems() {
        let seeds = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds"));
        let mut articles = Vec::new();
        for file in walk(&[seeds]) {
            let file = file.expect("seed files are readable");
            let raw = read_raw(&file).expect("seed files are readable");
            parse(&file, &raw, &mut |r| {
                articles.push(r.expect("seeds have no problems"))
            });
        }
        let ids: Vec<&str> = articles.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "000_d5240dadc151992f.txt",
                "https://northernledger.example/2025/03/12/central-bank-holds-rates",
                "brief-2025-0314-rail",
                "https://southerncross.example/news/drought-water-limits",
                "002_briefs.jsonl#3",
                "003_markets.json.gz#1",
                "https://harbourmarkets.example/copper-climbs-china-demand",
                "004_harbour_reopens.txt",
                "https://straitsweekly.example/news/ferries-winter-sailings",
                "coastherald-98121",
                "https://www.coastherald.example/news/market-hall-reopens",
                "006_coast_herald.rss#3",
            ]
        );
        for a in &articles[1..] {
            // Plain text has no date line; every other seed has one.
            if a.path.as_deref().is_some_and(|p| !p.contains(".rss")) {
                assert_eq!(
                    a.published.is_some(),
                    !a.id.ends_with(".txt"),
                    "{} date",
                    a.id
                );
            }
            assert!(a.source.is_some(), "{} has a source", a.id);
            assert!(!a.body.is_empty() && a.title.is_some(), "{} has text", a.id);
        }
        assert_eq!(articles[1].authors, ["Priya Nandakumar", "Tom Becker"]);
        assert_eq!(articles[2].authors, ["Giulia Ferraro", "Marco Esposito"]);
        assert_eq!(articles[3].authors, ["Thandiwe Mokoena"]);
    }

    #[test]
    fn problem_display_has_path_line_and_message() {
        let p = Problem::new(
            "a/b.jsonl",
            Some(3),
            ProblemKind::Malformed,
            "expected value",
        );
        assert_eq!(p.to_string(), "a/b.jsonl:3: expected value");
        let p = Problem::new(
            "a/b.txt",
            None,
            ProblemKind::NoText,
            "record has neither title nor body",
        );
        assert_eq!(p.to_string(), "a/b.txt: record has neither title nor body");
    }

    #[test]
    fn kinds_have_labels_and_warnings() {
        assert_eq!(ProblemKind::NoText.label(), "no text");
        assert_eq!(ProblemKind::Malformed.label(), "malformed");
        assert!(ProblemKind::InvalidUtf8.is_warning());
        assert!(ProblemKind::BadDate.is_warning());
        assert!(!ProblemKind::Malformed.is_warning());
        assert!(!ProblemKind::Unsupported.is_warning());
    }

    #[test]
    fn content_hash_is_xxh3_of_raw_bytes() {
        assert_eq!(content_hash(b"abc"), xxhash_rust::xxh3::xxh3_64(b"abc"));
        assert_ne!(content_hash(b"abc"), content_hash(b"abd"));
    }

    #[test]
    fn read_raw_reports_missing_file_as_unreadable() {
        let file = source("does/not/exist.txt");
        let err = read_raw(&file).expect_err("file does not exist");
        assert_eq!(err.kind, ProblemKind::Unreadable);
        assert!(
            err.message.starts_with("cannot read file: no such file"),
            "{}",
            err.message
        );
    }

    #[test]
    fn gzip_is_detected_by_magic_not_name() {
        let raw = gzip(b"{\"title\": \"Harbour reopens\", \"body\": \"Ships moved again.\"}\n");
        let (articles, problems) = run("news.json", &raw);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(articles[0].title.as_deref(), Some("Harbour reopens"));
        let (articles, _) = run("misnamed.txt.gz", b"Plain title\n\nPlain body.");
        assert_eq!(articles[0].title.as_deref(), Some("Plain title"));
    }

    #[test]
    fn gzip_of_each_format() {
        let (a, p) = run("a.txt.gz", &gzip(b"Title here\n\nBody here."));
        assert!(p.is_empty());
        assert_eq!(a[0].body, "Body here.");
        assert_eq!(a[0].id, "a.txt.gz");
        let (a, p) = run(
            "b.jsonl.gz",
            &gzip(b"{\"title\":\"one\"}\n{\"title\":\"two\"}\n"),
        );
        assert!(p.is_empty());
        assert_eq!(a.len(), 2);
        assert_eq!(a[1].id, "b.jsonl.gz#2");
        let (a, p) = run(
            "c.json.gz",
            &gzip(b"[{\"title\":\"one\"},{\"title\":\"two\"}]"),
        );
        assert!(p.is_empty());
        assert_eq!(a[1].id, "c.json.gz#2");
    }

    #[test]
    fn concatenated_gzip_members_are_all_read() {
        let mut raw = gzip(b"{\"title\":\"one\"}\n");
        raw.extend(gzip(b"{\"title\":\"two\"}\n"));
        let (a, p) = run("multi.jsonl.gz", &raw);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(a.len(), 2);
    }

    #[test]
    fn truncated_gzip_is_reported_and_earlier_records_kept() {
        let mut text = String::new();
        for i in 1..=2000 {
            text.push_str(&format!(
                "{{\"id\": {i}, \"title\": \"record {i}\", \"body\": \"body of record {i} with some words {}\"}}\n",
                i * 7919 % 1000
            ));
        }
        let raw = gzip(text.as_bytes());
        let cut = &raw[..raw.len() / 2];
        let (articles, problems) = run("big.jsonl.gz", cut);
        assert!(articles.len() > 100, "kept {} articles", articles.len());
        assert!(articles.len() < 2000);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].kind, ProblemKind::Malformed);
        assert!(
            problems[0].message.contains("gzip"),
            "{}",
            problems[0].message
        );
        assert_eq!(problems[0].path, PathBuf::from("root/big.jsonl.gz"));
        // Records are whole: the last one kept parsed completely.
        let last = articles.last().expect("some articles");
        assert_eq!(
            last.title.as_deref(),
            Some(format!("record {}", last.id).as_str())
        );
    }

    #[test]
    fn truncated_gzip_header_is_reported() {
        let raw = gzip(b"Some title\n\nSome body.");
        let (articles, problems) = run("a.txt.gz", &raw[..6]);
        assert!(articles.is_empty());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].kind, ProblemKind::Malformed);
    }

    #[test]
    fn binary_with_txt_name_is_unsupported() {
        let mut raw = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        raw.extend([0u8; 64]);
        let (articles, problems) = run("photo.txt", &raw);
        assert!(articles.is_empty());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].kind, ProblemKind::Unsupported);
        // Also after decompression.
        let (articles, problems) = run("photo.txt.gz", &gzip(&raw));
        assert!(articles.is_empty());
        assert_eq!(problems[0].kind, ProblemKind::Unsupported);
        let (_, problems) = run("archive.json", b"PK\x03\x04rest");
        assert_eq!(problems[0].message, "unsupported format: zip archive");
    }

    #[test]
    fn format_is_sniffed_when_the_name_lies_or_is_missing() {
        let (a, p) = run(
            "README",
            b"{\"headline\": \"Sniffed\", \"text\": \"As json.\"}",
        );
        assert!(p.is_empty());
        assert_eq!(a[0].title.as_deref(), Some("Sniffed"));
        assert_eq!(a[0].id, "README");
        let (a, p) = run("feed.json", b"{\"title\": \"a\"}\n{\"title\": \"b\"}\n");
        assert!(p.is_empty());
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].id, "feed.json#1");
        let (a, _) = run("story.json", b"Just a headline\n\nAnd a body.");
        assert_eq!(a[0].title.as_deref(), Some("Just a headline"));
        let (a, _) = run("story.txt", b"[Update] Markets close higher\n\nBody.");
        assert_eq!(a[0].title.as_deref(), Some("[Update] Markets close higher"));
        let (a, _) = run("pretty.jsonl", b"{\n  \"title\": \"Pretty\"\n}\n");
        assert_eq!(a[0].title.as_deref(), Some("Pretty"));
        assert_eq!(a[0].id, "pretty.jsonl");
    }

    #[test]
    fn markup_is_read_by_its_root_and_a_txt_name_is_respected() {
        let (a, p) = run("page.html", b"<!DOCTYPE html>\n<html><body>x</body></html>");
        assert!(a.is_empty());
        assert_eq!(p[0].kind, ProblemKind::NoText);
        assert_eq!(p[0].message, "no article text found");
        let (_, p) = run(
            "feed",
            b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel></channel></rss>",
        );
        assert_eq!(p[0].message, "feed has no items");
        let (_, p) = run("sitemap", b"<?xml version=\"1.0\"?><urlset></urlset>");
        assert_eq!(p[0].kind, ProblemKind::Unsupported);
        let (a, p) = run("note.txt", b"<b>Bold</b> claims\n\nBody.");
        assert!(p.is_empty());
        assert_eq!(a[0].title.as_deref(), Some("<b>Bold</b> claims"));
        // A whole page saved as .txt is HTML all the same.
        let page = format!(
            "<!doctype html><html><body><p>{}</p></body></html>",
            "Saved as text, with commas, it is still a page. ".repeat(4)
        );
        let (a, p) = run("saved.txt", page.as_bytes());
        assert!(p.is_empty(), "{p:?}");
        assert!(a[0].body.starts_with("Saved as text"));
    }

    #[test]
    fn markup_roots() {
        assert_eq!(
            markup_root(b"<?xml version='1.0'?>\n<!-- x --><rss>"),
            Root::Feed
        );
        assert_eq!(markup_root(b"<rdf:RDF xmlns:rdf='x'>"), Root::Feed);
        assert_eq!(
            markup_root(b"<feed xmlns='http://www.w3.org/2005/Atom'>"),
            Root::Feed
        );
        assert_eq!(
            markup_root(b"<!DOCTYPE html><html>"),
            Root::Html { explicit: true }
        );
        assert_eq!(markup_root(b"<div>"), Root::Html { explicit: false });
        assert_eq!(markup_root(b"<urlset>"), Root::Other);
    }

    #[test]
    fn long_first_jsonl_line_is_still_jsonl() {
        let body = "word ".repeat(5000);
        let text =
            format!("{{\"title\": \"long\", \"body\": \"{body}\"}}\n{{\"title\": \"next\"}}\n");
        let (a, p) = run("feed.json", text.as_bytes());
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(a.len(), 2);
    }

    #[test]
    fn bom_is_skipped() {
        let (a, p) = run("bom.json", b"\xEF\xBB\xBF{\"title\": \"With BOM\"}");
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(a[0].title.as_deref(), Some("With BOM"));
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(
            raw in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400),
            name in "(a|b/c)\\.(txt|json|jsonl|gz|md|html|xml|warc|rss)",
        ) {
            for raw in [raw.clone(), gzip(&raw)] {
                let (articles, problems) = run(&name, &raw);
                let path = PathBuf::from("root").join(&name);
                proptest::prop_assert!(articles.iter().all(|a| !a.id.is_empty()));
                proptest::prop_assert!(problems.iter().all(|p| p.path == path));
            }
        }

        #[test]
        fn parse_never_panics_on_json_like_text(
            text in r#"[\[\]{}":, \n0-9a-z\\]{0,200}"#,
        ) {
            let _ = run("x.jsonl", text.as_bytes());
            let _ = run("x.json", text.as_bytes());
        }

        #[test]
        fn parse_date_never_panics(s in r"[0-9a-zA-Z :+\-.,/TZ]{0,40}") {
            let _ = parse_date(&s);
        }
    }

    #[test]
    fn clean_line_collapses_whitespace() {
        assert_eq!(clean_line("  a \t b\n c  ").as_deref(), Some("a b c"));
        assert_eq!(clean_line("a\u{a0}\u{a0}b").as_deref(), Some("a b"));
        assert_eq!(clean_line(" \n "), None);
    }

    #[test]
    fn clean_body_normalises_line_breaks() {
        assert_eq!(clean_body("\r\n a\r\n\r\nb\rc \n".into()), "a\n\nb\nc");
    }

    #[test]
    fn lowercase_first_keeps_acronyms() {
        assert_eq!(lowercase_first("Permission denied"), "permission denied");
        assert_eq!(lowercase_first("EOF while parsing"), "EOF while parsing");
    }
}
