//! Word clusters learned from unlabeled news: a bit-path code per word, so the tagger can
//! generalise from words it saw in training to words it only saw in raw text.

use super::features::Clusters;

const MAGIC: &[u8; 8] = b"NDXCLU01";

impl Clusters {
    /// Serialises the table: word hashes and codes, sorted by hash.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v: Vec<(u64, u16)> = self.map.iter().map(|(&h, &c)| (h, c)).collect();
        v.sort_unstable();
        let mut out = Vec::with_capacity(16 + v.len() * 10 + self.lower.len() * 8);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(v.len() as u32).to_le_bytes());
        for (h, c) in v {
            out.extend_from_slice(&h.to_le_bytes());
            out.extend_from_slice(&c.to_le_bytes());
        }
        let mut lower: Vec<u64> = self.lower.iter().copied().collect();
        lower.sort_unstable();
        out.extend_from_slice(&(lower.len() as u32).to_le_bytes());
        for h in lower {
            out.extend_from_slice(&h.to_le_bytes());
        }
        out
    }

    pub fn from_bytes(b: &[u8]) -> Result<Clusters, String> {
        if b.len() < 12 || &b[..8] != MAGIC {
            return Err("not a newsdex cluster file (bad magic)".into());
        }
        let n = u32::from_le_bytes(b[8..12].try_into().expect("4 bytes")) as usize;
        let body = &b[12..];
        if body.len() < n * 10 + 4 {
            return Err("cluster file is truncated".into());
        }
        let (body, rest) = body.split_at(n * 10);
        let m = u32::from_le_bytes(rest[..4].try_into().expect("4 bytes")) as usize;
        if rest.len() != 4 + m * 8 {
            return Err("cluster file is truncated".into());
        }
        let lower = rest[4..]
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect();
        let map = body
            .chunks_exact(10)
            .map(|c| {
                (
                    u64::from_le_bytes(c[..8].try_into().expect("8 bytes")),
                    u16::from_le_bytes(c[8..].try_into().expect("2 bytes")),
                )
            })
            .collect();
        Ok(Clusters { map, lower })
    }
}

/// Settings for [`learn_from_jsonl`].
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// Stop after this many bytes of article text.
    pub max_bytes: usize,
    /// Cluster this many most frequent words.
    pub vocab: usize,
    /// Describe each word by its neighbours among this many most frequent words.
    pub contexts: usize,
    /// Depth of the binary cluster tree (codes have up to this many bits).
    pub depth: u32,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            max_bytes: 150_000_000,
            vocab: 40_000,
            contexts: 1_000,
            depth: 12,
        }
    }
}

#[derive(serde::Deserialize)]
struct Record {
    #[serde(default)]
    body: Option<String>,
}

/// Learns clusters from JSON Lines files (plain or gzipped) with a `body` field.
pub fn learn_from_jsonl(
    files: &[std::path::PathBuf],
    opts: &ClusterOptions,
    log: &mut dyn FnMut(String),
) -> crate::Result<Clusters> {
    use std::io::BufRead;
    let mut stream: Vec<u64> = Vec::new();
    let mut case = CaseCounts::new();
    let mut bytes = 0usize;
    'files: for path in files {
        let f = std::fs::File::open(path).map_err(|e| crate::Error::io(path, e))?;
        let reader: Box<dyn BufRead> = if path.extension().is_some_and(|e| e == "gz") {
            Box::new(std::io::BufReader::new(flate2::read::MultiGzDecoder::new(
                f,
            )))
        } else {
            Box::new(std::io::BufReader::new(f))
        };
        for line in reader.lines() {
            let line = line.map_err(|e| crate::Error::io(path, e))?;
            let Ok(rec) = serde_json::from_str::<Record>(&line) else {
                continue;
            };
            let Some(body) = rec.body else { continue };
            bytes += body.len();
            push_tokens(&body, &mut stream, &mut case);
            if bytes >= opts.max_bytes {
                break 'files;
            }
        }
    }
    log(format!(
        "read {:.1} MB, {} tokens",
        bytes as f64 / 1e6,
        stream.len()
    ));
    Ok(learn(&stream, &case, opts, log))
}

/// Per case-folded word: uses in lower case and capitalised, not sentence-initial.
type CaseCounts = std::collections::HashMap<u64, (u32, u32)>;

