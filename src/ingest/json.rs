//! JSON: one article object, an array of them, or JSON Lines (one object a line).
//!
//! All three share the record mapping. Records are deserialised straight into a small
//! struct that knows the key aliases news feeds use, skipping other keys without
//! building a `serde_json::Value`; every known key accepts any JSON type, so only
//! broken syntax fails a record.

use std::fmt;
use std::io::BufRead;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Ctx, ProblemKind, clean_body, clean_line, parse_date, read_line};
use crate::article::Article;

/// JSON Lines: each non-blank line is a record; a broken line is reported with its
/// number and skipped. Ids default to `rel#LINE`.
pub(crate) fn parse_lines(ctx: &mut Ctx<'_, '_>, reader: &mut dyn BufRead) {
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut line_no = 0;
    loop {
        match read_line(reader, &mut buf) {
            Ok(true) => line_no += 1,
            Ok(false) => break,
            Err(e) => {
                // A partly read line is not a record; say where reading stopped.
                ctx.read_error(Some(line_no), &e);
                break;
            }
        }
        let bytes = buf.trim_ascii();
        if bytes.is_empty() {
            continue;
        }
        let text = ctx.decode(bytes, Some(line_no));
        match serde_json::from_str::<Top>(&text) {
            Ok(Top::Record(record)) => {
                let where_ = Where::Line(line_no);
                emit(ctx, record, where_);
            }
            Ok(Top::Other(what)) => ctx.problem(
                Some(line_no),
                ProblemKind::Malformed,
                format!("expected a json object, found {what}"),
            ),
            Err(e) => ctx.problem(Some(line_no), ProblemKind::Malformed, error_message(&e)),
        }
    }
}

/// A JSON document: one article object or an array of them (ids `rel#N`, N counted
/// from 1). Array elements are handed on as they are read, so a syntax error late in
/// the array keeps the records before it.
pub(crate) fn parse_document(ctx: &mut Ctx<'_, '_>, reader: &mut dyn BufRead) {
    let mut bytes = Vec::new();
    let damaged = match reader.read_to_end(&mut bytes) {
        Ok(_) => false,
        Err(e) => {
            ctx.read_error(None, &e);
            true
        }
    };
    let text = ctx.decode(&bytes, Some(1)).into_owned();
    let mut de = serde_json::Deserializer::from_str(&text);
    let result = DocumentSeed { ctx: &mut *ctx }
        .deserialize(&mut de)
        .and_then(|()| de.end());
    match result {
        // The damage was reported already; the end of what was read is cut anyway.
        Err(e) if damaged && e.is_eof() => {}
        Err(e) => ctx.problem(Some(e.line()), ProblemKind::Malformed, error_message(&e)),
        Ok(()) => {}
    }
}

/// Where a record sits in its file: decides its fallback id and how problems point at it.
#[derive(Clone, Copy)]
enum Where {
    /// The file's only record.
    Whole,
    /// 1-based line of a JSON Lines file.
    Line(usize),
    /// 1-based position in a top-level array.
    Element(usize),
}

/// Turns a record into an article, or into the problem of having no text; a bad date
/// is a warning before the article.
fn emit(ctx: &mut Ctx<'_, '_>, record: Record, where_: Where) {
    let (line, prefix) = match where_ {
        Where::Whole => (None, String::new()),
        Where::Line(n) => (Some(n), String::new()),
        Where::Element(n) => (None, format!("array element {n}: ")),
    };
    let title = first_some(record.title).and_then(|t| clean_line(&t));
    let body = first_some(record.body).map(clean_body).unwrap_or_default();
    if title.is_none() && body.is_empty() {
        ctx.problem(
            line,
            ProblemKind::NoText,
            format!("{prefix}record has neither title nor body"),
        );
        return;
    }
    let (published, bad_date) = date_of(record.date);
    if let Some(bad) = bad_date {
        ctx.problem(line, ProblemKind::BadDate, format!("{prefix}{bad}"));
    }
    let url = first_some(record.url).and_then(|u| clean_line(&u));
    let id = record
        .id
        .and_then(Loose::into_text)
        .and_then(|id| clean_line(&id))
        .or_else(|| url.clone())
        .unwrap_or_else(|| match where_ {
            Where::Whole => ctx.file.rel.clone(),
            Where::Line(n) | Where::Element(n) => format!("{}#{n}", ctx.file.rel),
        });
    let authors = record
        .authors
        .into_iter()
        .flatten()
        .map(authors_of)
        .find(|a| !a.is_empty())
        .unwrap_or_default();
    let article = Article {
        id,
        title,
        body,
        published,
        source: first_some(record.source).and_then(|s| clean_line(&s)),
        url,
        authors,
        language: first_some(record.language).and_then(|l| clean_line(&l)),
        path: Some(ctx.path_string()),
        entities: Default::default(),
    };
    ctx.article(article);
}

