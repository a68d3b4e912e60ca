//! Languages: detecting an article's language, and analysing text in it — a Snowball
//! stemmer where tantivy has one, character bigrams for Chinese, Japanese and Korean
//! (whose words are not separated by spaces, or carry attached particles), and plain
//! lowercased words otherwise.
//!
//! English text goes through the index's own field analyzer; other languages are
//! analysed here and handed to tantivy pre-tokenized, so one `body` field holds every
//! language, each stemmed its own way. Queries expand each word into its forms in the
//! languages present in the index (see `query::search`).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::index::analyzer::lowercase_into;

use tantivy::tokenizer::{
    Language as Stem, LowerCaser, PreTokenizedString, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, Token,
};

/// The language code newsdex assumes when nothing says otherwise.
pub const DEFAULT: &str = "en";

/// Detects the language of an article from its opening; `None` when it cannot tell
/// (very short text, tables of figures, mixed text).
///
/// Most news in an archive is English, and whatlang's trigram model costs about as much
/// as indexing the article, so a quick test comes first: running text in a language is
/// a quarter or more its handful of commonest function words, which no other language
/// shares in that density ([`PROFILES`]). Only text failing it goes to whatlang, on its
/// first 400 characters, and whatlang's answer is checked against the profiles: text
/// with none of a profiled language's function words is not in that language, whatever
/// the trigrams say. That keeps tables of figures ("Shr 41 cts vs 33 cts Net 10.2 mln")
/// from passing as French or Danish. Texts under 12 words get no language.
pub fn detect(title: Option<&str>, body: &str) -> Option<String> {
    let text = if body.trim().is_empty() {
        title.unwrap_or_default()
    } else {
        body
    };
    let profile = Profile::of(text);
    if profile.words < 12 {
        // Few but long words: a script without spaces between words (Korean, Chinese)
        // needs whatlang; a short text in Latin script is English if its function words
        // say so, and unknown otherwise.
        let (mut all, mut ascii) = (0, 0);
        for c in text.chars().filter(|c| !c.is_whitespace()).take(100) {
            all += 1;
            ascii += usize::from(c.is_ascii());
        }
        if text.chars().take(40).count() < 40 || ascii * 2 > all {
            let english = profile.words >= 6 && profile.share(0) * 4 >= profile.words;
            return english.then(|| DEFAULT.to_string());
        }
    } else if profile.share(0) * 4 >= profile.words {
        return Some(DEFAULT.to_string());
    } else if profile.numeric * 3 >= profile.words + profile.numeric && profile.best().1 == 0 {
        // Mostly figures and no function words: a table, in no language in particular.
        return None;
    }
    let mut sample = String::with_capacity(700);
    if let Some(t) = title {
        sample.push_str(t);
        sample.push('\n');
    }
    sample.extend(body.chars().take(400));
    let info = whatlang::detect(&sample)?;
    let code = code(info.lang());
    match PROFILES.iter().position(|(c, _)| *c == code) {
        // Prose in a profiled language has its function words; a guess without them is noise.
        Some(i) if profile.share(i) * 10 < profile.words => None,
        // Languages without a profile need whatlang to be sure.
        None if !info.is_reliable() => None,
        _ if !info.is_reliable() && info.confidence() < 0.5 => None,
        _ => Some(code.to_string()),
    }
}

