//! One table line cut into the header's columns, and each cell read as the figure its column holds.
use super::figures::is_blank_token;
use super::header::Column;
use crate::extract::amounts::{parse_amount, parse_multiple, parse_percent};
use crate::extract::lines::{Line, Word};

/// A text cell wider than this many columns is running text (a footnote), not a cell.
const PROSE_COLUMNS: usize = 3;

/// A marker printed before or after a fund name ("* sold in the secondary market").
pub fn is_symbol_marker(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty()
        && t.chars()
            .all(|c| matches!(c, '*' | '†' | '‡' | '§' | '#' | '^' | '+'))
}

/// A word that stands for a figure in some column, whatever the column.
fn is_figure(text: &str) -> bool {
    parse_amount(text).is_some() || parse_percent(text).is_some() || parse_multiple(text).is_some()
}

/// The line's text cells per column (None where the column is empty); `prose` when a text cell
/// runs across several columns.
#[derive(Debug, Clone, Default)]
pub struct Cut {
    pub cells: Vec<Option<String>>,
    pub prose: bool,
    /// A marker stood before or after the name.
    pub marked: bool,
}

/// A piece of a line bound for one column: glued words and where they sit.
struct Piece {
    text: String,
    left: f32,
    right: f32,
    figure: bool,
}

pub fn cut(cols: &[Column], line: &Line) -> Cut {
    let mut out = Cut {
        cells: vec![None; cols.len()],
        ..Cut::default()
    };
    for seg in &line.segments {
        let seg_text = seg.text();
        if is_symbol_marker(&seg_text) {
            out.marked = true;
            continue;
        }
        let single = seg.words.len() == 1;
        let pieces = glue(&seg.words, single);
        let mut text_col: Option<usize> = None;
        for p in pieces {
            let col = if p.figure {
                let (c, dist) = best_column(cols, p.right, p.left, p.right);
                // A number inside a name ("Fund VI, L.P. 1") stays in the name unless it sits
                // under another column's header.
                match text_col {
                    Some(tc) if dist > 0.0 => tc,
                    _ => {
                        text_col = None;
                        c
                    }
                }
            } else {
                // A name is one run of words, even where it runs under the next header.
                *text_col.get_or_insert_with(|| best_column(cols, p.left, p.left, p.right).0)
            };
            if !p.figure && seg.words.len() > 1 {
                let spanned = cols
                    .iter()
                    .filter(|c| c.right.min(seg.right) - c.left.max(seg.left) > 0.0)
                    .count();
                out.prose |= spanned >= PROSE_COLUMNS;
            }
            let cell = &mut out.cells[col];
            match cell {
                Some(t) => {
                    t.push(' ');
                    t.push_str(&p.text);
                }
                None => *cell = Some(p.text),
            }
        }
    }
    out
}

/// Joins a currency sign to its number, a "%" or "x" to the number before it, and digit groups
/// split by a space, so that each piece is one cell.
fn glue(words: &[Word], single: bool) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    let mut pending_sign: Option<&Word> = None;
    for w in words {
        let t = w.text.as_str();
        if matches!(t, "$" | "USD" | "€" | "EUR" | "£" | "GBP" | "(" | "($") {
            pending_sign = Some(w);
            continue;
        }
        let (text, left) = match pending_sign.take() {
            Some(s) => (format!("{}{}", s.text, t), s.left),
            None => (t.to_string(), w.left),
        };
        if let Some(prev) = out.last_mut() {
            let suffix = matches!(t, "%" | "x" | "X" | ")" | "%)")
                && (prev.figure || is_figure(&format!("{}{t}", prev.text)));
            // "1 234.5": parse_number accepts space-grouped digits only in groups of three.
            let grouped = format!("{} {}", prev.text, text);
            let group = prev.figure
                && t.chars().next().is_some_and(|c| c.is_ascii_digit())
                && parse_amount(&grouped).is_some();
            if suffix || group {
                if group {
                    prev.text = grouped;
                } else {
                    prev.text.push_str(&text);
                }
                prev.right = w.right;
                prev.figure = is_figure(&prev.text) || prev.figure;
                continue;
            }
        }
        let figure = is_figure(&text) || (single && is_blank_token(&text));
        out.push(Piece {
            text,
            left,
            right: w.right,
            figure,
        });
    }
    if let Some(s) = pending_sign {
        out.push(Piece {
            text: s.text.clone(),
            left: s.left,
            right: s.right,
            figure: false,
        });
    }
    out
}

/// The column a piece belongs to: figures by their right edge (they are right-aligned), text by
/// its left edge; ties go to the column the piece overlaps most.
fn best_column(cols: &[Column], anchor: f32, left: f32, right: f32) -> (usize, f32) {
    let dist = |c: &Column| {
        if anchor < c.left {
            c.left - anchor
        } else if anchor > c.right {
            anchor - c.right
        } else {
            0.0
        }
    };
    let mut best = 0;
    let mut best_key = (f32::MAX, f32::MAX);
    for (i, c) in cols.iter().enumerate() {
        let key = (dist(c), -(c.right.min(right) - c.left.max(left)));
        if key.0 < best_key.0 || (key.0 == best_key.0 && key.1 < best_key.1) {
            best = i;
            best_key = key;
        }
    }
    (best, best_key.0)
}
