//! Named-entity extraction: people, organizations, places and misc, by our own model.
//!
//! The model is an averaged structured perceptron over hashed features with first-order
//! BIO Viterbi decoding, trained by `newsdex ner train` on CoNLL-2003 and shipped in
//! `models/ner.bin` (see `models/MODEL.md`). [`Tagger::embedded`] loads the copy compiled
//! into the binary; [`Tagger::mentions`] finds mentions with byte offsets in raw text;
//! [`Tagger::entities`] turns an article's mentions into canonical names.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use crate::{Entities, Error, Result};

pub mod clusters;
pub mod conll;
mod fastpath;
pub mod features;
pub mod label;
pub mod model;
pub mod normalize;
pub mod tokenize;
pub mod train;

pub use normalize::entity_key;

use model::Model;
use tokenize::{sentences, tokenize};

/// The model compiled into the binary.
static MODEL_BYTES: &[u8] = include_bytes!("../../models/ner.bin");

/// The four CoNLL entity types.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum EntityKind {
    /// PER
    Person,
    /// ORG
    Org,
    /// LOC
    Place,
    /// MISC: nationalities, events, works, other names.
    Misc,
}

impl EntityKind {
    fn from_type(t: usize) -> EntityKind {
        match t {
            0 => EntityKind::Person,
            1 => EntityKind::Org,
            2 => EntityKind::Place,
            _ => EntityKind::Misc,
        }
    }

    /// The CoNLL tag name: PER, ORG, LOC or MISC.
    pub fn tag(self) -> &'static str {
        match self {
            EntityKind::Person => "PER",
            EntityKind::Org => "ORG",
            EntityKind::Place => "LOC",
            EntityKind::Misc => "MISC",
        }
    }
}

/// One entity mention: its type and its byte range `start..end` in the tagged text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Mention {
    pub kind: EntityKind,
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// A loaded NER model. Cloning is cheap (the weights are shared).
#[derive(Debug, Clone)]
pub struct Tagger {
    model: Arc<Model>,
}

impl Tagger {
    /// The model shipped in the repository, compiled into the binary; parsed once per process.
    pub fn embedded() -> Result<Tagger> {
        static CACHE: OnceLock<std::result::Result<Arc<Model>, String>> = OnceLock::new();
        let m = CACHE.get_or_init(|| Model::from_bytes(MODEL_BYTES).map(Arc::new));
        match m {
            Ok(model) => Ok(Tagger {
                model: model.clone(),
            }),
            Err(e) => Err(Error::Internal(format!("embedded NER model: {e}"))),
        }
    }

