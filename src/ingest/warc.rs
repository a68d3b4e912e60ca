//! WARC 1.0/1.1 web archives: every `response` record holding an HTML page (HTTP 200)
//! is one article, read by the HTML extractor.
//!
//! A small hand-written reader rather than the `warc` crate: a record is a `WARC/1.x`
//! line, header lines, a blank line, `Content-Length` bytes and `\r\n\r\n`, and what
//! matters here is what happens when that is not so. Records are read one at a time
//! from the stream; a record whose length does not fit (the next record does not start
//! where it says) or that is cut short is reported with its number and skipped, and
//! reading resumes at the next line starting with `WARC/1.`. For `.warc.gz`, whether
//! gzipped per record or as a whole, [`MemberReader`] skips a damaged gzip member and
//! goes on with the next one, so one bad record does not lose the rest of the file.

use std::io::{self, BufRead, Read};

use super::html::{self, domain};
use super::{Ctx, ProblemKind, io_message};
use crate::article::Article;

const MAGIC: &[u8] = b"WARC/1.";
/// Longest header line kept; longer ones are malformed.
const MAX_LINE: u64 = 64 * 1024;
/// Header lines of one record, at most.
const MAX_HEADERS: usize = 1024;

/// Whether decompressed content starts a WARC record.
pub(crate) fn starts_warc(head: &[u8]) -> bool {
    head.starts_with(MAGIC)
}

pub(crate) fn parse(ctx: &mut Ctx<'_, '_>, reader: &mut dyn BufRead) {
    let mut input = Input {
        inner: reader,
        back: Vec::new(),
        back_pos: 0,
    };
    let mut record = 0usize;
    let mut found_any = false;
    let mut line = Vec::new();
    let mut reported_junk = false;
    loop {
        // Find the next record's first line.
        match input.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                ctx.problem(None, ProblemKind::Malformed, read_message(record + 1, &e));
                continue;
            }
        }
        if !line.starts_with(MAGIC) {
            if !line.trim_ascii().is_empty() && !reported_junk {
                reported_junk = true;
                let what = if found_any {
                    format!(
                        "record {record}: data after the record's end, skipped to the next record"
                    )
                } else {
                    "does not start with a warc record, skipped to the first one".to_string()
                };
                ctx.problem(None, ProblemKind::Malformed, what);
            }
            continue;
        }
        found_any = true;
        reported_junk = false;
        record += 1;
        match read_record(&mut input) {
            Ok(Some(r)) => handle(ctx, record, &r),
            Ok(None) => {}
            Err(message) => {
                ctx.problem(
                    None,
                    ProblemKind::Malformed,
                    format!("record {record}: {message}"),
                );
                // Junk up to the next record is part of this problem.
                reported_junk = true;
            }
        }
    }
    if !found_any {
        ctx.problem(None, ProblemKind::Malformed, "no warc records found");
    }
}

fn read_message(record: usize, e: &io::Error) -> String {
    format!(
        "record {record}: {}, skipped to the next record",
        io_message(e)
    )
}

/// One record's headers and block.
struct Record {
    headers: Vec<(String, String)>,
    block: Vec<u8>,
}

