//! Table geometry: header rows, column assignment by alignment, and reading one row's cells.
use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::amounts::{self, Amount};
use super::classify::{self, ColumnRole};
use super::dates;
use super::lines::{Line, Segment};

/// One header cell and the horizontal span it occupies.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub role: ColumnRole,
    pub header: String,
    pub left: f32,
    pub right: f32,
}

/// The columns of a table, from its header row.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    pub cols: Vec<Column>,
}

impl Columns {
    /// Reads a header row; None if the line is not one.
    pub fn from_header(line: &Line) -> Option<Self> {
        let cells: Vec<String> = line.segments.iter().map(Segment::text).collect();
        if !classify::is_header(&cells) {
            return None;
        }
        let cols = line
            .segments
            .iter()
            .zip(cells)
            .map(|(s, header)| Column {
                role: classify::column_role(&header),
                header,
                left: s.left,
                right: s.right,
            })
            .collect();
        Some(Self { cols })
    }

    pub fn roles(&self) -> Vec<ColumnRole> {
        self.cols.iter().map(|c| c.role).collect()
    }

    fn index_of(&self, role: ColumnRole) -> Option<usize> {
        self.cols.iter().position(|c| c.role == role)
    }

    /// Column for a horizontal span: the header it overlaps most, else the nearest one.
    fn best_column(&self, left: f32, right: f32) -> usize {
        let mut best = 0;
        let mut best_score = f32::NEG_INFINITY;
        for (i, c) in self.cols.iter().enumerate() {
            let overlap = right.min(c.right) - left.max(c.left);
            // Negative overlap is the distance between the spans, so "nearest" falls out.
            if overlap > best_score {
                best_score = overlap;
                best = i;
            }
        }
        best
    }

    fn overlapped(&self, s: &Segment) -> usize {
        self.cols
            .iter()
            .filter(|c| s.right.min(c.right) - s.left.max(c.left) > 0.0)
            .count()
    }

    /// Distributes a line's segments over the columns. A segment that spans several headers
    /// (cells that ran together) is split at its widest gaps first.
    pub fn assign(&self, line: &Line) -> Vec<String> {
        let mut cells = vec![String::new(); self.cols.len()];
        for seg in &line.segments {
            let pieces = match self.overlapped(seg) {
                n if n >= 2 => seg.split_widest(n),
                _ => vec![seg.clone()],
            };
            for p in pieces {
                let i = self.best_column(p.left, p.right);
                if !cells[i].is_empty() {
                    cells[i].push(' ');
                }
                cells[i].push_str(&p.text());
            }
        }
        cells
    }
}

/// What one table line turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum RowKind {
    /// A transaction with both date and amount readable.
    Entry(Entry),
    /// A totals line: its amount as printed (unscaled).
    Total(Decimal),
    /// A line that belongs to the table but whose date or amount cannot be read.
    Unreadable(String),
    /// Text that continues the previous row's description (a wrapped cell).
    Continuation(Vec<String>),
    /// Not part of the table: the table ends here.
    End,
}

/// A readable transaction row, before it is given a kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub date: NaiveDate,
    pub amount: Amount,
    pub cells: Vec<String>,
}

impl Entry {
    pub fn cell(&self, cols: &Columns, role: ColumnRole) -> Option<String> {
        let i = cols.index_of(role)?;
        let text = self.cells.get(i)?.trim();
        (!text.is_empty()).then(|| text.to_string())
    }
}

/// Reads one line under a header.
pub fn read_row(cols: &Columns, line: &Line) -> RowKind {
    let cells = cols.assign(line);
    let filled = cells.iter().filter(|c| !c.is_empty()).count();
    let (Some(di), Some(ai)) = (
        cols.index_of(ColumnRole::Date),
        cols.index_of(ColumnRole::Amount),
    ) else {
        return RowKind::End;
    };
    let date_text = cells[di].trim();
    let amount_text = cells[ai].trim();
    let date = dates::parse_date(date_text);
    let amount = amounts::parse_amount(amount_text);
    if date.is_none() && cells.iter().any(|c| classify::is_total_label(c)) {
        // Totals print their amount under the amount column; the label may sit in any column.
        return match amount {
            Some(a) if line.segments.len() >= 2 => RowKind::Total(a.value),
            _ => RowKind::End,
        };
    }
    let decimals = amounts::printed_decimals(amount_text);
    match (date, amount) {
        (Some(_), Some(_)) if filled >= 2 && decimals > amounts::MAX_MONEY_DECIMALS => {
            RowKind::Unreadable(format!(
                "amount {amount_text:?} could not be read: no sum of money is printed with \
                 {decimals} decimals"
            ))
        }
        (Some(date), Some(amount)) if filled >= 2 => RowKind::Entry(Entry {
            date,
            amount,
            cells,
        }),
        (Some(_), None) if filled >= 2 => {
            RowKind::Unreadable(format!("amount {amount_text:?} could not be read"))
        }
        (None, Some(_)) if filled >= 2 && dates::looks_like_date(date_text) => {
            RowKind::Unreadable(format!("date {date_text:?} could not be read"))
        }
        (None, None) if text_only(cols, &cells) => RowKind::Continuation(cells),
        _ => RowKind::End,
    }
}

