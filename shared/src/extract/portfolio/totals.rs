//! Printed subtotal and total rows: checked against the rows they cover; the grand total as facts.
use rust_decimal::Decimal;

use super::header::Column;
use crate::domain::{ExtractionWarning, Fact, FactValue, Period};

/// A total row as printed: per column its value in full units and its printed decimals.
#[derive(Debug, Clone)]
pub struct TotalRow {
    pub label: String,
    pub cells: Vec<Option<(Decimal, u32)>>,
    pub page: u32,
    pub source_text: String,
}

/// Where a group of rows starts: the table's start, a group heading, or the last total.
#[derive(Debug, Clone)]
struct Mark {
    rows: usize,
    sums: Vec<Decimal>,
    table_start: bool,
}

/// The last total row that covers its whole table, with the column labels it needs for facts.
#[derive(Debug, Clone)]
struct Grand {
    row: TotalRow,
    columns: Vec<Column>,
    /// Fund rows of the table when it was printed; a row after it makes it a subtotal.
    rows: usize,
}

#[derive(Debug, Default)]
pub struct Checker {
    sums: Vec<Decimal>,
    rows: usize,
    marks: Vec<Mark>,
    grand: Option<Grand>,
    /// The grand total of an earlier table, kept when a later table prints none.
    done: Option<Grand>,
}

impl Checker {
    /// A new table: nothing before it is covered by its totals.
    pub fn start(&mut self, columns: usize) {
        self.close_table();
        self.sums = vec![Decimal::ZERO; columns];
        self.rows = 0;
        self.marks = vec![Mark {
            rows: 0,
            sums: self.sums.clone(),
            table_start: true,
        }];
    }

    /// A fund row's money cells (full units) by column.
    pub fn add(&mut self, values: &[Option<Decimal>]) {
        for (sum, v) in self.sums.iter_mut().zip(values) {
            *sum += v.unwrap_or_default();
        }
        self.rows += 1;
    }

    /// A group heading ("Buyout") opens a group a subtotal may close.
    pub fn heading(&mut self) {
        if self.marks.last().is_some_and(|m| m.rows != self.rows) {
            self.push_mark();
        }
    }

    /// Checks a total against each group it may close; warns when it matches none.
    pub fn total(
        &mut self,
        row: TotalRow,
        columns: &[Column],
        scale: Decimal,
    ) -> Option<ExtractionWarning> {
        let checked: Vec<usize> = (0..columns.len())
            .filter(|&c| {
                columns[c].role.is_money() && row.cells.get(c).is_some_and(Option::is_some)
            })
            .collect();
        let mut covers_table = false;
        let mut matched = checked.is_empty();
        for m in self.marks.iter().rev() {
            let n = self.rows - m.rows;
            if n == 0 {
                continue;
            }
            if checked
                .iter()
                .all(|&c| self.off_by(&row, m, c, n, scale).is_none())
            {
                matched = true;
                covers_table = m.table_start;
                break;
            }
        }
        let warning = (!matched).then(|| self.mismatch(&row, columns, &checked, scale));
        let sub = row.label.to_lowercase().starts_with("sub");
        if !sub && (covers_table || !matched) {
            self.grand = Some(Grand {
                row,
                columns: columns.to_vec(),
                rows: self.rows,
            });
        }
        self.push_mark();
        warning
    }

    /// How far a printed total is from the rows since mark `m`, beyond rounding of its digits.
    fn off_by(
        &self,
        row: &TotalRow,
        m: &Mark,
        c: usize,
        n: usize,
        scale: Decimal,
    ) -> Option<(Decimal, Decimal)> {
        let (printed, decimals) = row.cells[c]?;
        let sum = self.sums[c] - m.sums[c];
        // Each printed row may be off by half a unit of the last printed digit.
        let tolerance = Decimal::new(5, decimals + 1) * scale * Decimal::from(n as u64);
        ((printed - sum).abs() > tolerance).then_some((printed, sum))
    }

    fn mismatch(
        &self,
        row: &TotalRow,
        columns: &[Column],
        checked: &[usize],
        scale: Decimal,
    ) -> ExtractionWarning {
        // The nearest group is the one a reader would check first.
        let m = self
            .marks
            .iter()
            .rev()
            .find(|m| m.rows < self.rows)
            .unwrap_or(&self.marks[0]);
        let n = self.rows - m.rows;
        let diffs: Vec<String> = checked
            .iter()
            .filter_map(|&c| {
                let (printed, sum) = self.off_by(row, m, c, n, scale)?;
                Some(format!(
                    "{}: printed {}, rows add up to {}",
                    columns[c].label,
                    printed.normalize(),
                    sum.normalize()
                ))
            })
            .collect();
        ExtractionWarning {
            page: Some(row.page),
            message: format!(
                "portfolio total \"{}\" does not match the {n} rows above it ({})",
                row.label,
                diffs.join("; ")
            ),
            text: Some(row.source_text.clone()),
        }
    }

    fn push_mark(&mut self) {
        self.marks.push(Mark {
            rows: self.rows,
            sums: self.sums.clone(),
            table_start: false,
        });
    }

    fn close_table(&mut self) {
        if let Some(g) = self.grand.take()
            && g.rows == self.rows
        {
            self.done = Some(g);
        }
    }

    /// The grand total's figures as facts.
    pub fn facts(mut self) -> Vec<Fact> {
        self.close_table();
        let Some(g) = self.done else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (col, cell) in g.columns.iter().zip(&g.row.cells) {
            let (Some(key), Some((value, _))) = (col.role.fact_key(), cell) else {
                continue;
            };
            if out.iter().any(|f: &Fact| f.key == key) {
                continue;
            }
            out.push(Fact {
                key: key.to_string(),
                label: g.row.label.clone(),
                value: FactValue::Number(value.normalize()),
                period: Some(Period::AsOf),
                column: Some(col.label.clone()),
                page: g.row.page,
                source_text: g.row.source_text.clone(),
            });
        }
        out
    }
}
