//! The query language: words, "phrases" (with ~N slop), AND/OR/NOT/-, parentheses,
//! field:value and date ranges. Parsed into a small tree that the searcher turns into
//! tantivy queries and the passage ranker turns into terms to highlight.
//!
//! Precedence, loosest first: `OR`, then `AND` (also implied between adjacent
//! clauses), then `NOT`/`-`. `a b OR c` means `(a AND b) OR c`.

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};

/// A field a clause can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldName {
    Title,
    Body,
    Source,
    Author,
    Language,
    Id,
    Url,
    Published,
    Person,
    Org,
    Place,
    Misc,
}

impl FieldName {
    /// Every name the query language accepts, for error messages.
    pub const KNOWN: &'static str =
        "title, body, source, author, lang, id, url, published, person, org, place, misc";

    fn parse(name: &str) -> Option<FieldName> {
        Some(match name {
            "title" | "headline" => FieldName::Title,
            "body" | "text" => FieldName::Body,
            "source" | "outlet" => FieldName::Source,
            "author" | "authors" | "by" => FieldName::Author,
            "lang" | "language" => FieldName::Language,
            "id" => FieldName::Id,
            "url" => FieldName::Url,
            "published" | "date" => FieldName::Published,
            "person" | "per" => FieldName::Person,
            "org" | "organization" => FieldName::Org,
            "place" | "loc" | "location" => FieldName::Place,
            "misc" => FieldName::Misc,
            _ => return None,
        })
    }
}

/// One bound of a date range; `None` is open (`*`).
pub type Bound = Option<DateTime<Utc>>;

/// The parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A single word (it may still analyse to several tokens, e.g. "U.S." or "Tae-yul").
    Term {
        field: Option<FieldName>,
        text: String,
    },
    /// Words that must occur in order, up to `slop` positions apart.
    Phrase {
        field: Option<FieldName>,
        text: String,
        slop: u32,
    },
    /// `published:[from TO to]`, both ends inclusive; `to` as a bare date covers that day.
    DateRange { from: Bound, to: Bound },
    /// Every child must match; `implicit` when no `AND` was written.
    And { children: Vec<Expr>, implicit: bool },
    /// At least one child must match.
    Or(Vec<Expr>),
    /// The child must not match.
    Not(Box<Expr>),
}

/// Parses the query language. Errors name the character position (0-based) and what
/// was expected there.
pub fn parse(input: &str) -> Result<Expr> {
    let tokens = lex(input)?;
    if tokens.is_empty() {
        return Err(Error::Query {
            position: 0,
            message: "the query is empty".into(),
        });
    }
    let mut p = Parser {
        tokens,
        at: 0,
        end: input.chars().count(),
    };
    let expr = p.or_expr()?;
    if let Some(tok) = p.peek() {
        let message = match tok.kind {
            Tok::Close => "unmatched ')'".to_string(),
            _ => format!("unexpected {}", tok.kind.describe()),
        };
        return Err(Error::Query {
            position: tok.pos,
            message,
        });
    }
    Ok(expr)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Phrase(String, u32),
    Field(FieldName),
    Range(Bound, Bound),
    And,
    Or,
    Not,
    Minus,
    Open,
    Close,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Word(w) => format!("word {w:?}"),
            Tok::Phrase(p, _) => format!("phrase {p:?}"),
            Tok::Field(_) => "field".into(),
            Tok::Range(..) => "date range".into(),
            Tok::And => "'AND'".into(),
            Tok::Or => "'OR'".into(),
            Tok::Not => "'NOT'".into(),
            Tok::Minus => "'-'".into(),
            Tok::Open => "'('".into(),
            Tok::Close => "')'".into(),
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    kind: Tok,
    /// Character position in the input.
    pos: usize,
}