/// Commonest function words of the languages most news archives hold, lowercase.
/// English comes first.
const PROFILES: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "it", "with", "as",
            "was", "were", "be", "by", "at", "from", "has", "have", "had", "said", "its", "an",
            "will", "would", "this", "are", "not", "but", "or", "which", "their", "they",
        ],
    ),
    (
        "de",
        &[
            "der", "die", "und", "in", "den", "von", "zu", "das", "mit", "sich", "des", "auf",
            "für", "ist", "im", "dem", "nicht", "ein", "eine", "als", "auch", "es", "an", "werden",
            "aus", "er", "hat", "dass", "sie", "nach", "wird", "bei", "einer", "um", "am", "sind",
        ],
    ),
    (
        "fr",
        &[
            "de", "la", "le", "et", "les", "des", "en", "un", "une", "du", "est", "que", "pour",
            "dans", "qui", "au", "sur", "par", "pas", "plus", "ne", "se", "il", "aux", "avec",
            "ce", "sont", "ont", "cette", "elle", "son", "sa", "ses", "mais", "ou", "leur",
        ],
    ),
    (
        "es",
        &[
            "de", "la", "que", "el", "en", "y", "a", "los", "del", "se", "las", "por", "un",
            "para", "con", "no", "una", "su", "al", "es", "lo", "como", "más", "pero", "sus", "ha",
            "fue", "este", "entre", "sobre",
        ],
    ),
    (
        "it",
        &[
            "di", "e", "il", "la", "che", "in", "per", "un", "è", "del", "le", "della", "con",
            "non", "i", "si", "da", "una", "dei", "nel", "alla", "sono", "ha", "al", "gli", "lo",
            "ma", "anche", "delle", "nella", "più", "come",
        ],
    ),
    (
        "pt",
        &[
            "de", "a", "o", "que", "e", "do", "da", "em", "um", "para", "é", "com", "não", "uma",
            "os", "no", "se", "na", "por", "mais", "as", "dos", "como", "mas", "ao", "das", "à",
            "seu", "sua", "foi", "pelo", "pela", "são",
        ],
    ),
    (
        "nl",
        &[
            "de", "het", "een", "en", "van", "in", "is", "dat", "op", "te", "zijn", "met", "voor",
            "niet", "aan", "er", "die", "ook", "als", "bij", "om", "door", "naar", "maar", "over",
            "wordt", "werd", "heeft", "hebben", "uit", "tot",
        ],
    ),
    (
        "sv",
        &[
            "och", "i", "att", "det", "som", "en", "på", "är", "av", "för", "med", "till", "den",
            "har", "de", "inte", "om", "ett", "var", "men", "från", "vid", "sig", "kan", "eller",
            "efter", "när", "också",
        ],
    ),
];

/// Each function word of [`PROFILES`] with a bit set per language it belongs to.
fn function_words() -> &'static HashMap<&'static str, u16> {
    static TABLE: OnceLock<HashMap<&'static str, u16>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = HashMap::new();
        for (i, (_, words)) in PROFILES.iter().enumerate() {
            for w in *words {
                *table.entry(*w).or_insert(0) |= 1 << i;
            }
        }
        table
    })
}

/// Function-word counts of a text's first 80 words.
struct Profile {
    /// Words without digits.
    words: usize,
    /// Words with digits ("1987", "10.2" counts twice, "Q3").
    numeric: usize,
    /// Per language of [`PROFILES`], how many words are its function words.
    hits: [usize; PROFILES.len()],
}

impl Profile {
    fn of(text: &str) -> Profile {
        let mut p = Profile {
            words: 0,
            numeric: 0,
            hits: [0; PROFILES.len()],
        };
        let table = function_words();
        let mut lower = String::new();
        for word in text
            .split(|c: char| !c.is_alphanumeric() && c != '\'')
            .filter(|w| !w.is_empty())
            .take(80)
        {
            if word.bytes().any(|b| b.is_ascii_digit()) {
                p.numeric += 1;
                continue;
            }
            p.words += 1;
            if word.len() > 7 {
                continue;
            }
            lowercase_into(word, &mut lower);
            if let Some(&langs) = table.get(lower.as_str()) {
                for (i, hits) in p.hits.iter_mut().enumerate() {
                    *hits += usize::from(langs >> i & 1 == 1);
                }
            }
        }
        p
    }

    /// Function words of language `i` of [`PROFILES`].
    fn share(&self, i: usize) -> usize {
        self.hits.get(i).copied().unwrap_or(0)
    }

