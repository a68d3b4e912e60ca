//! Named entities through the real binary: extraction at index time, entity search,
//! filters, facets and normalisation.

#![allow(clippy::unwrap_used)]

mod common;

use common::TestEnv;

fn seed_only() -> TestEnv {
    let env = TestEnv::new();
    let seed =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/000_d5240dadc151992f.txt");
    env.write(
        "seed/000_d5240dadc151992f.txt",
        std::fs::read(seed).unwrap(),
    );
    env.ok(&["index", "seed"]);
    env
}

#[test]
fn the_seed_article_names_its_people_and_places() {
    let env = seed_only();
    let run = env.ok(&["show", "000_d5240dadc151992f.txt", "--format", "json"]);
    let article: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    let list = |kind: &str| -> Vec<String> {
        article["entities"][kind]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let people = list("person");
    for name in [
        "Cho Tae-yul",
        "Andrii Sybiha",
        "Volodymyr Zelensky",
        "Kyrylo Budanov",
    ] {
        assert!(
            people.contains(&name.to_string()),
            "{name} missing from {people:?}"
        );
    }
    // Short mentions resolve to the full name: no bare "Zelensky" or "Cho".
    assert!(
        !people
            .iter()
            .any(|p| p == "Zelensky" || p == "Cho" || p == "Budanov"),
        "{people:?}"
    );
    let places = list("place");
    for name in [
        "Seoul",
        "Kyiv",
        "Ukraine",
        "South Korea",
        "Russia",
        "Kursk Oblast",
    ] {
        assert!(
            places.contains(&name.to_string()),
            "{name} missing from {places:?}"
        );
    }
}

#[test]
fn entity_search_and_filters_find_the_seed() {
    let env = seed_only();
    let hits = env
        .ok(&["search", "person:\"Cho Tae-yul\"", "--format", "json"])
        .json_lines();
    assert_eq!(hits[0]["id"], "000_d5240dadc151992f.txt");
    let hits = env
        .ok(&[
            "search",
            "negotiations",
            "--person",
            "Budanov",
            "--format",
            "json",
        ])
        .json_lines();
    assert_eq!(hits.len(), 1);
    assert!(
        hits[0]["entities"]["person"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "Kyrylo Budanov")
    );
    let run = env.ok(&[
        "search",
        "--count",
        "negotiations",
        "--place",
        "Kyiv",
        "--person",
        "Zelensky",
    ]);
    assert_eq!(run.stdout.trim(), "1");
    let none = env.run(&[
        "search",
        "negotiations",
        "--person",
        "Budanov",
        "--place",
        "Paris",
    ]);
    assert_eq!(none.code, 1);
}

#[test]
fn entities_lists_the_people_of_the_seed() {
    let env = seed_only();
    let run = env.ok(&["entities", "--type", "person", "--format", "json"]);
    let names: Vec<String> = run
        .json_lines()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect();
    for name in [
        "Cho Tae-yul",
        "Andrii Sybiha",
        "Volodymyr Zelensky",
        "Kyrylo Budanov",
    ] {
        assert!(
            names.contains(&name.to_string()),
            "{name} missing from {names:?}"
        );
    }
    let text = env.ok(&["entities", "--type", "person"]).stdout;
    assert!(text.starts_with("people\n"), "{text}");
}

#[test]
fn entity_counts_fold_case_and_diacritics_and_respect_the_query() {
    let env = TestEnv::new();
    env.write(
        "news/a.txt",
        "Talks in Kyiv\n\nOfficials met in Kyiv on Monday. The mayor of Kyiv welcomed the delegation from Warsaw.\n",
    );
    env.write(
        "news/b.txt",
        "Snow falls in Ukraine\n\nKYIV, Jan 5 (Reuters) - Heavy snow fell in Kyiv overnight and trains from Kyiv to Lviv were delayed.\n",
    );
    env.write(
        "news/c.txt",
        "Harbour news\n\nThe port of Rotterdam handled more containers than in any month before, officials in Rotterdam said.\n",
    );
    env.ok(&["index", "news"]);
    let places = env
        .ok(&["entities", "--type", "place", "--format", "json"])
        .json_lines();
    let kyiv: Vec<_> = places
        .iter()
        .filter(|p| p["name"].as_str().unwrap().eq_ignore_ascii_case("kyiv"))
        .collect();
    assert_eq!(kyiv.len(), 1, "{places:?}");
    assert_eq!(kyiv[0]["articles"], 2);
    assert_eq!(kyiv[0]["name"], "Kyiv");
    // Within a query only the matching articles count.
    let within = env
        .ok(&["entities", "snow", "--type", "place", "--format", "json"])
        .json_lines();
    assert!(
        within
            .iter()
            .all(|p| p["name"] != "Rotterdam" && p["name"] != "Warsaw"),
        "{within:?}"
    );
    assert!(
        within
            .iter()
            .any(|p| p["name"] == "Kyiv" && p["articles"] == 1),
        "{within:?}"
    );
}
