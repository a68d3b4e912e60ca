//! Incremental reindexing through the real binary: add, change, touch, delete and
//! rename files between runs; a writer lock that names its holder; a run killed with
//! SIGKILL; `watch` picking up a new file.

#![allow(clippy::unwrap_used)]

mod common;

use std::fs::{File, OpenOptions, TryLockError};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::TestEnv;

fn count(env: &TestEnv, query: &str) -> u64 {
    let run = env.run(&["search", "--count", query]);
    run.stdout
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("count of {query:?}: {}", run.stderr))
}

fn summary(env: &TestEnv) -> String {
    let run = env.ok(&["reindex", "-v"]);
    run.stderr
        .lines()
        .find(|l| l.starts_with("newsdex: ") && l.contains(" added, "))
        .unwrap_or_else(|| panic!("no summary in {}", run.stderr))
        .to_string()
}

fn article(title: &str, body: &str) -> String {
    format!("{title}\n\n{body}\n")
}

#[test]
fn add_change_touch_delete_rename() {
    let env = TestEnv::new();
    env.write(
        "news/a.txt",
        article("Alpha story", "Apples are in season."),
    );
    env.write(
        "news/sub/b.txt",
        article("Beta story", "Bananas arrive by ship."),
    );
    env.ok(&["index", "news"]);
    assert_eq!(count(&env, "story"), 2);

    // Nothing changed: nothing to do.
    assert!(summary(&env).contains("(0 added, 0 updated, 0 removed, 2 unchanged)"));

    // A new file.
    env.write(
        "news/sub/deeper/c.txt",
        article("Gamma story", "Cherries are scarce."),
    );
    assert!(summary(&env).contains("(1 added, 0 updated, 0 removed, 2 unchanged)"));
    assert_eq!(count(&env, "cherries"), 1);

    // A changed file replaces its article.
    std::thread::sleep(Duration::from_millis(20));
    env.write(
        "news/a.txt",
        article("Alpha story", "Apricots replaced the apples."),
    );
    assert!(summary(&env).contains("(0 added, 1 updated, 0 removed, 2 unchanged)"));
    assert_eq!(count(&env, "apricots"), 1);
    assert_eq!(count(&env, "story"), 3);

    // Touched, same content: recognised by its hash and not re-indexed.
    let file = env.path().join("news/sub/b.txt");
    let f = File::options().write(true).open(&file).unwrap();
    f.set_modified(std::time::SystemTime::now() + Duration::from_secs(5))
        .unwrap();
    drop(f);
    assert!(summary(&env).contains("(0 added, 0 updated, 0 removed, 3 unchanged)"));

    // Deleted.
    std::fs::remove_file(env.path().join("news/sub/deeper/c.txt")).unwrap();
    assert!(summary(&env).contains("(0 added, 0 updated, 1 removed, 2 unchanged)"));
    assert_eq!(count(&env, "cherries"), 0);

    // Renamed: the old path goes, the new one comes, the count stays.
    std::fs::rename(
        env.path().join("news/a.txt"),
        env.path().join("news/renamed.txt"),
    )
    .unwrap();
    assert!(summary(&env).contains("(1 added, 0 updated, 1 removed, 1 unchanged)"));
    assert_eq!(count(&env, "story"), 2);
    let hits = env
        .ok(&["search", "apricots", "--format", "json"])
        .json_lines();
    assert_eq!(hits[0]["id"], "renamed.txt");

    // And one more run is a no-op.
    assert!(summary(&env).contains("(0 added, 0 updated, 0 removed, 2 unchanged)"));
    let stats = env.ok(&["stats", "--format", "json"]).json_lines();
    assert_eq!(stats[0]["articles"], 2);
    assert_eq!(stats[0]["last_run"]["files_unchanged"], 2);
}

#[test]
fn a_multi_record_file_that_loses_a_record() {
    let env = TestEnv::new();
    let line = |id: &str, word: &str| {
        format!(
            "{{\"id\": \"{id}\", \"title\": \"{word} report\", \"body\": \"All about {word}.\"}}\n"
        )
    };
    env.write(
        "feed.jsonl",
        [line("1", "copper"), line("2", "zinc"), line("3", "tin")].concat(),
    );
    env.ok(&["index", "feed.jsonl"]);
    assert_eq!(count(&env, "report"), 3);
    std::thread::sleep(Duration::from_millis(20));
    env.write(
        "feed.jsonl",
        [line("1", "copper"), line("3", "tin")].concat(),
    );
    assert!(summary(&env).contains("(0 added, 1 updated, 0 removed, 0 unchanged)"));
    assert_eq!(count(&env, "report"), 2);
    assert_eq!(count(&env, "zinc"), 0);
}

/// A JSONL file big enough that indexing it takes a while in a debug build.
fn big_corpus(env: &TestEnv, name: &str, records: usize) {
    let mut text = String::with_capacity(records * 200);
    for i in 0..records {
        text.push_str(&format!(
            "{{\"id\": \"{name}-{i}\", \"title\": \"Market note {i}\", \"body\": \"Traders in city {i} said shares and bonds moved as the central bank met. Volume was light and analysts expected more news on rates.\"}}\n"
        ));
    }
    env.write(&format!("{name}.jsonl"), text);
}

