//! Searching through the real binary: the seed article, highlighting, query syntax,
//! filters, output formats and exit codes.

#![allow(clippy::unwrap_used)]

mod common;

use common::TestEnv;

fn seeded() -> TestEnv {
    let env = TestEnv::new();
    env.with_seeds();
    env.ok(&["index", "seeds"]);
    env
}

#[test]
fn fresh_checkout_builds_the_index_from_seeds_and_answers() {
    let env = TestEnv::new();
    env.with_seeds();
    let run = env.ok(&["search", "POW transfer"]);
    assert!(
        run.stderr.contains("building index from seeds/"),
        "stderr: {}",
        run.stderr
    );
    let first = run.stdout.lines().next().unwrap_or_default();
    assert!(
        first.contains("Seoul and Kyiv Engage in POW Transfer"),
        "first line: {first}"
    );
    // The second run finds the index and says nothing about building it.
    let again = env.ok(&["search", "POW transfer"]);
    assert!(!again.stderr.contains("building"), "{}", again.stderr);
}

#[test]
fn seed_is_the_top_hit_with_both_words_highlighted() {
    let env = seeded();
    let run = env.ok(&["search", "POW transfer", "--format", "json"]);
    let hits = run.json_lines();
    assert_eq!(hits[0]["id"], "000_d5240dadc151992f.txt");
    let passages = hits[0]["passages"].as_array().expect("passages");
    let words_in_one_passage = passages.iter().any(|p| {
        let text = p["text"].as_str().unwrap_or_default();
        let marked: Vec<String> = p["highlights"]
            .as_array()
            .expect("highlights")
            .iter()
            .map(|h| {
                let (s, e) = (
                    h[0].as_u64().unwrap() as usize,
                    h[1].as_u64().unwrap() as usize,
                );
                text[s..e].to_lowercase()
            })
            .collect();
        marked.iter().any(|w| w.starts_with("pow"))
            && marked.iter().any(|w| w.starts_with("transfer"))
    });
    assert!(
        words_in_one_passage,
        "no passage highlights both words: {passages:?}"
    );
}

#[test]
fn colour_marks_matches_only_when_asked() {
    let env = seeded();
    let plain = env.ok(&["search", "transfer"]);
    assert!(!plain.stdout.contains('\x1b'), "{}", plain.stdout);
    let coloured = env.ok(&["search", "transfer", "--color", "always"]);
    assert!(
        coloured.stdout.contains("\x1b[1;31mtransfer"),
        "{}",
        coloured.stdout
    );
    let mut cmd = env.cmd(&["search", "transfer", "--color", "auto"]);
    cmd.env("NO_COLOR", "1");
    let out = cmd.output().expect("run");
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\x1b'));
}

#[test]
fn phrase_highlights_only_where_the_phrase_occurs() {
    let env = TestEnv::new();
    env.write(
        "news/a.txt",
        "Bank notes\n\nThe central bank raised rates. A bank in the central district closed.\n",
    );
    env.ok(&["index", "news"]);
    let run = env.ok(&["search", "\"central bank\"", "--format", "json"]);
    let hits = run.json_lines();
    let p = &hits[0]["passages"][0];
    let text = p["text"].as_str().unwrap();
    let marked: Vec<&str> = p["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| &text[h[0].as_u64().unwrap() as usize..h[1].as_u64().unwrap() as usize])
        .collect();
    assert!(
        marked.concat().contains("central") && marked.concat().contains("bank"),
        "{marked:?}"
    );
    // Words of the phrase elsewhere ("A bank in the central district") stay plain.
    assert_eq!(
        marked.iter().filter(|m| m.contains("bank")).count(),
        1,
        "{marked:?} in {text}"
    );

    let loose = env.ok(&["search", "central bank", "--format", "json"]);
    let p = &loose.json_lines()[0]["passages"][0];
    let n = p["highlights"].as_array().unwrap().len();
    assert!(n >= 4, "plain words highlight everywhere: {p}");
}

#[test]
fn count_and_exit_codes() {
    let env = seeded();
    let run = env.ok(&["search", "--count", "Ukraine"]);
    assert_eq!(run.stdout.trim(), "1");
    let none = env.run(&["search", "zzyzxnotaword"]);
    assert_eq!(none.code, 1, "{}", none.stderr);
    assert!(none.stdout.is_empty());
    let none = env.run(&["search", "--count", "zzyzxnotaword"]);
    assert_eq!((none.code, none.stdout.trim()), (1, "0"));
    let bad = env.run(&["search", "(transfer"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("position 0"), "{}", bad.stderr);
    assert!(bad.stderr.contains("expected ')'"), "{}", bad.stderr);
}

#[test]
fn missing_index_says_how_to_create_one() {
    let env = TestEnv::new();
    let run = env.run(&["search", "--index", "nowhere", "bank"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("newsdex index"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn json_schema_has_every_documented_field() {
    let env = seeded();
    let hits = env.ok(&["search", "Kyiv", "--format", "json"]).json_lines();
    let hit = &hits[0];
    for key in [
        "id",
        "score",
        "title",
        "published",
        "source",
        "url",
        "path",
        "passages",
        "rank",
        "authors",
        "entities",
    ] {
        assert!(hit.get(key).is_some(), "missing {key} in {hit}");
    }
    let p = &hit["passages"][0];
    for key in ["text", "highlights", "score"] {
        assert!(p.get(key).is_some(), "missing passages[].{key} in {p}");
    }
    assert_eq!(hit["source"], "kyivindependent.com");
}

#[test]
fn some_words_fallback_when_no_article_has_all() {
    let env = seeded();
    let run = env.ok(&["search", "Kyiv zzyzxnotaword"]);
    assert!(
        run.stderr.contains("no article has all the words"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("Seoul and Kyiv"));
}

#[test]
fn closed_pipe_is_quiet() {
    use std::io::Read;
    use std::process::Stdio;
    // Enough output to overflow a pipe buffer, so writes really fail.
    let env = TestEnv::new();
    let mut lines = String::new();
    for i in 0..400 {
        lines.push_str(&format!(
            "{{\"id\": \"a{i}\", \"title\": \"Market report {i}\", \"body\": \"Shares of the company rose in busy trading as markets rallied on the report. Analysts said the market would stay busy.\"}}\n"
        ));
    }
    env.write("many.jsonl", lines);
    env.ok(&["index", "many.jsonl"]);
    let mut child = env
        .cmd(&["search", "market", "-n", "400"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take()); // the reader goes away at once, like `| head -0`
    let status = child.wait().expect("wait");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(
        !stderr.contains("Broken pipe") && !stderr.contains("panicked"),
        "{stderr}"
    );
    assert!(
        status.code().is_some_and(|c| c == 0 || c == 1),
        "{status:?}"
    );
}
