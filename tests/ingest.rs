//! Ingest through the real binary: every format and date form, bad input reported
//! with its path (and line) and never fatal, re-indexing without duplicates.

#![allow(clippy::unwrap_used)]

mod common;

use common::TestEnv;

fn published_of(env: &TestEnv, id: &str) -> serde_json::Value {
    let run = env.ok(&["show", id, "--format", "json"]);
    let record: serde_json::Value = serde_json::from_str(run.stdout.trim()).expect("json");
    record["published"].clone()
}

#[test]
fn every_format_is_ingested() {
    let env = TestEnv::new();
    env.write(
        "news/plain.txt",
        "Harbour reopens after storm\n\nThe harbour reopened on Monday.\nOriginal Source: harbour-news.example\n",
    );
    env.write(
        "news/one.json",
        r#"{"id": "obj-1", "headline": "Wheat harvest beats forecasts", "text": "Farmers reported a record wheat harvest.", "publishedAt": "2025-03-17T10:00:00Z", "outlet": "Farm Daily", "link": "https://farm.example/wheat", "byline": "By Ann Lee and Bo Chen"}"#,
    );
    env.write(
        "news/many.json",
        r#"[{"title": "Copper climbs", "body": "Copper prices climbed."}, {"title": "Zinc slips", "content": "Zinc prices slipped."}]"#,
    );
    env.write(
        "news/deep/er/feed.ndjson",
        "{\"id\": 7, \"title\": \"Rail strike ends\", \"description\": \"The rail strike ended.\"}\n",
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(
        &mut gz,
        b"{\"id\": \"gz-1\", \"title\": \"Tin market calm\", \"body\": \"Tin traded flat.\"}\n{\"id\": \"gz-2\", \"title\": \"Nickel rally\", \"body\": \"Nickel rallied.\"}\n",
    )
    .unwrap();
    env.write("news/archive.jsonl.gz", gz.finish().unwrap());

    let run = env.ok(&["index", "news"]);
    assert!(run.stderr.contains("7 articles indexed"), "{}", run.stderr);

    let hit = &env
        .ok(&["search", "wheat", "--format", "json"])
        .json_lines()[0];
    assert_eq!(hit["id"], "obj-1");
    assert_eq!(hit["title"], "Wheat harvest beats forecasts");
    assert_eq!(hit["source"], "Farm Daily");
    assert_eq!(hit["url"], "https://farm.example/wheat");
    assert_eq!(hit["published"], "2025-03-17T10:00:00Z");
    assert_eq!(hit["authors"], serde_json::json!(["Ann Lee", "Bo Chen"]));

    let hit = &env
        .ok(&["search", "harbour", "--format", "json"])
        .json_lines()[0];
    assert_eq!(hit["source"], "harbour-news.example");
    assert_eq!(hit["id"], "plain.txt");
    let body = env.ok(&["show", "plain.txt"]).stdout;
    assert!(!body.contains("Original Source"), "{body}");

    assert_eq!(
        env.ok(&["search", "zinc", "--format", "json"]).json_lines()[0]["id"],
        "many.json#2"
    );
    assert_eq!(
        env.ok(&["search", "rail", "--format", "json"]).json_lines()[0]["id"],
        "7"
    );
    assert_eq!(
        env.ok(&["search", "nickel", "--format", "json"])
            .json_lines()[0]["id"],
        "gz-2"
    );
}

#[test]
fn every_date_form_is_read() {
    let env = TestEnv::new();
    let forms = [
        (
            "rfc3339",
            "2025-03-17T10:00:00+02:00",
            "2025-03-17T08:00:00Z",
        ),
        ("nozone", "2025-03-17T10:00:00", "2025-03-17T10:00:00Z"),
        (
            "fraction",
            "1987-02-26T15:01:01.790",
            "1987-02-26T15:01:01Z",
        ),
        (
            "rfc2822",
            "Mon, 17 Mar 2025 10:00:00 +0000",
            "2025-03-17T10:00:00Z",
        ),
        ("words", "March 17, 2025", "2025-03-17T00:00:00Z"),
        ("day", "2025-03-17", "2025-03-17T00:00:00Z"),
    ];
    let mut lines = String::new();
    for (id, date, _) in forms {
        lines.push_str(&format!(
            "{{\"id\": \"{id}\", \"title\": \"Dated {id}\", \"body\": \"Body.\", \"date\": \"{date}\"}}\n"
        ));
    }
    env.write("dates.jsonl", lines);
    env.ok(&["index", "dates.jsonl"]);
    for (id, _, expected) in forms {
        assert_eq!(published_of(&env, id), expected, "date form {id}");
    }
    // Date filters use them.
    let run = env.ok(&[
        "search",
        "dated",
        "--since",
        "2025-03-17",
        "--until",
        "2025-03-17",
        "--count",
    ]);
    assert_eq!(run.stdout.trim(), "5");
    let run = env.ok(&[
        "search",
        "dated published:[1987-01-01 TO 1987-12-31]",
        "--count",
    ]);
    assert_eq!(run.stdout.trim(), "1");
}

#[test]
fn malformed_lines_are_reported_with_path_and_line_and_skipped() {
    let env = TestEnv::new();
    env.write(
        "feed.jsonl",
        "{\"title\": \"Good one\", \"body\": \"Fine.\"}\n{\"title\": \"Broken\", \n\n{\"title\": \"\", \"body\": \"  \"}\n{\"title\": \"Good two\", \"body\": \"Also fine.\"}\n",
    );
    let run = env.ok(&["index", "feed.jsonl"]);
    assert!(run.stderr.contains("feed.jsonl:2:"), "{}", run.stderr);
    assert!(run.stderr.contains("feed.jsonl:4:"), "{}", run.stderr);
    assert!(run.stderr.contains("2 articles indexed"), "{}", run.stderr);
    assert!(run.stderr.contains("2 skipped"), "{}", run.stderr);
    assert_eq!(env.ok(&["search", "good", "--count"]).stdout.trim(), "2");
}

#[test]
fn invalid_utf8_is_decoded_lossily_with_a_warning() {
    let env = TestEnv::new();
    env.write(
        "latin1.txt",
        b"Price of tea\n\nTea now costs \xa35 a pound in London.\n".as_slice(),
    );
    let run = env.ok(&["index", "latin1.txt"]);
    assert!(run.stderr.contains("latin1.txt"), "{}", run.stderr);
    assert!(run.stderr.contains("1 articles indexed"), "{}", run.stderr);
    assert_eq!(env.ok(&["search", "tea", "--count"]).stdout.trim(), "1");
}

#[test]
fn reindexing_the_same_input_never_duplicates() {
    let env = TestEnv::new();
    env.with_seeds();
    env.ok(&["index", "seeds"]);
    let first = env.ok(&["search", "--count", "Ukraine OR the"]).stdout;
    env.ok(&["index", "seeds"]);
    env.ok(&["index", "./seeds/"]);
    let again = env.ok(&["search", "--count", "Ukraine OR the"]).stdout;
    assert_eq!(first, again);
    let stats = env.ok(&["stats", "--format", "json"]).json_lines();
    assert_eq!(
        stats[0]["roots"].as_array().unwrap().len(),
        1,
        "{}",
        stats[0]
    );
}

#[test]
fn a_bad_file_never_loses_the_others() {
    let env = TestEnv::new();
    env.write(
        "mix/good.txt",
        "Bridge opens\n\nThe new bridge opened to traffic.\n",
    );
    env.write(
        "mix/binary.txt",
        [0u8, 159, 146, 150, 0, 0, 1, 2, 3].as_slice(),
    );
    env.write("mix/empty.json", "");
    env.write("mix/bad.json", "{ not json");
    let run = env.run(&["index", "mix"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("binary.txt"), "{}", run.stderr);
    assert!(run.stderr.contains("bad.json"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(env.ok(&["search", "bridge", "--count"]).stdout.trim(), "1");
}

#[test]
fn reuters_21578_indexes_every_record_with_text() {
    let Some(file) = common::corpus_file("reuters21578/reuters21578.jsonl.gz") else {
        return;
    };
    let env = TestEnv::new();
    let run = env.ok(&["index", "--no-entities", file.to_str().unwrap()]);
    assert!(
        run.stderr.contains("21577 articles indexed"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(":12793: "), "{}", run.stderr);
    let stats = env.ok(&["stats", "--format", "json"]).json_lines();
    assert_eq!(stats[0]["articles"], 21577);
    // Title-only briefs are searchable and show their lead (the title) without passages.
    let run = env.ok(&["search", "--count", "title:cocoa"]);
    assert!(run.stdout.trim().parse::<u64>().unwrap() > 10);
}
