//! Duplicate detection: an exact fingerprint of the normalised text (same words in the
//! same order, whatever the case, punctuation or spacing) and a MinHash sketch of word
//! 3-shingles for near-duplicates (the same wire story republished with small edits).
//! Both are stored per article. Exact copies are stored once (see `index::copies`);
//! near-duplicates are collapsed at query time.
//!
//! The sketch is one-permutation MinHash (one hash per shingle, 64 bins, empty bins
//! filled from their neighbours), cut into 16 bands of 4 bins. Each band is hashed to
//! 32 bits and stored, two to a u64, in a fast field: two articles whose shingle sets
//! have Jaccard similarity J share on average 16·J⁴ bands, so "at least
//! [`MIN_SHARED_BANDS`] shared bands" means J ≳ 0.7. Search compares the candidates of
//! a result page this way; exact copies are found index-wide through `dup_exact`. (SimHash was tried first: a two-word edit in a 80-word story already
//! moved it 8 bits, past any safe threshold.)

use xxhash_rust::xxh3::{Xxh3, xxh3_64, xxh3_64_with_seed};

use super::analyzer::{lowercase_into, next_word};

/// Bands of the sketch; their 32-bit hashes are stored two to a u64 fast-field value.
pub const BANDS: usize = 16;
const ROWS: usize = 4;
const BINS: usize = BANDS * ROWS;

/// Two articles sharing at least this many bands are near-duplicates.
pub const MIN_SHARED_BANDS: usize = 4;

/// Articles with fewer words get no near-duplicate sketch: short briefs share too many
/// shingles by chance to be told apart reliably.
pub const MIN_WORDS_FOR_NEAR: usize = 20;

/// The fingerprints of one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Hash of the lowercased words of title and body.
    pub exact: u64,
    /// The band hashes (32 bits each) of the MinHash sketch; empty for very short texts.
    pub bands: Vec<u64>,
}

/// Computes both fingerprints in one pass over the words.
pub fn fingerprint(title: Option<&str>, body: &str) -> Fingerprint {
    let mut exact = Xxh3::new();
    let mut bins = [u64::MAX; BINS];
    let mut window: [u64; 3] = [0; 3];
    let mut words = 0usize;
    let mut in_text = 0usize;
    let mut lower = String::with_capacity(64);
    let texts = title.into_iter().chain(std::iter::once(body));
    for text in texts {
        let mut pos = 0;
        while let Some((from, to)) = next_word(text, pos) {
            pos = to;
            let word = &text[from..to];
            lowercase_into(word, &mut lower);
            let lower = lower.as_bytes();
            exact.update(lower);
            exact.update(b" ");
            window = [window[1], window[2], xxh3_64(lower)];
            words += 1;
            in_text += 1;
            if in_text >= 3 {
                let shingle = window[0].rotate_left(21) ^ window[1].rotate_left(42) ^ window[2];
                let h = xxh3_64(&shingle.to_le_bytes());
                // The top bits pick the bin, the rest is the value kept at its minimum.
                let bin = (h >> 58) as usize % BINS;
                let value = h & ((1 << 58) - 1);
                if value < bins[bin] {
                    bins[bin] = value;
                }
            }
        }
        // Title and body are separate: no shingle spans the two.
        in_text = 0;
        exact.update(b"\n");
    }
    let bands = if words >= MIN_WORDS_FOR_NEAR {
        densify(&mut bins);
        (0..BANDS)
            .map(|band| {
                let mut bytes = [0u8; ROWS * 8];
                for (row, chunk) in bytes.chunks_exact_mut(8).enumerate() {
                    chunk.copy_from_slice(&bins[band * ROWS + row].to_le_bytes());
                }
                xxh3_64_with_seed(&bytes, band as u64) & 0xffff_ffff
            })
            .collect()
    } else {
        Vec::new()
    };
    Fingerprint {
        exact: exact.digest(),
        bands,
    }
}

