//! Feeds: RSS 2.0, RSS 1.0 (RDF) and Atom, read with `feed-rs`; each item is an
//! article, its HTML content turned into text by the HTML module.

use std::io::BufRead;

use feed_rs::model::{Entry, Feed, Link, Text};

use super::html::{domain, fragment_to_text, split_byline};
use super::{Ctx, ProblemKind, clean_body, clean_line, parse_date};
use crate::article::Article;

pub(crate) fn parse(ctx: &mut Ctx<'_, '_>, reader: &mut dyn BufRead) {
    let mut bytes = Vec::new();
    if let Err(e) = reader.read_to_end(&mut bytes) {
        ctx.read_error(None, &e);
        if bytes.is_empty() {
            return;
        }
    }
    let parser = feed_rs::parser::Builder::new()
        // An empty id tells an item without one; feed-rs would otherwise make one up.
        .id_generator(|_, _, _| String::new())
        .sanitize_content(false)
        .timestamp_parser(parse_date)
        .build();
    let parsed =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parser.parse(&bytes[..])));
    let feed = match parsed {
        Ok(Ok(feed)) => feed,
        Ok(Err(e)) => {
            let message = match e {
                feed_rs::parser::ParseFeedError::ParseError(
                    feed_rs::parser::ParseErrorKind::NoFeedRoot,
                ) => "xml is not a feed: no rss, atom or rdf root element".to_string(),
                e => format!("malformed feed: {}", super::lowercase_first(&e.to_string())),
            };
            ctx.problem(None, ProblemKind::Malformed, message);
            return;
        }
        Err(_) => {
            ctx.problem(
                None,
                ProblemKind::Malformed,
                "malformed feed: parser failed",
            );
            return;
        }
    };
    if feed.entries.is_empty() {
        ctx.problem(None, ProblemKind::NoText, "feed has no items");
        return;
    }
    let feed_title = feed.title.as_ref().and_then(text_line);
    let feed_link = best_link(&feed.links);
    for (n, entry) in feed.entries.iter().enumerate() {
        let n = n + 1;
        match article(ctx, &feed, entry, n, feed_title.as_deref(), feed_link) {
            Some(article) => ctx.article(article),
            None => ctx.problem(
                None,
                ProblemKind::NoText,
                format!("item {n} has neither title nor body"),
            ),
        }
    }
}

fn article(
    ctx: &Ctx<'_, '_>,
    feed: &Feed,
    entry: &Entry,
    n: usize,
    feed_title: Option<&str>,
    feed_link: Option<&str>,
) -> Option<Article> {
    let title = entry.title.as_ref().and_then(text_line);
    let content = entry
        .content
        .as_ref()
        .and_then(|c| c.body.as_deref())
        .map(to_text)
        .filter(|b| !b.is_empty());
    let body = content
        .or_else(|| entry.summary.as_ref().map(text_body))
        .unwrap_or_default();
    if title.is_none() && body.is_empty() {
        return None;
    }
    let url = best_link(&entry.links).map(str::to_string);
    let id = clean_line(&entry.id)
        .or_else(|| url.clone())
        .unwrap_or_else(|| format!("{}#{n}", ctx.file.rel));
    let mut authors: Vec<String> = Vec::new();
    for person in &entry.authors {
        let Some(name) = person.name.as_deref().map(str::trim) else {
            continue;
        };
        // RSS 2.0 writes "jane@example.com (Jane Doe)".
        let name = match (name.find('('), name.rfind(')')) {
            (Some(a), Some(b)) if a < b && (a == 0 || name.contains('@')) => &name[a + 1..b],
            _ => name,
        };
        for n in split_byline(name) {
            if !authors.contains(&n) {
                authors.push(n);
            }
        }
    }
    let source = feed_title
        .map(str::to_string)
        .or_else(|| url.as_deref().or(feed_link).and_then(domain));
    let language = entry
        .language
        .as_deref()
        .or(feed.language.as_deref())
        .and_then(|l| {
            let primary = l.trim().split(['-', '_']).next()?.to_ascii_lowercase();
            ((2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_alphabetic()))
                .then_some(primary)
        });
    Some(Article {
        id,
        title,
        body,
        published: entry.published.or(entry.updated),
        source,
        url,
        authors,
        language,
        path: Some(ctx.path_string()),
        entities: Default::default(),
    })
}

/// The item's own page: an `alternate` (or unqualified) link before any other.
fn best_link(links: &[Link]) -> Option<&str> {
    links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or_else(|| links.first())
        .map(|l| l.href.trim())
        .filter(|h| !h.is_empty())
}

fn is_html(text: &Text) -> bool {
    let t = &text.content_type;
    !(t.ty().as_str().eq_ignore_ascii_case("text")
        && t.subty().as_str().eq_ignore_ascii_case("plain"))
}

fn text_line(text: &Text) -> Option<String> {
    if is_html(text) || text.content.contains('<') {
        clean_line(&fragment_to_text(&text.content))
    } else {
        clean_line(&text.content)
    }
}

fn text_body(text: &Text) -> String {
    if is_html(text) || text.content.contains(['<', '&']) {
        fragment_to_text(&text.content)
    } else {
        clean_body(text.content.clone())
    }
}

fn to_text(html: &str) -> String {
    fragment_to_text(html)
}

#[cfg(test)]
mod tests {
    use crate::ingest::ProblemKind;
    use crate::ingest::tests::run;

    const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Coast Herald</title><link>https://coast.example/</link><language>en-gb</language>
<item><title>Harbour reopens</title><link>https://coast.example/harbour</link>
<guid isPermaLink="false">coast-1</guid><pubDate>Tue, 04 Mar 2025 09:30:00 +0000</pubDate>
<dc:creator>Jane Doe</dc:creator>
<description>Short teaser.</description>
<content:encoded><![CDATA[<p>Ships moved again on <b>Tuesday</b>.</p><p>Traders cheered.</p>]]></content:encoded></item>
<item><title>No guid here</title><link>https://coast.example/second</link><description>Only &lt;i&gt;a&lt;/i&gt; description.</description></item>
<item><description></description></item>
</channel></rss>"#;

    #[test]
    fn rss2_items_become_articles() {
        let (a, p) = run("news/feed.rss", RSS.as_bytes());
        assert_eq!(a.len(), 2, "{p:?}");
        assert_eq!(a[0].id, "coast-1");
        assert_eq!(a[0].title.as_deref(), Some("Harbour reopens"));
        assert_eq!(
            a[0].body,
            "Ships moved again on Tuesday.\n\nTraders cheered."
        );
        assert_eq!(a[0].authors, ["Jane Doe"]);
        assert_eq!(a[0].source.as_deref(), Some("Coast Herald"));
        assert_eq!(a[0].language.as_deref(), Some("en"));
        assert_eq!(
            a[0].published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2025-03-04T09:30:00+00:00")
        );
        assert_eq!(a[1].id, "https://coast.example/second");
        assert_eq!(a[1].body, "Only a description.");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].kind, ProblemKind::NoText);
        assert_eq!(p[0].message, "item 3 has neither title nor body");
    }

    #[test]
    fn broken_and_foreign_xml_are_reported() {
        let (a, p) = run(
            "broken.xml",
            b"<rss version=\"2.0\"><channel><item><title>x</titl",
        );
        assert!(a.is_empty());
        assert_eq!(p.len(), 1, "{p:?}");
        let (a, p) = run(
            "sitemap.xml",
            b"<?xml version=\"1.0\"?><urlset><url/></urlset>",
        );
        assert!(a.is_empty());
        assert_eq!(p[0].kind, ProblemKind::Unsupported, "{p:?}");
    }
}
