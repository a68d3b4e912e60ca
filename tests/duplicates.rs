//! Duplicates through the real binary: exact copies and near-duplicates collapse into
//! one hit that says how many copies exist and where; `--no-collapse` shows them all.

#![allow(clippy::unwrap_used)]

mod common;

use common::TestEnv;

const STORY: &str = "Rail strike ends after three days\n\nThe national rail strike ended on Thursday after unions and the operator agreed a new pay deal, restoring services across the country. Commuters had faced three days of cancelled trains and crowded buses. The agreement raises wages by four percent this year and three percent next year, the union said in a statement. The operator said full timetables would resume on Friday morning and thanked passengers for their patience during the dispute.\n";

fn hits(env: &TestEnv, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["search", "--format", "json"];
    all.extend_from_slice(args);
    env.ok(&all).json_lines()
}

#[test]
fn exact_copies_are_one_hit_that_names_the_others() {
    let env = TestEnv::new();
    env.write("wire/a/strike.txt", STORY);
    env.write("wire/b/strike-copy.txt", STORY);
    env.write(
        "wire/c/strike-shouting.txt",
        STORY.to_uppercase().replace(". ", ".  "),
    );
    env.write("wire/other.txt", "Ferry services resume\n\nFerry services resumed after the storm passed and the harbour reopened to traffic.\n");
    env.ok(&["index", "wire"]);

    let found = hits(&env, &["rail strike"]);
    assert_eq!(found.len(), 1, "{found:?}");
    let dups = &found[0]["duplicates"];
    assert_eq!(dups["exact"], 2, "{dups}");
    let paths: Vec<&str> = dups["others"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths.len(), 2);
    assert!(paths.iter().all(|p| p.contains("strike")), "{paths:?}");

    // Exact copies are one stored article with three places: --no-collapse (which
    // unfolds near-duplicates) still shows it once, with its copies, and --count counts
    // it once.
    let all = hits(&env, &["rail strike", "--no-collapse"]);
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["duplicates"]["exact"], 2);
    assert_eq!(
        env.ok(&["search", "--count", "rail strike"]).stdout.trim(),
        "1"
    );
    // Each copy can be shown by its own id, with the text it shares.
    for other in dups["others"].as_array().unwrap() {
        let id = other["id"].as_str().unwrap();
        let shown = env.ok(&["show", id]).stdout;
        assert!(
            shown.contains("restoring services across the country"),
            "{shown}"
        );
    }
    let text = env.ok(&["search", "rail strike"]).stdout;
    assert!(text.contains("2 more exact copies"), "{text}");
    let stats = env.ok(&["stats", "--format", "json"]).json_lines();
    assert_eq!(
        (
            stats[0]["duplicate_groups"].as_u64(),
            stats[0]["duplicate_copies"].as_u64()
        ),
        (Some(1), Some(2))
    );
    // Other articles carry no duplicates.
    assert!(hits(&env, &["ferry"])[0]["duplicates"].is_null());
}

/// Runs `reindex -v` and checks the summary line it prints.
fn reindex_reports(env: &TestEnv, summary: &str) {
    let run = env.ok(&["reindex", "-v"]);
    assert!(run.stderr.contains(summary), "{}", run.stderr);
}

