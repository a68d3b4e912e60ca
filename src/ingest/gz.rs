//! gzip: recognised by its magic bytes and decompressed as a stream.

use std::io::{self, BufRead, Read};
use std::sync::mpsc;

use super::{Problem, ProblemKind, SourceFile, io_message};

/// gzip's magic bytes; the extension is not trusted.
pub(crate) fn is_gzip(raw: &[u8]) -> bool {
    raw.starts_with(&[0x1f, 0x8b])
}

/// A streaming decoder over the raw bytes. Concatenated members (as `cat a.gz b.gz`
/// makes) are all read.
pub(crate) fn decoder(raw: &[u8]) -> flate2::bufread::MultiGzDecoder<&[u8]> {
    flate2::bufread::MultiGzDecoder::new(raw)
}

/// Inflating is the larger half of parsing a big gzip file, so above this size it runs
/// on a helper thread while the caller parses what is already inflated.
const PIPELINE_MIN: usize = 4 << 20;
/// Size of the chunks handed from the helper thread to the parser.
const CHUNK: usize = 1 << 20;
/// Chunks inflated ahead of the parser; bounds the memory used to a few MB.
const AHEAD: usize = 4;

/// Calls `f` with a reader of the decompressed content of `raw`.
pub(crate) fn with_decoder<R>(raw: &[u8], f: impl FnOnce(&mut dyn Read) -> R) -> R {
    with_decoder_above(raw, PIPELINE_MIN, f)
}

fn with_decoder_above<R>(raw: &[u8], pipeline_min: usize, f: impl FnOnce(&mut dyn Read) -> R) -> R {
    if raw.len() < pipeline_min {
        return f(&mut decoder(raw));
    }
    std::thread::scope(|scope| {
        let (chunks_tx, chunks_rx) = mpsc::sync_channel(AHEAD);
        let (spare_tx, spare_rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("newsdex-gunzip".into())
            .spawn_scoped(scope, move || inflate_chunks(raw, &chunks_tx, &spare_rx));
        if spawned.is_err() {
            // No thread to be had: inflate in line, just slower.
            return f(&mut decoder(raw));
        }
        let mut reader = ChunkReader {
            chunks: chunks_rx,
            spare: spare_tx,
            current: Vec::new(),
            pos: 0,
            done: false,
        };
        // Dropping the reader when `f` returns stops the helper even if `f` stopped early.
        f(&mut reader)
    })
}

type Chunk = io::Result<Vec<u8>>;

/// The helper thread: inflates `raw` into chunks until the end, an error, or until
/// the parser hangs up.
fn inflate_chunks(raw: &[u8], chunks: &mpsc::SyncSender<Chunk>, spare: &mpsc::Receiver<Vec<u8>>) {
    let mut decoder = decoder(raw);
    loop {
        let mut chunk = spare.try_recv().unwrap_or_default();
        chunk.resize(CHUNK, 0);
        let mut filled = 0;
        let mut failed = None;
        while filled < CHUNK {
            match decoder.read(&mut chunk[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        chunk.truncate(filled);
        let end = filled < CHUNK;
        if filled > 0 && chunks.send(Ok(chunk)).is_err() {
            return;
        }
        if let Some(e) = failed {
            let _ = chunks.send(Err(e));
            return;
        }
        if end {
            return;
        }
    }
}

/// Reads the chunks the helper thread inflates, in order.
struct ChunkReader {
    chunks: mpsc::Receiver<Chunk>,
    spare: mpsc::Sender<Vec<u8>>,
    current: Vec<u8>,
    pos: usize,
    done: bool,
}

impl BufRead for ChunkReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos == self.current.len() && !self.done {
            match self.chunks.recv() {
                Ok(Ok(chunk)) => {
                    let used = std::mem::replace(&mut self.current, chunk);
                    self.pos = 0;
                    // The helper may be gone already; then the buffer is simply freed.
                    let _ = self.spare.send(used);
                }
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                // The helper finished and hung up: the end of the content.
                Err(mpsc::RecvError) => self.done = true,
            }
        }
        Ok(&self.current[self.pos..])
    }

    fn consume(&mut self, amount: usize) {
        self.pos = (self.pos + amount).min(self.current.len());
    }
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

/// The problem for an error met while reading the content. In gzip data that is
/// damage to the file; otherwise it is an I/O failure.
pub(crate) fn read_problem(
    file: &SourceFile,
    line: Option<usize>,
    err: &io::Error,
    gzip: bool,
) -> Problem {
    let (kind, message) = if gzip {
        let what = if err.kind() == io::ErrorKind::UnexpectedEof {
            "gzip data is truncated".to_string()
        } else {
            format!("gzip data is corrupt: {}", io_message(err))
        };
        let after = match line {
            Some(line) => format!(", records after line {line} are lost"),
            None => String::new(),
        };
        (ProblemKind::Malformed, format!("{what}{after}"))
    } else {
        (
            ProblemKind::Unreadable,
            format!("read error: {}", io_message(err)),
        )
    };
    // The line is where reading stopped, which the message already says.
    Problem::new(&file.path, None, kind, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::tests::gzip;

    #[test]
    fn magic_bytes() {
        assert!(is_gzip(&gzip(b"x")));
        assert!(!is_gzip(b"{\"a\":1}"));
        assert!(!is_gzip(b""));
    }

    fn big_text() -> Vec<u8> {
        // Several chunks' worth.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut text = Vec::with_capacity(3 << 20);
        while text.len() < 3 << 20 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.extend_from_slice(format!("{state:x}\n").as_bytes());
        }
        text
    }

    #[test]
    fn pipelined_decoder_reads_everything_in_order() {
        let text = big_text();
        let raw = gzip(&text);
        let out = with_decoder_above(&raw, 0, |r| {
            let mut out = Vec::new();
            r.read_to_end(&mut out).map(|_| out)
        });
        assert!(out.expect("valid gzip") == text);
    }

    #[test]
    fn pipelined_decoder_reports_truncation_and_stops_early_cleanly() {
        let raw = gzip(&big_text());
        let cut = &raw[..raw.len() - 1000];
        let (read, result) = with_decoder_above(cut, 0, |r| {
            let mut out = Vec::new();
            let result = r.read_to_end(&mut out);
            (out.len(), result)
        });
        assert!(result.is_err());
        assert!(read > 2 << 20, "read {read} bytes before the cut");
        // Stopping after the first bytes must not hang the helper thread.
        let first = with_decoder_above(&raw, 0, |r| {
            let mut first = [0u8; 16];
            r.read_exact(&mut first).map(|()| first)
        });
        assert!(first.is_ok());
    }

    #[test]
    fn truncated_stream_is_an_error_not_a_clean_end() {
        let raw = gzip(&b"some text that compresses ".repeat(1000));
        let mut out = Vec::new();
        let err = decoder(&raw[..raw.len() - 20])
            .read_to_end(&mut out)
            .expect_err("truncated gzip must not read as complete");
        let file = crate::ingest::tests::source("a.txt.gz");
        let p = read_problem(&file, Some(4), &err, true);
        assert_eq!(p.kind, ProblemKind::Malformed);
        assert!(p.message.starts_with("gzip data is"), "{}", p.message);
        assert!(
            p.message.ends_with("records after line 4 are lost"),
            "{}",
            p.message
        );
    }
}
