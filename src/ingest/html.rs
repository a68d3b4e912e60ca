//! HTML pages: the article, not the page.
//!
//! Pages are parsed with `scraper` (html5ever, the maintained HTML5 parser servo uses),
//! copied once into a flat arena in document order, and every later step is a linear
//! pass over that arena: marking boilerplate, summing text and link lengths bottom-up,
//! scoring, and writing the text out. No step recurses, so deeply nested pages cannot
//! overflow the stack, and none walks the tree more than a constant number of times.
//!
//! The content scoring is our own, readability-style, rather than a readability crate:
//! the Rust ports on crates.io are either unmaintained or pull in a second DOM and
//! network code, and none takes JSON-LD `articleBody` into account. It works so:
//! boilerplate (scripts, navigation, header/footer, forms, hidden elements, and
//! elements whose class or id says comment, cookie, share, related, promo, ad, …) is
//! set aside; every block holding a run of text scores `1 + commas + min(len/100, 3)`
//! for its parent, half for its grandparent and a third for the one above; containers
//! start from a tag bonus plus ±25 for positive (article, content, story, body, …) or
//! negative (sidebar, footer, menu, …) class hints; scores are scaled down by link
//! density. The best container wins, its siblings join when they score well or look
//! like prose, and link lists inside it are dropped. When JSON-LD carries an
//! `articleBody` that the DOM text does not cover, the `articleBody` is the body.
//!
//! Metadata comes from the usual places: `og:*` and `article:*` meta tags, JSON-LD
//! (`NewsArticle` and kin, also inside `@graph`), `<link rel=canonical>`, `<time>`,
//! bylines, `<html lang>`.

use std::collections::HashSet;
use std::io::BufRead;

use chrono::{DateTime, Utc};
use scraper::{Html, Node as Dom};
use serde_json::Value;

use super::{Ctx, ProblemKind, clean_line, parse_date};
use crate::article::Article;

/// What an HTML page yields; `body` is empty when no article text was found.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Page {
    pub title: Option<String>,
    pub published: Option<DateTime<Utc>>,
    /// A date the page gave that could not be read, for a warning.
    pub bad_date: Option<String>,
    pub authors: Vec<String>,
    /// The canonical URL, absolute.
    pub canonical: Option<String>,
    pub source: Option<String>,
    pub language: Option<String>,
    pub body: String,
}

/// The problem message for a page without article text.
pub(crate) const NO_TEXT: &str = "no article text found";

/// An `.html` file: one article, id the canonical URL or the relative path.
pub(crate) fn parse(ctx: &mut Ctx<'_, '_>, reader: &mut dyn BufRead) {
    let mut bytes = Vec::new();
    if let Err(e) = reader.read_to_end(&mut bytes) {
        ctx.read_error(None, &e);
    }
    let text = ctx.decode(&bytes, Some(1)).into_owned();
    let page = extract(&text, None);
    if page.body.is_empty() {
        ctx.problem(None, ProblemKind::NoText, NO_TEXT);
        return;
    }
    if let Some(bad) = &page.bad_date {
        ctx.problem(
            None,
            ProblemKind::BadDate,
            format!("unparseable date {bad:?}, kept without a date"),
        );
    }
    let id = page
        .canonical
        .clone()
        .unwrap_or_else(|| ctx.file.rel.clone());
    let article = Article {
        id,
        url: page.canonical.clone(),
        path: Some(ctx.path_string()),
        ..page.into_article()
    };
    ctx.article(article);
}

impl Page {
    /// The article fields the page gives; `id`, `url` and `path` are the caller's.
    pub(crate) fn into_article(self) -> Article {
        Article {
            title: self.title,
            body: self.body,
            published: self.published,
            source: self.source,
            authors: self.authors,
            language: self.language,
            ..Article::default()
        }
    }
}

/// Extracts the article of a page. `base_url` (where the page was fetched from)
/// resolves a relative canonical link and gives the source domain as a last resort.
pub(crate) fn extract(html: &str, base_url: Option<&str>) -> Page {
    let doc = Html::parse_document(html);
    let arena = Arena::build(&doc);
    let meta = Meta::collect(&arena);
    let ld = meta
        .json_ld
        .iter()
        .find_map(|text| LdArticle::from_text(text));
    let ld = ld.unwrap_or_default();

    let base = base_url
        .filter(|u| is_absolute(u))
        .map(str::to_string)
        .or_else(|| meta.og_url.clone().filter(|u| is_absolute(u)));
    let canonical = [&meta.canonical, &meta.og_url, &ld.url]
        .into_iter()
        .flatten()
        .filter_map(|u| resolve(u, base.as_deref()))
        .next();
    let source = meta
        .site_name
        .clone()
        .or_else(|| ld.publisher.clone())
        .or_else(|| canonical.as_deref().or(base.as_deref()).and_then(domain));

    let mut sites: Vec<String> = Vec::new();
    sites.extend(meta.site_name.clone());
    sites.extend(ld.publisher.clone());
    if let Some(d) = canonical.as_deref().or(base.as_deref()).and_then(domain) {
        sites.push(d);
    }
    let title = [&meta.og_title, &ld.headline, &meta.h1, &meta.title]
        .into_iter()
        .flatten()
        .find_map(|t| clean_line(t))
        .map(|t| strip_site_suffix(&t, &sites));

    let mut bad_date = None;
    let mut published = None;
    for candidate in ld.published.iter().chain(&meta.dates) {
        match parse_date(candidate) {
            Some(d) => {
                published = Some(d);
                break;
            }
            None => {
                bad_date.get_or_insert_with(|| shorten(candidate));
            }
        }
    }
    if published.is_some() {
        bad_date = None;
    }

    let mut authors = Vec::new();
    for list in [&ld.authors, &meta.authors, &meta.bylines] {
        for raw in list {
            for name in split_byline(raw) {
                if !authors.contains(&name) {
                    authors.push(name);
                }
            }
        }
        if !authors.is_empty() {
            break;
        }
    }

    let language = [&meta.lang, &ld.language, &meta.locale]
        .into_iter()
        .flatten()
        .find_map(|l| normalise_language(l));

    let mut body = arena.main_text(title.as_deref());
    if let Some(ld_body) = ld.body.as_deref().map(text_of_ld_body)
        && ld_body.len() >= 100
        && covered(&ld_body, &body) < 0.8
    {
        body = ld_body;
    }

    Page {
        title,
        published,
        bad_date,
        authors,
        canonical,
        source,
        language,
        body,
    }
}