/// The first alias present (they were stored non-empty only).
fn first_some<const N: usize>(slots: [Option<String>; N]) -> Option<String> {
    slots.into_iter().flatten().next()
}

/// The first date that reads; if one was given but none reads, the warning for the
/// first one given.
fn date_of(slots: [Option<Loose>; 6]) -> (Option<chrono::DateTime<chrono::Utc>>, Option<String>) {
    let mut bad = None;
    for value in slots.into_iter().flatten() {
        let parsed = match &value {
            Loose::Text(s) if s.trim().is_empty() => continue,
            Loose::Text(s) => parse_date(s),
            Loose::Number { value, .. } => from_timestamp(*value),
            Loose::Null => continue,
            Loose::List(_) | Loose::Named(_) => None,
        };
        if parsed.is_some() {
            return (parsed, None);
        }
        bad.get_or_insert_with(|| match value {
            Loose::Text(s) => format!("unparseable date {:?}, kept without a date", shorten(&s)),
            Loose::Number { text, .. } => {
                format!("timestamp {text} is out of range, kept without a date")
            }
            _ => "date is not a string or a number, kept without a date".to_string(),
        });
    }
    (None, bad)
}

/// Unix time in seconds, or milliseconds when too large for seconds.
fn from_timestamp(value: f64) -> Option<chrono::DateTime<chrono::Utc>> {
    if !value.is_finite() {
        return None;
    }
    let millis = if value.abs() < 1e11 {
        value * 1000.0
    } else {
        value
    };
    if millis.abs() > 1e16 {
        return None;
    }
    chrono::DateTime::from_timestamp_millis(millis as i64)
}

fn shorten(s: &str) -> String {
    const MAX: usize = 60;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Authors from a byline string, a list of names, or objects with a `name`.
fn authors_of(value: Loose) -> Vec<String> {
    let mut out = Vec::new();
    match value {
        Loose::Text(s) => out = split_byline(&s),
        Loose::List(items) => {
            for item in items {
                if let Some(name) = item.into_text().and_then(|s| clean_author(&s)) {
                    out.push(name);
                }
            }
        }
        Loose::Named(Some(name)) => out.extend(clean_author(&name)),
        Loose::Number { .. } | Loose::Named(None) | Loose::Null => {}
    }
    dedup(out)
}

fn dedup(mut names: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.to_lowercase()));
    names
}

/// Splits a byline such as "By Ann Lee and Bo Chan, Reuters" into names, dropping
/// "By", agency names and job titles ("European Banking Correspondent").
pub(crate) fn split_byline(byline: &str) -> Vec<String> {
    let Some(s) = clean_line(byline) else {
        return Vec::new();
    };
    let s = strip_by(&s);
    // "Lee, Ann": one comma between two single words is a reversed name, not two.
    if let Some((a, b)) = s.split_once(',') {
        let (a, b) = (a.trim(), b.trim());
        if !b.contains(',')
            && !a.contains(' ')
            && !b.contains(' ')
            && !is_dropped(a)
            && !is_dropped(b)
            && let Some(name) = clean_author(s)
        {
            return vec![name];
        }
    }
    let mut parts: Vec<String> = Vec::new();
    for part in split_names(s) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        if is_suffix(part)
            && let Some(prev) = parts.last_mut()
        {
            prev.push(' ');
            prev.push_str(part);
            continue;
        }
        if let Some(name) = clean_author(part) {
            parts.push(name);
        }
    }
    parts
}

