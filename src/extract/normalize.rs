//! Turning an article's mentions into canonical, deduplicated entity names.

use std::borrow::Cow;
use std::collections::HashMap;

use super::EntityKind;
use crate::Entities;

/// Folds case, diacritics, quote styles, periods and spacing, so "Kyiv", "KYIV" and
/// "Kýiv" share one key, as do "U.S." and "US".
pub fn entity_key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    entity_key_into(name, &mut out);
    out
}

/// [`entity_key`] appended to `out`.
fn entity_key_into(name: &str, out: &mut String) {
    let base = out.len();
    let mut space = false;
    for c in name.chars() {
        if c.is_whitespace() {
            space = out.len() > base;
            continue;
        }
        if c == '.' {
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match c {
            '’' | '‘' | '`' => out.push('\''),
            '–' | '—' | '‐' => out.push('-'),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => match fold_diacritic(c) {
                Some(f) => out.push_str(f),
                None => out.extend(c.to_lowercase()),
            },
        }
    }
}

const FOLDS: &[(&str, &str)] = &[
    ("ÀÁÂÃÄÅàáâãäåĀāĂăĄąǍǎ", "a"),
    ("ÇçĆćĈĉĊċČč", "c"),
    ("ĎďĐđÐð", "d"),
    ("ÈÉÊËèéêëĒēĔĕĖėĘęĚě", "e"),
    ("ĜĝĞğĠġĢģ", "g"),
    ("ĤĥĦħ", "h"),
    ("ÌÍÎÏìíîïĨĩĪīĬĭĮįİı", "i"),
    ("Ĵĵ", "j"),
    ("Ķķ", "k"),
    ("ĹĺĻļĽľĿŀŁł", "l"),
    ("ÑñŃńŅņŇň", "n"),
    ("ÒÓÔÕÖØòóôõöøŌōŎŏŐőǑǒ", "o"),
    ("ŔŕŖŗŘř", "r"),
    ("ŚśŜŝŞşŠšȘș", "s"),
    ("ŢţŤťŦŧȚț", "t"),
    ("ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲųǓǔ", "u"),
    ("Ŵŵ", "w"),
    ("ÝýÿŶŷŸ", "y"),
    ("ŹźŻżŽž", "z"),
    ("ß", "ss"),
    ("Ææ", "ae"),
    ("Œœ", "oe"),
    ("Þþ", "th"),
];

fn fold_diacritic(c: char) -> Option<&'static str> {
    FOLDS
        .iter()
        .find(|(from, _)| from.contains(c))
        .map(|&(_, to)| to)
}

/// Cleans one mention's surface: canonical spacing, no possessive, no surrounding
/// punctuation; None when nothing name-like is left. Borrows from `text` when its spacing
/// is already canonical (most mentions), so only names spread over several lines or
/// spaces are copied.
fn clean(text: &str) -> Option<Cow<'_, str>> {
    let canonical = !text.starts_with(' ')
        && !text.ends_with(' ')
        && !text.contains("  ")
        && !text.contains(|c: char| c.is_whitespace() && c != ' ');
    if canonical {
        return trimmed(text).map(Cow::Borrowed);
    }
    let mut s = String::with_capacity(text.len());
    for w in text.split_whitespace() {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(w);
    }
    trimmed(&s).map(|t| Cow::Owned(t.to_string()))
}

/// A single-spaced surface without its possessive and surrounding punctuation; None when
/// nothing name-like is left.
fn trimmed(s: &str) -> Option<&str> {
    let mut s = s;
    for suffix in [" 's", " ’s", "'s", "’s", "'", "’"] {
        if s.len() > suffix.len() && s.ends_with(suffix) {
            s = &s[..s.len() - suffix.len()];
            break;
        }
    }
    let t = s
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != ')' && c != '(')
        .trim_start_matches('.')
        .trim();
    t.chars().any(char::is_alphanumeric).then_some(t)
}

/// Courtesy titles that CoNLL-style annotation leaves outside a person's name.
const HONORIFICS: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "madam", "mme", "mlle", "herr",
    "frau",
];

/// Drops a leading courtesy title from a person's name when a name follows:
/// "Mr Blair" → "Blair" (which then resolves to "Tony Blair" if the article has it),
/// "Dr. Jane Smith" → "Jane Smith".
fn strip_honorific(name: &str) -> &str {
    let Some((first, rest)) = name.split_once(' ') else {
        return name;
    };
    let word = first.trim_end_matches('.');
    if rest.chars().next().is_some_and(char::is_uppercase)
        && HONORIFICS.iter().any(|h| h.eq_ignore_ascii_case(word))
    {
        rest
    } else {
        name
    }
}