/// HTML (or plain text with entities) of a feed item as text, paragraphs kept.
pub(crate) fn fragment_to_text(fragment: &str) -> String {
    if !fragment.contains('<') && !fragment.contains('&') {
        return clean_text_block(fragment);
    }
    let doc = Html::parse_fragment(fragment);
    let arena = Arena::build(&doc);
    let mut out = TextOut::default();
    arena.write(0, &mut out, &|_| false);
    out.finish()
}

/// Plain text: whitespace collapsed within paragraphs, blank lines between them kept.
fn clean_text_block(text: &str) -> String {
    let mut out = TextOut::default();
    for para in text.split("\n\n") {
        out.text(para);
        out.flush();
    }
    out.finish()
}

// ---------------------------------------------------------------------------------
// The arena: the parsed page, flat, in document order.

const NONE: u32 = u32::MAX;

struct Arena<'d> {
    nodes: Vec<Node<'d>>,
    /// Per node: set aside as boilerplate, together with everything under it.
    junk: Vec<bool>,
    /// Per node: inside `<article>`, `<main>` or an `articleBody`.
    in_article: Vec<bool>,
    /// Per node, junk excluded: text length, of which inside links, and commas.
    text_len: Vec<u32>,
    link_len: Vec<u32>,
    commas: Vec<u32>,
    /// Per element: what its class and id say.
    hints: Vec<Hint>,
}

struct Node<'d> {
    parent: u32,
    first_child: u32,
    next_sibling: u32,
    kind: Kind<'d>,
}