/// Splits on `,` `;` `&` `|` and the word "and".
fn split_names(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if matches!(b, b',' | b';' | b'&' | b'|') {
            parts.push(&s[start..i]);
            start = i + 1;
        } else if bytes[i..]
            .get(..5)
            .is_some_and(|w| w.eq_ignore_ascii_case(b" and "))
        {
            parts.push(&s[start..i]);
            start = i + 5;
            i += 4;
        }
        i += 1;
    }
    parts.push(&s[start..]);
    parts
}

fn strip_by(s: &str) -> &str {
    let t = s.trim();
    match t.get(..3) {
        Some(by) if by.eq_ignore_ascii_case("by ") => t[3..].trim_start(),
        _ => t,
    }
}

fn clean_author(s: &str) -> Option<String> {
    let name = clean_line(strip_by(s))?;
    if is_dropped(&name) { None } else { Some(name) }
}

fn is_suffix(part: &str) -> bool {
    matches!(
        part.to_ascii_lowercase().trim_end_matches('.'),
        "jr" | "sr" | "ii" | "iii" | "iv" | "phd" | "ph.d" | "md"
    )
}

/// Agencies and job titles that bylines append to names.
fn is_dropped(part: &str) -> bool {
    const AGENCIES: &[&str] = &[
        "reuters",
        "reuter",
        "ap",
        "afp",
        "associated press",
        "agence france-presse",
        "bloomberg",
        "staff",
        "staff writer",
        "staff reporter",
    ];
    const ROLES: &[&str] = &[
        "correspondent",
        "editor",
        "reporter",
        "writer",
        "columnist",
        "bureau",
        "contributor",
        "analyst",
    ];
    let lower = part.trim().to_lowercase();
    AGENCIES.contains(&lower.as_str())
        || lower
            .split(|c: char| !c.is_alphanumeric())
            .any(|word| ROLES.contains(&word))
}

/// `serde_json`'s message without its "at line L column C" tail (the line is the
/// problem's own), lowercase.
fn error_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let base = match full.rfind(" at line ") {
        Some(i) => &full[..i],
        None => &full,
    };
    let base = base.replace("EOF", "end of input");
    if e.column() > 0 {
        format!("invalid json: {base} (column {})", e.column())
    } else {
        format!("invalid json: {base}")
    }
}

/// The fields of one record, each alias in its own slot so that the first alias in
/// the documented order wins whatever the key order in the file.
#[derive(Default)]
struct Record {
    id: Option<Loose>,
    /// `title`, `headline`.
    title: [Option<String>; 2],
    /// `body`, `text`, `content`, `description`.
    body: [Option<String>; 4],
    /// `date`, `published`, `published_at`, `publishedAt`, `pubDate`, `datePublished`.
    date: [Option<Loose>; 6],
    /// `source`, `outlet`, `publisher`, `site`.
    source: [Option<String>; 4],
    /// `url`, `link`.
    url: [Option<String>; 2],
    /// `author`, `authors`, `byline`.
    authors: [Option<Loose>; 3],
    /// `language`, `lang`.
    language: [Option<String>; 2],
}

#[derive(Clone, Copy)]
enum Key {
    Id,
    Title(usize),
    Body(usize),
    Date(usize),
    Source(usize),
    Url(usize),
    Authors(usize),
    Language(usize),
    Other,
}

impl Key {
    fn of(name: &str) -> Key {
        match Key::exact(name) {
            Key::Other if name.bytes().any(|b| b.is_ascii_uppercase()) => {
                Key::exact(&name.to_ascii_lowercase())
            }
            key => key,
        }
    }

