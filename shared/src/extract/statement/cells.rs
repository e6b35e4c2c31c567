//! One line as a statement row: its label and the value cells to its right, with positions.
use rust_decimal::Decimal;

use crate::extract::amounts;
use crate::extract::lines::{Line, Segment};

/// A value cell: an amount (a dash is a printed zero), a ratio or percentage kept as text, or a
/// placeholder the template left unfilled ("$XX,XXX", "Text2").
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    /// The amount as printed, before any unit scale; None for a placeholder or a ratio.
    pub value: Option<Decimal>,
    pub left: f32,
    pub right: f32,
}

fn is_ratio(text: &str) -> bool {
    let t = text.trim();
    amounts::parse_percent(t).is_some()
        || (t.ends_with(['x', 'X']) && amounts::parse_multiple(t).is_some())
}

fn is_dash(text: &str) -> bool {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.trim_start_matches(['$', '€', '£']);
    let t = t.strip_prefix("USD").unwrap_or(t);
    matches!(t, "-" | "—" | "–" | "‒" | "−")
}

/// A template's unfilled value.
pub fn is_placeholder_text(text: &str) -> bool {
    let t = text.trim().trim_start_matches(['$', ' ']);
    t.contains("XX") || t.starts_with("Text") || t.contains('●') || t.starts_with('<') || t == "TBD"
}

/// Parses a cell; None when the text is not a value.
pub fn parse_cell(text: &str, left: f32, right: f32) -> Option<Cell> {
    let value = if is_dash(text) {
        Some(Decimal::ZERO)
    } else if let Some(a) = amounts::parse_amount(text) {
        Some(a.value)
    } else if is_ratio(text) || is_placeholder_text(text) {
        None
    } else {
        return None;
    };
    Some(Cell {
        text: text.trim().to_string(),
        value,
        left,
        right,
    })
}

fn is_currency_mark(text: &str) -> bool {
    matches!(text.trim(), "$" | "€" | "£" | "USD" | "EUR" | "GBP" | "US$")
}

/// A parsed line: the label text (possibly empty) and its value cells, left to right.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub label: String,
    pub label_left: f32,
    pub cells: Vec<Cell>,
}

/// Splits a line into label and trailing value cells. A lone currency sign joins the cell after
/// it; a last segment "Label: value" splits at the colon.
pub fn parse_line(line: &Line) -> Parsed {
    let mut segs: Vec<(String, f32, f32)> = Vec::new();
    let mut pending_mark: Option<(String, f32)> = None;
    for s in &line.segments {
        let text = s.text();
        if is_currency_mark(&text) {
            pending_mark = Some((text, s.left));
            continue;
        }
        match pending_mark.take() {
            Some((mark, left)) => segs.push((format!("{mark} {text}"), left, s.right)),
            None => segs.push((text, s.left, s.right)),
        }
    }
    if let Some((mark, left)) = pending_mark {
        segs.push((mark, left, line.right));
    }
    let mut cells = Vec::new();
    while let Some((text, l, r)) = segs.last() {
        match parse_cell(text, *l, *r) {
            Some(c) => {
                cells.push(c);
                segs.pop();
            }
            None => break,
        }
    }
    cells.reverse();
    let label_left = segs.first().map_or(line.left, |s| s.1);
    let mut label = segs
        .iter()
        .map(|s| s.0.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    if cells.is_empty()
        && let Some((head, tail)) = label.split_once(':')
        && let Some(c) = parse_cell(tail, line.right - 1.0, line.right)
        && c.value.is_some()
    {
        let head = head.trim().to_string();
        cells.push(c);
        label = head;
    }
    Parsed {
        label: label.trim().to_string(),
        label_left,
        cells,
    }
}

/// Header cells of a column header line: every segment short text without amounts.
pub fn header_cells(line: &Line) -> Option<Vec<&Segment>> {
    let ok = line.segments.iter().all(|s| {
        let t = s.text();
        amounts::parse_amount(&t).is_none_or(|_| is_year(&t))
            && !t.contains(':')
            && t.split_whitespace().count() <= 6
    });
    ok.then(|| line.segments.iter().collect())
}

fn is_year(t: &str) -> bool {
    let t = t.trim();
    t.len() == 4 && (t.starts_with("19") || t.starts_with("20"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashes_placeholders_and_amounts() {
        assert_eq!(
            parse_cell("$ -", 0.0, 1.0).unwrap().value,
            Some(Decimal::ZERO)
        );
        assert_eq!(
            parse_cell("(1,234)", 0.0, 1.0).unwrap().value,
            Some(Decimal::from(-1234))
        );
        assert_eq!(parse_cell("$ Text2", 0.0, 1.0).unwrap().value, None);
        assert_eq!(parse_cell("1.45x", 0.0, 1.0).unwrap().text, "1.45x");
        assert!(parse_cell("Commitment", 0.0, 1.0).is_none());
    }
}
