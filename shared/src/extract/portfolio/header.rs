//! The header of a many-funds table: stacked header cells grouped into columns, each given a role.
use rust_decimal::Decimal;

use super::roles::{NameKind, Role, role_of};
use super::units::table_scale;
use crate::extract::amounts::{parse_amount, parse_multiple, parse_percent};
use crate::extract::lines::{Line, Segment};

/// Lines a stacked header may span ("Total Capital" / "Contributed" plus superscript markers).
const MAX_HEADER_LINES: usize = 6;
/// Vertical gap (in ems) between the lines of one header; a row below sits further away.
const HEADER_GAP_EM: f32 = 0.45;
/// Header cells are short labels; running text is not a header.
const MAX_HEADER_WORDS: usize = 6;

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub role: Role,
    pub left: f32,
    pub right: f32,
    /// The header text, top to bottom, without footnote markers or unit notes.
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct Header {
    pub columns: Vec<Column>,
    /// Scale stated inside the header ("Commitment ($M)").
    pub scale: Option<Decimal>,
    pub first_line: usize,
    /// Index of the first line after the header.
    pub end: usize,
}

/// The first portfolio-table header at or after line `from`.
pub fn find(lines: &[Line], from: usize) -> Option<Header> {
    let mut i = from;
    while i < lines.len() {
        if is_anchor(&lines[i]) {
            let (start, end) = block(lines, from, i);
            if let Some(h) = build(&lines[start..end], start, end) {
                return Some(h);
            }
            i = end.max(i + 1);
            continue;
        }
        i += 1;
    }
    None
}

/// A line with at least two cells that name fund metrics or the fund.
fn is_anchor(line: &Line) -> bool {
    header_like(line)
        && line
            .segments
            .iter()
            .filter(|s| role_of(&s.text().to_lowercase()).0 != Role::Other)
            .count()
            >= 2
}

/// Short label cells only, no figures apart from footnote markers.
fn header_like(line: &Line) -> bool {
    line.segments.iter().all(|s| {
        let t = s.text();
        is_footnote(&t)
            || (s.words.len() <= MAX_HEADER_WORDS
                && parse_amount(&t).is_none()
                && parse_percent(&t).is_none()
                && parse_multiple(&t).is_none())
    })
}

/// The header lines around an anchor: close together, label-like, not a title spanning columns.
fn block(lines: &[Line], floor: usize, anchor: usize) -> (usize, usize) {
    let seeds = &lines[anchor].segments;
    let close = |upper: &Line, lower: &Line| {
        upper.bottom - lower.top <= HEADER_GAP_EM * upper.font_size.max(lower.font_size)
    };
    let spans = |l: &Line| {
        l.segments.len() == 1
            && seeds
                .iter()
                .filter(|s| overlap(s, l.segments[0].left, l.segments[0].right) > 0.0)
                .count()
                >= 2
    };
    let mut start = anchor;
    while start > floor
        && anchor - start < MAX_HEADER_LINES
        && header_like(&lines[start - 1])
        && !spans(&lines[start - 1])
        && close(&lines[start - 1], &lines[start])
    {
        start -= 1;
    }
    let mut end = anchor + 1;
    while end < lines.len()
        && end - start < MAX_HEADER_LINES
        && header_like(&lines[end])
        && close(&lines[end - 1], &lines[end])
    {
        end += 1;
    }
    (start, end)
}

fn overlap(s: &Segment, left: f32, right: f32) -> f32 {
    s.right.min(right) - s.left.max(left)
}