enum Kind<'d> {
    Element(&'d scraper::node::Element),
    Text(&'d str),
    Other,
}

impl<'d> Arena<'d> {
    fn build(doc: &'d Html) -> Arena<'d> {
        let mut nodes: Vec<Node<'d>> = Vec::with_capacity(1024);
        let mut last_child: Vec<u32> = Vec::with_capacity(1024);
        let mut stack = vec![(doc.tree.root(), NONE)];
        while let Some((node, parent)) = stack.pop() {
            let index = nodes.len() as u32;
            let kind = match node.value() {
                Dom::Element(e) => Kind::Element(e),
                Dom::Text(t) => Kind::Text(&t.text),
                _ => Kind::Other,
            };
            nodes.push(Node {
                parent,
                first_child: NONE,
                next_sibling: NONE,
                kind,
            });
            last_child.push(NONE);
            if parent != NONE {
                let p = parent as usize;
                match last_child[p] {
                    NONE => nodes[p].first_child = index,
                    prev => nodes[prev as usize].next_sibling = index,
                }
                last_child[p] = index;
            }
            // Comments, doctypes and processing instructions have no text to give.
            if matches!(nodes[index as usize].kind, Kind::Other) && parent != NONE {
                continue;
            }
            for child in node.children().rev() {
                stack.push((child, index));
            }
        }
        let n = nodes.len();
        let mut arena = Arena {
            nodes,
            junk: vec![false; n],
            in_article: vec![false; n],
            text_len: vec![0; n],
            link_len: vec![0; n],
            commas: vec![0; n],
            hints: Vec::new(),
        };
        arena.mark();
        arena
    }

    fn element(&self, i: usize) -> Option<&'d scraper::node::Element> {
        match self.nodes[i].kind {
            Kind::Element(e) => Some(e),
            _ => None,
        }
    }

    fn tag(&self, i: usize) -> &'d str {
        self.element(i).map_or("", |e| e.name())
    }

    fn children(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let mut next = self.nodes[i].first_child;
        std::iter::from_fn(move || {
            if next == NONE {
                return None;
            }
            let current = next as usize;
            next = self.nodes[current].next_sibling;
            Some(current)
        })
    }

    /// Marks boilerplate and sums text, links and commas bottom-up.
    // Index loops: several arrays run in parallel over the arena.
    #[allow(clippy::needless_range_loop)]
    fn mark(&mut self) {
        let n = self.nodes.len();
        // Pass 1, top-down: boilerplate by tag and visibility, and article scope.
        let mut hints = vec![Hint::default(); n];
        for (i, hint) in hints.iter_mut().enumerate() {
            if let Some(e) = self.element(i) {
                *hint = Hint::of(e);
            }
        }
        for i in 0..n {
            let parent = self.nodes[i].parent;
            let (parent_junk, parent_article) = if parent == NONE {
                (false, false)
            } else {
                (self.junk[parent as usize], self.in_article[parent as usize])
            };
            let Some(e) = self.element(i) else {
                self.junk[i] = parent_junk;
                self.in_article[i] = parent_article;
                continue;
            };
            let name = e.name();
            self.in_article[i] = parent_article
                || matches!(name, "article" | "main")
                || e.attr("itemprop")
                    .is_some_and(|p| p.eq_ignore_ascii_case("articlebody"));
            self.junk[i] = parent_junk || junk_tag(name) || hidden(e);
        }
        self.hints = hints;
        // Raw text per element, to keep a negative class from taking the whole page.
        let mut raw = vec![0u32; n];
        for i in (0..n).rev() {
            if let Kind::Text(t) = self.nodes[i].kind
                && !self.junk[i]
            {
                raw[i] = text_weight(t);
            }
            let parent = self.nodes[i].parent;
            if parent != NONE && !self.junk[i] {
                raw[parent as usize] = raw[parent as usize].saturating_add(raw[i]);
            }
        }
        let total = raw.first().copied().unwrap_or(0).max(1);
        // Pass 2, top-down: boilerplate by class and id.
        for i in 0..n {
            let parent = self.nodes[i].parent;
            if parent != NONE && self.junk[parent as usize] {
                self.junk[i] = true;
                continue;
            }
            if self.junk[i] {
                continue;
            }
            let Some(e) = self.element(i) else { continue };
            if matches!(e.name(), "html" | "body") {
                continue;
            }
            let h = self.hints[i];
            let large = raw[i] as f32 > 0.5 * total as f32;
            if (h.strong_negative && !(h.positive && large)) || (h.negative && !h.positive) {
                self.junk[i] = true;
            }
        }
        // Bottom-up sums, junk excluded.
        for i in (0..n).rev() {
            if self.junk[i] {
                continue;
            }
            if let Kind::Text(t) = self.nodes[i].kind {
                self.text_len[i] = text_weight(t);
                self.commas[i] = t
                    .chars()
                    .filter(|&c| matches!(c, ',' | '，' | '、'))
                    .count() as u32;
            }
            if self.tag(i) == "a" {
                self.link_len[i] = self.text_len[i];
            }
            let parent = self.nodes[i].parent;
            if parent != NONE {
                let p = parent as usize;
                self.text_len[p] = self.text_len[p].saturating_add(self.text_len[i]);
                self.link_len[p] = self.link_len[p].saturating_add(self.link_len[i]);
                self.commas[p] = self.commas[p].saturating_add(self.commas[i]);
            }
        }
    }

    fn link_density(&self, i: usize) -> f32 {
        let text = self.text_len[i];
        if text == 0 {
            return 0.0;
        }
        (self.link_len[i].min(text)) as f32 / text as f32
    }

    /// The readability-style pick of the main content, written out as text.
    fn main_text(&self, title: Option<&str>) -> String {
        let n = self.nodes.len();
        let mut score = vec![0f32; n];
        let mut scored = vec![false; n];
        let mut candidates = Vec::new();
        let mut paragraph = vec![false; n];
        // Paragraph scores alone, without tag and class bonuses, for siblings.
        let mut content_score = vec![0f32; n];
        let mut has_block_child = vec![false; n];
        for i in 1..n {
            let tag = self.tag(i);
            if is_block(tag) || matches!(tag, "td" | "th") {
                let p = self.nodes[i].parent;
                if p != NONE {
                    has_block_child[p as usize] = true;
                }
            }
        }
        for i in 0..n {
            let Kind::Text(t) = self.nodes[i].kind else {
                continue;
            };
            if self.junk[i] || self.text_len[i] < 25 {
                continue;
            }
            let mut b = self.nodes[i].parent;
            while b != NONE && is_inline(self.tag(b as usize)) {
                b = self.nodes[b as usize].parent;
            }
            if b == NONE {
                continue;
            }
            let b = b as usize;
            // A block of its own is the paragraph; text loose in a container beside
            // other blocks is a paragraph by itself, inside that container.
            let (len, commas, first) = if has_block_child[b] {
                (self.text_len[i], count_commas(t), Some(b))
            } else {
                if paragraph[b] {
                    continue;
                }
                paragraph[b] = true;
                (self.text_len[b], self.commas[b], None)
            };
            let _ = len;
            let content = 1.0 + commas as f32 + (len as f32 / 100.0).min(3.0);
            let mut ancestor = match first {
                Some(b) => b as u32,
                None => self.nodes[b].parent,
            };
            let mut level = 0;
            while ancestor != NONE && level < 3 {
                let a = ancestor as usize;
                if self.element(a).is_none() || matches!(self.tag(a), "html") {
                    break;
                }
                if !scored[a] {
                    scored[a] = true;
                    score[a] = self.initial_score(a);
                    candidates.push(a);
                }
                let divider = match level {
                    0 => 1.0,
                    1 => 2.0,
                    l => l as f32 * 3.0 / 2.0 + 1.0,
                };
                score[a] += content / divider;
                content_score[a] += content / divider;
                ancestor = self.nodes[a].parent;
                level += 1;
            }
        }
        for &c in &candidates {
            score[c] *= 1.0 - self.link_density(c);
        }
        let Some(mut top) = candidates
            .iter()
            .copied()
            .max_by(|&a, &b| score[a].total_cmp(&score[b]))
        else {
            return String::new();
        };
        // Climb while an ancestor scores higher (content split across wrappers).
        let threshold = score[top] / 3.0;
        let mut last = score[top];
        let mut parent = self.nodes[top].parent;
        while parent != NONE && !matches!(self.tag(parent as usize), "body" | "html") {
            let p = parent as usize;
            if scored[p] {
                if score[p] < threshold {
                    break;
                }
                if score[p] > last {
                    top = p;
                    break;
                }
                last = score[p];
            }
            parent = self.nodes[p].parent;
        }
        // A wrapper whose only content is the top candidate says nothing more.
        loop {
            let parent = self.nodes[top].parent;
            if parent == NONE
                || matches!(self.tag(parent as usize), "body" | "html")
                || self.text_len[parent as usize] != self.text_len[top]
            {
                break;
            }
            top = parent as usize;
        }

        let top_score = score[top];
        let mut parts = vec![top];
        let parent = self.nodes[top].parent;
        if parent != NONE && !matches!(self.tag(parent as usize), "html") {
            parts.clear();
            let top_class = self.element(top).and_then(|e| e.attr("class"));
            let threshold = (top_score * 0.2).max(10.0);
            for s in self.children(parent as usize) {
                if s == top {
                    parts.push(s);
                    continue;
                }
                if self.junk[s] || self.element(s).is_none() || self.text_len[s] == 0 {
                    continue;
                }
                let bonus = match (top_class, self.element(s).and_then(|e| e.attr("class"))) {
                    (Some(a), Some(b)) if !a.is_empty() && a == b => top_score * 0.2,
                    _ => 0.0,
                };
                let own = content_score[s] * (1.0 - self.link_density(s));
                let keep = if scored[s] && own + bonus >= threshold {
                    true
                } else if self.tag(s) == "p" {
                    let len = self.text_len[s];
                    let density = self.link_density(s);
                    (len > 80 && density < 0.25)
                        || (len > 0 && density == 0.0 && looks_like_prose(self, s))
                } else {
                    false
                };
                if keep {
                    parts.push(s);
                }
            }
        }

        let mut out = TextOut {
            skip_exact: title.map(|t| t.to_lowercase()),
            ..TextOut::default()
        };
        for part in parts {
            self.write(part, &mut out, &|i| {
                self.drop_in_content(i, part, &has_block_child)
            });
        }
        let text = out.finish();
        // A page of link lists and one-liners has no article.
        if text.chars().filter(|c| !c.is_whitespace()).count() < 60 {
            return String::new();
        }
        text
    }

    fn initial_score(&self, i: usize) -> f32 {
        let Some(e) = self.element(i) else { return 0.0 };
        let tag = match e.name() {
            "div" => 5.0,
            "article" => 8.0,
            "pre" | "td" | "blockquote" => 3.0,
            "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
            _ => 0.0,
        };
        let h = self.hints[i];
        let mut class = 0.0;
        if h.positive {
            class += 25.0;
        }
        if h.negative {
            class -= 25.0;
        }
        if e.attr("itemprop")
            .is_some_and(|p| p.eq_ignore_ascii_case("articlebody"))
        {
            class += 25.0;
        }
        tag + class
    }

    /// Inside the chosen content: headline, link lists and "read more" lines go.
    fn drop_in_content(&self, i: usize, part: usize, has_block_child: &[bool]) -> bool {
        let Some(e) = self.element(i) else {
            return false;
        };
        let parent = self.nodes[i].parent;
        // A line of links standing alone between blocks: "Print | Email this story".
        let standalone = parent != NONE && has_block_child[parent as usize];
        match e.name() {
            "h1" => true,
            "p" | "li" => self.text_len[i] < 200 && self.link_density(i) > 0.8,
            _ if standalone
                && i != part
                && self.text_len[i] < 200
                && self.link_density(i) > 0.8 =>
            {
                true
            }
            "div" | "section" | "ul" | "ol" | "dl" | "table" => {
                i != part
                    && self.commas[i] < 10
                    && self.link_density(i) > if self.hints[i].positive { 0.5 } else { 0.33 }
            }
            _ => false,
        }
    }

    /// Writes the text under `root` as paragraphs; `drop` removes a subtree.
    fn write(&self, root: usize, out: &mut TextOut, drop: &dyn Fn(usize) -> bool) {
        // (node, entering) pairs: an explicit stack, as pages may nest deeply.
        let mut stack = vec![(root, true)];
        let mut pre_depth = 0u32;
        while let Some((i, entering)) = stack.pop() {
            if !entering {
                let tag = self.tag(i);
                if tag == "pre" {
                    pre_depth = pre_depth.saturating_sub(1);
                }
                if is_block(tag) {
                    out.flush();
                }
                continue;
            }
            if self.junk[i] && i != root {
                continue;
            }
            match self.nodes[i].kind {
                Kind::Text(t) => {
                    if pre_depth > 0 {
                        out.raw(t);
                    } else {
                        out.text(t);
                    }
                }
                Kind::Element(e) => {
                    if drop(i) {
                        continue;
                    }
                    let tag = e.name();
                    if tag == "br" || tag == "hr" {
                        out.flush();
                        continue;
                    }
                    if is_block(tag) {
                        out.flush();
                    } else if matches!(tag, "td" | "th") {
                        out.text(" ");
                    }
                    if tag == "pre" {
                        pre_depth += 1;
                    }
                    stack.push((i, false));
                    let mark = stack.len();
                    stack.extend(self.children(i).map(|c| (c, true)));
                    stack[mark..].reverse();
                }
                Kind::Other => {
                    stack.extend(self.children(i).map(|c| (c, true)));
                }
            }
        }
        out.flush();
    }
}

