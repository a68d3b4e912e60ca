//! Real-world inputs through `newsdex parse`: HTML pages (main-text F1 against
//! hand-written expectations), RSS/Atom/RDF feeds, WARC archives, and bad input that
//! must be reported and skipped.

mod common;

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use common::TestEnv;
use serde_json::Value;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn parse(env: &TestEnv, paths: &[&Path]) -> common::Run {
    let mut args = vec!["parse".to_string()];
    args.extend(paths.iter().map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    env.run(&args)
}

fn tokens(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Token-level F1 of `got` against `want`, counting repeated words.
fn f1(got: &str, want: &str) -> f64 {
    let mut counts: HashMap<String, i64> = HashMap::new();
    let want = tokens(want);
    let got = tokens(got);
    for t in &want {
        *counts.entry(t.clone()).or_default() += 1;
    }
    let mut common = 0;
    for t in &got {
        if let Some(c) = counts.get_mut(t)
            && *c > 0
        {
            *c -= 1;
            common += 1;
        }
    }
    if common == 0 {
        return 0.0;
    }
    let precision = common as f64 / got.len() as f64;
    let recall = common as f64 / want.len() as f64;
    2.0 * precision * recall / (precision + recall)
}

struct Expect {
    name: &'static str,
    id: &'static str,
    title: &'static str,
    published: &'static str,
    authors: &'static [&'static str],
    source: Option<&'static str>,
    language: Option<&'static str>,
}

const PAGES: &[Expect] = &[
    Expect {
        name: "harbour-herald",
        id: "https://www.harbourherald.example/news/uk-68211234",
        title: "Port Alder reopens after storm cleared channel",
        published: "2025-03-04T09:12:00Z",
        authors: &["Owen Pritchard"],
        source: Some("Harbour Herald"),
        language: Some("en"),
    },
    Expect {
        name: "daily-ledger",
        id: "https://www.dailyledger.example/business/2025/feb/27/grocery-price-freeze",
        title: "Grocery chain freezes prices on 300 items until June",
        published: "2025-02-27T07:00:12Z",
        authors: &["Mira Haldane"],
        source: Some("The Daily Ledger"),
        language: Some("en"),
    },
    Expect {
        name: "valley-times",
        id: "valley-times.html",
        title: "Voters approve sales tax for bridge repairs",
        published: "2024-11-06T00:00:00Z",
        authors: &["Ruth Okafor"],
        source: None,
        language: None,
    },
    Expect {
        name: "metro-wire",
        id: "https://www.metrowire.example/markets/commodities/copper-hits-four-month-high-2025-01-15/",
        title: "Copper hits four-month high on upbeat China factory data",
        published: "2025-01-15T08:05:31Z",
        authors: &["Daniel Osei", "Lin Qiao"],
        source: Some("Metro Wire"),
        language: Some("en"),
    },
    Expect {
        name: "island-post",
        id: "island-post.html",
        title: "Ferry timetable cut for six weeks during repairs",
        published: "2025-04-10T17:22:41Z",
        authors: &["Calum Dunnet"],
        source: None,
        language: Some("en"),
    },
    Expect {
        name: "northern-courier",
        id: "https://www.northerncourier.example/news/local/city-cycle-route-finally-opens-4471920",
        title: "City cycle route finally opens two years late",
        published: "2024-09-21T13:30:00Z",
        authors: &["Hamish Leckie"],
        source: Some("Northern Courier"),
        language: Some("en"),
    },
    Expect {
        name: "gazette-live",
        id: "gazette-live.html",
        title: "School closes classrooms over crumbling concrete",
        published: "2023-09-08T16:45:00Z",
        authors: &["Tom Ashdown"],
        source: Some("Gazette Live"),
        language: None,
    },
];

fn str_of<'a>(a: &'a Value, key: &str) -> Option<&'a str> {
    a.get(key).and_then(Value::as_str)
}

