//! Duplicate detection: an exact fingerprint of the normalised text (same words in the
//! same order, whatever the case, punctuation or spacing) and a 64-bit SimHash over
//! word 3-shingles for near-duplicates (the same wire story republished with small
//! edits). Both are stored per article; search collapses duplicates at query time, so
//! reindexing never has to decide which copy "owns" an article.
//!
//! Near-duplicates are found through eight 8-bit bands of the SimHash, each indexed as
//! a term: two fingerprints within [`NEAR_DISTANCE`] (6) bits differ in at most six
//! bands, so they share at least one band exactly (the pigeonhole trick of Manku et al.,
//! WWW 2007). Six bits rather than their three because news edits are small against
//! short texts: three words changed in a 75-word story already move four bits.

use xxhash_rust::xxh3::{Xxh3, xxh3_64};

/// SimHashes at most this many bits apart are near-duplicates.
pub const NEAR_DISTANCE: u32 = 6;

/// Articles shorter than this many words get no near-duplicate fingerprint: short
/// briefs share too many shingles by chance to be told apart reliably.
pub const MIN_WORDS_FOR_NEAR: usize = 30;

/// The fingerprints of one article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    /// Hash of the lowercased words of title and body.
    pub exact: u64,
    /// SimHash of word 3-shingles; `None` for very short texts.
    pub simhash: Option<u64>,
}

/// Computes both fingerprints in one pass over the words.
pub fn fingerprint(title: Option<&str>, body: &str) -> Fingerprint {
    let mut exact = Xxh3::new();
    let mut counts = [0i32; 64];
    let mut window: [u64; 3] = [0; 3];
    let mut words = 0usize;
    let mut lower = String::new();
    let texts = title.into_iter().chain(std::iter::once(body));
    for text in texts {
        for word in text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            lower.clear();
            lower.extend(word.chars().flat_map(char::to_lowercase));
            exact.update(lower.as_bytes());
            exact.update(b" ");
            window = [window[1], window[2], xxh3_64(lower.as_bytes())];
            words += 1;
            if words >= 3 {
                let shingle = window[0].rotate_left(21) ^ window[1].rotate_left(42) ^ window[2];
                let h = xxh3_64(&shingle.to_le_bytes());
                for (bit, count) in counts.iter_mut().enumerate() {
                    *count += if h >> bit & 1 == 1 { 1 } else { -1 };
                }
            }
        }
        // Title and body are separate: no shingle spans the two.
        window = [0; 3];
        exact.update(b"\n");
    }
    let simhash = (words >= MIN_WORDS_FOR_NEAR).then(|| {
        counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .fold(0u64, |acc, (bit, _)| acc | 1 << bit)
    });
    Fingerprint {
        exact: exact.digest(),
        simhash,
    }
}

/// The eight band terms of a SimHash, e.g. `"2:9f"`.
pub fn bands(simhash: u64) -> [String; 8] {
    std::array::from_fn(|i| format!("{i}:{:02x}", (simhash >> (8 * i)) & 0xff))
}

/// True when two SimHashes are near-duplicates.
pub fn is_near(a: u64, b: u64) -> bool {
    (a ^ b).count_ones() <= NEAR_DISTANCE
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "The central bank kept its main interest rate unchanged on Thursday, \
        saying inflation had eased but remained above target. Governor Elena Marsh told \
        reporters the bank wanted to see several more months of data before it would \
        consider a cut, and economists at three major banks had expected the decision. \
        The currency was little changed after the announcement, while bond yields edged \
        lower as traders priced in a cut later in the year.";

    #[test]
    fn exact_ignores_case_punctuation_and_spacing() {
        let a = fingerprint(Some("Bank holds"), STORY);
        let b = fingerprint(
            Some("BANK  holds!"),
            &STORY
                .replace(", ", " , ")
                .replace('.', " .\n\n")
                .to_uppercase(),
        );
        assert_eq!(a.exact, b.exact);
        assert_ne!(
            a.exact,
            fingerprint(Some("Bank holds"), &STORY.replace("Thursday", "Friday")).exact
        );
        assert_ne!(
            a.exact,
            fingerprint(Some("Bank"), &format!("holds {STORY}")).exact
        );
    }

    #[test]
    fn a_small_edit_is_near_and_another_story_is_not() {
        let a = fingerprint(Some("Bank holds"), STORY).simhash.unwrap();
        let edited = STORY.replace("three major banks", "four large banks");
        let b = fingerprint(Some("Bank holds rates"), &edited)
            .simhash
            .unwrap();
        assert!(is_near(a, b), "distance {}", (a ^ b).count_ones());
        let other = "Farmers across the plains reported a record wheat harvest this summer, \
            helped by late rain and cooler nights. Grain elevators were full by August and \
            prices fell as buyers waited for the export figures. Rail companies added trains \
            to move the crop to the ports before the autumn storms, and analysts said the \
            harvest would lift farm incomes for a second year in a row.";
        let c = fingerprint(Some("Harvest"), other).simhash.unwrap();
        assert!(!is_near(a, c), "distance {}", (a ^ c).count_ones());
    }

    #[test]
    fn short_texts_get_no_simhash() {
        assert!(fingerprint(Some("Brief"), "Shares rose.").simhash.is_none());
    }

    #[test]
    fn near_pairs_share_a_band() {
        let a = 0x1234_5678_9abc_def0u64;
        let b = a ^ (1 << 3) ^ (1 << 12) ^ (1 << 20) ^ (1 << 30) ^ (1 << 40) ^ (1 << 50);
        assert!(is_near(a, b));
        let (ba, bb) = (bands(a), bands(b));
        assert!(ba.iter().zip(&bb).any(|(x, y)| x == y));
    }
}