fn lock_is_held(env: &TestEnv) -> bool {
    let path = env.path().join("index/newsdex-writer.lock");
    let Ok(file) = OpenOptions::new().read(true).write(true).open(&path) else {
        return false;
    };
    matches!(file.try_lock(), Err(TryLockError::WouldBlock))
}

fn wait_until(what: &str, limit: Duration, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn spawn(env: &TestEnv, args: &[&str]) -> Child {
    env.cmd(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn newsdex")
}

#[test]
fn a_second_writer_is_refused_naming_the_holder_and_searches_keep_working() {
    let env = TestEnv::new();
    env.write(
        "small.txt",
        article("Small story", "A small first article."),
    );
    env.ok(&["index", "--no-entities", "small.txt"]);
    big_corpus(&env, "big", 60_000);
    let mut writer = spawn(&env, &["index", "--no-entities", "big.jsonl"]);
    wait_until(
        "the first writer to take the lock",
        Duration::from_secs(60),
        || lock_is_held(&env),
    );

    let second = env.run(&["index", "small.txt"]);
    assert_eq!(second.code, 75, "{}", second.stderr);
    assert!(
        second.stderr.contains("locked by another writer"),
        "{}",
        second.stderr
    );
    assert!(
        second.stderr.contains(&format!("pid {}", writer.id())),
        "{}",
        second.stderr
    );

    // Searches see the last commit while the writer works.
    assert_eq!(count(&env, "small"), 1);

    // --wait waits for the lock instead of failing.
    let waited = env.run(&["reindex", "--wait"]);
    assert_eq!(waited.code, 0, "{}", waited.stderr);
    assert!(writer.wait().unwrap().success());
    assert_eq!(count(&env, "market"), 60_000);
}

#[test]
fn a_run_killed_mid_way_leaves_the_last_commit_and_the_next_run_converges() {
    let env = TestEnv::new();
    env.write(
        "docs/small.txt",
        article("Small story", "A small first article."),
    );
    env.ok(&["index", "--no-entities", "docs"]);
    big_corpus(&env, "docs/big", 60_000);
    let mut writer = spawn(&env, &["reindex"]);
    wait_until(
        "the writer to take the lock",
        Duration::from_secs(60),
        || lock_is_held(&env),
    );
    std::thread::sleep(Duration::from_millis(300));
    writer.kill().unwrap(); // SIGKILL
    writer.wait().unwrap();

    // The last good commit is still there and searchable, and nothing of the killed
    // run is visible (it was killed before its one commit).
    assert_eq!(count(&env, "small"), 1);
    assert_eq!(count(&env, "market"), 0);
    // The next run converges to what a clean index of the same tree holds.
    env.ok(&["reindex"]);
    assert_eq!(count(&env, "market OR small"), 60_001);
    assert!(summary(&env).contains("(0 added, 0 updated, 0 removed, 2 unchanged)"));

    let clean = TestEnv::new();
    big_corpus(&clean, "docs/big", 60_000);
    clean.write(
        "docs/small.txt",
        article("Small story", "A small first article."),
    );
    clean.ok(&["index", "--no-entities", "docs"]);
    assert_eq!(count(&clean, "market OR small"), 60_001);
    let ids = |env: &TestEnv| {
        let run = env.ok(&[
            "search",
            "small OR \"market note 59999\"",
            "--format",
            "json",
        ]);
        let mut ids: Vec<String> = run
            .json_lines()
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&env), ids(&clean));
}

#[test]
fn watch_picks_up_a_new_file_and_stops_on_sigterm() {
    let env = TestEnv::new();
    env.write(
        "inbox/first.txt",
        article("First story", "The first article."),
    );
    env.ok(&["index", "inbox"]);
    let watcher = env
        .cmd(&["watch", "--every", "1h", "--debounce", "200ms"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn watch");
    // Give the watcher time to start watching before the file appears.
    std::thread::sleep(Duration::from_millis(800));
    env.write(
        "inbox/second.txt",
        article("Second story", "A walrus visited the harbour."),
    );
    wait_until(
        "watch to index the new file",
        Duration::from_secs(30),
        || count(&env, "walrus") == 1,
    );
    let pid = watcher.id().to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    let out = watcher.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(" reindex: ") && stdout.contains("(1 added,"),
        "{stdout}"
    );
    assert!(!lock_is_held(&env));
}

#[test]
fn a_missing_path_is_an_error_and_not_recorded_as_a_root() {
    let env = TestEnv::new();
    env.write(
        "news/a.txt",
        article("Alpha story", "Apples are in season."),
    );
    env.ok(&["index", "news"]);
    let run = env.run(&["index", "no-such-folder"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("no-such-folder"), "{}", run.stderr);
    let stats = env.ok(&["stats", "--format", "json"]).json_lines();
    assert_eq!(
        stats[0]["roots"].as_array().unwrap().len(),
        1,
        "{}",
        stats[0]
    );
    // A recorded root that disappears keeps its articles (an unmounted disk is not a deletion).
    std::fs::rename(env.path().join("news"), env.path().join("moved")).unwrap();
    let run = env.run(&["reindex"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("root does not exist"), "{}", run.stderr);
    assert_eq!(count(&env, "apples"), 1);
}