/// Groups the block's cells into columns by horizontal overlap and checks the roles.
fn build(block: &[Line], start: usize, end: usize) -> Option<Header> {
    let seed_line = block.iter().max_by_key(|l| {
        l.segments
            .iter()
            .filter(|s| !is_footnote(&s.text()))
            .count()
    })?;
    let mut cols: Vec<(f32, f32, Vec<String>)> = seed_line
        .segments
        .iter()
        .filter(|s| !is_footnote(&s.text()))
        .map(|s| (s.left, s.right, Vec::new()))
        .collect();
    let mut unit_text = String::new();
    for line in block {
        for s in &line.segments {
            let text = s.text();
            if is_footnote(&text) {
                continue;
            }
            let hits: Vec<usize> = (0..cols.len())
                .filter(|&c| overlap(s, cols[c].0, cols[c].1) > 0.0)
                .collect();
            match hits.as_slice() {
                [] => cols.push((s.left, s.right, vec![text])),
                [c] => {
                    let col = &mut cols[*c];
                    col.0 = col.0.min(s.left);
                    col.1 = col.1.max(s.right);
                    col.2.push(text);
                }
                // A group heading over several columns says nothing about any one of them.
                _ => {
                    unit_text.push_str(&text);
                    unit_text.push(' ');
                }
            }
        }
    }
    cols.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut columns = Vec::with_capacity(cols.len());
    let mut kinds = Vec::with_capacity(cols.len());
    for (left, right, texts) in cols {
        let raw = texts.join(" ");
        unit_text.push_str(&raw);
        unit_text.push(' ');
        let label = clean_label(&raw);
        let (role, kind) = role_of(&label.to_lowercase());
        kinds.push(kind);
        columns.push(Column {
            role,
            left,
            right,
            label,
        });
    }
    // Of several name-like columns ("Manager", "Fund"), the one naming the fund holds the name.
    let name_col = (0..columns.len())
        .filter_map(|c| kinds[c].map(|k| (c, k)))
        .max_by_key(|&(c, k)| (k.rank(), std::cmp::Reverse(c)));
    for (c, col) in columns.iter_mut().enumerate() {
        if col.role == Role::Name && name_col.is_some_and(|(n, _)| n != c) {
            col.role = Role::Other;
        }
    }
    let name_kind = name_col.map(|(_, k)| k);
    let has = |r: Role| columns.iter().any(|c| c.role == r);
    let metrics = columns.iter().filter(|c| c.role.is_metric()).count();
    let confident = match name_kind? {
        NameKind::Fund => true,
        // "Investment" also heads a fund's own table of portfolio companies, which have no
        // commitment and no vintage.
        NameKind::Generic | NameKind::Manager => has(Role::Commitment) || has(Role::Vintage),
    };
    (metrics >= 3 && confident).then(|| Header {
        columns,
        scale: table_scale(&unit_text),
        first_line: start,
        end,
    })
}

/// Header text without footnote markers ("Multiple 1,2", "IRR2") or unit notes ("($M)").
pub fn clean_label(raw: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut in_unit_note = false;
    for w in raw.split_whitespace() {
        if in_unit_note || (w.starts_with('(') && !w.ends_with(')') && is_unit_word(w)) {
            in_unit_note = !w.ends_with(')');
            continue;
        }
        if is_footnote(w) || (w.starts_with('(') && w.ends_with(')') && is_unit_word(w)) {
            continue;
        }
        let trimmed = strip_trailing_marker(w);
        if !trimmed.is_empty() {
            words.push(trimmed.to_string());
        }
    }
    words.join(" ")
}

fn is_unit_word(w: &str) -> bool {
    let t = w.to_lowercase();
    t.contains('$')
        || t.contains('€')
        || t.contains('£')
        || t.contains("usd")
        || t.contains("eur")
        || t.contains("000")
        || t.contains("million")
        || t.contains("thousand")
        || t == "(m)"
        || t == "(mm)"
        || t == "(in"
        || t == "(%)"
}

/// A footnote reference set apart from its header text: "2", "1,2", "(a)", "*".
fn is_footnote(text: &str) -> bool {
    let t = text.trim();
    let symbols = |c: char| matches!(c, '*' | '†' | '‡' | '§' | '#' | '^');
    !t.is_empty()
        && (t.chars().all(symbols)
            || (t.len() <= 5
                && t.chars().any(|c| c.is_ascii_digit())
                && t.chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, ',' | '(' | ')')))
            || (t.len() == 3 && t.starts_with('(') && t.ends_with(')')))
}

/// "IRR2" → "IRR": a digit or two glued to a word by a superscript.
fn strip_trailing_marker(w: &str) -> &str {
    let w = w.trim_end_matches(['*', '†', '‡', '§']);
    let digits = w.len() - w.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let stem = &w[..w.len() - digits];
    if (1..=2).contains(&digits)
        && stem.chars().count() >= 2
        && stem.chars().all(char::is_alphabetic)
    {
        stem
    } else {
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_lose_markers_and_unit_notes() {
        assert_eq!(
            clean_label("Total Value Multiple 1,2"),
            "Total Value Multiple"
        );
        assert_eq!(clean_label("IRR2"), "IRR");
        assert_eq!(clean_label("Commitment ($ in millions)"), "Commitment");
        assert_eq!(clean_label("NAV ($M)"), "NAV");
        assert_eq!(clean_label("Fund III"), "Fund III");
    }
}