impl Record {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads the record after its `WARC/1.x` line. `Err` is a message for a corrupt
/// record; the input is then left where the next record may start.
fn read_record(input: &mut Input<'_>) -> Result<Option<Record>, String> {
    let mut headers = Vec::new();
    let mut line = Vec::new();
    loop {
        let n = input
            .read_line(&mut line)
            .map_err(|e| format!("{}, skipped to the next record", io_message(&e)))?;
        if n == 0 {
            return Err("record is truncated in its header".into());
        }
        if line.starts_with(MAGIC) {
            input.unread(std::mem::take(&mut line));
            return Err("header ends without a blank line".into());
        }
        if line.last() != Some(&b'\n') && n as u64 >= MAX_LINE {
            return Err("header line is too long".into());
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            break;
        }
        if text.starts_with([' ', '\t']) {
            // A folded continuation line (WARC/1.0 allows them).
            if let Some((_, v)) = headers.last_mut() {
                let v: &mut String = v;
                v.push(' ');
                v.push_str(text.trim());
            }
            continue;
        }
        let Some((name, value)) = text.split_once(':') else {
            return Err(format!("header line {:?} has no colon", shorten(text)));
        };
        headers.push((name.trim().to_string(), value.trim().to_string()));
        if headers.len() > MAX_HEADERS {
            return Err("too many header lines".into());
        }
    }
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.as_str());
    let length: u64 = match length {
        None => return Err("no content-length".into()),
        Some(v) => v
            .parse()
            .map_err(|_| format!("bad content-length {:?}", shorten(v)))?,
    };
    let mut block = Vec::new();
    let read = input.read_up_to(length, &mut block);
    if let Err(e) = read {
        resync_inside(input, &mut block);
        return Err(format!("{}, skipped to the next record", io_message(&e)));
    }
    if (block.len() as u64) < length {
        if resync_inside(input, &mut block) {
            return Err(format!(
                "content-length {length} runs into the next record, skipped to it"
            ));
        }
        return Err(format!(
            "record is truncated: content-length {length}, {} bytes left",
            block.len()
        ));
    }
    // The block ends with a blank line, and the next record (or the end) follows.
    loop {
        match input.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) if line.trim_ascii().is_empty() => continue,
            Ok(_) if line.starts_with(MAGIC) => {
                input.unread(std::mem::take(&mut line));
                break;
            }
            Ok(_) => {
                // The length was wrong: too long (the next record is inside the block)
                // or too short (the rest of the block follows).
                let tail = std::mem::take(&mut line);
                block.extend_from_slice(&tail);
                if resync_inside(input, &mut block) {
                    return Err(format!(
                        "content-length {length} runs into the next record, skipped to it"
                    ));
                }
                return Err(format!(
                    "content-length {length} does not match the record, skipped to the next record"
                ));
            }
            Err(e) => return Err(format!("{}, skipped to the next record", io_message(&e))),
        }
    }
    Ok(Some(Record { headers, block }))
}

/// When a line starting with `WARC/1.` sits inside `block`, gives it and what follows
/// back to the input, so reading resumes at that record.
fn resync_inside(input: &mut Input<'_>, block: &mut Vec<u8>) -> bool {
    let at = block
        .windows(MAGIC.len() + 1)
        .position(|w| w[0] == b'\n' && &w[1..] == MAGIC);
    match at {
        Some(i) => {
            let rest = block.split_off(i + 1);
            input.unread(rest);
            true
        }
        None => false,
    }
}

/// A response record with an HTML page becomes an article; others are skipped quietly.
fn handle(ctx: &mut Ctx<'_, '_>, record: usize, r: &Record) {
    let is_response = r
        .header("WARC-Type")
        .is_some_and(|t| t.eq_ignore_ascii_case("response"));
    if !is_response {
        return;
    }
    let http = r
        .header("Content-Type")
        .is_none_or(|t| t.to_ascii_lowercase().starts_with("application/http"));
    if !http {
        return;
    }
    let uri = r
        .header("WARC-Target-URI")
        .map(|u| u.trim_start_matches('<').trim_end_matches('>').to_string())
        .filter(|u| !u.is_empty());
    let at = match &uri {
        Some(u) => format!("record {record} ({u})"),
        None => format!("record {record}"),
    };
    let Some(response) = Response::parse(&r.block) else {
        ctx.problem(
            None,
            ProblemKind::Malformed,
            format!("{at}: http response has no header end"),
        );
        return;
    };
    if response.status != 200 || !response.is_html() {
        return;
    }
    let payload = match response.payload() {
        Ok(p) => p,
        Err(message) => {
            ctx.problem(None, ProblemKind::Malformed, format!("{at}: {message}"));
            return;
        }
    };
    let text = ctx.decode(&payload, None).into_owned();
    let page = html::extract(&text, uri.as_deref());
    if page.body.is_empty() {
        ctx.problem(
            None,
            ProblemKind::NoText,
            format!("{at}: {}", html::NO_TEXT),
        );
        return;
    }
    if let Some(bad) = &page.bad_date {
        ctx.problem(
            None,
            ProblemKind::BadDate,
            format!("{at}: unparseable date {bad:?}, kept without a date"),
        );
    }
    let id = page
        .canonical
        .clone()
        .or_else(|| uri.clone())
        .unwrap_or_else(|| format!("{}#{record}", ctx.file.rel));
    let warc_date = r.header("WARC-Date").and_then(super::parse_date);
    let mut article = Article {
        id,
        url: uri.clone().or_else(|| page.canonical.clone()),
        path: Some(ctx.path_string()),
        ..page.clone().into_article()
    };
    if article.published.is_none() {
        article.published = warc_date;
    }
    if article.source.is_none() {
        article.source = uri.as_deref().and_then(domain);
    }
    ctx.article(article);
}

