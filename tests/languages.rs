//! Languages through the real binary: detection into the `language` field, German
//! stemming of inflected forms, Korean bigrams, and `--lang`.

#![allow(clippy::unwrap_used)]

mod common;

use common::TestEnv;

fn env_with_articles() -> TestEnv {
    let env = TestEnv::new();
    env.write(
        "news/de.txt",
        "Neue Regeln für den Wohnungsbau\n\nDie Bundesregierung hat am Mittwoch neue Regeln für den Bau von Häusern beschlossen. Die Genehmigungen sollen schneller erteilt werden, sagte die Ministerin in Berlin. Viele Gemeinden hatten seit Jahren auf die Reform gewartet.\n",
    );
    env.write(
        "news/en.txt",
        "Housing rules approved\n\nThe government approved new rules for building houses on Wednesday, saying permits would be granted faster. Many towns had waited years for the reform, the minister told reporters in London.\n",
    );
    env.write(
        "news/ko.json",
        r#"{"id": "ko-1", "title": "삼성전자, 새 반도체 공장 건설", "body": "삼성전자가 새로운 반도체 공장을 짓기로 했다고 밝혔다. 회사는 내년부터 생산을 시작할 계획이다.", "lang": "ko"}"#,
    );
    env.ok(&["index", "news"]);
    env
}

#[test]
fn languages_are_detected_and_stored() {
    let env = env_with_articles();
    let lang = |id: &str| {
        let run = env.ok(&["show", id, "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
        v["language"].as_str().unwrap_or_default().to_string()
    };
    assert_eq!(lang("de.txt"), "de");
    assert_eq!(lang("en.txt"), "en");
    assert_eq!(lang("ko-1"), "ko");
    assert_eq!(env.ok(&["search", "--count", "lang:de"]).stdout.trim(), "1");
}

#[test]
fn a_german_inflected_form_finds_its_base_form() {
    let env = env_with_articles();
    // The article says "Häusern" (dative plural); "Haus" and "Häuser" find it.
    for query in ["Haus", "Häuser", "Regel", "Genehmigung"] {
        let hits = env
            .ok(&["search", query, "--lang", "de", "--format", "json"])
            .json_lines();
        assert_eq!(hits.len(), 1, "{query}");
        assert_eq!(hits[0]["id"], "de.txt", "{query}");
    }
    // Passages of German articles highlight the German surface form.
    let hits = env.ok(&["search", "Haus", "--format", "json"]).json_lines();
    let de = hits
        .iter()
        .find(|h| h["id"] == "de.txt")
        .expect("German hit");
    let p = &de["passages"][0];
    let text = p["text"].as_str().unwrap();
    let [s, e] = [
        p["highlights"][0][0].as_u64().unwrap() as usize,
        p["highlights"][0][1].as_u64().unwrap() as usize,
    ];
    assert_eq!(&text[s..e], "Häusern");
    // --lang en keeps to English articles: "reform" is in the German and the English one.
    assert_eq!(env.ok(&["search", "--count", "reform"]).stdout.trim(), "2");
    let hits = env
        .ok(&["search", "reform", "--lang", "en", "--format", "json"])
        .json_lines();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(
        (&hits[0]["id"], &hits[0]["language"]),
        (&"en.txt".into(), &"en".into())
    );
}

#[test]
fn a_korean_query_finds_its_article() {
    let env = env_with_articles();
    for query in ["반도체", "삼성전자", "공장"] {
        let hits = env.ok(&["search", query, "--format", "json"]).json_lines();
        assert_eq!(hits[0]["id"], "ko-1", "{query}");
    }
    // Entities are only extracted from English articles.
    let run = env.ok(&["show", "de.txt", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    for kind in ["person", "org", "place", "misc"] {
        assert!(v["entities"][kind].as_array().unwrap().is_empty(), "{v}");
    }
    // The English one has them (London), so the check above is not vacuous.
    let run = env.ok(&["show", "en.txt", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert!(
        !v["entities"]["place"].as_array().unwrap().is_empty(),
        "{v}"
    );
}

#[test]
fn the_multilingual_sample() {
    let Some(file) = common::corpus_file("multilingual_sample/multilingual_news_sample.jsonl.gz")
    else {
        return;
    };
    let env = TestEnv::new();
    env.ok(&["index", "--no-entities", file.to_str().unwrap()]);
    assert_eq!(
        env.ok(&["search", "--count", "lang:ko"]).stdout.trim(),
        "50"
    );
    let hits = env
        .ok(&["search", "치매 치료제", "--format", "json"])
        .json_lines();
    assert_eq!(hits[0]["id"], "ko-scinews-13");
    let inflected = env
        .ok(&["search", "--count", "Regierungen", "--lang", "de"])
        .stdout;
    let base = env
        .ok(&["search", "--count", "Regierung", "--lang", "de"])
        .stdout;
    assert_eq!(inflected, base);
    assert!(inflected.trim().parse::<u64>().unwrap() > 50);
}
