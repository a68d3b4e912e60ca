//! Languages: detecting an article's language, and analysing text in it — a Snowball
//! stemmer where tantivy has one, character bigrams for Chinese, Japanese and Korean
//! (whose words are not separated by spaces, or carry attached particles), and plain
//! lowercased words otherwise.
//!
//! English text goes through the index's own field analyzer; other languages are
//! analysed here and handed to tantivy pre-tokenized, so one `body` field holds every
//! language, each stemmed its own way. Queries expand each word into its forms in the
//! languages present in the index (see `query::search`).

use tantivy::tokenizer::{
    Language as Stem, LowerCaser, PreTokenizedString, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, Token,
};

/// The language code newsdex assumes when nothing says otherwise.
pub const DEFAULT: &str = "en";

/// Detects the language of an article from its opening; `None` when the detector is
/// not confident (very short or mixed text).
///
/// Most news in an archive is English, and whatlang's trigram model costs about as much
/// as indexing the article, so a quick test comes first: in English running text, a
/// quarter or more of the words are a handful of function words, which no other
/// language shares in that density. Only text failing it goes to whatlang, on its
/// first 400 characters. Texts under 12 words get no language.
pub fn detect(title: Option<&str>, body: &str) -> Option<String> {
    let text = if body.trim().is_empty() {
        title.unwrap_or_default()
    } else {
        body
    };
    match looks_english(text) {
        Some(true) => return Some(DEFAULT.to_string()),
        // Too few words to tell (a headline-only brief, a table): not worth a guess.
        None => return None,
        Some(false) => {}
    }
    let mut sample = String::with_capacity(700);
    if let Some(t) = title {
        sample.push_str(t);
        sample.push('\n');
    }
    sample.extend(body.chars().take(400));
    let info = whatlang::detect(&sample)?;
    if !info.is_reliable() && info.confidence() < 0.5 {
        return None;
    }
    Some(code(info.lang()).to_string())
}

/// The English function-word test of [`detect`], on the first 80 words; `None` when
/// the text is too short to tell (under 12 words and under 40 characters).
fn looks_english(text: &str) -> Option<bool> {
    const FUNCTION_WORDS: &[&str] = &[
        "the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "it", "with", "as", "was",
        "were", "be", "by", "at", "from", "has", "have", "had", "said", "its", "an", "will",
        "would", "this", "are", "not", "but", "or", "which", "their", "they",
    ];
    let mut words = 0;
    let mut hits = 0;
    for word in text
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .take(80)
    {
        words += 1;
        if word.len() <= 5 && FUNCTION_WORDS.iter().any(|f| f.eq_ignore_ascii_case(word)) {
            hits += 1;
        }
    }
    if words >= 12 {
        Some(hits * 4 >= words)
    } else if text.chars().take(40).count() >= 40 {
        // Few but long words: a script without spaces between words (Korean, Chinese).
        Some(false)
    } else {
        None
    }
}

/// ISO 639-1 code for the languages newsdex knows by name, ISO 639-3 otherwise.
fn code(lang: whatlang::Lang) -> &'static str {
    use whatlang::Lang::*;
    match lang {
        Eng => "en",
        Deu => "de",
        Fra => "fr",
        Spa => "es",
        Ita => "it",
        Por => "pt",
        Nld => "nl",
        Rus => "ru",
        Ukr => "uk",
        Swe => "sv",
        Dan => "da",
        Nob => "no",
        Fin => "fi",
        Hun => "hu",
        Ron => "ro",
        Tur => "tr",
        Ara => "ar",
        Ell => "el",
        Tam => "ta",
        Pol => "pl",
        Ces => "cs",
        Kor => "ko",
        Jpn => "ja",
        Cmn => "zh",
        Heb => "he",
        Hin => "hi",
        other => other.code(),
    }
}

/// Normalises a language tag (`en-GB`, `EN`, `deu`) to the code used in the index.
pub fn normalize_code(tag: &str) -> String {
    let primary = tag
        .trim()
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match whatlang::Lang::from_code(&primary) {
        Some(lang) => code(lang).to_string(),
        None => primary,
    }
}

/// How text in a language is analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Analysis {
    /// Words, lowercased, Snowball-stemmed.
    Stemmed(Stem),
    /// Runs of Han, Hiragana, Katakana or Hangul become overlapping character bigrams;
    /// other words are lowercased.
    CjkBigrams,
    /// Words, lowercased.
    Plain,
}

impl Analysis {
    pub fn for_code(code: &str) -> Analysis {
        match code {
            "en" => Analysis::Stemmed(Stem::English),
            "de" => Analysis::Stemmed(Stem::German),
            "fr" => Analysis::Stemmed(Stem::French),
            "es" => Analysis::Stemmed(Stem::Spanish),
            "it" => Analysis::Stemmed(Stem::Italian),
            "pt" => Analysis::Stemmed(Stem::Portuguese),
            "nl" => Analysis::Stemmed(Stem::Dutch),
            "ru" => Analysis::Stemmed(Stem::Russian),
            "sv" => Analysis::Stemmed(Stem::Swedish),
            "da" => Analysis::Stemmed(Stem::Danish),
            "no" => Analysis::Stemmed(Stem::Norwegian),
            "fi" => Analysis::Stemmed(Stem::Finnish),
            "hu" => Analysis::Stemmed(Stem::Hungarian),
            "ro" => Analysis::Stemmed(Stem::Romanian),
            "tr" => Analysis::Stemmed(Stem::Turkish),
            "ar" => Analysis::Stemmed(Stem::Arabic),
            "el" => Analysis::Stemmed(Stem::Greek),
            "ta" => Analysis::Stemmed(Stem::Tamil),
            "ko" | "ja" | "zh" => Analysis::CjkBigrams,
            _ => Analysis::Plain,
        }
    }

