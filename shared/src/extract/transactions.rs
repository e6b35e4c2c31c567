//! An open transaction table: turns its rows into calls, distributions or adjustments and
//! checks them against the table's totals row.
use rust_decimal::Decimal;

use super::amounts;
use super::classify::{self, ColumnRole, TableKind};
use super::lines::Line;
use super::tables::{self, Columns, Entry, RowKind};
use crate::domain::{Adjustment, CapitalCall, Distribution, Extraction, ExtractionWarning};

/// A table being read, possibly across pages.
#[derive(Debug, Clone)]
pub struct OpenTable {
    pub cols: Columns,
    kind: TableKind,
    scale: Decimal,
    title: String,
    sum: Decimal,
    rows: usize,
    total: Option<(Decimal, u32, String)>,
    last: Option<(TableKind, usize)>,
    unclassified: Vec<(u32, String)>,
    first_page: u32,
    amounts: Vec<Decimal>,
    /// (decimals printed, page, row text) of each row's amount.
    decimals: Vec<(usize, u32, String)>,
}

impl OpenTable {
    pub fn start(cols: Columns, title: Option<&str>, scale_text: &str, page: u32) -> Self {
        let kind = title
            .and_then(classify::kind_from_title)
            .or_else(|| classify::kind_from_roles(&cols.roles()))
            .unwrap_or(TableKind::Other);
        Self {
            cols,
            kind,
            scale: amounts::unit_scale(scale_text).unwrap_or(Decimal::ONE),
            title: title.unwrap_or("untitled table").to_string(),
            sum: Decimal::ZERO,
            rows: 0,
            total: None,
            last: None,
            unclassified: Vec::new(),
            first_page: page,
            amounts: Vec::new(),
            decimals: Vec::new(),
        }
    }

    /// Whether a line reads as a row of this table (used for a page that continues the table
    /// without repeating its header).
    pub fn accepts(&self, line: &Line) -> bool {
        matches!(
            tables::read_row(&self.cols, line),
            RowKind::Entry(_) | RowKind::Unreadable(_)
        )
    }

    /// Takes one line; false when the line is not part of the table.
    pub fn take_line(&mut self, line: &Line, page: u32, tight: bool, out: &mut Extraction) -> bool {
        match tables::read_row(&self.cols, line) {
            RowKind::Entry(e) => {
                self.push(e, line, page, out);
                true
            }
            RowKind::Total(v) => {
                self.total = Some((v * self.scale, page, line.text()));
                true
            }
            RowKind::Unreadable(why) => {
                out.warnings.push(ExtractionWarning {
                    page: Some(page),
                    message: format!("a row of \"{}\" was skipped: {why}", self.title),
                    text: Some(line.text()),
                });
                true
            }
            RowKind::Continuation(cells) if tight && self.last.is_some() => {
                self.append(&cells, line, out);
                true
            }
            _ => false,
        }
    }