/// An HTTP response as archived: status, the headers that matter, the raw body.
struct Response<'a> {
    status: u16,
    content_type: String,
    chunked: bool,
    encoding: String,
    body: &'a [u8],
}

impl<'a> Response<'a> {
    fn parse(block: &'a [u8]) -> Option<Response<'a>> {
        let (head_end, body_start) = match find(block, b"\r\n\r\n") {
            Some(i) => (i, i + 4),
            None => {
                let i = find(block, b"\n\n")?;
                (i, i + 2)
            }
        };
        let head = String::from_utf8_lossy(&block[..head_end]);
        let mut lines = head.lines();
        let status_line = lines.next()?;
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let (mut content_type, mut chunked, mut encoding) = (String::new(), false, String::new());
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim().to_ascii_lowercase();
            match name.trim().to_ascii_lowercase().as_str() {
                "content-type" => content_type = value,
                "transfer-encoding" => chunked = value.contains("chunked"),
                "content-encoding" => encoding = value,
                _ => {}
            }
        }
        Some(Response {
            status,
            content_type,
            chunked,
            encoding,
            body: &block[body_start..],
        })
    }

    fn is_html(&self) -> bool {
        let essence = self.content_type.split(';').next().unwrap_or("").trim();
        matches!(essence, "text/html" | "application/xhtml+xml")
            || (essence.is_empty() && sniff_html(self.body))
    }

    /// The body with transfer and content encodings undone.
    fn payload(&self) -> Result<Vec<u8>, String> {
        let body = if self.chunked {
            dechunk(self.body).unwrap_or_else(|| self.body.to_vec())
        } else {
            self.body.to_vec()
        };
        match self.encoding.as_str() {
            "" | "identity" => Ok(body),
            "gzip" | "x-gzip" => {
                let mut out = Vec::new();
                flate2::read::MultiGzDecoder::new(&body[..])
                    .read_to_end(&mut out)
                    .map_err(|e| format!("gzip-encoded page is corrupt: {}", io_message(&e)))?;
                Ok(out)
            }
            "deflate" => {
                let mut out = Vec::new();
                let zlib = flate2::read::ZlibDecoder::new(&body[..]).read_to_end(&mut out);
                if zlib.is_err() {
                    out.clear();
                    flate2::read::DeflateDecoder::new(&body[..])
                        .read_to_end(&mut out)
                        .map_err(|e| {
                            format!("deflate-encoded page is corrupt: {}", io_message(&e))
                        })?;
                }
                Ok(out)
            }
            other => Err(format!("page has unsupported content-encoding {other:?}")),
        }
    }
}

fn sniff_html(body: &[u8]) -> bool {
    let head = &body[..body.len().min(512)];
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    let head = head[start..].to_ascii_lowercase();
    head.starts_with(b"<!doctype html") || head.starts_with(b"<html")
}

