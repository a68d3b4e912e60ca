//! CoNLL files: reading, IOB1 → BIO conversion, and conlleval-style scoring.

use super::label::{self, Label, N_TYPES, TYPE_NAMES};

/// One sentence: words and their BIO labels.
#[derive(Debug, Clone, Default)]
pub struct Sentence {
    pub words: Vec<String>,
    pub labels: Vec<Label>,
}

/// A `-DOCSTART-`-delimited document.
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub sentences: Vec<Sentence>,
}

/// Reads a CoNLL file: the token is the first column, the NER tag the last; blank lines
/// end sentences and `-DOCSTART-` lines separate documents (wherever they sit).
pub fn parse(text: &str) -> Result<Vec<Document>, String> {
    let mut docs = Vec::new();
    let mut doc = Document::default();
    let mut words: Vec<String> = Vec::new();
    let mut tags: Vec<String> = Vec::new();
    let flush = |words: &mut Vec<String>, tags: &mut Vec<String>, doc: &mut Document| {
        if !words.is_empty() {
            let t: Vec<&str> = tags.iter().map(String::as_str).collect();
            doc.sentences.push(Sentence {
                words: std::mem::take(words),
                labels: iob1_to_bio(&t),
            });
            tags.clear();
        }
    };
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            flush(&mut words, &mut tags, &mut doc);
            continue;
        }
        let mut cols = line.split_whitespace();
        let word = cols.next().unwrap_or_default();
        if word == "-DOCSTART-" {
            flush(&mut words, &mut tags, &mut doc);
            if !doc.sentences.is_empty() {
                docs.push(std::mem::take(&mut doc));
            }
            continue;
        }
        let tag = cols
            .next_back()
            .ok_or_else(|| format!("line {}: expected at least 2 columns", n + 1))?;
        if tag != "O" && label::parse_tag(tag).is_none() {
            return Err(format!("line {}: unknown tag {tag:?}", n + 1));
        }
        words.push(word.to_string());
        tags.push(tag.to_string());
    }
    flush(&mut words, &mut tags, &mut doc);
    if !doc.sentences.is_empty() {
        docs.push(doc);
    }
    Ok(docs)
}

/// Converts IOB1 (or IOB2) tags to BIO labels: a chunk always starts with B-X.
pub fn iob1_to_bio(tags: &[&str]) -> Vec<Label> {
    let mut out = Vec::with_capacity(tags.len());
    let mut prev: Option<(bool, usize)> = None;
    for tag in tags {
        let cur = label::parse_tag(tag);
        let l = match cur {
            None => label::O,
            Some((is_b, ty)) => {
                let continues = !is_b && matches!(prev, Some((_, p)) if p == ty);
                if continues {
                    label::inside(ty)
                } else {
                    label::begin(ty)
                }
            }
        };
        out.push(l);
        prev = cur;
    }
    out
}

/// Entity chunks `(start, end, type)` of a BIO label sequence, read the way conlleval
/// reads tags: an I-X after O or after another type also starts a chunk.
pub fn chunks(labels: &[Label]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, usize)> = None;
    for (i, &l) in labels.iter().enumerate() {
        let starts = match (label::ty(l), open) {
            (None, _) => false,
            (Some(t), Some((_, ot))) => label::is_begin(l) || t != ot,
            (Some(_), None) => true,
        };
        if (starts || label::ty(l).is_none())
            && let Some((s, t)) = open.take()
        {
            out.push((s, i, t));
        }
        if starts {
            open = label::ty(l).map(|t| (i, t));
        }
    }
    if let Some((s, t)) = open {
        out.push((s, labels.len(), t));
    }
    out
}

/// Entity-level exact-match counts per type, as conlleval computes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scores {
    pub correct: [usize; N_TYPES],
    pub predicted: [usize; N_TYPES],
    pub gold: [usize; N_TYPES],
}

/// Precision, recall and F1 in percent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

fn prf(correct: usize, predicted: usize, gold: usize) -> Prf {
    let p = if predicted == 0 {
        0.0
    } else {
        100.0 * correct as f64 / predicted as f64
    };
    let r = if gold == 0 {
        0.0
    } else {
        100.0 * correct as f64 / gold as f64
    };
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    Prf {
        precision: p,
        recall: r,
        f1: f,
    }
}