/// Appends the word hashes of `text`, with 0 after each sentence.
fn push_tokens(text: &str, out: &mut Vec<u64>, case: &mut CaseCounts) {
    let tokens = super::tokenize::tokenize(text);
    for r in super::tokenize::sentences(text, &tokens) {
        for (i, t) in tokens[r].iter().enumerate() {
            let w = t.text(text);
            out.push(super::features::word_hash(w).max(1));
            if i > 0 {
                let first = w.chars().next().unwrap_or(' ');
                if first.is_lowercase() {
                    case.entry(super::features::lower_hash(w)).or_default().0 += 1;
                } else if first.is_uppercase() {
                    case.entry(super::features::lower_hash(w)).or_default().1 += 1;
                }
            }
        }
        out.push(0);
    }
}

/// Bisecting spherical 2-means over PPMI-weighted left/right neighbour vectors: each split
/// adds one bit to the code of the words below it, like the prefix codes of Brown clusters.
pub fn learn(
    stream: &[u64],
    case: &CaseCounts,
    opts: &ClusterOptions,
    log: &mut dyn FnMut(String),
) -> Clusters {
    use std::collections::HashMap;
    let mut freq: HashMap<u64, u32> = HashMap::new();
    for &h in stream {
        if h != 0 {
            *freq.entry(h).or_default() += 1;
        }
    }
    let mut words: Vec<(u64, u32)> = freq.into_iter().filter(|&(_, c)| c >= 3).collect();
    words.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    words.truncate(opts.vocab);
    let index: HashMap<u64, u32> = words
        .iter()
        .enumerate()
        .map(|(i, &(h, _))| (h, i as u32))
        .collect();
    let v = words.len();
    let c = opts.contexts.min(v);
    let dims = 2 * c + 2;
    let (bos, eos) = (2 * c, 2 * c + 1);
    let mut counts = vec![0u32; v * dims];
    let id = |h: u64| -> Option<usize> {
        if h == 0 {
            None
        } else {
            index.get(&h).map(|&i| i as usize)
        }
    };
    let ids: Vec<Option<usize>> = stream.iter().map(|&h| id(h)).collect();
    for i in 0..stream.len() {
        let Some(w) = ids[i] else { continue };
        let row = &mut counts[w * dims..(w + 1) * dims];
        let left = if i == 0 || stream[i - 1] == 0 {
            Some(bos)
        } else {
            ids[i - 1].filter(|&x| x < c)
        };
        let right = if i + 1 >= stream.len() || stream[i + 1] == 0 {
            Some(eos)
        } else {
            ids[i + 1].filter(|&x| x < c).map(|x| c + x)
        };
        if let Some(l) = left {
            row[l] += 1;
        }
        if let Some(r) = right {
            row[r] += 1;
        }
    }
    // PPMI weighting, as sparse unit-length rows.
    let total: f64 = counts.iter().map(|&x| x as f64).sum::<f64>().max(1.0);
    let mut col = vec![0f64; dims];
    let mut rowsum = vec![0f64; v];
    for w in 0..v {
        for (d, &x) in counts[w * dims..(w + 1) * dims].iter().enumerate() {
            col[d] += x as f64;
            rowsum[w] += x as f64;
        }
    }
    let mut rows: Vec<Vec<(u32, f32)>> = Vec::with_capacity(v);
    for w in 0..v {
        let mut r = Vec::new();
        for (d, &x) in counts[w * dims..(w + 1) * dims].iter().enumerate() {
            if x > 0 {
                let pmi = ((x as f64 * total) / (rowsum[w] * col[d])).ln();
                if pmi > 0.0 {
                    r.push((d as u32, pmi as f32));
                }
            }
        }
        let norm = r.iter().map(|&(_, x)| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            for e in &mut r {
                e.1 /= norm;
            }
        }
        rows.push(r);
    }
    drop(counts);
    log(format!(
        "clustering {v} words over {dims} context dimensions"
    ));

    let members: Vec<u32> = (0..v as u32)
        .filter(|&w| !rows[w as usize].is_empty())
        .collect();
    let mut codes = vec![0u16; v];
    let mut stack = vec![(members, 1u16, 0u32)];
    while let Some((m, code, depth)) = stack.pop() {
        let halves = if depth < opts.depth && m.len() >= 2 {
            bisect(&rows, &m, dims)
        } else {
            None
        };
        match halves {
            Some((a, b)) => {
                stack.push((b, code << 1 | 1, depth + 1));
                stack.push((a, code << 1, depth + 1));
            }
            None => {
                for &w in &m {
                    codes[w as usize] = code;
                }
            }
        }
    }
    let map = words
        .iter()
        .zip(&codes)
        .filter(|&(_, &c)| c != 0)
        .map(|(&(h, _), &c)| (h, c))
        .collect();
    // Words written in lower case at least 4 times as often as capitalised.
    let lower = case
        .iter()
        .filter(|&(_, &(l, c))| l >= 5 && l >= 4 * c)
        .map(|(&h, _)| h)
        .collect();
    Clusters { map, lower }
}