fn count_commas(t: &str) -> u32 {
    t.chars()
        .filter(|&c| matches!(c, ',' | '，' | '、'))
        .count() as u32
}

/// Text length ignoring whitespace runs, as a cheap stand-in for characters.
fn text_weight(t: &str) -> u32 {
    let mut n = 0u32;
    let mut space = true;
    for c in t.chars() {
        if c.is_whitespace() {
            if !space {
                n += 1;
            }
            space = true;
        } else {
            n += 1;
            space = false;
        }
    }
    n
}

fn looks_like_prose(arena: &Arena<'_>, i: usize) -> bool {
    let mut out = TextOut::default();
    arena.write(i, &mut out, &|_| false);
    let text = out.finish();
    text.ends_with(['.', '!', '?', '"', '”']) || text.contains(". ")
}

/// Tags whose subtree is never article text.
fn junk_tag(name: &str) -> bool {
    matches!(
        name,
        "head"
            | "script"
            | "style"
            | "noscript"
            | "template"
            | "iframe"
            | "svg"
            | "math"
            | "canvas"
            | "object"
            | "embed"
            | "video"
            | "audio"
            | "picture"
            | "figure"
            | "figcaption"
            | "button"
            | "select"
            | "input"
            | "textarea"
            | "label"
            | "nav"
            | "header"
            | "footer"
            | "aside"
            | "menu"
            | "dialog"
            | "time"
    )
}

fn hidden(e: &scraper::node::Element) -> bool {
    if e.attr("hidden").is_some() || e.attr("aria-hidden").is_some_and(|v| v == "true") {
        return true;
    }
    if let Some(role) = e.attr("role")
        && matches!(
            role.to_ascii_lowercase().as_str(),
            "navigation"
                | "banner"
                | "contentinfo"
                | "complementary"
                | "menu"
                | "menubar"
                | "dialog"
                | "alertdialog"
                | "search"
        )
    {
        return true;
    }
    e.attr("style").is_some_and(|s| {
        let s: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        s.contains("display:none") || s.contains("visibility:hidden")
    })
}

fn is_inline(tag: &str) -> bool {
    matches!(
        tag,
        "a" | "abbr"
            | "b"
            | "bdi"
            | "bdo"
            | "cite"
            | "code"
            | "data"
            | "dfn"
            | "em"
            | "font"
            | "i"
            | "kbd"
            | "mark"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "u"
            | "var"
            | "wbr"
            | "del"
            | "ins"
    )
}

fn is_block(tag: &str) -> bool {
    matches!(
        tag,
        "p" | "div"
            | "section"
            | "article"
            | "main"
            | "body"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "li"
            | "dl"
            | "dt"
            | "dd"
            | "blockquote"
            | "pre"
            | "table"
            | "tr"
            | "caption"
            | "address"
            | "center"
            | "details"
            | "summary"
            | "form"
            | "fieldset"
    )
}

/// What an element's class and id say about it.
#[derive(Debug, Default, Clone, Copy)]
struct Hint {
    positive: bool,
    /// Boilerplate unless the element is also positive.
    negative: bool,
    /// Boilerplate even when positive, unless it holds most of the page.
    strong_negative: bool,
}

const POSITIVE: &[&str] = &[
    "article", "content", "story", "body", "post", "entry", "main", "text", "prose", "blog",
];
const STRONG_NEGATIVE: &[&str] = &[
    "comment",
    "cookie",
    "consent",
    "gdpr",
    "newsletter",
    "subscri",
    "signup",
    "sign-up",
    "share",
    "sharing",
    "social",
    "related",
    "recommend",
    "promo",
    "sponsor",
    "advert",
    "outbrain",
    "taboola",
    "disqus",
    "breadcrumb",
    "popular",
    "trending",
    "most-read",
    "mostread",
    "more-stories",
    "read-more",
    "readmore",
    "paywall",
    "modal",
    "popup",
    "skip-link",
    "visually-hidden",
    "sr-only",
    "pagination",
    "pager",
    "tags",
    "topics",
    "follow",
    "donate",
    "newsletter",
];
const NEGATIVE: &[&str] = &[
    "footer",
    "header",
    "masthead",
    "menu",
    "sidebar",
    "widget",
    "banner",
    "byline",
    "author",
    "dateline",
    "caption",
    "credit",
    "toolbar",
    "utility",
    "sticky",
    "topbar",
    "drawer",
    "timestamp",
    "published",
    "updated",
];
/// Negative only as whole words, being too short to match inside others.
const NEGATIVE_WORDS: &[&str] = &[
    "nav", "ad", "ads", "adv", "dfp", "rail", "meta", "date", "tools",
];

