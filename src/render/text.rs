//! Terminal text: per hit the rank, the title in bold, a `date · source · id` line and
//! the passages, matches highlighted in colour when colour is on, plain otherwise.

use std::io::{self, Write};

use super::sanitize::push_sanitized;
use crate::query::Hit;

/// ANSI styles; empty strings when colour is off.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub bold: &'static str,
    pub dim: &'static str,
    pub rank: &'static str,
    pub matched: &'static str,
    pub meta: &'static str,
    pub reset: &'static str,
}

impl Style {
    pub fn new(color: bool) -> Style {
        if color {
            Style {
                bold: "\x1b[1m",
                dim: "\x1b[2m",
                rank: "\x1b[1;33m",
                matched: "\x1b[1;31m",
                meta: "\x1b[32m",
                reset: "\x1b[0m",
            }
        } else {
            Style {
                bold: "",
                dim: "",
                rank: "",
                matched: "",
                meta: "",
                reset: "",
            }
        }
    }
}

/// Writes hits as text.
#[derive(Debug, Clone, Copy)]
pub struct TextRenderer {
    pub style: Style,
    /// Show a line with the hit's top entities.
    pub entities: bool,
}

impl TextRenderer {
    pub fn new(color: bool) -> TextRenderer {
        TextRenderer {
            style: Style::new(color),
            entities: true,
        }
    }

    pub fn write_hit(&self, out: &mut dyn Write, hit: &Hit) -> io::Result<()> {
        let s = &self.style;
        let mut line = String::new();
        line.push_str(&format!("{}{:>2}.{} ", s.rank, hit.rank, s.reset));
        line.push_str(s.bold);
        match &hit.title {
            Some(title) if !title.trim().is_empty() => {
                self.push_highlighted(&mut line, title, &hit.title_highlights, s.bold)
            }
            _ => line.push_str("(untitled)"),
        }
        line.push_str(s.reset);
        writeln!(out, "{line}")?;

        let mut meta = Vec::new();
        if let Some(d) = &hit.published {
            meta.push(d.format("%Y-%m-%d").to_string());
        }
        if let Some(source) = &hit.source {
            meta.push(super::sanitize::sanitize(source));
        }
        meta.push(super::sanitize::sanitize(&hit.id));
        writeln!(out, "    {}{}{}", s.meta, meta.join(" · "), s.reset)?;
        if let Some(d) = &hit.duplicates {
            let mut parts = Vec::new();
            if d.exact > 0 {
                let copies = if d.exact == 1 { "copy" } else { "copies" };
                let wheres: Vec<&str> = d
                    .others
                    .iter()
                    .filter(|o| o.kind == "exact")
                    .take(3)
                    .map(|o| o.path.as_deref().unwrap_or(&o.id))
                    .collect();
                parts.push(format!(
                    "{} more exact {copies}: {}",
                    d.exact,
                    wheres.join(", ")
                ));
            }
            if d.near > 0 {
                let dups = if d.near == 1 {
                    "near-duplicate"
                } else {
                    "near-duplicates"
                };
                parts.push(format!("{} {dups}", d.near));
            }
            let mut line = String::new();
            push_sanitized(&mut line, &parts.join(" · "));
            writeln!(out, "    {}{}{}", s.dim, line, s.reset)?;
        }

        let mut previous_end = None;
        for p in &hit.passages {
            let mut line = String::from("    ");
            if p.start > 0 && previous_end != Some(p.start) {
                line.push_str(s.dim);
                line.push('…');
                line.push_str(s.reset);
            }
            self.push_highlighted(&mut line, p.text.trim_end(), &p.highlights, "");
            if p.end < hit.body_len {
                line.push_str(s.dim);
                line.push('…');
                line.push_str(s.reset);
            }
            previous_end = Some(p.end);
            writeln!(out, "{line}")?;
        }
        if self.entities && !hit.entities.is_empty() {
            let e = &hit.entities;
            let groups: Vec<String> = [
                ("people", &e.person),
                ("places", &e.place),
                ("orgs", &e.org),
            ]
            .into_iter()
            .filter(|(_, list)| !list.is_empty())
            .map(|(label, list)| {
                let names: Vec<&str> = list.iter().take(4).map(String::as_str).collect();
                format!("{label}: {}", names.join(", "))
            })
            .collect();
            if !groups.is_empty() {
                let mut line = String::new();
                push_sanitized(&mut line, &groups.join(" · "));
                writeln!(out, "    {}{}{}", s.dim, line, s.reset)?;
            }
        }
        writeln!(out)
    }

    /// Appends `text` sanitised, with the byte ranges in `highlights` styled;
    /// `restore` is the style to return to after a highlight.
    fn push_highlighted(
        &self,
        out: &mut String,
        text: &str,
        highlights: &[[usize; 2]],
        restore: &str,
    ) {
        let s = &self.style;
        let mut at = 0;
        for &[start, end] in highlights {
            let (Some(before), Some(matched)) = (text.get(at..start), text.get(start..end)) else {
                continue; // out-of-range highlight: ignore rather than panic
            };
            push_sanitized(out, before);
            out.push_str(s.matched);
            push_sanitized(out, matched);
            out.push_str(s.reset);
            out.push_str(restore);
            at = end;
        }
        if let Some(rest) = text.get(at..) {
            push_sanitized(out, rest);
        }
    }
}