fn dot(row: &[(u32, f32)], centroid: &[f32]) -> f32 {
    row.iter().map(|&(d, x)| x * centroid[d as usize]).sum()
}

/// Splits `m` into two by spherical 2-means; None when it will not split.
fn bisect(rows: &[Vec<(u32, f32)>], m: &[u32], dims: usize) -> Option<(Vec<u32>, Vec<u32>)> {
    let centre = |ids: &[u32]| -> Vec<f32> {
        let mut c = vec![0f32; dims];
        for &w in ids {
            for &(d, x) in &rows[w as usize] {
                c[d as usize] += x;
            }
        }
        let n = c.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
        c.iter_mut().for_each(|x| *x /= n);
        c
    };
    // Seeds: the most frequent member and the member least like it.
    let a0 = m[0];
    let ca = centre(&[a0]);
    let b0 = *m
        .iter()
        .min_by(|&&x, &&y| dot(&rows[x as usize], &ca).total_cmp(&dot(&rows[y as usize], &ca)))?;
    let (mut c0, mut c1) = (ca, centre(&[b0]));
    let mut side = vec![false; m.len()];
    for _ in 0..6 {
        let mut changed = false;
        for (i, &w) in m.iter().enumerate() {
            let r = &rows[w as usize];
            let s = dot(r, &c1) > dot(r, &c0);
            changed |= s != side[i];
            side[i] = s;
        }
        let (a, b): (Vec<u32>, Vec<u32>) = {
            let mut a = Vec::new();
            let mut b = Vec::new();
            for (i, &w) in m.iter().enumerate() {
                if side[i] { b.push(w) } else { a.push(w) }
            }
            (a, b)
        };
        if a.is_empty() || b.is_empty() {
            return None;
        }
        c0 = centre(&a);
        c1 = centre(&b);
        if !changed {
            break;
        }
    }
    let mut a = Vec::new();
    let mut b = Vec::new();
    for (i, &w) in m.iter().enumerate() {
        if side[i] { b.push(w) } else { a.push(w) }
    }
    (!a.is_empty() && !b.is_empty()).then_some((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similar_contexts_share_codes_and_files_round_trip() {
        let mut text = String::new();
        for i in 0..30 {
            let city = ["Paris", "Rome", "Oslo"][i % 3];
            let verb = ["ran", "ate", "sang"][i % 3];
            text.push_str(&format!(
                "They flew to {city} today. The man {verb} quickly.\n"
            ));
        }
        let mut stream = Vec::new();
        let mut case = CaseCounts::new();
        push_tokens(&text, &mut stream, &mut case);
        let opts = ClusterOptions {
            vocab: 100,
            contexts: 20,
            depth: 5,
            ..ClusterOptions::default()
        };
        let cl = learn(&stream, &case, &opts, &mut |_| {});
        assert!(
            cl.lower
                .contains(&super::super::features::lower_hash("Quickly"))
        );
        assert!(
            !cl.lower
                .contains(&super::super::features::lower_hash("paris"))
        );
        let code = |w: &str| cl.map.get(&super::super::features::word_hash(w)).copied();
        assert!(code("Paris").is_some());
        assert_eq!(code("Paris"), code("Oslo"));
        assert_eq!(code("ran"), code("sang"));
        let distinct: std::collections::HashSet<u16> = cl.map.values().copied().collect();
        assert!(distinct.len() > 3, "{distinct:?}");
        let back = Clusters::from_bytes(&cl.to_bytes()).expect("round trip");
        assert_eq!(back.map, cl.map);
        assert_eq!(back.lower, cl.lower);
    }
}