/// All class/id patterns in one automaton: one pass over an attribute finds them all.
static PATTERNS: std::sync::LazyLock<aho_corasick::AhoCorasick> = std::sync::LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(POSITIVE.iter().chain(STRONG_NEGATIVE).chain(NEGATIVE))
        .expect("class patterns are valid")
});

impl Hint {
    fn of(e: &scraper::node::Element) -> Hint {
        let mut h = Hint::default();
        for attr in ["class", "id"] {
            let Some(v) = e.attr(attr) else { continue };
            for m in PATTERNS.find_overlapping_iter(v) {
                let k = m.pattern().as_usize();
                if k < POSITIVE.len() {
                    h.positive = true;
                } else if k < POSITIVE.len() + STRONG_NEGATIVE.len() {
                    h.strong_negative = true;
                } else {
                    h.negative = true;
                }
            }
            if !h.negative
                && v.split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|w| NEGATIVE_WORDS.iter().any(|n| n.eq_ignore_ascii_case(w)))
            {
                h.negative = true;
            }
        }
        h
    }
}

/// Collects paragraphs: inline text is joined with whitespace collapsed, blocks are
/// separated by a blank line.
#[derive(Default)]
struct TextOut {
    out: String,
    current: String,
    space: bool,
    /// A paragraph equal to this (lowercased) is dropped: the headline repeated.
    skip_exact: Option<String>,
}

/// Lines that sites put between paragraphs and are never article text.
const FILLER: &[&str] = &[
    "advertisement",
    "advertising",
    "skip advertisement",
    "story continues below advertisement",
    "article continues below",
    "continue reading",
    "continue reading below",
    "read more",
    "share this article",
    "share",
    "related",
    "related articles",
    "sponsored",
];

impl TextOut {
    fn text(&mut self, t: &str) {
        for c in t.chars() {
            if c.is_whitespace() {
                self.space = true;
            } else {
                if self.space && !self.current.is_empty() {
                    self.current.push(' ');
                }
                self.space = false;
                self.current.push(c);
            }
        }
    }

    /// Preformatted text: kept as it is, but for line-break normalisation.
    fn raw(&mut self, t: &str) {
        if self.space && !self.current.is_empty() {
            self.current.push(' ');
        }
        self.space = false;
        self.current.push_str(&t.replace("\r\n", "\n"));
    }

    fn flush(&mut self) {
        self.space = false;
        let para = self.current.trim();
        if para.is_empty() {
            self.current.clear();
            return;
        }
        let lower = para.to_lowercase();
        let filler = lower.len() < 40 && FILLER.contains(&lower.trim_end_matches([':', '.']));
        let headline = self.skip_exact.as_deref() == Some(lower.as_str());
        // A dateline on its own: "Wednesday, November 6, 2024".
        let date = para.len() < 60 && parse_date(para).is_some();
        if !filler && !headline && !date {
            if !self.out.is_empty() {
                self.out.push_str("\n\n");
            }
            self.out.push_str(para);
        }
        self.current.clear();
    }

    fn finish(mut self) -> String {
        self.flush();
        self.out
    }
}

// ---------------------------------------------------------------------------------
// Metadata.

#[derive(Default)]
struct Meta {
    lang: Option<String>,
    title: Option<String>,
    h1: Option<String>,
    og_title: Option<String>,
    og_url: Option<String>,
    site_name: Option<String>,
    locale: Option<String>,
    canonical: Option<String>,
    /// Published dates in order of trust.
    dates: Vec<String>,
    /// From meta tags.
    authors: Vec<String>,
    /// From byline elements in the page.
    bylines: Vec<String>,
    json_ld: Vec<String>,
}

/// Meta names that carry the publication date, in order of trust.
const DATE_META: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "published_time",
    "dc.date",
    "dc.date.issued",
    "dc.date.created",
    "dcterms.date",
    "dcterms.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "article_date_original",
    "original-publish-date",
    "citation_publication_date",
    "cxenseparse:recs:publishtime",
];
const AUTHOR_META: &[&str] = &[
    "author",
    "article:author",
    "dc.creator",
    "dcterms.creator",
    "sailthru.author",
    "parsely-author",
    "byl",
    "citation_author",
];