fn lex(input: &str) -> Result<Vec<Token>> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |position: usize, message: String| Error::Query { position, message };
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        match c {
            '(' => {
                out.push(Token {
                    kind: Tok::Open,
                    pos: i,
                });
                i += 1;
            }
            ')' => {
                out.push(Token {
                    kind: Tok::Close,
                    pos: i,
                });
                i += 1;
            }
            '"' | '“' | '”' => {
                let (phrase, next) = lex_phrase(&chars, i)?;
                out.push(Token {
                    kind: phrase,
                    pos: start,
                });
                i = next;
            }
            '-' if chars.get(i + 1).is_some_and(|n| !n.is_whitespace()) => {
                out.push(Token {
                    kind: Tok::Minus,
                    pos: i,
                });
                i += 1;
            }
            '+' if chars.get(i + 1).is_some_and(|n| !n.is_whitespace()) => {
                i += 1; // `+word` means required, which every word already is
            }
            _ => {
                while i < chars.len() && !is_word_end(chars[i]) {
                    i += 1;
                    // `field:` ends a word so the value can be a phrase or a range.
                    if chars[i - 1] == ':' {
                        break;
                    }
                }
                let word: String = chars[start..i].iter().collect();
                if let Some(name) = word.strip_suffix(':')
                    && !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_alphabetic() || c == '_')
                {
                    let Some(field) = FieldName::parse(&name.to_ascii_lowercase()) else {
                        return Err(err(
                            start,
                            format!(
                                "unknown field {name:?} (known fields: {})",
                                FieldName::KNOWN
                            ),
                        ));
                    };
                    if i >= chars.len() || chars[i].is_whitespace() || chars[i] == ')' {
                        return Err(err(i, format!("expected a value after \"{name}:\"")));
                    }
                    out.push(Token {
                        kind: Tok::Field(field),
                        pos: start,
                    });
                    if chars[i] == '[' || chars[i] == '{' {
                        let (range, next) = lex_range(&chars, i)?;
                        out.push(Token {
                            kind: range,
                            pos: i,
                        });
                        i = next;
                    }
                    continue;
                }
                let kind = match word.as_str() {
                    "AND" | "&&" => Tok::And,
                    "OR" | "||" => Tok::Or,
                    "NOT" => Tok::Not,
                    _ => Tok::Word(word),
                };
                out.push(Token { kind, pos: start });
            }
        }
    }
    Ok(out)
}

fn is_word_end(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"' | '“' | '”')
}

/// Lexes `"..."` (and an optional `~N`) starting at the opening quote.
fn lex_phrase(chars: &[char], open: usize) -> Result<(Tok, usize)> {
    let mut i = open + 1;
    while i < chars.len() && !matches!(chars[i], '"' | '“' | '”') {
        i += 1;
    }
    if i >= chars.len() {
        return Err(Error::Query {
            position: open,
            message: "unclosed quote: expected a closing '\"'".into(),
        });
    }
    let text: String = chars[open + 1..i].iter().collect();
    i += 1;
    let mut slop = 0;
    if chars.get(i) == Some(&'~') {
        let digits_start = i + 1;
        let mut j = digits_start;
        while j < chars.len() && chars[j].is_ascii_digit() {
            j += 1;
        }
        let digits: String = chars[digits_start..j].iter().collect();
        slop = digits.parse::<u32>().map_err(|_| Error::Query {
            position: i,
            message: "expected a number of positions after '~' (e.g. \"central bank\"~2)".into(),
        })?;
        i = j;
    }
    Ok((Tok::Phrase(text, slop), i))
}

/// Lexes `[from TO to]` (or `{...}`, exclusive) starting at the bracket.
fn lex_range(chars: &[char], open: usize) -> Result<(Tok, usize)> {
    let close_char = if chars[open] == '[' { ']' } else { '}' };
    let Some(len) = chars[open..].iter().position(|&c| c == close_char) else {
        return Err(Error::Query {
            position: open,
            message: format!("unclosed range: expected '{close_char}'"),
        });
    };
    let close = open + len;
    let inner: String = chars[open + 1..close].iter().collect();
    let parts: Vec<&str> = inner.split_whitespace().collect();
    let [from, to_kw, to] = parts.as_slice() else {
        return Err(Error::Query {
            position: open,
            message: "expected a range like [2025-01-01 TO 2025-03-31]".into(),
        });
    };
    if *to_kw != "TO" {
        return Err(Error::Query {
            position: open,
            message: format!("expected 'TO' between the range's dates, found {to_kw:?}"),
        });
    }
    let bound = |text: &str, end: bool| -> Result<Bound> {
        if text == "*" {
            return Ok(None);
        }
        parse_bound(text, end)
            .map(Some)
            .ok_or_else(|| Error::Query {
                position: open,
                message: format!(
                    "invalid date {text:?}: expected YYYY-MM-DD or an RFC 3339 date-time"
                ),
            })
    };
    let exclusive = close_char == '}';
    let mut from = bound(from, exclusive)?;
    let mut to = bound(to, !exclusive)?;
    if exclusive {
        // `{a TO b}`: strictly after a, strictly before b (to the second).
        from = from.map(|d| d + chrono::Duration::seconds(1));
        to = to.map(|d| d - chrono::Duration::seconds(1));
    }
    Ok((Tok::Range(from, to), close + 1))
}

