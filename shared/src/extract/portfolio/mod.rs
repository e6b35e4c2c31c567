//! Tables of many funds (a pension plan's private-equity portfolio): one row per fund, never a fund.
mod cells;
mod figures;
mod header;
mod roles;
mod rows;
mod totals;
mod units;

use rust_decimal::Decimal;

use super::lines::Line;
use super::text_blocks::is_furniture;
use crate::domain::{DocumentType, Extraction, ExtractionWarning, PortfolioRow};
use header::Column;
use roles::Role;
use rows::{Event, Run};

/// Rows that make a table of many funds whatever the document's type.
const CONFIDENT_ROWS: usize = 10;
/// Rows enough in a document that is not about a single fund.
const MIN_ROWS: usize = 3;
/// Lines after a table's last row on a page (notes, footers) that still let it continue on the
/// next page without a repeated header.
const TRAILING_LINES: usize = 6;

/// The table being read: its columns and unit, kept from page to page.
#[derive(Debug)]
struct Table {
    columns: Vec<Column>,
    scale: Decimal,
    /// It ran to the foot of the last page, so the next page may continue it without a header.
    open: bool,
}

/// Collects portfolio rows page by page; keeps only the rows, the open table and the totals'
/// running sums.
#[derive(Debug, Default)]
pub struct PortfolioReader {
    table: Option<Table>,
    rows: Vec<PortfolioRow>,
    warnings: Vec<ExtractionWarning>,
    totals: totals::Checker,
}

impl PortfolioReader {
    pub fn add_page(&mut self, page: u32, lines: &[Line]) {
        let mut i = 0;
        let mut continuing = self.table.as_ref().is_some_and(|t| t.open);
        let mut last_end = None;
        loop {
            let next = header::find(lines, i);
            let stop = next.as_ref().map_or(lines.len(), |h| h.first_line);
            if continuing && i < stop {
                let end = self.read(page, lines, i, stop, true);
                last_end = end.or(last_end);
            }
            continuing = false;
            let Some(h) = next else {
                break;
            };
            let scale = h
                .scale
                .or_else(|| page_scale(lines, h.first_line))
                .or_else(|| self.table.as_ref().map(|t| t.scale))
                .unwrap_or(Decimal::ONE);
            let same = self.table.as_ref().is_some_and(|t| {
                t.columns
                    .iter()
                    .map(|c| c.role)
                    .eq(h.columns.iter().map(|c| c.role))
            });
            if !same {
                self.totals.start(h.columns.len());
            }
            self.table = Some(Table {
                columns: h.columns,
                scale,
                open: false,
            });
            let end = self.read(page, lines, h.end, lines.len(), false);
            last_end = end.or(last_end);
            i = end.unwrap_or(h.end).max(h.end);
        }
        if let Some(t) = self.table.as_mut() {
            t.open = last_end.is_some_and(|end| {
                lines[end..]
                    .iter()
                    .filter(|l| !is_furniture(&l.text()))
                    .count()
                    <= TRAILING_LINES
            });
        }
    }

    /// Fund rows read so far (a signal for the document type).
    pub fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// Adds the rows, the printed totals as facts, and warnings to `out`, when the rows make a
    /// table of many funds for a document of this type.
    pub fn finish(self, doc_type: DocumentType, out: &mut Extraction) {
        let n = self.rows.len();
        let single_fund = matches!(
            doc_type,
            DocumentType::QuarterlyReport
                | DocumentType::CapitalCallNotice
                | DocumentType::DistributionNotice
                | DocumentType::CapitalAccountStatement
        );
        let keep = n >= CONFIDENT_ROWS
            || (doc_type.is_multi_fund() && n > 0)
            || (!single_fund && n >= MIN_ROWS);
        if !keep {
            return;
        }
        out.portfolio.extend(self.rows);
        out.warnings.extend(self.warnings);
        out.facts.extend(self.totals.facts());
    }

    /// Reads rows of the current table from `lines[from..to]`; returns the index after the last
    /// line that belonged to the table, if any did.
    fn read(
        &mut self,
        page: u32,
        lines: &[Line],
        from: usize,
        to: usize,
        continuation: bool,
    ) -> Option<usize> {
        let table = self.table.as_ref()?;
        let run = Run::read(&table.columns, &lines[from..to], continuation);
        let end = run.end.map(|e| from + e);
        let scale = table.scale;
        let columns = table.columns.clone();
        for event in run.events() {
            self.apply(page, &columns, scale, event);
        }
        end
    }

    fn apply(&mut self, page: u32, columns: &[Column], scale: Decimal, event: Event) {
        let row = match event {
            Event::Heading => {
                self.totals.heading();
                return;
            }
            Event::Row(r) => r,
        };
        for (col, text) in &row.unreadable {
            self.warnings.push(ExtractionWarning {
                page: Some(page),
                message: format!("portfolio row: the {col} cell \"{text}\" is not a figure"),
                text: Some(row.source_text.clone()),
            });
        }
        let money = |c: usize| columns[c].role.is_money();
        let full = |c: usize, v: Decimal| {
            if money(c) {
                (v * scale).normalize()
            } else {
                v.normalize()
            }
        };
        if let Some(label) = row.total_label.clone() {
            let cells = row
                .values
                .iter()
                .enumerate()
                .map(|(c, v)| v.map(|(x, d)| (full(c, x), d)))
                .collect();
            let total = totals::TotalRow {
                label,
                cells,
                page,
                source_text: row.source_text,
            };
            if let Some(w) = self.totals.total(total, columns, scale) {
                self.warnings.push(w);
            }
            return;
        }
        if row.name.is_empty() {
            self.warnings.push(ExtractionWarning {
                page: Some(page),
                message: "portfolio row without a fund name".to_string(),
                text: Some(row.source_text),
            });
            return;
        }
        let values: Vec<Option<Decimal>> = row
            .values
            .iter()
            .enumerate()
            .map(|(c, v)| v.map(|(x, _)| full(c, x)))
            .collect();
        let sums: Vec<Option<Decimal>> = (0..columns.len())
            .map(|c| values[c].filter(|_| money(c)))
            .collect();
        self.totals.add(&sums);
        let first = |role: Role| {
            columns
                .iter()
                .position(|c| c.role == role)
                .and_then(|c| values[c])
        };
        self.rows.push(PortfolioRow {
            name: row.name,
            vintage_year: row.vintage,
            commitment: first(Role::Commitment),
            contributed: first(Role::Contributed),
            distributed: first(Role::Distributed),
            nav: first(Role::Nav),
            tvpi: first(Role::Tvpi),
            irr_pct: first(Role::Irr),
            page,
            source_text: row.source_text,
        });
    }
}

/// A unit note elsewhere on the page: nearest above the header first, then anywhere. Notes are
/// short lines of one or two cells, which keeps fund rows ("Thousand Oaks Fund") out.
fn page_scale(lines: &[Line], header: usize) -> Option<Decimal> {
    let short = |l: &&Line| {
        l.segments.len() <= 2 && l.text().split_whitespace().count() <= units::MAX_NOTE_WORDS
    };
    lines[..header]
        .iter()
        .rev()
        .chain(&lines[header..])
        .filter(short)
        .find_map(|l| units::table_scale(&l.text()))
}

#[cfg(test)]
mod tests;