impl Meta {
    #[allow(clippy::needless_range_loop)]
    fn collect(arena: &Arena<'_>) -> Meta {
        let mut m = Meta::default();
        // Dates by trust: article:published_time, then <time>/itemprop, then names.
        let mut published_time = None;
        let mut times: Vec<(bool, String)> = Vec::new();
        let mut named: Vec<(usize, String)> = Vec::new();
        let mut authors: Vec<(usize, String)> = Vec::new();
        let mut h1s: Vec<(bool, String)> = Vec::new();
        let mut rel_authors = Vec::new();
        let mut item_authors = Vec::new();
        let mut class_bylines = Vec::new();
        let excluded = arena.excluded_regions();
        for i in 0..arena.nodes.len() {
            let Some(e) = arena.element(i) else { continue };
            match e.name() {
                "html" if m.lang.is_none() => {
                    m.lang = e
                        .attr("lang")
                        .or_else(|| e.attr("xml:lang"))
                        .map(str::to_string);
                }
                "title" if m.title.is_none() => m.title = Some(arena.text_of(i)),
                "meta" => {
                    let Some(content) = e.attr("content") else {
                        continue;
                    };
                    let content = content.trim();
                    if content.is_empty() {
                        continue;
                    }
                    for key in ["property", "name", "itemprop", "http-equiv"] {
                        let Some(k) = e.attr(key) else { continue };
                        let k = k.trim().to_ascii_lowercase();
                        match k.as_str() {
                            "og:title" => set_once(&mut m.og_title, content),
                            "og:url" => set_once(&mut m.og_url, content),
                            "og:site_name" => set_once(&mut m.site_name, content),
                            "og:locale" => set_once(&mut m.locale, content),
                            "content-language" => set_once(&mut m.locale, content),
                            "article:published_time" => {
                                published_time.get_or_insert_with(|| content.to_string());
                            }
                            _ => {}
                        }
                        if let Some(rank) = DATE_META.iter().position(|d| *d == k) {
                            named.push((rank, content.to_string()));
                        }
                        if let Some(rank) = AUTHOR_META.iter().position(|d| *d == k) {
                            authors.push((rank, content.to_string()));
                        }
                    }
                }
                "link" => {
                    let canonical = e.attr("rel").is_some_and(|r| {
                        r.split_ascii_whitespace()
                            .any(|t| t.eq_ignore_ascii_case("canonical"))
                    });
                    if canonical && let Some(href) = e.attr("href") {
                        set_once(&mut m.canonical, href.trim());
                    }
                }
                "script"
                    if e.attr("type")
                        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json")) =>
                {
                    m.json_ld.push(arena.raw_text_of(i));
                }
                "h1" => h1s.push((arena.in_article[i], arena.text_of(i))),
                _ => {}
            }
            if excluded[i] {
                continue;
            }
            if let Some(prop) = e.attr("itemprop") {
                let prop = prop.to_ascii_lowercase();
                if prop == "datepublished" {
                    if let Some(v) = e.attr("datetime").or_else(|| e.attr("content")) {
                        times.push((true, v.trim().to_string()));
                    }
                } else if prop
                    .split_ascii_whitespace()
                    .any(|p| p == "author" || p == "creator")
                    && e.name() != "meta"
                {
                    let name = arena.itemprop_name(i).unwrap_or_else(|| arena.text_of(i));
                    item_authors.push(name);
                }
            }
            if e.name() == "time"
                && let Some(v) = e.attr("datetime")
            {
                let hint = arena.in_article[i]
                    || e.attr("class")
                        .is_some_and(|c| c.to_ascii_lowercase().contains("publish"))
                    || e.attr("pubdate").is_some();
                times.push((hint, v.trim().to_string()));
            }
            let rel_author = e.attr("rel").is_some_and(|r| {
                r.split_ascii_whitespace()
                    .any(|t| t.eq_ignore_ascii_case("author"))
            });
            if rel_author {
                rel_authors.push(arena.text_of(i));
            } else if e.name() != "meta"
                && e.name() != "body"
                && e.name() != "html"
                && byline_hint(e)
                && arena.text_of_len(i) <= 120
            {
                class_bylines.push(arena.text_of(i));
            }
        }
        if let Some(d) = published_time {
            m.dates.push(d);
        }
        times.sort_by_key(|(hint, _)| !hint);
        m.dates.extend(times.into_iter().map(|(_, t)| t));
        named.sort_by_key(|(rank, _)| *rank);
        m.dates.extend(named.into_iter().map(|(_, d)| d));
        authors.sort_by_key(|(rank, _)| *rank);
        m.authors = authors
            .into_iter()
            .map(|(_, a)| a)
            .filter(|a| !a.contains("://") && !a.starts_with("www."))
            .collect();
        h1s.sort_by_key(|(in_article, _)| !in_article);
        m.h1 = h1s
            .into_iter()
            .map(|(_, t)| t)
            .find(|t| !t.trim().is_empty());
        for list in [rel_authors, item_authors, class_bylines] {
            if !list.is_empty() {
                m.bylines = list;
                break;
            }
        }
        m
    }
}

fn set_once(slot: &mut Option<String>, value: &str) {
    if slot.is_none() && !value.trim().is_empty() {
        *slot = Some(value.trim().to_string());
    }
}

fn byline_hint(e: &scraper::node::Element) -> bool {
    let contains = |v: &str, w: &str| {
        v.as_bytes()
            .windows(w.len())
            .any(|b| b.eq_ignore_ascii_case(w.as_bytes()))
    };
    let mut found = false;
    for attr in ["class", "id"] {
        let Some(v) = e.attr(attr) else { continue };
        if contains(v, "byline") || contains(v, "author") {
            found = true;
        }
    }
    if !found {
        return false;
    }
    // The byline container or the name in it, not an author's biography or avatar.
    const NOT: &[&str] = &[
        "bio", "avatar", "image", "photo", "img", "label", "twitter", "email", "follow", "more",
        "title", "role",
    ];
    !["class", "id"].iter().any(|attr| {
        e.attr(attr)
            .is_some_and(|v| NOT.iter().any(|w| contains(v, w)))
    })
}

impl Arena<'_> {
    /// All text under `i`, whitespace collapsed, junk included (for metadata).
    fn text_of(&self, i: usize) -> String {
        let mut out = TextOut::default();
        self.for_each_text(i, |t| out.text(t));
        out.current.trim().to_string()
    }

    fn text_of_len(&self, i: usize) -> usize {
        let mut n = 0usize;
        self.for_each_text(i, |t| n += text_weight(t) as usize);
        n
    }

    /// Text under `i` as is (a script's JSON).
    fn raw_text_of(&self, i: usize) -> String {
        let mut out = String::new();
        self.for_each_text(i, |t| out.push_str(t));
        out
    }

    fn for_each_text(&self, root: usize, mut f: impl FnMut(&str)) {
        let mut stack = vec![root];
        while let Some(i) = stack.pop() {
            if let Kind::Text(t) = self.nodes[i].kind {
                f(t);
                continue;
            }
            let mark = stack.len();
            stack.extend(self.children(i));
            stack[mark..].reverse();
        }
    }

    /// An itemprop=author element's `name` (schema.org microdata), if it has one.
    fn itemprop_name(&self, root: usize) -> Option<String> {
        let mut stack: Vec<usize> = self.children(root).collect();
        while let Some(i) = stack.pop() {
            if let Some(e) = self.element(i)
                && e.attr("itemprop")
                    .is_some_and(|p| p.eq_ignore_ascii_case("name"))
            {
                return Some(
                    e.attr("content")
                        .map_or_else(|| self.text_of(i), str::to_string),
                );
            }
            stack.extend(self.children(i));
        }
        None
    }

    /// Per node: inside comments, related links, navigation and such, where a
    /// `<time>` or an author belongs to something else than the article.
    #[allow(clippy::needless_range_loop)]
    fn excluded_regions(&self) -> Vec<bool> {
        let mut excluded = vec![false; self.nodes.len()];
        for i in 0..self.nodes.len() {
            let parent = self.nodes[i].parent;
            if parent != NONE && excluded[parent as usize] {
                excluded[i] = true;
                continue;
            }
            let Some(e) = self.element(i) else { continue };
            let h = self.hints[i];
            excluded[i] = match e.name() {
                "nav" | "footer" | "aside" => true,
                // A site header: the logo's h1 or today's date.
                "header" => !self.in_article[i] && !h.positive,
                _ => h.strong_negative,
            };
        }
        excluded
    }
}

/// What a JSON-LD article object says.
#[derive(Debug, Default)]
struct LdArticle {
    headline: Option<String>,
    published: Option<String>,
    authors: Vec<String>,
    body: Option<String>,
    url: Option<String>,
    publisher: Option<String>,
    language: Option<String>,
}

const ARTICLE_TYPES: &[&str] = &[
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "blogposting",
    "liveblogposting",
    "socialmediaposting",
    "report",
    "scholarlyarticle",
];

