//! Headings and whole paragraphs (wrapped lines joined) from the lines outside tables.
use crate::domain::{TextBlock, TextBlockKind};

use super::lines::Line;

/// Layout facts of one page that decide what a heading and a full line are.
#[derive(Debug, Clone, Copy)]
pub struct PageMetrics {
    /// Most common font size of the page's glyphs: the body text size.
    pub body_size: f32,
    /// Right edge of the widest body lines: a line reaching it was wrapped.
    pub text_right: f32,
    pub text_left: f32,
}

impl PageMetrics {
    pub fn of(lines: &[Line]) -> Self {
        let mut sizes: Vec<(i32, usize)> = Vec::new();
        for l in lines {
            let key = (l.font_size * 10.0).round() as i32;
            let n = l.text().chars().count();
            match sizes.iter_mut().find(|s| s.0 == key) {
                Some(s) => s.1 += n,
                None => sizes.push((key, n)),
            }
        }
        let body_size = sizes
            .iter()
            .max_by_key(|s| s.1)
            .map_or(10.0, |s| s.0 as f32 / 10.0);
        let text_right = lines.iter().map(|l| l.right).fold(0.0, f32::max);
        let text_left = lines.iter().map(|l| l.left).fold(f32::MAX, f32::min);
        Self {
            body_size,
            text_right,
            text_left: text_left.min(text_right),
        }
    }

    pub fn is_heading(&self, line: &Line) -> bool {
        let text = line.text();
        let words = text.split_whitespace().count();
        let larger = line.font_size > self.body_size * 1.12;
        let short = words <= 14 && text.chars().count() <= 100;
        let sentence_end = text.ends_with('.') && !larger;
        short && !sentence_end && (larger || line.bold)
    }
}

/// A page number or similar furniture that belongs to no paragraph.
pub fn is_furniture(text: &str) -> bool {
    let t = text.trim().to_lowercase();
    let t = t.trim_matches(|c: char| c == '-' || c == '–' || c.is_whitespace());
    if t.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    let Some(rest) = t.strip_prefix("page") else {
        return false;
    };
    let digits = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_digit() || c == '/');
    match rest.split_whitespace().collect::<Vec<_>>().as_slice() {
        [n] => digits(n),
        [n, "of", m] => digits(n) && digits(m),
        _ => false,
    }
}

fn starts_item(text: &str) -> bool {
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if matches!(
        first,
        '•' | '●' | '○' | '■' | '▪' | '◦' | '‣' | '*' | '-' | '–' | '—'
    ) {
        return true;
    }
    // "1." or "2.1." numbered items
    let head: String = text
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    head.len() >= 2
        && head.ends_with('.')
        && head.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// A short "Label: value" line is a fact of its own, never part of a paragraph.
fn is_label_line(text: &str) -> bool {
    match text.split_once(':') {
        Some((label, value)) => {
            label.split_whitespace().count() <= 5 && value.split_whitespace().count() <= 8
        }
        None => false,
    }
}

/// Builds blocks from a page's non-table lines in reading order; `titles[i]` marks table titles.
pub fn build(page: u32, lines: &[&Line], titles: &[bool], m: &PageMetrics) -> Vec<TextBlock> {
    let mut out: Vec<TextBlock> = Vec::new();
    let mut open: Option<(String, &Line)> = None;
    let mut prev_text = String::new();
    let mut prev_heading: Option<&Line> = None;
    for (idx, line) in lines.iter().enumerate() {
        let text = line.text();
        if is_furniture(&text) {
            continue;
        }
        let is_title = titles.get(idx).copied().unwrap_or(false);
        if is_title || m.is_heading(line) {
            if let Some((p, _)) = open.take() {
                out.push(paragraph(page, p));
            }
            // A heading wrapped onto a second line stays one heading.
            if let (Some(prev), Some(last)) = (prev_heading, out.last_mut())
                && !is_title
                && last.kind == TextBlockKind::Heading
                && heading_wraps(prev, line, m)
            {
                last.text.push(' ');
                last.text.push_str(&text);
                prev_heading = Some(line);
                continue;
            }
            let kind = if is_title {
                TextBlockKind::TableTitle
            } else {
                TextBlockKind::Heading
            };
            out.push(TextBlock { page, kind, text });
            prev_heading = (!is_title).then_some(*line);
            prev_text.clear();
            continue;
        }
        prev_heading = None;
        let continues = match &open {
            Some((_, prev)) => {
                let lower_start = text.chars().next().is_some_and(char::is_lowercase);
                let wrapped = wraps(prev, line, m) || (lower_start && wraps_loosely(prev, line));
                wrapped && !starts_item(&text) && !is_label_line(&prev_text)
            }
            None => false,
        };
        if continues {
            if let Some((p, prev)) = open.as_mut() {
                if !p.ends_with('-') {
                    p.push(' ');
                }
                p.push_str(&text);
                *prev = line;
            }
        } else {
            if let Some((p, _)) = open.take() {
                out.push(paragraph(page, p));
            }
            open = Some((text.clone(), line));
        }
        prev_text = text;
    }
    if let Some((p, _)) = open.take() {
        out.push(paragraph(page, p));
    }
    out
}

/// Headings wrap before the margin (they are set large), so a long first line is enough.
fn heading_wraps(prev: &Line, line: &Line, m: &PageMetrics) -> bool {
    let width = (m.text_right - m.text_left).max(1.0);
    let text = prev.text();
    wraps_loosely(prev, line)
        && prev.bold == line.bold
        && prev.right >= m.text_left + 0.6 * width
        && !text.ends_with([':', '.'])
}

/// Same size and directly below: the vertical part of a wrap.
fn wraps_loosely(prev: &Line, line: &Line) -> bool {
    let gap = prev.bottom - line.top;
    (prev.font_size - line.font_size).abs() < 0.6
        && gap < 0.7 * line.font_size
        && gap > -0.5 * line.font_size
}

/// `line` continues `prev`: directly below in the same style, and `prev` ran to the right margin.
fn wraps(prev: &Line, line: &Line, m: &PageMetrics) -> bool {
    let width = (m.text_right - m.text_left).max(1.0);
    wraps_loosely(prev, line) && prev.bold == line.bold && prev.right >= m.text_right - 0.12 * width
}

fn paragraph(page: u32, text: String) -> TextBlock {
    TextBlock {
        page,
        kind: TextBlockKind::Paragraph,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn furniture_and_items() {
        assert!(is_furniture("Page 2 of 5"));
        assert!(is_furniture("- 3 -"));
        assert!(is_furniture("Page 4"));
        assert!(!is_furniture("Paged results"));
        assert!(starts_item("• DPI: total"));
        assert!(starts_item("2.1. Rebalance"));
        assert!(!starts_item("2024 was a year"));
        assert!(is_label_line("Fund Name: Beacon Credit Fund V"));
    }
}