/// Undoes HTTP chunked transfer encoding; `None` when the body is not chunked after all.
fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    loop {
        let line_end = find(body, b"\n")?;
        let size_line = std::str::from_utf8(&body[..line_end]).ok()?.trim();
        let size_hex = size_line.split(';').next()?.trim();
        let size = usize::from_str_radix(size_hex, 16).ok()?;
        body = &body[line_end + 1..];
        if size == 0 {
            return Some(out);
        }
        let chunk = body.get(..size)?;
        out.extend_from_slice(chunk);
        body = &body[size..];
        body = body
            .strip_prefix(b"\r\n")
            .or_else(|| body.strip_prefix(b"\n"))
            .unwrap_or(body);
        if body.is_empty() {
            return Some(out);
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn shorten(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The decompressed stream with bytes given back to it, read line by line or by length.
struct Input<'r> {
    inner: &'r mut dyn BufRead,
    back: Vec<u8>,
    back_pos: usize,
}

impl Input<'_> {
    /// Reads one line (with its `\n`) of at most [`MAX_LINE`] bytes into `buf`,
    /// cleared first; 0 at the end.
    fn read_line(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        buf.clear();
        if self.back_pos < self.back.len() {
            let rest = &self.back[self.back_pos..];
            let take = rest
                .iter()
                .position(|&b| b == b'\n')
                .map_or(rest.len(), |i| i + 1)
                .min(MAX_LINE as usize);
            buf.extend_from_slice(&rest[..take]);
            self.back_pos += take;
            if self.back_pos == self.back.len() {
                self.back.clear();
                self.back_pos = 0;
            }
            if buf.last() == Some(&b'\n') || buf.len() as u64 >= MAX_LINE {
                return Ok(buf.len());
            }
        }
        let limit = MAX_LINE - buf.len() as u64;
        (&mut self.inner).take(limit).read_until(b'\n', buf)?;
        Ok(buf.len())
    }

    /// Reads up to `n` bytes into `buf` (fewer only at the end of the input).
    fn read_up_to(&mut self, n: u64, buf: &mut Vec<u8>) -> io::Result<()> {
        let mut n = n;
        if self.back_pos < self.back.len() {
            let rest = &self.back[self.back_pos..];
            let take = rest.len().min(usize::try_from(n).unwrap_or(usize::MAX));
            buf.extend_from_slice(&rest[..take]);
            self.back_pos += take;
            n -= take as u64;
            if self.back_pos == self.back.len() {
                self.back.clear();
                self.back_pos = 0;
            }
        }
        (&mut self.inner).take(n).read_to_end(buf)?;
        Ok(())
    }

    /// Puts `bytes` back in front of what is still to be read.
    fn unread(&mut self, mut bytes: Vec<u8>) {
        if self.back_pos < self.back.len() {
            bytes.extend_from_slice(&self.back[self.back_pos..]);
        }
        self.back = bytes;
        self.back_pos = 0;
    }
}

/// Decompresses gzip member after member; a damaged member is an error once, then
/// reading goes on at the next gzip header found in the raw bytes.
pub(crate) struct MemberReader<'a> {
    raw: &'a [u8],
    /// Where the current member starts in `raw`.
    pos: usize,
    decoder: Option<flate2::bufread::GzDecoder<&'a [u8]>>,
}

impl<'a> MemberReader<'a> {
    pub(crate) fn new(raw: &'a [u8]) -> Self {
        MemberReader {
            raw,
            pos: 0,
            decoder: None,
        }
    }
}

const GZIP_HEADER: &[u8] = &[0x1f, 0x8b, 0x08];