    /// The Snowball algorithm of a stemmed analysis (for passages).
    pub fn algorithm(self) -> Option<frostem::Algorithm> {
        use frostem::Algorithm as A;
        let Analysis::Stemmed(lang) = self else {
            return None;
        };
        Some(match lang {
            Stem::Arabic => A::Arabic,
            Stem::Danish => A::Danish,
            Stem::Dutch => A::Dutch,
            Stem::English => A::English,
            Stem::Finnish => A::Finnish,
            Stem::French => A::French,
            Stem::German => A::German,
            Stem::Greek => A::Greek,
            Stem::Hungarian => A::Hungarian,
            Stem::Italian => A::Italian,
            Stem::Norwegian => A::Norwegian,
            Stem::Portuguese => A::Portuguese,
            Stem::Romanian => A::Romanian,
            Stem::Russian => A::Russian,
            Stem::Spanish => A::Spanish,
            Stem::Swedish => A::Swedish,
            Stem::Tamil => A::Tamil,
            Stem::Turkish => A::Turkish,
        })
    }

    /// True for the analysis the index's field analyzer already does.
    pub fn is_english(self) -> bool {
        self == Analysis::Stemmed(Stem::English)
    }
}

/// Analyses text the way the index stores it for a language.
pub struct Analyzer {
    analysis: Analysis,
    words: TextAnalyzer,
}

impl Analyzer {
    pub fn new(analysis: Analysis) -> Analyzer {
        let base = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser);
        let words = match analysis {
            Analysis::Stemmed(lang) => base.filter(Stemmer::new(lang)).build(),
            Analysis::CjkBigrams | Analysis::Plain => base.build(),
        };
        Analyzer { analysis, words }
    }

    pub fn analysis(&self) -> Analysis {
        self.analysis
    }

    /// Tokens with byte offsets and positions, as the index stores them.
    pub fn tokens(&mut self, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        let mut stream = self.words.token_stream(text);
        let mut position = 0usize;
        while let Some(token) = stream.next() {
            if self.analysis == Analysis::CjkBigrams && token.text.chars().any(is_cjk) {
                let word = &text[token.offset_from..token.offset_to];
                let chars: Vec<(usize, char)> = word.char_indices().collect();
                if chars.len() == 1 {
                    out.push(Token {
                        offset_from: token.offset_from,
                        offset_to: token.offset_to,
                        position,
                        text: token.text.clone(),
                        position_length: 1,
                    });
                    position += 1;
                    continue;
                }
                for pair in chars.windows(2) {
                    let (start, _) = pair[0];
                    let (second, c) = pair[1];
                    let end = second + c.len_utf8();
                    out.push(Token {
                        offset_from: token.offset_from + start,
                        offset_to: token.offset_from + end,
                        position,
                        text: word[start..end].to_lowercase(),
                        position_length: 1,
                    });
                    position += 1;
                }
            } else {
                out.push(Token {
                    position,
                    ..token.clone()
                });
                position += 1;
            }
        }
        out
    }

    /// Pre-tokenized text for the index.
    pub fn pre_tokenize(&mut self, text: &str) -> PreTokenizedString {
        PreTokenizedString {
            text: text.to_string(),
            tokens: self.tokens(text),
        }
    }
}

/// Han, Hiragana, Katakana and Hangul characters.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0x1100..=0x11FF    // Hangul jamo
        | 0x3130..=0x318F    // Hangul compatibility jamo
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x2FA1F) // CJK extensions B–F
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_common_news_languages() {
        let de = "Die Bundesregierung hat am Mittwoch neue Regeln für den Wohnungsbau beschlossen. \
                  Die Häuser sollen schneller genehmigt werden, sagte die Ministerin in Berlin.";
        assert_eq!(detect(None, de).as_deref(), Some("de"));
        let en = "The government approved new rules for housing on Wednesday, saying homes \
                  would be approved faster, the minister told reporters in London.";
        assert_eq!(detect(None, en).as_deref(), Some("en"));
        assert_eq!(
            (looks_english(en), looks_english(de)),
            (Some(true), Some(false))
        );
        let ko = "삼성전자가 새로운 반도체 공장을 짓기로 했다고 밝혔다. 회사는 내년부터 생산을 시작한다.";
        assert_eq!(detect(None, ko).as_deref(), Some("ko"));
        assert_eq!(normalize_code("en-GB"), "en");
        assert_eq!(normalize_code("DEU"), "de");
    }

    #[test]
    fn german_stems_inflected_forms_together() {
        let mut a = Analyzer::new(Analysis::for_code("de"));
        let stems = |a: &mut Analyzer, t: &str| -> Vec<String> {
            a.tokens(t).into_iter().map(|t| t.text).collect()
        };
        assert_eq!(stems(&mut a, "Häuser"), stems(&mut a, "Haus"));
        assert_eq!(stems(&mut a, "Regierungen"), stems(&mut a, "Regierung"));
    }

    #[test]
    fn korean_becomes_bigrams_with_offsets() {
        let mut a = Analyzer::new(Analysis::CjkBigrams);
        let text = "삼성전자가 공장";
        let tokens = a.tokens(text);
        let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["삼성", "성전", "전자", "자가", "공장"]);
        for t in &tokens {
            assert_eq!(&text[t.offset_from..t.offset_to], t.text);
        }
        let positions: Vec<usize> = tokens.iter().map(|t| t.position).collect();
        assert_eq!(positions, [0, 1, 2, 3, 4]);
    }
}