/// True when only descriptive columns hold text, as on the second line of a wrapped cell.
fn text_only(cols: &Columns, cells: &[String]) -> bool {
    let mut any = false;
    for (c, text) in cols.cols.iter().zip(cells) {
        if text.is_empty() {
            continue;
        }
        any = true;
        if !matches!(c.role, ColumnRole::Description | ColumnRole::Type) {
            return false;
        }
    }
    any
}

/// Normalises a call number: a bare "3", "#3" or "No. 3" reads as "Call 3".
pub fn normalize_call_number(text: &str) -> String {
    let t = text.trim();
    let bare = t.trim_start_matches("No.").trim_start_matches('#').trim();
    if !bare.is_empty() && bare.chars().all(|c| c.is_ascii_digit()) {
        return format!("Call {bare}");
    }
    t.to_string()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::extract::lines::Word;

    /// A line of cells starting at the given x, words 5 pt a character apart.
    pub(in crate::extract) fn line(cells: &[(&str, f32)]) -> Line {
        let segments: Vec<Segment> = cells
            .iter()
            .map(|(t, x)| {
                let mut words = Vec::new();
                let mut left = *x;
                for w in t.split(' ') {
                    let right = left + 5.0 * w.chars().count() as f32;
                    words.push(Word {
                        text: w.to_string(),
                        left,
                        right,
                    });
                    left = right + 2.5;
                }
                let right = words.last().map_or(*x, |w| w.right);
                Segment {
                    words,
                    left: *x,
                    right,
                }
            })
            .collect();
        Line {
            left: segments.first().map_or(0.0, |s| s.left),
            right: segments.last().map_or(0.0, |s| s.right),
            segments,
            top: 10.0,
            bottom: 0.0,
            font_size: 10.0,
            bold: false,
        }
    }

    #[test]
    fn header_and_rows_in_any_column_order() {
        let header = line(&[
            ("Date", 50.0),
            ("Amount", 150.0),
            ("Call Number", 250.0),
            ("Description", 350.0),
        ]);
        let cols = Columns::from_header(&header).expect("header");
        assert_eq!(
            cols.roles(),
            vec![
                ColumnRole::Date,
                ColumnRole::Amount,
                ColumnRole::CallNumber,
                ColumnRole::Description
            ]
        );
        let row = line(&[
            ("04-Feb-2021", 50.0),
            ("684", 150.0),
            ("Call 1", 250.0),
            ("New Investment", 350.0),
        ]);
        match read_row(&cols, &row) {
            RowKind::Entry(e) => {
                assert_eq!(e.date, NaiveDate::from_ymd_opt(2021, 2, 4).unwrap());
                assert_eq!(e.amount.value, Decimal::from(684));
                assert_eq!(
                    e.cell(&cols, ColumnRole::CallNumber).as_deref(),
                    Some("Call 1")
                );
            }
            other => panic!("{other:?}"),
        }
        let total = line(&[("Total", 50.0), ("41,973", 150.0)]);
        assert_eq!(
            read_row(&cols, &total),
            RowKind::Total(Decimal::from(41973))
        );
        let bad = line(&[("2021-02-31", 50.0), ("684", 150.0), ("Call 1", 250.0)]);
        assert!(matches!(read_row(&cols, &bad), RowKind::Unreadable(_)));
        let prose = line(&[("Portfolio Commentary", 50.0)]);
        assert_eq!(read_row(&cols, &prose), RowKind::End);
    }

    #[test]
    fn call_numbers() {
        assert_eq!(normalize_call_number("3"), "Call 3");
        assert_eq!(normalize_call_number("#3"), "Call 3");
        assert_eq!(normalize_call_number("Call 3"), "Call 3");
    }

    #[test]
    fn an_amount_with_more_decimals_than_money_has_is_unreadable() {
        let header = line(&[("Date", 50.0), ("Amount", 150.0), ("Type", 250.0)]);
        let cols = Columns::from_header(&header).expect("header");
        let row = |amount: &str| {
            read_row(
                &cols,
                &line(&[("06/29/2023", 50.0), (amount, 150.0), ("Income", 250.0)]),
            )
        };
        // OCR read "$158,100.00" with its commas as points and lost the decimal point.
        assert!(
            matches!(row("$1.58100000"), RowKind::Unreadable(why) if why.contains("8 decimals"))
        );
        assert!(matches!(row("-$52.70000"), RowKind::Unreadable(_)));
        assert!(matches!(row("$158,100.00"), RowKind::Entry(_)));
        assert!(matches!(row("1,234.5678"), RowKind::Entry(_)));
    }
}
