//! gzip: recognised by its magic bytes and decompressed as a stream.

use std::io;

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

/// The problem for an error met while reading the content. In gzip data that is
/// damage to the file; otherwise it is an I/O failure.
pub(crate) fn read_problem(file: &SourceFile, line: Option<usize>, err: &io::Error, gzip: bool) -> Problem {
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
        (ProblemKind::Unreadable, format!("read error: {}", io_message(err)))
    };
    // The line is where reading stopped, which the message already says.
    Problem::new(&file.path, None, kind, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::tests::gzip;
    use std::io::Read;

    #[test]
    fn magic_bytes() {
        assert!(is_gzip(&gzip(b"x")));
        assert!(!is_gzip(b"{\"a\":1}"));
        assert!(!is_gzip(b""));
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
        assert!(p.message.ends_with("records after line 4 are lost"), "{}", p.message);
    }
}