/// Reads a date bound: a bare date is the day's first second, or its last when `end`.
pub fn parse_bound(text: &str, end: bool) -> Option<DateTime<Utc>> {
    if let Ok(day) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let time = if end {
            day.and_hms_opt(23, 59, 59)?
        } else {
            day.and_hms_opt(0, 0, 0)?
        };
        return Some(time.and_utc());
    }
    crate::ingest::parse_date(text)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    /// Character length of the input, the position of "end of query".
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn bump(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn pos(&self) -> usize {
        self.peek().map_or(self.end, |t| t.pos)
    }

    fn or_expr(&mut self) -> Result<Expr> {
        let mut children = vec![self.and_expr()?];
        while self.peek().is_some_and(|t| t.kind == Tok::Or) {
            self.bump();
            children.push(self.and_expr()?);
        }
        Ok(if children.len() == 1 {
            children.remove(0)
        } else {
            Expr::Or(children)
        })
    }

    fn and_expr(&mut self) -> Result<Expr> {
        let mut children = vec![self.unary()?];
        let mut implicit = true;
        loop {
            match self.peek().map(|t| &t.kind) {
                None | Some(Tok::Or) | Some(Tok::Close) => break,
                Some(Tok::And) => {
                    implicit = false;
                    self.bump();
                    children.push(self.unary()?);
                }
                Some(_) => children.push(self.unary()?),
            }
        }
        Ok(if children.len() == 1 {
            children.remove(0)
        } else {
            Expr::And { children, implicit }
        })
    }

    fn unary(&mut self) -> Result<Expr> {
        if self
            .peek()
            .is_some_and(|t| matches!(t.kind, Tok::Not | Tok::Minus))
        {
            self.bump();
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr> {
        let pos = self.pos();
        let Some(tok) = self.bump() else {
            let after = self
                .at
                .checked_sub(2)
                .and_then(|i| self.tokens.get(i))
                .map(|t| format!(" after {}", t.kind.describe()))
                .unwrap_or_default();
            return Err(Error::Query {
                position: pos,
                message: format!("expected a word, phrase or '('{after}"),
            });
        };
        match tok.kind {
            Tok::Word(text) => Ok(Expr::Term { field: None, text }),
            Tok::Phrase(text, slop) => Ok(Expr::Phrase {
                field: None,
                text,
                slop,
            }),
            Tok::Open => {
                let inner = self.or_expr()?;
                match self.bump() {
                    Some(Token {
                        kind: Tok::Close, ..
                    }) => Ok(inner),
                    _ => Err(Error::Query {
                        position: tok.pos,
                        message: "unclosed '(': expected ')'".into(),
                    }),
                }
            }
            Tok::Field(field) => self.field_value(field, tok.pos),
            other => Err(Error::Query {
                position: tok.pos,
                message: format!("expected a word, phrase or '(', found {}", other.describe()),
            }),
        }
    }

    fn field_value(&mut self, field: FieldName, field_pos: usize) -> Result<Expr> {
        let pos = self.pos();
        let value = self.bump().map(|t| t.kind);
        match (field, value) {
            (FieldName::Published, Some(Tok::Range(from, to))) => Ok(Expr::DateRange { from, to }),
            (FieldName::Published, Some(Tok::Word(day))) => {
                let (from, to) = (parse_bound(&day, false), parse_bound(&day, true));
                if from.is_none() {
                    return Err(Error::Query {
                        position: pos,
                        message: format!(
                            "invalid date {day:?}: expected YYYY-MM-DD or a range like [2025-01-01 TO 2025-03-31]"
                        ),
                    });
                }
                Ok(Expr::DateRange { from, to })
            }
            (FieldName::Published, _) => Err(Error::Query {
                position: pos,
                message: "expected a date or a range like [2025-01-01 TO 2025-03-31] after \"published:\"".into(),
            }),
            (_, Some(Tok::Range(..))) => Err(Error::Query {
                position: field_pos,
                message: "date ranges work only on the published field".into(),
            }),
            (_, Some(Tok::Word(text))) => Ok(Expr::Term {
                field: Some(field),
                text,
            }),
            (_, Some(Tok::Phrase(text, slop))) => Ok(Expr::Phrase {
                field: Some(field),
                text,
                slop,
            }),
            (_, other) => Err(Error::Query {
                position: pos,
                message: format!(
                    "expected a word or phrase after the field name{}",
                    other.map(|t| format!(", found {}", t.describe())).unwrap_or_default()
                ),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(t: &str) -> Expr {
        Expr::Term {
            field: None,
            text: t.into(),
        }
    }

    fn err_pos(q: &str) -> (usize, String) {
        match parse(q) {
            Err(Error::Query { position, message }) => (position, message),
            other => panic!("expected a query error for {q:?}, got {other:?}"),
        }
    }

    #[test]
    fn words_are_an_implicit_and() {
        assert_eq!(
            parse("pow transfer").unwrap(),
            Expr::And {
                children: vec![term("pow"), term("transfer")],
                implicit: true
            }
        );
    }

    #[test]
    fn or_binds_looser_than_and() {
        let e = parse("a b OR c").unwrap();
        assert_eq!(
            e,
            Expr::Or(vec![
                Expr::And {
                    children: vec![term("a"), term("b")],
                    implicit: true
                },
                term("c")
            ])
        );
    }

    #[test]
    fn phrases_slop_negation_and_fields() {
        let e = parse(r#""interest rates"~2 -Japan title:bank"#).unwrap();
        assert_eq!(
            e,
            Expr::And {
                children: vec![
                    Expr::Phrase {
                        field: None,
                        text: "interest rates".into(),
                        slop: 2
                    },
                    Expr::Not(Box::new(term("Japan"))),
                    Expr::Term {
                        field: Some(FieldName::Title),
                        text: "bank".into()
                    },
                ],
                implicit: true
            }
        );
        assert_eq!(
            parse(r#"person:"Cho Tae-yul""#).unwrap(),
            Expr::Phrase {
                field: Some(FieldName::Person),
                text: "Cho Tae-yul".into(),
                slop: 0
            }
        );
    }

    #[test]
    fn a_hyphen_inside_a_word_is_not_negation() {
        assert_eq!(parse("Tae-yul").unwrap(), term("Tae-yul"));
    }

    #[test]
    fn date_ranges() {
        let Expr::DateRange { from, to } = parse("published:[2025-01-01 TO 2025-03-31]").unwrap()
        else {
            panic!("not a range")
        };
        assert_eq!(from.unwrap().to_rfc3339(), "2025-01-01T00:00:00+00:00");
        assert_eq!(to.unwrap().to_rfc3339(), "2025-03-31T23:59:59+00:00");
        let Expr::DateRange { from, to } = parse("published:[* TO 2025-03-31]").unwrap() else {
            panic!("not a range")
        };
        assert!(from.is_none() && to.is_some());
    }

    #[test]
    fn errors_name_the_position() {
        assert_eq!(err_pos("bank OR").0, 7);
        let (pos, msg) = err_pos("(bank rates");
        assert_eq!(pos, 0);
        assert!(msg.contains("expected ')'"), "{msg}");
        assert_eq!(err_pos("rates \"central bank").0, 6);
        let (pos, msg) = err_pos("titel:bank");
        assert_eq!(pos, 0);
        assert!(msg.contains("unknown field \"titel\""), "{msg}");
        assert_eq!(err_pos("bank )").0, 5);
        let (_, msg) = err_pos("published:[2025-13-01 TO *]");
        assert!(msg.contains("invalid date"), "{msg}");
        assert!(err_pos("   ").1.contains("empty"));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(q in "\\PC{0,40}") {
            let _ = parse(&q);
        }

        #[test]
        fn never_panics_on_query_syntax(q in "[a-z\"():\\[\\]{}~* -]{0,30}|(AND|OR|NOT|title:|published:|\\[|TO|\\]| |x|\"){0,12}") {
            let _ = parse(&q);
        }
    }
}
