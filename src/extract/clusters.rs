//! Word clusters learned from unlabeled news: a bit-path code per word, so the tagger can
//! generalise from words it saw in training to words it only saw in raw text.

use super::features::Clusters;

const MAGIC: &[u8; 8] = b"NDXCLU01";

impl Clusters {
    /// Serialises the table: word hashes and codes, sorted by hash.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v: Vec<(u64, u16)> = self.map.iter().map(|(&h, &c)| (h, c)).collect();
        v.sort_unstable();
        let mut out = Vec::with_capacity(12 + v.len() * 10);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(v.len() as u32).to_le_bytes());
        for (h, c) in v {
            out.extend_from_slice(&h.to_le_bytes());
            out.extend_from_slice(&c.to_le_bytes());
        }
        out
    }

    pub fn from_bytes(b: &[u8]) -> Result<Clusters, String> {
        if b.len() < 12 || &b[..8] != MAGIC {
            return Err("not a newsdex cluster file (bad magic)".into());
        }
        let n = u32::from_le_bytes(b[8..12].try_into().expect("4 bytes")) as usize;
        let body = &b[12..];
        if body.len() != n * 10 {
            return Err("cluster file is truncated".into());
        }
        let map = body
            .chunks_exact(10)
            .map(|c| {
                (
                    u64::from_le_bytes(c[..8].try_into().expect("8 bytes")),
                    u16::from_le_bytes(c[8..].try_into().expect("2 bytes")),
                )
            })
            .collect();
        Ok(Clusters { map })
    }
}