fn is_all_caps(s: &str) -> bool {
    s.chars().any(char::is_alphabetic) && !s.chars().any(char::is_lowercase)
}

/// Title-cases an ALL-CAPS name word by word ("NORTH KOREA" → "North Korea").
fn title_case(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut out = String::new();
            let mut start = true;
            for c in w.chars() {
                if start {
                    out.extend(c.to_uppercase());
                } else {
                    out.extend(c.to_lowercase());
                }
                start = !c.is_alphanumeric() && c != '\'';
            }
            out
        })
        .collect::<Vec<_>>()
        .join(" ")
}

struct Group {
    key: String,
    first: usize,
    kinds: [usize; 4],
    first_kind: EntityKind,
    forms: Vec<(String, usize)>,
    merged_into: Option<usize>,
}

fn kind_index(k: EntityKind) -> usize {
    match k {
        EntityKind::Person => 0,
        EntityKind::Org => 1,
        EntityKind::Place => 2,
        EntityKind::Misc => 3,
    }
}

const KINDS: [EntityKind; 4] = [
    EntityKind::Person,
    EntityKind::Org,
    EntityKind::Place,
    EntityKind::Misc,
];

impl Group {
    fn kind(&self) -> EntityKind {
        let max = self.kinds.iter().copied().max().unwrap_or(0);
        if self.kinds[kind_index(self.first_kind)] == max {
            return self.first_kind;
        }
        KINDS[self.kinds.iter().position(|&c| c == max).unwrap_or(0)]
    }
    fn count(&self) -> usize {
        self.kinds.iter().sum()
    }
}

/// Whether `short`'s words occur, in order and contiguously, among `long`'s words.
///
/// Keys ([`entity_key`]) separate words by single spaces, so that is `short` occurring in
/// `long` at word boundaries, not all of it.
fn is_word_subsequence(short: &str, long: &str) -> bool {
    if short.len() >= long.len() {
        return false;
    }
    let b = long.as_bytes();
    let word_starts = std::iter::once(0).chain(long.match_indices(' ').map(|(i, _)| i + 1));
    word_starts.into_iter().any(|i| {
        let j = i + short.len();
        long[i..].starts_with(short) && (j == b.len() || b[j] == b' ')
    })
}