/// Fills empty bins from the next non-empty one (circularly), with an offset so a
/// borrowed value differs from its source bin's: "rotation" densification.
fn densify(bins: &mut [u64; BINS]) {
    if bins.iter().all(|b| *b == u64::MAX) {
        return;
    }
    let original = *bins;
    for i in 0..BINS {
        if original[i] != u64::MAX {
            continue;
        }
        let mut distance = 1;
        while original[(i + distance) % BINS] == u64::MAX {
            distance += 1;
        }
        bins[i] = original[(i + distance) % BINS].wrapping_add(distance as u64 * 0x9E37_79B9);
    }
}

/// Packs the 32-bit band hashes two to a u64, as stored.
pub fn pack(bands: &[u64]) -> Vec<u64> {
    bands
        .chunks(2)
        .map(|pair| pair[0] << 32 | pair.get(1).copied().unwrap_or(0))
        .collect()
}

/// The band hashes back from their stored form.
pub fn unpack(stored: impl Iterator<Item = u64>) -> Vec<u64> {
    stored.flat_map(|v| [v >> 32, v & 0xffff_ffff]).collect()
}

/// Number of band hashes two articles share.
pub fn shared_bands(a: &[u64], b: &[u64]) -> usize {
    a.iter().filter(|x| b.contains(x)).count()
}

/// True when two band lists make the articles near-duplicates.
pub fn is_near(a: &[u64], b: &[u64]) -> bool {
    !a.is_empty() && shared_bands(a, b) >= MIN_SHARED_BANDS
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
        assert_eq!(a.bands, b.bands);
        let c = fingerprint(Some("Bank holds"), &STORY.replace("Thursday", "Friday"));
        assert_ne!(a.exact, c.exact);
        assert_ne!(
            a.exact,
            fingerprint(Some("Bank"), &format!("holds {STORY}")).exact
        );
    }

    #[test]
    fn small_edits_are_near_and_another_story_is_not() {
        let a = fingerprint(Some("Bank holds"), STORY).bands;
        let edited = STORY
            .replace("three major banks", "four large banks")
            .replace("on Thursday", "late on Thursday");
        let b = fingerprint(Some("Bank holds rates"), &edited).bands;
        assert!(is_near(&a, &b), "shared {}", shared_bands(&a, &b));
        let other = "Farmers across the plains reported a record wheat harvest this summer, \
            helped by late rain and cooler nights. Grain elevators were full by August and \
            prices fell as buyers waited for the export figures. Rail companies added trains \
            to move the crop to the ports before the autumn storms, and analysts said the \
            harvest would lift farm incomes for a second year in a row.";
        let c = fingerprint(Some("Harvest"), other).bands;
        assert!(!is_near(&a, &c), "shared {}", shared_bands(&a, &c));
    }

    /// Fingerprints of the story below as the first indexes stored them.
    const GOLDEN_EXACT: u64 = 0x23a2_e33c_f3aa_3bcc;
    const GOLDEN_BANDS: [u64; 4] = [0x1a7_0a5c, 0xaf1_45d0, 0xfa50_8037, 0x1501_95e3];

    #[test]
    fn fingerprints_are_stable_across_versions() {
        // Stored in every index: a change here makes old and new copies look different.
        let f = fingerprint(Some("Bank holds"), &format!("{STORY} Ünïcödé ΣΑΣ straße"));
        assert_eq!(f.exact, GOLDEN_EXACT, "exact {:#x}", f.exact);
        assert_eq!(f.bands[..4], GOLDEN_BANDS, "bands {:#x?}", &f.bands[..4]);
    }

    #[test]
    fn short_texts_get_no_sketch() {
        let f = fingerprint(Some("Brief"), "Shares rose.");
        assert!(f.bands.is_empty());
        assert!(!is_near(&f.bands, &f.bands));
    }

    #[test]
    fn sketches_are_deterministic_and_sized() {
        let a = fingerprint(None, STORY);
        assert_eq!(a, fingerprint(None, STORY));
        assert_eq!(a.bands.len(), BANDS);
        assert_eq!(unpack(pack(&a.bands).into_iter()), a.bands);
    }
}