    fn push(&mut self, e: Entry, line: &Line, page: u32, out: &mut Extraction) {
        let amount = e.amount.value * self.scale;
        if out.fund.currency.is_none() {
            out.fund.currency = e.amount.currency.map(str::to_string);
        }
        let type_text = e.cell(&self.cols, ColumnRole::Type);
        let kind = match self.kind {
            TableKind::Other => type_text
                .as_deref()
                .and_then(classify::kind_from_row_type)
                .unwrap_or(TableKind::Other),
            k => k,
        };
        let description = e.cell(&self.cols, ColumnRole::Description);
        let source_text = line.text();
        if let Some(printed) = e.cell(&self.cols, ColumnRole::Amount) {
            let n = amounts::printed_decimals(&printed);
            self.decimals.push((n, page, source_text.clone()));
        }
        self.sum += amount;
        self.rows += 1;
        self.amounts.push(amount.abs());
        let index = match kind {
            TableKind::CapitalCalls => {
                out.capital_calls.push(CapitalCall {
                    date: e.date,
                    amount,
                    call_type: type_text,
                    description,
                    call_number: e
                        .cell(&self.cols, ColumnRole::CallNumber)
                        .map(|c| tables::normalize_call_number(&c)),
                    page,
                    source_text,
                    ..Default::default()
                });
                out.capital_calls.len() - 1
            }
            TableKind::Distributions => {
                let flag_text = e.cell(&self.cols, ColumnRole::Recallable);
                let is_recallable = match flag_text.as_deref() {
                    Some(f) => classify::parse_flag(f).unwrap_or_else(|| {
                        out.warnings.push(ExtractionWarning {
                            page: Some(page),
                            message: format!(
                                "recallable flag {f:?} not understood; read as not recallable"
                            ),
                            text: Some(source_text.clone()),
                        });
                        false
                    }),
                    None => type_text.as_deref().is_some_and(recallable_in_words),
                };
                out.distributions.push(Distribution {
                    date: e.date,
                    amount,
                    distribution_type: type_text,
                    is_recallable,
                    description,
                    page,
                    source_text,
                    ..Default::default()
                });
                out.distributions.len() - 1
            }
            TableKind::Adjustments => {
                out.adjustments.push(Adjustment {
                    date: e.date,
                    amount,
                    adjustment_type: type_text,
                    description,
                    page,
                    source_text,
                    ..Default::default()
                });
                out.adjustments.len() - 1
            }
            TableKind::Other => {
                self.unclassified.push((page, source_text));
                self.last = None;
                return;
            }
        };
        self.last = Some((kind, index));
    }

    /// Adds a wrapped line's text to the previous row's description or type.
    fn append(&mut self, cells: &[String], line: &Line, out: &mut Extraction) {
        let Some((kind, index)) = self.last else {
            return;
        };
        let cell = |role: ColumnRole| -> Option<&str> {
            let i = self.cols.cols.iter().position(|c| c.role == role)?;
            cells.get(i).map(String::as_str).filter(|t| !t.is_empty())
        };
        let (desc, typ) = (cell(ColumnRole::Description), cell(ColumnRole::Type));
        let text = line.text();
        let extend = |slot: &mut Option<String>, add: Option<&str>| {
            if let Some(add) = add {
                let s = slot.get_or_insert_with(String::new);
                if !s.is_empty() && !s.ends_with('-') {
                    s.push(' ');
                }
                s.push_str(add);
            }
        };
        match kind {
            TableKind::CapitalCalls => {
                if let Some(r) = out.capital_calls.get_mut(index) {
                    extend(&mut r.description, desc);
                    extend(&mut r.call_type, typ);
                    r.source_text = format!("{} {text}", r.source_text);
                }
            }
            TableKind::Distributions => {
                if let Some(r) = out.distributions.get_mut(index) {
                    extend(&mut r.description, desc);
                    extend(&mut r.distribution_type, typ);
                    r.source_text = format!("{} {text}", r.source_text);
                }
            }
            TableKind::Adjustments => {
                if let Some(r) = out.adjustments.get_mut(index) {
                    extend(&mut r.description, desc);
                    extend(&mut r.adjustment_type, typ);
                    r.source_text = format!("{} {text}", r.source_text);
                }
            }
            TableKind::Other => {}
        }
    }

    pub fn summary(&self) -> super::magnitude::TableSummary {
        super::magnitude::TableSummary {
            kind: self.kind,
            title: self.title.clone(),
            scale: self.scale,
            sum: self.sum,
            rows: self.rows,
            page: self.first_page,
            median: self.median_amount(),
        }
    }

    /// The middle absolute amount of the table's rows (scaled), a robust size of its entries.
    fn median_amount(&self) -> Decimal {
        let mut v = self.amounts.clone();
        v.sort();
        v.get(v.len() / 2).copied().unwrap_or_default()
    }