/// Builds an article's entity lists from its mentions `(kind, surface)`, in text order.
///
/// A mention that is part of a longer person name in the same article ("Zelensky",
/// "Cho") resolves to that name; each entity is listed once, under the kind most of its
/// mentions got, with its most common natural spelling (a mixed-case spelling wins over
/// an ALL-CAPS one), in order of first mention.
pub fn build_entities(mentions: &[(EntityKind, &str)]) -> Entities {
    let mut groups: Vec<Group> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut key = String::new();
    for (pos, &(kind, text)) in mentions.iter().enumerate() {
        let Some(cleaned) = clean(text) else {
            continue;
        };
        let surface = if kind == EntityKind::Person {
            strip_honorific(&cleaned)
        } else {
            &cleaned
        };
        key.clear();
        entity_key_into(surface, &mut key);
        if key.is_empty() {
            continue;
        }
        let g = match by_key.get(key.as_str()) {
            Some(&g) => g,
            None => {
                by_key.insert(key.clone(), groups.len());
                groups.push(Group {
                    key: key.clone(),
                    first: pos,
                    kinds: [0; 4],
                    first_kind: kind,
                    forms: Vec::new(),
                    merged_into: None,
                });
                groups.len() - 1
            }
        };
        let grp = &mut groups[g];
        grp.kinds[kind_index(kind)] += 1;
        match grp.forms.iter_mut().find(|(f, _)| *f == surface) {
            Some((_, n)) => *n += 1,
            None => grp.forms.push((surface.to_string(), 1)),
        }
    }

    // Short forms of person names resolve to the full name seen in the article.
    let persons: Vec<usize> = (0..groups.len())
        .filter(|&g| groups[g].kind() == EntityKind::Person && groups[g].key.contains(' '))
        .collect();
    for g in 0..groups.len() {
        let kind = groups[g].kind();
        if kind == EntityKind::Place && groups[g].kinds[0] == 0 {
            continue;
        }
        let best = persons
            .iter()
            .copied()
            .filter(|&p| p != g && is_word_subsequence(&groups[g].key, &groups[p].key))
            .max_by_key(|&p| (groups[p].count(), std::cmp::Reverse(groups[p].first)));
        if let Some(p) = best {
            groups[g].merged_into = Some(p);
        }
    }
    let mut first = vec![usize::MAX; groups.len()];
    for (g, grp) in groups.iter().enumerate() {
        let mut root = g;
        while let Some(next) = groups[root].merged_into {
            if next == g {
                break;
            }
            root = next;
        }
        first[root] = first[root].min(grp.first);
    }

    let mut order: Vec<usize> = (0..groups.len())
        .filter(|&g| groups[g].merged_into.is_none())
        .collect();
    order.sort_by_key(|&g| first[g]);
    let mut out = Entities::default();
    for g in order {
        let grp = &groups[g];
        let any_mixed = grp.forms.iter().any(|(f, _)| !is_all_caps(f));
        let name = grp
            .forms
            .iter()
            .enumerate()
            .filter(|(_, (f, _))| !any_mixed || !is_all_caps(f))
            .max_by_key(|&(i, (_, n))| (*n, std::cmp::Reverse(i)))
            .map(|(_, (f, _))| f.clone())
            .unwrap_or_default();
        let name = if !any_mixed
            && name.chars().filter(|c| c.is_alphabetic()).count() > 4
            && name.contains(' ')
        {
            title_case(&name)
        } else {
            name
        };
        let list = match grp.kind() {
            EntityKind::Person => &mut out.person,
            EntityKind::Org => &mut out.org,
            EntityKind::Place => &mut out.place,
            EntityKind::Misc => &mut out.misc,
        };
        list.push(name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use EntityKind::*;

    #[test]
    fn courtesy_titles_are_not_part_of_the_name() {
        let e = build_entities(&[
            (Person, "Tony Blair"),
            (Person, "Mr Blair"),
            (Person, "Mr. Blair"),
        ]);
        assert_eq!(e.person, ["Tony Blair"]);
        let e = build_entities(&[
            (Person, "Mr Blair"),
            (Person, "Dr. Jane Smith"),
            (Person, "Sir"),
        ]);
        assert_eq!(e.person, ["Blair", "Jane Smith", "Sir"]);
        // Only persons, and only before a name.
        let e = build_entities(&[(Org, "Dr Pepper"), (Person, "Mr bean")]);
        assert_eq!(
            (e.org, e.person),
            (vec!["Dr Pepper".to_string()], vec!["Mr bean".to_string()])
        );
    }

    #[test]
    fn keys_fold_case_and_diacritics() {
        assert_eq!(entity_key("Kyiv"), "kyiv");
        assert_eq!(entity_key("KYIV"), entity_key("Kýiv"));
        assert_eq!(entity_key("  São   Paulo "), "sao paulo");
        assert_eq!(entity_key("U.S."), entity_key("US"));
        assert_eq!(entity_key("Straße"), "strasse");
    }

    #[test]
    fn word_subsequences() {
        assert!(is_word_subsequence("zelensky", "volodymyr zelensky"));
        assert!(is_word_subsequence("a a", "xa a a"));
        assert!(is_word_subsequence("b c", "a b c d"));
        assert!(!is_word_subsequence("b", "ab c"));
        assert!(!is_word_subsequence("a b", "a b"));
        assert!(!is_word_subsequence("a b", "a bc"));
    }

    #[test]
    fn short_names_resolve_to_full_names() {
        let m = [
            (Person, "Volodymyr Zelensky"),
            (Place, "Kyiv"),
            (Person, "Zelensky"),
            (Person, "Cho Tae-yul"),
            (Org, "Cho"),
            (Person, "Kyrylo Budanov"),
            (Person, "Budanov’s"),
            (Place, "KYIV"),
            (Place, "Kýiv"),
        ];
        let e = build_entities(&m);
        assert_eq!(
            e.person,
            ["Volodymyr Zelensky", "Cho Tae-yul", "Kyrylo Budanov"]
        );
        assert_eq!(e.place, ["Kyiv"]);
        assert!(e.org.is_empty());
    }

    #[test]
    fn casing_possessives_and_majority_kind() {
        let m = [
            (Place, "NORTH KOREA"),
            (Place, "North  Korea"),
            (Org, "Ukraine 's"),
            (Place, "Ukraine’s"),
            (Place, "Ukraine"),
            (Org, "NATO"),
            (Misc, "EUROPEAN UNION SUMMIT"),
        ];
        let e = build_entities(&m);
        assert_eq!(e.place, ["North Korea", "Ukraine"]);
        assert_eq!(e.org, ["NATO"]);
        assert_eq!(e.misc, ["European Union Summit"]);
    }
}