impl Read for MemberReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let decoder = match &mut self.decoder {
                Some(d) => d,
                None => {
                    if self.pos >= self.raw.len() {
                        return Ok(0);
                    }
                    let rest = &self.raw[self.pos..];
                    if !rest.starts_with(GZIP_HEADER) {
                        // Padding or junk between members: zeros are common, and
                        // anything else is skipped to the next member.
                        match find(rest, GZIP_HEADER) {
                            Some(i) => self.pos += i,
                            None => self.pos = self.raw.len(),
                        }
                        continue;
                    }
                    self.decoder.insert(flate2::bufread::GzDecoder::new(rest))
                }
            };
            match decoder.read(buf) {
                Ok(0) => {
                    let left = decoder.get_ref().len();
                    let used = (self.raw.len() - self.pos) - left;
                    self.pos += used.max(1);
                    self.decoder = None;
                }
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let from = self.pos + 1;
                    self.pos = self.raw[from.min(self.raw.len())..]
                        .windows(GZIP_HEADER.len())
                        .position(|w| w == GZIP_HEADER)
                        .map_or(self.raw.len(), |i| from + i);
                    self.decoder = None;
                    let what = if e.kind() == io::ErrorKind::UnexpectedEof {
                        "gzip data is truncated".to_string()
                    } else {
                        format!("gzip data is corrupt: {}", io_message(&e))
                    };
                    return Err(io::Error::new(io::ErrorKind::InvalidData, what));
                }
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ingest::tests::{gzip, run};

    pub(crate) fn record(kind: &str, uri: &str, date: &str, block: &[u8]) -> Vec<u8> {
        let content_type = match kind {
            "response" => "application/http; msgtype=response",
            "request" => "application/http; msgtype=request",
            _ => "application/warc-fields",
        };
        let mut r = format!(
            "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: {date}\r\n\
             WARC-Record-ID: <urn:uuid:{}>\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            uri.len(),
            block.len()
        )
        .into_bytes();
        r.extend_from_slice(block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    pub(crate) fn http(html: &str) -> Vec<u8> {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n{html}",
            html.len()
        )
        .into_bytes()
    }

    fn page(title: &str) -> String {
        let para =
            format!("{title} was reported today, officials said, and more details followed. ");
        format!(
            "<html lang=en><head><title>{title}</title></head><body><nav><a href=/>Home</a></nav>\
             <article><h1>{title}</h1><p>{}</p><p>{}</p></article></body></html>",
            para.repeat(3),
            para.repeat(2)
        )
    }

    fn archive() -> Vec<u8> {
        let mut warc = record(
            "warcinfo",
            "",
            "2025-03-04T10:00:00Z",
            b"software: test\r\n",
        );
        warc.extend(record(
            "request",
            "https://a.example/one",
            "2025-03-04T10:00:01Z",
            b"GET /one HTTP/1.1\r\n\r\n",
        ));
        warc.extend(record(
            "response",
            "https://a.example/one",
            "2025-03-04T10:00:02Z",
            &http(&page("Harbour reopens")),
        ));
        // A corrupt record: its length is 100 bytes short.
        let block = http(&page("Broken"));
        let good = record(
            "response",
            "https://a.example/bad",
            "2025-03-04T10:00:03Z",
            &block,
        );
        let length = format!("Content-Length: {}\r\n", block.len());
        let short = format!("Content-Length: {}\r\n", block.len() - 100);
        let at = find(&good, length.as_bytes()).expect("has a length");
        let mut bad = good[..at].to_vec();
        bad.extend_from_slice(short.as_bytes());
        bad.extend_from_slice(&good[at + length.len()..]);
        warc.extend(bad);
        warc.extend(record(
            "response",
            "https://a.example/two",
            "2025-03-04T10:00:04Z",
            &http(&page("Bridge closes")),
        ));
        warc
    }

    #[test]
    fn responses_become_articles_and_a_corrupt_record_is_skipped() {
        let (a, p) = run("crawl.warc", &archive());
        let ids: Vec<&str> = a.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(
            ids,
            ["https://a.example/one", "https://a.example/two"],
            "{p:?}"
        );
        assert_eq!(a[0].title.as_deref(), Some("Harbour reopens"));
        assert_eq!(a[0].url.as_deref(), Some("https://a.example/one"));
        assert_eq!(a[0].source.as_deref(), Some("a.example"));
        assert_eq!(
            a[0].published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2025-03-04T10:00:02+00:00")
        );
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].kind, ProblemKind::Malformed);
        assert!(p[0].message.starts_with("record 4: "), "{}", p[0].message);
    }

    #[test]
    fn gzip_per_record_with_a_damaged_member() {
        let mut raw = Vec::new();
        let warc = archive();
        // Split back into records and gzip each.
        let mut starts: Vec<usize> = warc
            .windows(MAGIC.len())
            .enumerate()
            .filter(|(_, w)| *w == MAGIC)
            .map(|(i, _)| i)
            .collect();
        starts.push(warc.len());
        for (n, pair) in starts.windows(2).enumerate() {
            let mut member = gzip(&warc[pair[0]..pair[1]]);
            if n == 1 {
                let mid = member.len() / 2;
                member[mid] ^= 0xff;
                member[mid + 1] ^= 0xff;
            }
            raw.extend(member);
        }
        let (a, p) = run("crawl.warc.gz", &raw);
        let ids: Vec<&str> = a.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(
            ids,
            ["https://a.example/one", "https://a.example/two"],
            "{p:?}"
        );
        assert!(p.len() >= 2, "{p:?}");
        // Whole-file gzip reads the same.
        let (a, _) = run("crawl.warc.gz", &gzip(&archive()));
        assert_eq!(a.len(), 2);
    }

    #[test]
    fn truncated_archive_keeps_earlier_records() {
        let warc = archive();
        let (a, p) = run("crawl.warc", &warc[..warc.len() - 200]);
        assert_eq!(a.len(), 1);
        assert!(p.iter().any(|p| p.message.contains("truncated")), "{p:?}");
    }

    #[test]
    fn chunked_payload_is_decoded() {
        assert_eq!(
            dechunk(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").as_deref(),
            Some(&b"hello world"[..])
        );
        assert_eq!(dechunk(b"<html>"), None);
    }
}