#[test]
fn html_pages_yield_the_article_not_the_page() {
    let env = TestEnv::new();
    let mut scores = Vec::new();
    for page in PAGES {
        let path = fixture(&format!("html/{}.html", page.name));
        let run = parse(&env, &[&path]);
        assert_eq!(run.code, 0, "{}: {}", page.name, run.stderr);
        assert_eq!(run.stderr, "", "{}", page.name);
        let articles = run.json_lines();
        assert_eq!(articles.len(), 1, "{}", page.name);
        let a = &articles[0];
        let want = std::fs::read_to_string(fixture(&format!("html/{}.expected", page.name)))
            .expect("expected text ships beside the page");
        let body = str_of(a, "body").expect("body");
        let score = f1(body, &want);
        eprintln!("{:<18} main-text F1 {score:.3}", page.name);
        scores.push(score);
        assert!(
            score >= 0.95,
            "{}: F1 {score:.3}\n--- got:\n{body}\n--- want:\n{want}",
            page.name
        );
        // Paragraphs are kept.
        assert_eq!(
            body.matches("\n\n").count(),
            want.trim_end().matches("\n\n").count(),
            "{}: paragraphs\n{body}",
            page.name
        );
        assert_eq!(str_of(a, "id"), Some(page.id), "{} id", page.name);
        assert_eq!(str_of(a, "title"), Some(page.title), "{} title", page.name);
        assert_eq!(
            str_of(a, "published"),
            Some(page.published),
            "{} date",
            page.name
        );
        let authors: Vec<&str> = a["authors"]
            .as_array()
            .expect("authors")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(authors, page.authors, "{} authors", page.name);
        assert_eq!(str_of(a, "source"), page.source, "{} source", page.name);
        assert_eq!(
            str_of(a, "language"),
            page.language,
            "{} language",
            page.name
        );
        assert_eq!(
            str_of(a, "path"),
            Some(path.display().to_string().as_str()),
            "{} path",
            page.name
        );
    }
    let mean = scores.iter().sum::<f64>() / scores.len() as f64;
    eprintln!("mean main-text F1 {mean:.3} over {} pages", scores.len());
}

#[test]
fn page_without_article_text_is_reported() {
    let env = TestEnv::new();
    let path = fixture("html/section-index.html");
    let run = parse(&env, &[&path]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        format!(
            "newsdex: skipped: {}: no article text found\n",
            path.display()
        )
    );
}

