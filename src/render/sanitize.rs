//! Article text is untrusted: strip what could rewrite a terminal before printing.

/// True for characters that must never reach a terminal from article text: C0/C1
/// controls (escape sequences start with them) and bidirectional overrides, which
/// can make text display in a different order than it is stored.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// Copies `text` into `out` with unsafe characters removed and whitespace (tabs,
/// newlines) collapsed to single spaces, so one passage stays on one line.
pub fn push_sanitized(out: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else if !is_unsafe(c) {
            out.push(c);
        }
    }
}

/// `text` with unsafe characters removed and whitespace runs collapsed.
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_sanitized(&mut out, text);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_escapes_and_bidi_overrides() {
        assert_eq!(sanitize("a\x1b[31mred\x1b[0m"), "a[31mred[0m");
        assert_eq!(sanitize("abc\u{202E}def"), "abcdef");
        assert_eq!(sanitize("one\n\ttwo"), "one two");
        assert_eq!(sanitize("Kyiv — Київ"), "Kyiv — Київ");
    }
}