    /// The language with the most function words, and their count.
    fn best(&self) -> (usize, usize) {
        self.hits
            .iter()
            .copied()
            .enumerate()
            .max_by_key(|&(_, h)| h)
            .unwrap_or((0, 0))
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

    /// Tokens with byte offsets and positions, as the index stores them.
    pub fn tokens(&mut self, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        let mut stream = self.words.token_stream(text);
        // Positions follow the word stream's, gaps for dropped long words included (as the
        // index's English analyzer keeps them), shifted by the extra bigrams emitted so far.
        let mut extra = 0usize;
        while let Some(token) = stream.next() {
            let mut position = token.position + extra;
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
                    continue;
                }
                extra += chars.len() - 2;
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
        let (pe, pd) = (Profile::of(en), Profile::of(de));
        assert!(pe.share(0) * 4 >= pe.words);
        assert!(pd.share(0) * 4 < pd.words);
        assert_eq!(PROFILES[pd.best().0].0, "de");
        let fr = "Le gouvernement a adopté mercredi de nouvelles règles pour le logement, \
                  a déclaré la ministre devant les journalistes à Paris. Les maisons seront \
                  autorisées plus vite.";
        assert_eq!(detect(None, fr).as_deref(), Some("fr"));
        let es = "El gobierno aprobó el miércoles nuevas normas para la vivienda, dijo la \
                  ministra a los periodistas en Madrid. Las casas se aprobarán más rápido.";
        assert_eq!(detect(None, es).as_deref(), Some("es"));
        let ko = "삼성전자가 새로운 반도체 공장을 짓기로 했다고 밝혔다. 회사는 내년부터 생산을 시작한다.";
        assert_eq!(detect(None, ko).as_deref(), Some("ko"));
        assert_eq!(normalize_code("en-GB"), "en");
        assert_eq!(normalize_code("DEU"), "de");
    }

    #[test]
    fn short_texts() {
        let en = "This is article 7 about markets and weather in town 7.";
        assert_eq!(detect(Some("Story number 7"), en).as_deref(), Some("en"));
        assert_eq!(detect(None, "Shares rose."), None);
        assert_eq!(detect(None, "Grüne Energie für alle Häuser im Land"), None);
        let ko = "삼성전자가 새로운 반도체 공장을 짓기로 했다고 밝혔다";
        assert_eq!(detect(None, ko), None, "too short to tell");
        let ko = "삼성전자가 새로운 반도체 공장을 짓기로 했다고 밝혔다. 회사는 내년부터 생산을 시작한다.";
        assert_eq!(detect(None, ko).as_deref(), Some("ko"));
    }

    #[test]
    fn tables_of_figures_have_no_language() {
        // Reuters earnings tables: whatlang calls these French, Danish or Norwegian.
        for table in [
            "Shr 41 cts vs 33 cts\n\nNet 10.2 mln vs 8,309,000\n\nRevs 193.3 mln vs 157.7 mln\n\n\
             Nine months\n\nShr 1.29 dlrs vs 1.02 dlrs\n\nNet 32.1 mln vs 25.4 mln\n\nReuter",
            "Shr loss 6.48 DLS VS PROFIT 23 CTS\n\nNet loss 110.6 mln vs profit 4.1 mln\n\n\
             Revs 74.0 mln vs 152.0 mln\n\nReuter",
            "Qtly div 51 cts vs 51 cts\n\nPay April 9\n\nRecord March 25\n\n\
             (Santa Anita Realty Enterprises Inc)\n\nReuter",
        ] {
            let got = detect(None, table);
            assert!(
                got.is_none() || got.as_deref() == Some("en"),
                "{got:?} for {table:?}"
            );
        }
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
    fn positions_keep_the_gap_of_a_dropped_long_word() {
        // Queries are analysed here, English articles by the index's analyzer: a phrase
        // around a word too long to index must line up with the index's positions.
        let text = "central supercalifragilisticexpialidociousbankers bank 삼성전자가 rates";
        let mut a = Analyzer::new(Analysis::for_code("en"));
        let ours: Vec<(String, usize)> = a
            .tokens(text)
            .into_iter()
            .map(|t| (t.text, t.position))
            .collect();
        let mut index = crate::index::schema::text_analyzer();
        let mut stream = index.token_stream(text);
        let mut theirs = Vec::new();
        while let Some(t) = stream.next() {
            theirs.push((t.text.clone(), t.position));
        }
        assert_eq!(ours, theirs);
        assert_eq!(ours[1].1, 2);
        // Bigrams still take one position each and push later words on.
        let mut k = Analyzer::new(Analysis::CjkBigrams);
        let positions: Vec<usize> = k.tokens(text).iter().map(|t| t.position).collect();
        assert_eq!(positions, [0, 2, 3, 4, 5, 6, 7]);
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