#[test]
fn html_saved_under_other_names_and_in_folders() {
    let env = TestEnv::new();
    let page = std::fs::read(fixture("html/island-post.html")).expect("fixture");
    env.write("site/saved-page.txt", &page);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&page).expect("gzip");
    env.write("site/deep/page.htm.gz", gz.finish().expect("gzip"));
    env.write("site/notes.md", "# not walked");
    let run = parse(&env, &[&env.path().join("site")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ids: Vec<String> = run
        .json_lines()
        .iter()
        .map(|a| str_of(a, "id").unwrap_or_default().to_string())
        .collect();
    assert_eq!(ids, ["deep/page.htm.gz", "saved-page.txt"]);
}

#[test]
fn feeds_give_one_article_per_item() {
    let env = TestEnv::new();
    let rss = fixture("feeds/coast-herald.rss");
    let atom = fixture("feeds/riverside-courier.atom");
    let rdf = fixture("feeds/valley-bulletin.xml");
    let run = parse(&env, &[&rss, &atom, &rdf]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    let a = run.json_lines();
    assert_eq!(a.len(), 7);

    // RSS 2.0: content:encoded wins over the description, HTML becomes paragraphs.
    assert_eq!(str_of(&a[0], "id"), Some("coastherald-98121"));
    assert_eq!(
        str_of(&a[0], "url"),
        Some("https://www.coastherald.example/news/lifeboat-rescue-walkers")
    );
    assert_eq!(str_of(&a[0], "published"), Some("2025-03-05T16:42:00Z"));
    assert_eq!(a[0]["authors"], serde_json::json!(["Nadia Brennan"]));
    assert_eq!(str_of(&a[0], "source"), Some("Coast Herald - Local News"));
    assert_eq!(str_of(&a[0], "language"), Some("en"));
    let body = str_of(&a[0], "body").expect("body");
    assert!(body.starts_with("Two walkers were rescued"), "{body}");
    assert!(!body.contains('<') && !body.contains("&ldquo;"), "{body}");
    assert_eq!(body.matches("\n\n").count(), 3, "{body}");
    assert!(body.contains("“They did exactly the right thing"), "{body}");
    // No guid: the link is the id; escaped HTML in a description is stripped.
    assert_eq!(
        str_of(&a[1], "id"),
        Some("https://www.coastherald.example/news/market-hall-reopens")
    );
    assert_eq!(a[1]["authors"], serde_json::json!(["Harriet Quayle"]));
    assert_eq!(
        str_of(&a[1], "body"),
        Some(
            "The Victorian market hall will reopen on Saturday after a two-year restoration of its glass roof.\n\nTraders say they are ready."
        )
    );
    // Neither guid nor link: the path and the item's position.
    assert_eq!(str_of(&a[2], "id"), Some("coast-herald.rss#3"));

    // Atom: published (not updated), several authors, HTML title and content.
    assert_eq!(
        str_of(&a[3], "title"),
        Some("Flood defences pass their first real test")
    );
    assert_eq!(str_of(&a[3], "published"), Some("2025-06-02T11:30:00Z"));
    assert_eq!(
        a[3]["authors"],
        serde_json::json!(["Marcus Delacroix", "Yuki Tanabe"])
    );
    assert_eq!(str_of(&a[3], "source"), Some("Riverside Courier"));
    assert!(
        str_of(&a[3], "body")
            .is_some_and(|b| b.ends_with("Peak level: 21.4 feet\n\nHomes evacuated: none"))
    );
    // Without published, updated is the date.
    assert_eq!(str_of(&a[4], "published"), Some("2025-05-30T15:00:00Z"));

    // RSS 1.0 / RDF with Dublin Core dates and creators.
    assert_eq!(
        str_of(&a[5], "id"),
        Some("https://valley-bulletin.example/2024/10/bus-line")
    );
    assert_eq!(str_of(&a[5], "published"), Some("2024-10-14T06:00:00Z"));
    assert_eq!(a[5]["authors"], serde_json::json!(["Lena Hofbauer"]));
    assert_eq!(str_of(&a[5], "language"), Some("de"));
    assert_eq!(str_of(&a[6], "source"), Some("Valley Bulletin"));
}

fn warc_record(kind: &str, uri: &str, date: &str, block: &[u8], length: Option<usize>) -> Vec<u8> {
    let content_type = match kind {
        "response" => "application/http; msgtype=response",
        "request" => "application/http; msgtype=request",
        _ => "application/warc-fields",
    };
    let mut r = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: {date}\r\n\
         WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{:012}>\r\n\
         Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        uri.len() + block.len(),
        length.unwrap_or(block.len())
    )
    .into_bytes();
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

fn http_response(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nServer: test\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

/// A crawl of two article pages, a request, a redirect, an image, a page without an
/// article, and one record whose Content-Length is wrong.
fn crawl() -> Vec<u8> {
    let page = |name: &str| std::fs::read(fixture(&format!("html/{name}.html"))).expect("fixture");
    let mut w = warc_record(
        "warcinfo",
        "",
        "2025-03-05T10:00:00Z",
        b"software: newsdex-test\r\n",
        None,
    );
    w.extend(warc_record(
        "request",
        "https://www.valleytimes.example/story/4412",
        "2025-03-05T10:00:01Z",
        b"GET /story/4412 HTTP/1.1\r\nHost: www.valleytimes.example\r\n\r\n",
        None,
    ));
    w.extend(warc_record(
        "response",
        "https://www.valleytimes.example/story/4412",
        "2025-03-05T10:00:02Z",
        &http_response(
            "200 OK",
            "text/html; charset=ISO-8859-1",
            &page("valley-times"),
        ),
        None,
    ));
    w.extend(warc_record(
        "response",
        "https://www.valleytimes.example/old",
        "2025-03-05T10:00:03Z",
        &http_response("301 Moved Permanently", "text/html", b"<html>moved</html>"),
        None,
    ));
    // Record 5: the length claims 500 bytes more than there are.
    let broken = http_response("200 OK", "text/html", &page("metro-wire"));
    w.extend(warc_record(
        "response",
        "https://www.metrowire.example/broken",
        "2025-03-05T10:00:04Z",
        &broken,
        Some(broken.len() + 500),
    ));
    w.extend(warc_record(
        "response",
        "https://img.example/logo.png",
        "2025-03-05T10:00:05Z",
        &http_response("200 OK", "image/png", b"\x89PNG\r\n\x1a\n"),
        None,
    ));
    w.extend(warc_record(
        "response",
        "https://www.coastalgazette.example/news",
        "2025-03-05T10:00:06Z",
        &http_response("200 OK", "text/html", &page("section-index")),
        None,
    ));
    w.extend(warc_record(
        "response",
        "https://www.harbourherald.example/news/uk-68211234?at_medium=rss",
        "2025-03-05T10:00:07Z",
        &http_response(
            "200 OK",
            "text/html; charset=utf-8",
            &page("harbour-herald"),
        ),
        None,
    ));
    w
}

#[test]
fn warc_responses_become_articles_and_corrupt_records_are_skipped() {
    let env = TestEnv::new();
    let warc = crawl();
    let plain = env.write("crawl.warc", &warc);
    // Per-record gzip, as crawlers write .warc.gz.
    let mut gz = Vec::new();
    let mut starts: Vec<usize> = warc
        .windows(7)
        .enumerate()
        .filter(|(_, w)| *w == b"WARC/1.")
        .map(|(i, _)| i)
        .collect();
    starts.push(warc.len());
    for pair in starts.windows(2) {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&warc[pair[0]..pair[1]]).expect("gzip");
        gz.extend(enc.finish().expect("gzip"));
    }
    let zipped = env.write("crawl.warc.gz", &gz);

    for path in [&plain, &zipped] {
        let run = parse(&env, &[path]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let a = run.json_lines();
        let ids: Vec<&str> = a.iter().filter_map(|a| str_of(a, "id")).collect();
        assert_eq!(
            ids,
            [
                "https://www.valleytimes.example/story/4412",
                "https://www.harbourherald.example/news/uk-68211234",
            ],
            "{}",
            run.stderr
        );
        // A canonical URL is the id, the fetched one the url; the source is the domain.
        assert_eq!(str_of(&a[0], "published"), Some("2024-11-06T00:00:00Z"));
        assert_eq!(str_of(&a[0], "source"), Some("valleytimes.example"));
        assert_eq!(
            str_of(&a[1], "url"),
            Some("https://www.harbourherald.example/news/uk-68211234?at_medium=rss")
        );
        assert_eq!(
            str_of(&a[1], "title"),
            Some("Port Alder reopens after storm cleared channel")
        );
        let want =
            std::fs::read_to_string(fixture("html/harbour-herald.expected")).expect("fixture");
        assert!(f1(str_of(&a[1], "body").unwrap_or_default(), &want) >= 0.95);

        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(lines.len(), 2, "{}", run.stderr);
        let shown = path.display().to_string();
        assert!(
            lines[0].starts_with(&format!(
                "newsdex: skipped: {shown}: record 5: content-length"
            )),
            "{}",
            lines[0]
        );
        assert_eq!(
            lines[1],
            format!(
                "newsdex: skipped: {shown}: record 7 (https://www.coastalgazette.example/news): no article text found"
            )
        );
    }
}

#[test]
fn warc_date_is_the_fallback_date() {
    let env = TestEnv::new();
    let html = "<html><body><article><p>The bakery on Mill Lane will close for good on Saturday, its owners said, after forty years of trading in the town.</p></article></body></html>";
    let warc = warc_record(
        "response",
        "http://bakery.example/closing",
        "2019-07-01T12:34:56Z",
        &http_response("200 OK", "text/html", html.as_bytes()),
        None,
    );
    let path = env.write("one.warc", warc);
    let run = parse(&env, &[&path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let a = run.json_lines();
    assert_eq!(str_of(&a[0], "published"), Some("2019-07-01T12:34:56Z"));
    assert_eq!(str_of(&a[0], "id"), Some("http://bakery.example/closing"));
}

#[test]
fn bad_input_is_reported_with_its_path_and_skipped() {
    let env = TestEnv::new();
    let page = std::fs::read(fixture("html/daily-ledger.html")).expect("fixture");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&page).expect("gzip");
    let gz = gz.finish().expect("gzip");
    env.write("in/a-truncated.html.gz", &gz[..gz.len() / 2]);
    let mut binary = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    binary.extend([0u8; 256]);
    env.write("in/b-photo.txt", &binary);
    env.write("in/c-huge.txt", "lorem ipsum ".repeat(4_400_000).as_bytes());
    env.write(
        "in/d-empty-page.html",
        "<!DOCTYPE html><html><body><nav><a href=/>Home</a></nav></body></html>",
    );
    let mut warc = crawl();
    warc.truncate(warc.len() - 3000);
    env.write("in/e-cut.warc", &warc);
    env.write(
        "in/f-broken.rss",
        "<rss version=\"2.0\"><channel><item><title>Half</title",
    );
    env.write("in/g-good.html", &page);

    let run = parse(&env, &[&env.path().join("in")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let ids: Vec<String> = run
        .json_lines()
        .iter()
        .filter_map(|a| str_of(a, "path").map(str::to_string))
        .collect();
    // The cut WARC keeps the record before the cut; the good page is read.
    assert!(ids.iter().any(|p| p.ends_with("e-cut.warc")), "{ids:?}");
    assert!(
        ids.last().is_some_and(|p| p.ends_with("g-good.html")),
        "{ids:?}"
    );
    for name in [
        "a-truncated.html.gz",
        "b-photo.txt",
        "c-huge.txt",
        "d-empty-page.html",
        "e-cut.warc",
        "f-broken.rss",
    ] {
        assert!(
            run.stderr
                .lines()
                .any(|l| l.starts_with("newsdex: skipped: ") && l.contains(name)),
            "{name} not reported:\n{}",
            run.stderr
        );
    }
}

#[test]
fn parse_exit_codes() {
    let env = TestEnv::new();
    let empty = env.write("empty.html", "");
    let run = parse(&env, &[&empty]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let run = env.run(&["parse"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

/// Throughput of HTML extraction; run with
/// `cargo test --release --test formats -- --ignored --nocapture`.
#[test]
#[ignore = "timing; run in release"]
fn html_extraction_throughput() {
    let env = TestEnv::new();
    let mut bytes = 0;
    for i in 0..400 {
        let page = PAGES[i % PAGES.len()].name;
        let html = std::fs::read(fixture(&format!("html/{page}.html"))).expect("fixture");
        bytes += html.len();
        env.write(&format!("pages/{i:04}.html"), html);
    }
    let start = std::time::Instant::now();
    let run = parse(&env, &[&env.path().join("pages")]);
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(run.json_lines().len(), 400);
    eprintln!(
        "{} KB of HTML in {secs:.3} s: {:.1} MB/s (process start included)",
        bytes / 1000,
        bytes as f64 / secs / 1e6
    );
}