    fn exact(name: &str) -> Key {
        match name {
            "id" => Key::Id,
            "title" => Key::Title(0),
            "headline" => Key::Title(1),
            "body" => Key::Body(0),
            "text" => Key::Body(1),
            "content" => Key::Body(2),
            "description" => Key::Body(3),
            "date" => Key::Date(0),
            "published" => Key::Date(1),
            "published_at" => Key::Date(2),
            "publishedAt" | "publishedat" => Key::Date(3),
            "pubDate" | "pubdate" => Key::Date(4),
            "datePublished" | "datepublished" => Key::Date(5),
            "source" => Key::Source(0),
            "outlet" => Key::Source(1),
            "publisher" => Key::Source(2),
            "site" => Key::Source(3),
            "url" => Key::Url(0),
            "link" => Key::Url(1),
            "author" => Key::Authors(0),
            "authors" => Key::Authors(1),
            "byline" => Key::Authors(2),
            "language" => Key::Language(0),
            "lang" => Key::Language(1),
            _ => Key::Other,
        }
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(Key::of(v))
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

fn read_record<'de, A: MapAccess<'de>>(mut map: A) -> Result<Record, A::Error> {
    let mut r = Record::default();
    while let Some(key) = map.next_key::<Key>()? {
        match key {
            Key::Id => r.id = Some(map.next_value()?),
            Key::Title(i) => r.title[i] = text(map.next_value()?, " "),
            Key::Body(i) => r.body[i] = text(map.next_value()?, "\n\n"),
            Key::Date(i) => r.date[i] = Some(map.next_value()?),
            Key::Source(i) => r.source[i] = text(map.next_value()?, ", "),
            Key::Url(i) => r.url[i] = text(map.next_value()?, " "),
            Key::Authors(i) => r.authors[i] = Some(map.next_value()?),
            Key::Language(i) => r.language[i] = text(map.next_value()?, " "),
            Key::Other => {
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
    Ok(r)
}

/// A value's text, `None` when it is missing or blank.
fn text(value: Loose, list_separator: &str) -> Option<String> {
    let s = match value {
        Loose::List(items) => {
            let parts: Vec<String> = items.into_iter().filter_map(Loose::into_text).collect();
            parts.join(list_separator)
        }
        other => other.into_text()?,
    };
    if s.trim().is_empty() { None } else { Some(s) }
}

/// Any JSON value, read leniently: a field of the wrong type is treated as best it
/// can be rather than failing the record.
enum Loose {
    Null,
    Text(String),
    Number {
        text: String,
        value: f64,
    },
    List(Vec<Loose>),
    /// An object; only its `name` is kept (publishers, authors).
    Named(Option<String>),
}

impl Loose {
    fn into_text(self) -> Option<String> {
        match self {
            Loose::Text(s) => Some(s),
            Loose::Number { text, .. } => Some(text),
            Loose::Named(name) => name,
            Loose::List(items) => {
                let parts: Vec<String> = items.into_iter().filter_map(Loose::into_text).collect();
                (!parts.is_empty()).then(|| parts.join(" "))
            }
            Loose::Null => None,
        }
    }
}

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LooseVisitor)
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any json value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Loose, E> {
        Ok(Loose::Text(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Loose, E> {
        Ok(Loose::Number {
            text: v.to_string(),
            value: v as f64,
        })
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Loose, E> {
        Ok(Loose::Number {
            text: v.to_string(),
            value: v as f64,
        })
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Loose, E> {
        Ok(Loose::Number {
            text: v.to_string(),
            value: v,
        })
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Loose, E> {
        Ok(Loose::Text(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Loose, E> {
        Ok(Loose::Text(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Loose, E> {
        Ok(Loose::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Loose, E> {
        Ok(Loose::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Loose>()? {
            items.push(item);
        }
        Ok(Loose::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loose, A::Error> {
        let mut name = None;
        while let Some(key) = map.next_key::<NameKey>()? {
            if key.0 && name.is_none() {
                name = map.next_value::<Loose>()?.into_text();
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Loose::Named(name))
    }
}

/// Whether an object key is `name`.
struct NameKey(bool);

impl<'de> Deserialize<'de> for NameKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = NameKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<NameKey, E> {
                Ok(NameKey(v.eq_ignore_ascii_case("name")))
            }
        }
        deserializer.deserialize_identifier(V)
    }
}

/// A top-level value of a JSON Lines line or an array element: a record, or what
/// was found instead.
#[allow(
    clippy::large_enum_variant,
    reason = "lives for one record and is moved once; boxing would allocate per record"
)]
enum Top {
    Record(Record),
    Other(&'static str),
}

impl<'de> Deserialize<'de> for Top {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TopVisitor)
    }
}

struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a json object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Top, A::Error> {
        read_record(map).map(Top::Record)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Top, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Top::Other("an array"))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Top, E> {
        Ok(Top::Other("a boolean"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Top, E> {
        Ok(Top::Other("a number"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Top, E> {
        Ok(Top::Other("a number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Top, E> {
        Ok(Top::Other("a number"))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Top, E> {
        Ok(Top::Other("a string"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Top, E> {
        Ok(Top::Other("null"))
    }
}

/// Reads a whole JSON document, handing each record on as soon as it is read.
struct DocumentSeed<'c, 'a, 'b> {
    ctx: &'c mut Ctx<'a, 'b>,
}

impl<'de> DeserializeSeed<'de> for DocumentSeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DocumentSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a json object or an array of objects")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let record = read_record(map)?;
        emit(self.ctx, record, Where::Whole);
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut n = 0;
        while let Some(top) = seq.next_element::<Top>()? {
            n += 1;
            match top {
                Top::Record(record) => emit(self.ctx, record, Where::Element(n)),
                Top::Other(what) => self.ctx.problem(
                    None,
                    ProblemKind::Malformed,
                    format!("array element {n}: expected a json object, found {what}"),
                ),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::tests::run;
    use chrono::{TimeZone, Utc};

    fn one(json: &str) -> Article {
        let (articles, problems) = run("one.json", json.as_bytes());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(articles.len(), 1);
        articles.into_iter().next().expect("one article")
    }

    #[test]
    fn single_object_with_all_primary_keys() {
        let a = one(
            r#"{"id": "abc-1", "title": " Rates  held ", "body": "The bank held rates.\r\n\r\nMarkets rose.",
                "date": "2025-03-17T10:00:00Z", "source": "example.com", "url": "https://example.com/a",
                "author": "By Ann Lee and Bo Chan", "language": "en", "extra": {"nested": [1, 2]}}"#,
        );
        assert_eq!(a.id, "abc-1");
        assert_eq!(a.title.as_deref(), Some("Rates held"));
        assert_eq!(a.body, "The bank held rates.\n\nMarkets rose.");
        assert_eq!(
            a.published,
            Some(Utc.with_ymd_and_hms(2025, 3, 17, 10, 0, 0).unwrap())
        );
        assert_eq!(a.source.as_deref(), Some("example.com"));
        assert_eq!(a.url.as_deref(), Some("https://example.com/a"));
        assert_eq!(a.authors, ["Ann Lee", "Bo Chan"]);
        assert_eq!(a.language.as_deref(), Some("en"));
        assert_eq!(a.path.as_deref(), Some("root/one.json"));
    }

    #[test]
    fn title_aliases() {
        assert_eq!(one(r#"{"headline": "H"}"#).title.as_deref(), Some("H"));
        assert_eq!(
            one(r#"{"headline": "H", "title": "T"}"#).title.as_deref(),
            Some("T")
        );
        assert_eq!(
            one(r#"{"title": "  ", "headline": "H"}"#).title.as_deref(),
            Some("H")
        );
    }

    #[test]
    fn body_aliases_first_non_empty_in_order() {
        assert_eq!(one(r#"{"text": "from text"}"#).body, "from text");
        assert_eq!(one(r#"{"content": "from content"}"#).body, "from content");
        assert_eq!(
            one(r#"{"description": "from description"}"#).body,
            "from description"
        );
        assert_eq!(
            one(r#"{"description": "d", "content": "c", "text": "t", "body": "b"}"#).body,
            "b"
        );
        assert_eq!(
            one(r#"{"description": "d", "body": null, "text": ""}"#).body,
            "d"
        );
        assert_eq!(
            one(r#"{"body": ["para one", "para two"]}"#).body,
            "para one\n\npara two"
        );
    }

    #[test]
    fn date_aliases() {
        let want = Some(Utc.with_ymd_and_hms(2025, 3, 17, 0, 0, 0).unwrap());
        for key in [
            "date",
            "published",
            "published_at",
            "publishedAt",
            "pubDate",
            "datePublished",
        ] {
            let a = one(&format!(r#"{{"title": "t", "{key}": "2025-03-17"}}"#));
            assert_eq!(a.published, want, "{key}");
        }
        let a = one(r#"{"title": "t", "pubDate": "Mon, 17 Mar 2025 00:00:00 GMT"}"#);
        assert_eq!(a.published, want);
        let a = one(r#"{"title": "t", "date": 1742169600}"#);
        assert_eq!(a.published, want);
        let a = one(r#"{"title": "t", "date": 1742169600000}"#);
        assert_eq!(a.published, want);
    }

    #[test]
    fn source_aliases_and_objects() {
        for key in ["source", "outlet", "publisher", "site"] {
            let a = one(&format!(r#"{{"title": "t", "{key}": "Daily Ledger"}}"#));
            assert_eq!(a.source.as_deref(), Some("Daily Ledger"), "{key}");
        }
        let a = one(
            r#"{"title": "t", "publisher": {"@type": "Organization", "name": "Daily Ledger"}}"#,
        );
        assert_eq!(a.source.as_deref(), Some("Daily Ledger"));
        let a = one(r#"{"title": "t", "source": {"id": null, "name": "Wire"}}"#);
        assert_eq!(a.source.as_deref(), Some("Wire"));
    }

    #[test]
    fn url_aliases() {
        let a = one(r#"{"title": "t", "link": "https://example.org/x"}"#);
        assert_eq!(a.url.as_deref(), Some("https://example.org/x"));
        // Without an id the url is the id.
        assert_eq!(a.id, "https://example.org/x");
    }

    #[test]
    fn author_aliases_and_forms() {
        assert_eq!(
            one(r#"{"title": "t", "author": "Ann Lee"}"#).authors,
            ["Ann Lee"]
        );
        assert_eq!(
            one(r#"{"title": "t", "authors": ["Ann Lee", "By Bo Chan"]}"#).authors,
            ["Ann Lee", "Bo Chan"]
        );
        assert_eq!(
            one(r#"{"title": "t", "authors": [{"name": "Ann Lee"}, {"name": "Bo Chan", "url": "x"}]}"#).authors,
            ["Ann Lee", "Bo Chan"]
        );
        assert_eq!(
            one(r#"{"title": "t", "byline": "BY ANN LEE, BO CHAN & CY DIAZ"}"#).authors,
            ["ANN LEE", "BO CHAN", "CY DIAZ"]
        );
        assert_eq!(
            one(r#"{"title": "t", "author": {"name": "Ann Lee"}}"#).authors,
            ["Ann Lee"]
        );
        assert!(one(r#"{"title": "t", "author": null}"#).authors.is_empty());
    }

    #[test]
    fn bylines_split_sensibly() {
        assert_eq!(split_byline("By Michael Gelb, Reuters"), ["Michael Gelb"]);
        assert_eq!(
            split_byline("Chang-Ran Kim , Asia auto correspondent"),
            ["Chang-Ran Kim"]
        );
        assert_eq!(split_byline("Lee, Ann"), ["Lee, Ann"]);
        assert_eq!(
            split_byline("John Smith, Jr. and Ann Lee"),
            ["John Smith Jr.", "Ann Lee"]
        );
        assert_eq!(
            split_byline("Kevin Krolicki and David Bailey"),
            ["Kevin Krolicki", "David Bailey"]
        );
        assert_eq!(split_byline("Ann Lee; Ann Lee"), ["Ann Lee"].repeat(2));
        assert!(split_byline("  ").is_empty());
        assert_eq!(split_byline("A€ and Zoë Ångström"), ["A€", "Zoë Ångström"]);
        assert_eq!(split_byline("by José Núñez"), ["José Núñez"]);
        assert_eq!(split_byline("€€€"), ["€€€"]);
        assert_eq!(
            authors_of(Loose::Text("Ann Lee; ann lee".into())),
            ["Ann Lee"]
        );
    }

    proptest::proptest! {
        #[test]
        fn bylines_never_panic_and_names_are_clean(s in r"(\PC| |,|and|by|&|;){0,40}") {
            for name in split_byline(&s) {
                proptest::prop_assert!(!name.is_empty());
                proptest::prop_assert_eq!(name.trim(), name.as_str());
            }
        }
    }

    #[test]
    fn language_aliases() {
        assert_eq!(
            one(r#"{"title": "t", "lang": "de"}"#).language.as_deref(),
            Some("de")
        );
        assert_eq!(
            one(r#"{"title": "t", "language": "ko"}"#)
                .language
                .as_deref(),
            Some("ko")
        );
    }

    #[test]
    fn keys_match_case_insensitively() {
        let a = one(r#"{"Title": "T", "Body": "B", "PublishedAt": "2025-03-17"}"#);
        assert_eq!(a.title.as_deref(), Some("T"));
        assert_eq!(a.body, "B");
        assert!(a.published.is_some());
    }

    #[test]
    fn numeric_id_becomes_a_string() {
        assert_eq!(one(r#"{"id": 12793, "title": "t"}"#).id, "12793");
        assert_eq!(one(r#"{"id": "  ", "title": "t"}"#).id, "one.json");
        assert_eq!(one(r#"{"id": null, "title": "t"}"#).id, "one.json");
    }

    #[test]
    fn nulls_are_missing() {
        let a = one(
            r#"{"title": "t", "body": null, "date": null, "source": null, "url": null, "author": null, "lang": null}"#,
        );
        assert_eq!(a.body, "");
        assert_eq!(
            (a.published, a.source, a.url, a.language),
            (None, None, None, None)
        );
    }

    #[test]
    fn unparseable_date_is_a_warning_and_the_article_is_kept() {
        let (articles, problems) = run(
            "a.jsonl",
            b"{\"title\": \"t\", \"date\": \"sometime soon\"}\n",
        );
        assert_eq!(articles.len(), 1);
        assert_eq!(articles[0].published, None);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].kind, ProblemKind::BadDate);
        assert!(problems[0].kind.is_warning());
        assert_eq!(
            problems[0].to_string(),
            "root/a.jsonl:1: unparseable date \"sometime soon\", kept without a date"
        );
        // A later alias that reads wins over an earlier one that does not.
        let a = one(r#"{"title": "t", "date": "soon", "published": "2025-03-17"}"#);
        assert!(a.published.is_some());
    }

    #[test]
    fn record_without_text_is_a_problem_and_title_only_is_kept() {
        let raw = b"{\"id\": 1, \"title\": \"  \", \"body\": \" \\n \"}\n{\"id\": 2, \"title\": \"Brief\", \"body\": null}\n";
        let (articles, problems) = run("r.jsonl", raw);
        assert_eq!(articles.len(), 1);
        assert_eq!(articles[0].id, "2");
        assert_eq!(articles[0].body, "");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].kind, ProblemKind::NoText);
        assert_eq!(
            problems[0].to_string(),
            "root/r.jsonl:1: record has neither title nor body"
        );
    }

    #[test]
    fn jsonl_malformed_line_is_reported_and_others_kept() {
        let raw = b"{\"title\": \"one\"}\n\n   \n{\"title\": \"two\",}\n{\"title\": \"three\"}\n[1]\n{\"title\": \"four\"} {}\n";
        let (articles, problems) = run("feed.jsonl", raw);
        let titles: Vec<_> = articles
            .iter()
            .map(|a| a.title.as_deref().unwrap_or(""))
            .collect();
        assert_eq!(titles, ["one", "three"]);
        assert_eq!(articles[0].id, "feed.jsonl#1");
        assert_eq!(articles[1].id, "feed.jsonl#5");
        let lines: Vec<_> = problems.iter().map(|p| (p.line, p.kind)).collect();
        assert_eq!(
            lines,
            [
                (Some(4), ProblemKind::Malformed),
                (Some(6), ProblemKind::Malformed),
                (Some(7), ProblemKind::Malformed)
            ]
        );
        assert!(
            problems[0]
                .to_string()
                .starts_with("root/feed.jsonl:4: invalid json: "),
            "{}",
            problems[0]
        );
        assert_eq!(
            problems[1].message,
            "expected a json object, found an array"
        );
        assert!(
            problems[2].message.contains("trailing characters"),
            "{}",
            problems[2]
        );
    }

    #[test]
    fn jsonl_invalid_utf8_is_lossy_and_reported_once() {
        let raw = b"{\"title\": \"caf\xe9\"}\n{\"title\": \"ok\"}\n{\"title\": \"na\xefve\"}\n";
        let (articles, problems) = run("x.jsonl", raw);
        assert_eq!(articles.len(), 3);
        assert_eq!(articles[0].title.as_deref(), Some("caf\u{fffd}"));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].kind, ProblemKind::InvalidUtf8);
        assert_eq!(problems[0].line, Some(1));
    }

    #[test]
    fn ids_are_stable_and_positional() {
        let raw = b"{\"title\": \"a\"}\n\n{\"title\": \"b\", \"url\": \"https://x.test/b\"}\n{\"id\": \"own\", \"title\": \"c\"}\n{\"title\": \"d\"}\n";
        let ids = |raw: &[u8]| -> Vec<String> {
            run("dir/f.ndjson", raw)
                .0
                .into_iter()
                .map(|a| a.id)
                .collect()
        };
        assert_eq!(
            ids(raw),
            [
                "dir/f.ndjson#1",
                "https://x.test/b",
                "own",
                "dir/f.ndjson#5"
            ]
        );
        assert_eq!(ids(raw), ids(raw));
        let (articles, _) = run(
            "arr.json",
            b"[{\"title\": \"a\"}, {\"title\": \"b\"}, {\"id\": 7, \"title\": \"c\"}]",
        );
        let ids: Vec<_> = articles.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["arr.json#1", "arr.json#2", "7"]);
        assert_eq!(one(r#"{"title": "a"}"#).id, "one.json");
    }

    #[test]
    fn array_keeps_records_before_a_syntax_error() {
        let raw = b"[\n {\"title\": \"a\"},\n 42,\n {\"title\": \"b\"},\n {\"title\": oops}\n]";
        let (articles, problems) = run("arr.json", raw);
        assert_eq!(articles.len(), 2);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(
            problems[0].message,
            "array element 2: expected a json object, found a number"
        );
        assert_eq!(problems[1].line, Some(5));
        assert_eq!(problems[1].kind, ProblemKind::Malformed);
    }

    #[test]
    fn document_of_wrong_type_is_malformed() {
        let (articles, problems) = run("s.json", b"[\"just a string\"]");
        assert!(articles.is_empty());
        assert_eq!(problems[0].kind, ProblemKind::Malformed);
        let (_, problems) = run("s.json", b"{\"title\": \"x\"");
        assert_eq!(problems[0].kind, ProblemKind::Malformed);
        assert!(
            problems[0].message.contains("end of input"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn reuters_like_lines() {
        let raw = br#"{"id": 1, "title": "BAHIA COCOA REVIEW", "date": "1987-02-26T15:01:01.790", "dateline": "SALVADOR, Feb 26", "body": "Showers continued.\n\nReuter", "topics": ["cocoa"], "author": null}
{"id": "USN2021166720061020", "title": "Exxon offers plan", "date": "2006-10-20T18:15:00-04:00", "source": "Reuters", "url": "http://www.reuters.com/x", "body": null, "author": "Jeremy Gaunt , European Investment Correspondent"}
"#;
        let (articles, problems) = run("r.jsonl", raw);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(articles[0].id, "1");
        assert_eq!(
            articles[0].published,
            Some(
                Utc.with_ymd_and_hms(1987, 2, 26, 15, 1, 1).unwrap()
                    + chrono::Duration::milliseconds(790)
            )
        );
        assert_eq!(
            articles[1].published,
            Some(Utc.with_ymd_and_hms(2006, 10, 20, 22, 15, 0).unwrap())
        );
        assert_eq!(articles[1].authors, ["Jeremy Gaunt"]);
        assert_eq!(articles[1].body, "");
    }
}