impl LdArticle {
    fn from_text(text: &str) -> Option<LdArticle> {
        let text = text
            .trim()
            .trim_start_matches("<!--")
            .trim_end_matches("-->");
        let value: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            // Raw line breaks inside strings are common and invalid JSON.
            Err(_) => serde_json::from_str(&text.replace(['\n', '\r', '\t'], " ")).ok()?,
        };
        let object = find_article(&value, 0)?;
        Some(LdArticle::from_object(object))
    }

    fn from_object(o: &serde_json::Map<String, Value>) -> LdArticle {
        let text = |key: &str| o.get(key).and_then(string_of);
        let mut authors = Vec::new();
        if let Some(a) = o.get("author").or_else(|| o.get("creator")) {
            collect_names(a, &mut authors, 0);
        }
        let url = text("url").or_else(|| match o.get("mainEntityOfPage") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Object(m)) => m.get("@id").or_else(|| m.get("url")).and_then(string_of),
            _ => None,
        });
        let publisher = match o.get("publisher") {
            Some(Value::Object(m)) => m.get("name").and_then(string_of),
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        LdArticle {
            headline: text("headline").or_else(|| text("name")),
            published: text("datePublished").or_else(|| text("dateCreated")),
            authors,
            body: text("articleBody").or_else(|| text("text")),
            url,
            publisher,
            language: text("inLanguage"),
        }
    }
}

fn string_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Array(a) => a.iter().find_map(string_of),
        _ => None,
    }
}