impl Scores {
    /// Adds one sentence's gold and predicted labels.
    pub fn add(&mut self, gold: &[Label], predicted: &[Label]) {
        let g = chunks(gold);
        let p = chunks(predicted);
        for &(_, _, t) in &g {
            self.gold[t] += 1;
        }
        for &(_, _, t) in &p {
            self.predicted[t] += 1;
        }
        // Both lists are sorted by start and non-overlapping.
        let (mut i, mut j) = (0, 0);
        while i < g.len() && j < p.len() {
            if g[i] == p[j] {
                self.correct[g[i].2] += 1;
                i += 1;
                j += 1;
            } else if g[i].0 < p[j].0 || (g[i].0 == p[j].0 && g[i].1 < p[j].1) {
                i += 1;
            } else {
                j += 1;
            }
        }
    }

    pub fn by_type(&self, ty: usize) -> Prf {
        prf(self.correct[ty], self.predicted[ty], self.gold[ty])
    }

    pub fn overall(&self) -> Prf {
        prf(
            self.correct.iter().sum(),
            self.predicted.iter().sum(),
            self.gold.iter().sum(),
        )
    }

    /// A conlleval-like table.
    pub fn report(&self) -> String {
        let mut s = String::new();
        let o = self.overall();
        s.push_str(&format!(
            "entities: {} gold, {} predicted, {} correct\n",
            self.gold.iter().sum::<usize>(),
            self.predicted.iter().sum::<usize>(),
            self.correct.iter().sum::<usize>()
        ));
        s.push_str(&format!(
            "{:<8} precision {:6.2}%  recall {:6.2}%  F1 {:6.2}\n",
            "overall", o.precision, o.recall, o.f1
        ));
        for (t, name) in TYPE_NAMES.iter().enumerate() {
            let x = self.by_type(t);
            s.push_str(&format!(
                "{:<8} precision {:6.2}%  recall {:6.2}%  F1 {:6.2}  ({} gold)\n",
                name, x.precision, x.recall, x.f1, self.gold[t]
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::label::{B_LOC, B_PER, I_LOC, I_PER, O};

    #[test]
    fn iob1_to_bio_conversion() {
        let tags = ["I-PER", "I-PER", "B-PER", "O", "I-LOC", "I-ORG", "I-ORG"];
        let bio = iob1_to_bio(&tags);
        let b_org = label::begin(1);
        let i_org = label::inside(1);
        assert_eq!(bio, vec![B_PER, I_PER, B_PER, O, B_LOC, b_org, i_org]);
    }

    #[test]
    fn parse_documents_and_columns() {
        let text = "Anna NNP I-NP I-PER\nSmith NNP I-NP I-PER\nwalks VBZ I-VP O\n\n-DOCSTART- -X- O O\n\nParis I-LOC\n. O\n";
        let docs = parse(text).expect("valid");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].sentences[0].labels, vec![B_PER, I_PER, O]);
        assert_eq!(docs[1].sentences[0].words, vec!["Paris", "."]);
        assert!(parse("word\n").is_err());
    }

    #[test]
    fn conlleval_counting() {
        // Gold: [Anna Smith]PER visited [Paris]LOC and [New York]LOC
        let gold = [B_PER, I_PER, O, B_LOC, O, B_LOC, I_LOC];
        // Predicted: only "Anna" as PER (wrong span), Paris right, New York right.
        let pred = [B_PER, O, O, B_LOC, O, B_LOC, I_LOC];
        let mut s = Scores::default();
        s.add(&gold, &pred);
        assert_eq!(s.correct.iter().sum::<usize>(), 2);
        assert_eq!(s.predicted.iter().sum::<usize>(), 3);
        assert_eq!(s.gold.iter().sum::<usize>(), 3);
        let o = s.overall();
        assert!((o.precision - 66.666).abs() < 0.01);
        assert!((o.f1 - 66.666).abs() < 0.01);
        assert_eq!(s.by_type(0).f1, 0.0);
        // An I- tag after O opens a chunk, as in conlleval.
        assert_eq!(chunks(&[O, I_LOC, I_LOC]), vec![(1, 3, 2)]);
        assert_eq!(chunks(&[B_PER, I_LOC]), vec![(0, 1, 0), (1, 2, 2)]);
    }
}