    /// Loads a model file written by `newsdex ner train`.
    pub fn load(path: &Path) -> Result<Tagger> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Self::from_bytes(&bytes).map_err(|e| match e {
            Error::Internal(m) => Error::Internal(format!("{}: {m}", path.display())),
            e => e,
        })
    }

    /// Parses a model from its bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Tagger> {
        let model = Model::from_bytes(bytes).map_err(Error::Internal)?;
        Ok(Tagger {
            model: Arc::new(model),
        })
    }

    /// Wraps a freshly trained model.
    pub fn from_model(model: Model) -> Tagger {
        Tagger {
            model: Arc::new(model),
        }
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Finds the entity mentions in raw text, in order, with byte offsets into `text`.
    /// The whole text is one document: other mentions of a word inform each decision.
    pub fn mentions(&self, text: &str) -> Vec<Mention> {
        self.spans(text)
            .into_iter()
            .map(|(kind, start, end)| Mention {
                kind,
                start,
                end,
                text: text[start..end].to_string(),
            })
            .collect()
    }

    /// [`Tagger::mentions`] without the copies of their text: kind and byte range.
    fn spans(&self, text: &str) -> Vec<(EntityKind, usize, usize)> {
        /// Very long texts are tagged in blocks of whole sentences, so memory stays bounded
        /// (scratch takes ~250 bytes per token); document features then see one block.
        const BLOCK_TOKENS: usize = 50_000;
        let tokens = tokenize(text);
        let sents = sentences(text, &tokens);
        let mut out = Vec::new();
        let mut first = 0;
        while first < sents.len() {
            let mut last = first + 1;
            while last < sents.len() && sents[last].end - sents[first].start <= BLOCK_TOKENS {
                last += 1;
            }
            let block = &sents[first..last];
            let base = block[0].start;
            let words: Vec<&str> = tokens[base..block[last - first - 1].end]
                .iter()
                .map(|t| t.text(text))
                .collect();
            let ranges: Vec<std::ops::Range<usize>> =
                block.iter().map(|r| r.start - base..r.end - base).collect();
            let labels = self.model.tag_words(&words, &ranges);
            for r in block {
                for (s, e, t) in conll::chunks(&labels[r.start - base..r.end - base]) {
                    let start = tokens[r.start + s].start;
                    let end = tokens[r.start + e - 1].end;
                    out.push((EntityKind::from_type(t), start, end));
                }
            }
            first = last;
        }
        out
    }

    /// The entities an article names: normalised, deduplicated, in order of first mention.
    ///
    /// Title and body are tagged as one document, so a name in the title benefits from
    /// how the body uses it.
    pub fn entities(&self, title: Option<&str>, body: &str) -> Entities {
        let joined;
        let text = match title.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => {
                joined = format!("{t}\n\n{body}");
                joined.as_str()
            }
            None => body,
        };
        let pairs: Vec<(EntityKind, &str)> = self
            .spans(text)
            .into_iter()
            .map(|(kind, start, end)| (kind, &text[start..end]))
            .collect();
        normalize::build_entities(&pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> (String, String) {
        let text = include_str!("../../seeds/000_d5240dadc151992f.txt");
        let mut lines = text.lines();
        let title = lines.next().unwrap_or_default().to_string();
        let body: Vec<&str> = lines
            .filter(|l| !l.starts_with("Original Source:"))
            .collect();
        (title, body.join("\n"))
    }

    #[test]
    fn embedded_model_loads_and_is_cached() {
        let a = Tagger::embedded().expect("shipped model parses");
        let b = Tagger::embedded().expect("shipped model parses");
        assert!(Arc::ptr_eq(&a.model, &b.model));
        assert_eq!(a.model.trans.len(), 2);
    }

    #[test]
    fn seed_article_entities() {
        let tagger = Tagger::embedded().expect("shipped model parses");
        let (title, body) = seed();
        let e = tagger.entities(Some(&title), &body);
        for p in [
            "Cho Tae-yul",
            "Andrii Sybiha",
            "Volodymyr Zelensky",
            "Kyrylo Budanov",
        ] {
            assert!(
                e.person.iter().any(|x| x == p),
                "person {p} missing from {e:?}"
            );
        }
        for p in [
            "Seoul",
            "Kyiv",
            "Ukraine",
            "South Korea",
            "Russia",
            "Kursk Oblast",
        ] {
            assert!(
                e.place.iter().any(|x| x == p),
                "place {p} missing from {e:?}"
            );
        }
        // Short forms resolved, possessives stripped: no bare "Cho" or "Ukraine’s".
        let all: Vec<&String> = e
            .person
            .iter()
            .chain(&e.org)
            .chain(&e.place)
            .chain(&e.misc)
            .collect();
        assert!(!all.iter().any(|x| *x == "Cho" || x.contains('’')), "{e:?}");
    }

    #[test]
    fn mention_offsets_slice_the_text() {
        let tagger = Tagger::embedded().expect("shipped model parses");
        let text = "President Volodymyr Zelensky met officials in Kyiv on Monday.\nLater, “Zelensky’s aides” flew to Berlin.";
        let m = tagger.mentions(text);
        assert!(!m.is_empty());
        for x in &m {
            assert_eq!(&text[x.start..x.end], x.text);
        }
        assert!(
            m.iter()
                .any(|x| x.kind == EntityKind::Person && x.text == "Volodymyr Zelensky")
        );
        assert!(
            m.iter()
                .any(|x| x.kind == EntityKind::Place && x.text == "Berlin")
        );
    }

    proptest::proptest! {
        #[test]
        fn mentions_slice_their_text(text in "[A-Za-z .,'’“”\"()\\-\n]{0,80}|\\PC{0,80}") {
            let tagger = Tagger::embedded().expect("shipped model parses");
            for m in tagger.mentions(&text) {
                proptest::prop_assert_eq!(&text[m.start..m.end], m.text.as_str());
            }
            let _ = tagger.entities(Some(&text), &text);
        }
    }

    #[test]
    fn long_text_is_tagged_in_blocks() {
        let tagger = Tagger::embedded().expect("shipped model parses");
        let para = "President Volodymyr Zelensky met officials in Kyiv on Monday.\n";
        let text = para.repeat(6_000);
        let m = tagger.mentions(&text);
        let persons = m.iter().filter(|x| x.text == "Volodymyr Zelensky").count();
        assert_eq!(persons, 6_000);
        assert!(m.windows(2).all(|w| w[0].end <= w[1].start));
    }

    #[test]
    fn empty_and_odd_input() {
        let tagger = Tagger::embedded().expect("shipped model parses");
        assert!(tagger.mentions("").is_empty());
        assert!(tagger.mentions(" \n\t ").is_empty());
        let _ = tagger.mentions("\u{202e} ’’ “ ... --- ( ) 12,000 3.5");
        assert!(tagger.entities(None, "").is_empty());
    }
}