fn collect_names(v: &Value, out: &mut Vec<String>, depth: usize) {
    if depth > 4 {
        return;
    }
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Object(m) => {
            if let Some(name) = m.get("name").and_then(string_of) {
                out.push(name);
            }
        }
        Value::Array(a) => {
            for item in a {
                collect_names(item, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// The first object typed as an article, looking into arrays and `@graph`.
fn find_article(v: &Value, depth: usize) -> Option<&serde_json::Map<String, Value>> {
    if depth > 6 {
        return None;
    }
    match v {
        Value::Array(items) => items.iter().find_map(|i| find_article(i, depth + 1)),
        Value::Object(o) => {
            let typed = match o.get("@type") {
                Some(Value::String(t)) => is_article_type(t),
                Some(Value::Array(ts)) => {
                    ts.iter().any(|t| t.as_str().is_some_and(is_article_type))
                }
                _ => false,
            };
            if typed {
                return Some(o);
            }
            o.get("@graph")
                .or_else(|| o.get("mainEntity"))
                .and_then(|g| find_article(g, depth + 1))
        }
        _ => None,
    }
}

fn is_article_type(t: &str) -> bool {
    let t = t.rsplit(['/', ':']).next().unwrap_or(t);
    ARTICLE_TYPES.contains(&t.to_ascii_lowercase().as_str())
}

/// `articleBody` as text: it may hold HTML or entities, and paragraphs as line breaks.
fn text_of_ld_body(body: &str) -> String {
    if body.contains('<') {
        return fragment_to_text(body);
    }
    let mut out = TextOut::default();
    for line in body.split('\n') {
        if fragment_needs_entities(line) {
            out.text(&fragment_to_text(line));
        } else {
            out.text(line);
        }
        out.flush();
    }
    out.finish()
}

fn fragment_needs_entities(s: &str) -> bool {
    s.contains('&') && s.contains(';')
}

/// The share of `reference`'s distinct words that `text` has.
fn covered(reference: &str, text: &str) -> f32 {
    let words = |s: &str| -> HashSet<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let reference = words(reference);
    if reference.is_empty() {
        return 1.0;
    }
    let text = words(text);
    reference.intersection(&text).count() as f32 / reference.len() as f32
}

/// Words of a job title after a name in a byline, not names themselves.
const ROLE_WORDS: &[&str] = &[
    "reporter",
    "writer",
    "correspondent",
    "editor",
    "staff",
    "contributor",
    "columnist",
    "producer",
    "journalist",
    "analyst",
    "chief",
    "senior",
    "desk",
    "service",
    "agency",
    "wire",
    "bureau",
    "team",
    "newsroom",
    "staff.",
    "special",
];

/// Authors from a byline such as "By Jane Doe and John Roe | March 3, 2025".
pub(crate) fn split_byline(raw: &str) -> Vec<String> {
    let Some(line) = clean_line(raw) else {
        return Vec::new();
    };
    let mut line = line.as_str();
    for cut in [
        " | ",
        " — ",
        " – ",
        " - ",
        " · ",
        "\u{2022}",
        " Updated",
        " Published",
        " on ",
    ] {
        if let Some((head, _)) = line.split_once(cut) {
            line = head;
        }
    }
    for prefix in ["written by ", "words by ", "reporting by ", "by ", "from "] {
        if line.len() > prefix.len()
            && line.is_char_boundary(prefix.len())
            && line[..prefix.len()].eq_ignore_ascii_case(prefix)
        {
            line = &line[prefix.len()..];
            break;
        }
    }
    let mut names = Vec::new();
    for part in line.split([',', ';', '&']).flat_map(|p| p.split(" and ")) {
        let name = part.trim().trim_end_matches('.');
        let words = name.split_whitespace().count();
        let role = name
            .split_whitespace()
            .any(|w| ROLE_WORDS.contains(&w.to_lowercase().as_str()));
        let plausible = !role
            && (1..=5).contains(&words)
            && !name.chars().any(|c| c.is_ascii_digit())
            && !name.contains('@')
            && !name.contains("://")
            && name.split_whitespace().all(|w| {
                w.chars().next().is_some_and(|c| !c.is_lowercase())
                    || matches!(
                        w,
                        "de" | "van" | "von" | "der" | "da" | "di" | "le" | "la" | "bin" | "al"
                    )
            });
        if plausible && !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    names
}

/// Removes a trailing site name: "Storm closes port - BBC News" → "Storm closes port".
fn strip_site_suffix(title: &str, sites: &[String]) -> String {
    const SEPARATORS: &[&str] = &[" | ", " - ", " – ", " — ", " :: ", " » ", " · ", " / "];
    let mut title = title.to_string();
    for _ in 0..2 {
        let Some((at, sep)) = SEPARATORS
            .iter()
            .filter_map(|s| title.rfind(s).map(|i| (i, s.len())))
            .max_by_key(|(i, _)| *i)
        else {
            break;
        };
        let head = title[..at].trim();
        let tail = title[at + sep..].trim();
        let tail_lower = tail.to_lowercase();
        let names_site = sites.iter().any(|s| {
            let s = s.to_lowercase();
            let bare = s.split('.').next().unwrap_or(&s).to_string();
            s == tail_lower
                || tail_lower.contains(&s)
                || s.contains(&tail_lower)
                || (bare.len() >= 3 && tail_lower.replace(' ', "").contains(&bare))
        });
        let tail_words: Vec<&str> = tail.split_whitespace().collect();
        let short_name = tail_words.len() <= 4
            && tail_words
                .iter()
                .all(|w| w.chars().next().is_some_and(|c| !c.is_lowercase()));
        if head.split_whitespace().count() >= 3 && (names_site || short_name) {
            title = head.to_string();
        } else {
            break;
        }
    }
    title
}

fn normalise_language(l: &str) -> Option<String> {
    let primary = l.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    ((2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_alphabetic()))
        .then_some(primary)
}

fn is_absolute(u: &str) -> bool {
    let lower = u.get(..8).unwrap_or(u).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// `u` made absolute against `base`; `None` when it cannot be.
fn resolve(u: &str, base: Option<&str>) -> Option<String> {
    let u = u.trim();
    if u.is_empty() || u.contains(char::is_whitespace) {
        return None;
    }
    if is_absolute(u) {
        return Some(u.to_string());
    }
    let base = base?;
    let scheme_end = base.find("://")? + 3;
    let host_end = base[scheme_end..]
        .find(['/', '?', '#'])
        .map_or(base.len(), |i| scheme_end + i);
    if let Some(rest) = u.strip_prefix("//") {
        return Some(format!("{}{rest}", &base[..scheme_end]));
    }
    if u.starts_with('/') {
        return Some(format!("{}{u}", &base[..host_end]));
    }
    None
}

/// The host of an absolute URL, without `www.`.
pub(crate) fn domain(u: &str) -> Option<String> {
    let rest = &u[u.find("://")? + 3..];
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?;
    let host = host.split(':').next()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    (!host.is_empty()).then_some(host)
}

fn shorten(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byline_is_split_into_names() {
        assert_eq!(
            split_byline("By Jane Doe and John Roe | March 3, 2025"),
            ["Jane Doe", "John Roe"]
        );
        assert_eq!(
            split_byline("by Ana María López, Political correspondent"),
            ["Ana María López"]
        );
        assert!(split_byline("https://facebook.com/someone").is_empty());
    }

    #[test]
    fn site_suffix_is_removed() {
        let sites = ["BBC News".to_string(), "bbc.co.uk".to_string()];
        assert_eq!(
            strip_site_suffix("Storm closes the harbour - BBC News", &sites),
            "Storm closes the harbour"
        );
        assert_eq!(
            strip_site_suffix("Fed holds rates steady | Reuters", &[]),
            "Fed holds rates steady"
        );
        assert_eq!(
            strip_site_suffix("Budget vote delayed | Politics | The Guardian", &[]),
            "Budget vote delayed"
        );
        assert_eq!(
            strip_site_suffix("Election night - live updates", &[]),
            "Election night - live updates"
        );
    }

    #[test]
    fn language_and_urls() {
        assert_eq!(normalise_language("en-GB").as_deref(), Some("en"));
        assert_eq!(normalise_language("pt_BR").as_deref(), Some("pt"));
        assert_eq!(normalise_language("english"), None);
        assert_eq!(
            domain("https://www.example.com:8080/a?b").as_deref(),
            Some("example.com")
        );
        assert_eq!(
            resolve("/news/a", Some("https://x.example/other/page")).as_deref(),
            Some("https://x.example/news/a")
        );
        assert_eq!(resolve("news/a", None), None);
    }

    #[test]
    fn fragment_keeps_paragraphs() {
        let text = fragment_to_text("<p>One &amp; two.</p><p>Three<br>four <b>five</b></p>");
        assert_eq!(text, "One & two.\n\nThree\n\nfour five");
        assert_eq!(
            fragment_to_text("Plain   text\n\nnext"),
            "Plain text\n\nnext"
        );
    }

    #[test]
    fn minimal_article_page() {
        let body =
            "The harbour reopened on Tuesday after a week of storms, officials said. ".repeat(3);
        let html = format!(
            "<html lang=en-GB><head><title>Harbour reopens - Coast News</title></head><body>\
             <nav><a href=/>Home</a><a href=/world>World</a></nav>\
             <article><h1>Harbour reopens</h1><p>{body}</p><p>Ships moved again, and traders were relieved.</p></article>\
             <div class=comments><p>{body}</p></div><footer>Copyright</footer></body></html>"
        );
        let page = extract(&html, Some("https://coast.example/a"));
        assert_eq!(page.title.as_deref(), Some("Harbour reopens"));
        assert_eq!(page.language.as_deref(), Some("en"));
        assert_eq!(page.source.as_deref(), Some("coast.example"));
        assert_eq!(
            page.body,
            format!(
                "{}\n\nShips moved again, and traders were relieved.",
                body.trim()
            )
        );
    }

    #[test]
    fn page_without_article_has_empty_body() {
        let html = "<html><body><nav><a href=/a>A story</a></nav><ul><li><a href=/b>Another story headline here</a></li></ul></body></html>";
        assert_eq!(extract(html, None).body, "");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = format!(
            "{}<p>{}</p>",
            "<div>".repeat(3000),
            "Deep text, with commas. ".repeat(10)
        );
        let page = extract(&html, None);
        assert!(page.body.starts_with("Deep text"));
    }
}

#[cfg(test)]
mod speed {
    /// `cargo test --release --lib html::speed -- --ignored --nocapture`
    #[test]
    #[ignore = "timing; run in release"]
    fn extraction_throughput() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/html");
        let mut pages = Vec::new();
        for entry in std::fs::read_dir(dir).expect("fixtures") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "html") {
                pages.push(std::fs::read_to_string(path).expect("fixture"));
            }
        }
        let (mut bytes, mut parse_only) = (0usize, std::time::Duration::ZERO);
        let start = std::time::Instant::now();
        for _ in 0..200 {
            for page in &pages {
                bytes += page.len();
                let t = std::time::Instant::now();
                let doc = scraper::Html::parse_document(page);
                parse_only += t.elapsed();
                drop(doc);
                std::hint::black_box(super::extract(page, None));
            }
        }
        let secs = start.elapsed().as_secs_f64() - parse_only.as_secs_f64();
        eprintln!(
            "{:.1} MB/s extraction (html5ever parse alone {:.1} MB/s)",
            bytes as f64 / secs / 1e6,
            bytes as f64 / parse_only.as_secs_f64() / 1e6
        );
    }
}