#[test]
fn copies_take_over_when_the_original_goes() {
    let env = TestEnv::new();
    env.write("wire/a/strike.txt", STORY);
    env.write("wire/b/strike-copy.txt", STORY);
    env.write("wire/c/strike-again.txt", STORY);
    env.ok(&["index", "wire"]);
    let first = hits(&env, &["rail strike"]);
    assert_eq!(first.len(), 1);
    assert_eq!(first[0]["duplicates"]["exact"], 2);
    // Remove whichever file holds the text, then edit another: each time a remaining
    // copy must become the article, text and all.
    let holder = first[0]["path"].as_str().unwrap().to_string();
    std::fs::remove_file(&holder).unwrap();
    // The run report counts the re-read copy: its article replaces itself as a copy.
    reindex_reports(
        &env,
        "2 files (0 added, 1 updated, 1 removed, 1 unchanged), 1 articles indexed, 2 removed",
    );
    let second = hits(&env, &["rail strike"]);
    assert_eq!(second.len(), 1, "{second:?}");
    assert_ne!(second[0]["path"].as_str().unwrap(), holder);
    assert_eq!(second[0]["duplicates"]["exact"], 1);
    assert!(!second[0]["passages"].as_array().unwrap().is_empty());
    let holder = second[0]["path"].as_str().unwrap().to_string();
    std::fs::write(
        &holder,
        "Something else\n\nA different story entirely about ferries and storms at sea.\n",
    )
    .unwrap();
    // The edited file and the copy re-read after it are both updated.
    reindex_reports(
        &env,
        "2 files (0 added, 2 updated, 0 removed, 0 unchanged), 2 articles indexed, 2 removed",
    );
    let third = hits(&env, &["rail strike"]);
    assert_eq!(third.len(), 1, "{third:?}");
    assert!(third[0]["duplicates"].is_null(), "{third:?}");
    assert!(!third[0]["passages"].as_array().unwrap().is_empty());
    assert_eq!(hits(&env, &["ferries storms"]).len(), 1);
    // Two files left, two different texts, no stale document of the old holders.
    let stats = env.ok(&["stats", "--format", "json"]).json_lines();
    assert_eq!(stats[0]["articles"].as_u64(), Some(2), "{stats:?}");
}

#[test]
fn a_republished_story_with_small_edits_is_collapsed_as_near_duplicate() {
    let env = TestEnv::new();
    env.write("wire/original.txt", STORY);
    let edited = STORY
        .replace("on Thursday", "late on Thursday")
        .replace("crowded buses", "packed buses");
    env.write("wire/republished.txt", edited);
    env.ok(&["index", "wire"]);
    let found = hits(&env, &["rail strike"]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["duplicates"]["near"], 1);
    assert_eq!(found[0]["duplicates"]["exact"], 0);
    assert_eq!(found[0]["duplicates"]["others"][0]["kind"], "near");
    assert_eq!(hits(&env, &["rail strike", "--no-collapse"]).len(), 2);
}

#[test]
fn collapsing_keeps_pages_full() {
    let env = TestEnv::new();
    // Near-duplicates (each stored in full, unlike exact copies), more of them than the
    // first fetch of candidates (2 × 5 + 20), so filling the page needs a second fetch.
    for i in 0..40 {
        env.write(
            &format!("wire/copy{i}.txt"),
            STORY.replace("on Thursday", &format!("on Thursday at {i}")),
        );
    }
    for i in 0..4 {
        env.write(
            &format!("wire/distinct{i}.txt"),
            format!("Strike note {i}\n\nA different strike story number {i} about rail workers in town {i}.\n"),
        );
    }
    env.ok(&["index", "wire"]);
    let page = hits(&env, &["strike", "-n", "5"]);
    assert_eq!(
        page.len(),
        5,
        "one hit for the forty near-duplicates plus four distinct stories"
    );
    let second = hits(&env, &["strike", "-n", "3", "--offset", "3"]);
    assert_eq!(second.len(), 2);
}

#[test]
fn the_bbc_set_has_its_known_exact_duplicates() {
    let Some(archive) = common::corpus_file("bbc_news/bbc-fulltext.tar.gz") else {
        return;
    };
    let env = TestEnv::new();
    let status = std::process::Command::new("tar")
        .arg("xzf")
        .arg(&archive)
        .current_dir(env.path())
        .status()
        .unwrap();
    assert!(status.success());
    let run = env.ok(&["index", "--no-entities", "bbc"]);
    // All 2,225 articles (the set's README.TXT is not one); sport/199.txt is Latin-1
    // and still indexed, with a warning.
    assert!(
        run.stderr.contains("2225 articles indexed"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("sport/199.txt"), "{}", run.stderr);
    let stats = env.ok(&["stats", "--format", "json"]).json_lines();
    // 98 byte-identical pairs, plus 5 pairs that differ only in spacing or punctuation.
    assert!(
        stats[0]["duplicate_groups"].as_u64().unwrap() >= 98,
        "{}",
        stats[0]
    );
    let found = hits(&env, &["title:\"Seamen sail into biometric future\""]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["duplicates"]["exact"], 1);
}
