//! Plain text: the first non-empty line is the title, the rest is the body, and a
//! trailing `Original Source: <outlet>` line sets the source.

use std::io::BufRead;

use super::{Ctx, ProblemKind, clean_body, clean_line};
use crate::article::Article;

const SOURCE_PREFIX: &str = "original source:";
/// A file that is one line longer than this is data, not an article with a title.
const MAX_SINGLE_LINE: usize = 64 * 1024;

pub(crate) fn parse(ctx: &mut Ctx<'_, '_>, reader: &mut dyn BufRead) {
    let mut bytes = Vec::new();
    if let Err(e) = reader.read_to_end(&mut bytes) {
        ctx.read_error(None, &e);
        // Keep what was read before the damage.
    }
    if bytes.len() > MAX_SINGLE_LINE
        && !bytes
            .trim_ascii_end()
            .iter()
            .any(|&b| b == b'\n' || b == b'\r')
    {
        ctx.problem(
            None,
            ProblemKind::Malformed,
            format!(
                "a single line of {} bytes, not a plain-text article",
                bytes.len()
            ),
        );
        return;
    }
    let mut text = ctx.decode(&bytes, Some(1)).into_owned();
    if text.contains('\r') {
        text = text.replace("\r\n", "\n").replace('\r', "\n");
    }
    match article_from_text(&text) {
        Some(mut article) => {
            article.id = ctx.file.rel.clone();
            article.path = Some(ctx.path_string());
            ctx.article(article);
        }
        None if bytes.is_empty() => ctx.problem(None, ProblemKind::NoText, "file is empty"),
        None => ctx.problem(
            None,
            ProblemKind::NoText,
            "file has only whitespace, no title or body",
        ),
    }
}

/// Splits text into title, body and source; `None` when there is no text at all.
fn article_from_text(text: &str) -> Option<Article> {
    let text = text.trim_start();
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let title = clean_line(first)?;
    let mut body = rest.trim_end();
    let mut source = None;
    // The outlet line is the last one; what follows the title is body otherwise.
    let (before, last) = body.rsplit_once('\n').unwrap_or(("", body));
    let last_trimmed = last.trim();
    if last_trimmed.len() >= SOURCE_PREFIX.len()
        && last_trimmed.is_char_boundary(SOURCE_PREFIX.len())
        && last_trimmed[..SOURCE_PREFIX.len()].eq_ignore_ascii_case(SOURCE_PREFIX)
    {
        source = clean_line(&last_trimmed[SOURCE_PREFIX.len()..]);
        body = before;
    }
    Some(Article {
        title: Some(title),
        body: clean_body(body.to_string()),
        source,
        ..Article::default()
    })
}

#[cfg(test)]
mod tests {
    use crate::ingest::ProblemKind;
    use crate::ingest::tests::run;

    #[test]
    fn seed_article_follows_the_convention() {
        let raw = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/seeds/000_d5240dadc151992f.txt"
        ))
        .expect("the seed article ships with the repo");
        let (articles, problems) = run("000_d5240dadc151992f.txt", &raw);
        assert!(problems.is_empty(), "{problems:?}");
        let a = &articles[0];
        assert_eq!(
            a.title.as_deref(),
            Some(
                "Seoul and Kyiv Engage in POW Transfer Negotiations Regarding North Korean Soldiers"
            )
        );
        assert_eq!(a.source.as_deref(), Some("kyivindependent.com"));
        assert!(
            a.body
                .starts_with("Ukraine is negotiating with South Korea")
        );
        assert!(a.body.ends_with("POW treatment and relocation."));
        assert!(!a.body.contains("Original Source"));
        assert_eq!(a.id, "000_d5240dadc151992f.txt");
        assert_eq!(a.path.as_deref(), Some("root/000_d5240dadc151992f.txt"));
        assert_eq!(a.published, None);
    }

    #[test]
    fn title_body_and_paragraphs_with_crlf() {
        let raw = b"\r\n\r\n  Storm  closes\tport  \r\n\r\nFirst paragraph.\r\nSame paragraph.\r\n\r\nSecond paragraph.\r\n\r\nOriginal Source:  Coastal Herald \r\n";
        let (articles, problems) = run("a/storm.txt", raw);
        assert!(problems.is_empty());
        let a = &articles[0];
        assert_eq!(a.title.as_deref(), Some("Storm closes port"));
        assert_eq!(
            a.body,
            "First paragraph.\nSame paragraph.\n\nSecond paragraph."
        );
        assert_eq!(a.source.as_deref(), Some("Coastal Herald"));
        assert_eq!(a.id, "a/storm.txt");
    }

    #[test]
    fn old_mac_line_breaks() {
        let (articles, _) = run(
            "mac.txt",
            b"Title line\r\rBody line.\rOriginal Source: x.example",
        );
        assert_eq!(articles[0].title.as_deref(), Some("Title line"));
        assert_eq!(articles[0].body, "Body line.");
        assert_eq!(articles[0].source.as_deref(), Some("x.example"));
    }

    #[test]
    fn source_line_only_counts_at_the_end() {
        let raw = b"Title\n\nOriginal Source: quoted in the middle\nMore body.";
        let (articles, _) = run("a.txt", raw);
        assert_eq!(articles[0].source, None);
        assert!(articles[0].body.contains("Original Source: quoted"));
    }

    #[test]
    fn one_huge_line_is_not_an_article() {
        let raw = "word ".repeat(20_000);
        let (articles, problems) = run("dump.txt", raw.as_bytes());
        assert!(articles.is_empty());
        assert_eq!(problems[0].kind, ProblemKind::Malformed);
        assert!(
            problems[0]
                .message
                .starts_with("a single line of 100000 bytes")
        );
    }

    #[test]
    fn title_only_is_kept_with_empty_body() {
        let (articles, problems) = run("a.txt", b"\n\nJust a headline\n\n");
        assert!(problems.is_empty());
        assert_eq!(articles[0].title.as_deref(), Some("Just a headline"));
        assert_eq!(articles[0].body, "");
    }

    #[test]
    fn empty_file_has_no_text() {
        for (raw, message) in [
            (&b""[..], "root/empty.txt: file is empty"),
            (
                b"  \n\t\r\n ",
                "root/empty.txt: file has only whitespace, no title or body",
            ),
        ] {
            let (articles, problems) = run("empty.txt", raw);
            assert!(articles.is_empty());
            assert_eq!(problems.len(), 1);
            assert_eq!(problems[0].kind, ProblemKind::NoText);
            assert_eq!(problems[0].to_string(), message);
        }
    }

    #[test]
    fn invalid_utf8_is_decoded_lossily_and_reported_once() {
        // Latin-1 pound signs, as in some BBC files.
        let raw = b"Prices rise\n\nA pint costs \xa33 now.\nA loaf costs \xa32.";
        let (articles, problems) = run("sport/199.txt", raw);
        assert_eq!(articles.len(), 1);
        assert_eq!(
            articles[0].body,
            "A pint costs \u{fffd}3 now.\nA loaf costs \u{fffd}2."
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].kind, ProblemKind::InvalidUtf8);
        assert_eq!(problems[0].line, Some(3));
        assert!(problems[0].kind.is_warning());
        assert!(
            problems[0].message.contains("0xa3"),
            "{}",
            problems[0].message
        );
    }
}