    /// Ends the table: checks the totals row and reports rows that fit no category.
    pub fn close(self, out: &mut Extraction) {
        self.check_decimals(out);
        if let Some((total, page, text)) = self.total
            && total != self.sum
        {
            let off = super::magnitude::off_by(total, self.sum)
                .map(|f| format!(" (about {f}× apart: check the table's unit)"))
                .unwrap_or_default();
            out.warnings.push(ExtractionWarning {
                page: Some(page),
                message: format!(
                    "the totals row of \"{}\" says {} but its {} rows add up to {}{off}",
                    self.title,
                    total.normalize(),
                    self.rows,
                    self.sum.normalize()
                ),
                text: Some(text),
            });
        }
        if let Some((page, text)) = self.unclassified.first() {
            out.warnings.push(ExtractionWarning {
                page: Some(*page),
                message: format!(
                    "table \"{}\" has dates and amounts but is not recognisably capital calls, distributions or adjustments; its {} rows were not used",
                    self.title,
                    self.unclassified.len()
                ),
                text: Some(text.clone()),
            });
        }
    }
}

impl OpenTable {
    /// A table prints its amounts one way; a row that breaks the pattern ("1.581" among
    /// "3,264,250.00") had its separators misread, most often by OCR, and is named.
    fn check_decimals(&self, out: &mut Extraction) {
        let rows = self.decimals.len();
        if rows < 4 {
            return;
        }
        let mut counts = [0usize; amounts::MAX_MONEY_DECIMALS + 1];
        for (n, ..) in &self.decimals {
            counts[(*n).min(amounts::MAX_MONEY_DECIMALS)] += 1;
        }
        let (usual, seen) = counts
            .iter()
            .enumerate()
            .max_by_key(|(_, c)| **c)
            .map(|(n, c)| (n, *c))
            .unwrap_or_default();
        if seen * 4 < rows * 3 {
            return;
        }
        for (n, page, text) in self.decimals.iter().filter(|(n, ..)| *n != usual) {
            out.warnings.push(ExtractionWarning {
                page: Some(*page),
                message: format!(
                    "this row's amount is printed with {n} decimals where the other rows of \
                     \"{}\" have {usual}: its separators may have been misread; check it \
                     against the document",
                    self.title
                ),
                text: Some(text.clone()),
            });
        }
    }
}

fn recallable_in_words(text: &str) -> bool {
    let t = text.to_lowercase();
    t.contains("recallable") && !t.contains("non-recallable") && !t.contains("non recallable")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::tables::tests::line;

    /// A "Date | Amount" table titled `title` with one dated row per amount, closed.
    fn read_table(title: &str, amounts: &[&str]) -> Extraction {
        let header = line(&[("Date", 50.0), ("Amount", 150.0)]);
        let cols = Columns::from_header(&header).expect("header");
        let mut table = OpenTable::start(cols, Some(title), "", 1);
        let mut out = Extraction::default();
        for (i, a) in amounts.iter().enumerate() {
            let date = format!("0{}/01/2020", i + 1);
            assert!(table.take_line(&line(&[(&date, 50.0), (a, 150.0)]), 1, true, &mut out));
        }
        table.close(&mut out);
        out
    }

    #[test]
    fn a_row_printed_unlike_the_rest_of_its_table_is_named() {
        let out = read_table(
            "Capital Calls",
            &[
                "$3,264,250.00",
                "$5,336,750.00",
                "$1.581",
                "$2,443,250.00",
                "$1,008,500.00",
            ],
        );
        assert_eq!(out.capital_calls.len(), 5);
        assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
        assert!(
            out.warnings[0]
                .message
                .contains("3 decimals where the other rows")
        );
        assert_eq!(out.warnings[0].text.as_deref(), Some("03/01/2020 $1.581"));
    }

    #[test]
    fn a_table_of_mixed_forms_is_left_alone() {
        let out = read_table("Distributions", &["1,000", "2,500.50", "3,000", "4,125.25"]);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    }
}
