//! Notices, capital account statements and financial statements: labelled facts (multi-column),
//! notice cash flows with their components, cash flows stated in prose, roll-forward checks.
mod balance_keys;
mod cells;
mod emit;
mod grid;
mod keys;
mod notice;
mod notice_keys;
mod prose;
mod reference;
mod rollforward;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::lines::Line;
use super::{dates, facts};
use crate::domain::{
    CapitalCall, Distribution, DocumentType, Extraction, Fact, FactValue, TxOrigin,
};
use keys::Flow;

/// A labelled date ("Payment Due Date: February 28, 2024").
#[derive(Debug, Clone)]
struct DatedLabel {
    key: &'static str,
    label: String,
    date: NaiveDate,
    page: u32,
    source_text: String,
}

/// Collects labelled figures page by page.
#[derive(Debug, Default)]
pub struct StatementReader {
    state: grid::State,
    groups: Vec<grid::Group>,
    paragraphs: Vec<grid::Paragraph>,
    dated: Vec<DatedLabel>,
    investor: Option<String>,
    placeholders: bool,
    /// Every line's text, where a notice prints its own number ("Re: … Capital Call No. 5"):
    /// a subject line is neither a paragraph nor a table row.
    lines: Vec<String>,
}

/// Names that address every investor rather than one.
fn is_generic_addressee(name: &str) -> bool {
    let n = name.to_lowercase();
    n.is_empty() || n.contains("limited partners") || n == "investors" || n.contains("all partners")
}

impl StatementReader {
    pub fn add_page(&mut self, page: u32, lines: &[Line]) {
        let (groups, paragraphs) = grid::read_page(page, lines, &mut self.state);
        self.groups.extend(groups);
        self.paragraphs.extend(paragraphs);
        for line in lines {
            let text = line.text();
            if text.contains("XX") {
                self.placeholders = true;
            }
            self.lines.push(text.clone());
            let cells: Vec<String> = line.segments.iter().map(|s| s.text()).collect();
            for pair in facts::pairs(&cells) {
                let norm = keys::normalize(&pair.label);
                if self.investor.is_none() && keys::investor_label(&norm) {
                    let name = pair.value.trim_end_matches([',', '.', ';', ':']).trim();
                    if !is_generic_addressee(name) {
                        self.investor = Some(name.to_string());
                    }
                }
                let Some(key) = keys::notice_date_key(&norm) else {
                    continue;
                };
                if let Some(date) = dates::parse_date(&pair.value)
                    && !self.dated.iter().any(|d| d.key == key)
                {
                    self.dated.push(DatedLabel {
                        key,
                        label: pair.label.trim().to_string(),
                        date,
                        page,
                        source_text: text.clone(),
                    });
                }
            }
        }
    }

    /// Adds facts, the investor, notice and prose transactions and warnings to `out`.
    pub fn finish(self, doc_type: DocumentType, out: &mut Extraction) {
        if doc_type.is_multi_fund() {
            return;
        }
        if out.investor.is_none() {
            out.investor = self.investor.clone();
        }
        let ctx = emit::Context { doc_type };
        let mut found: Vec<Fact> = Vec::new();
        for g in &self.groups {
            emit::group_facts(g, ctx, &mut found);
            if emit::is_rollforward(g) {
                rollforward::check(g, &mut out.warnings);
            }
        }
        if let Some(flow) = ctx.notice_flow() {
            for d in &self.dated {
                found.push(Fact {
                    key: d.key.to_string(),
                    label: d.label.clone(),
                    value: FactValue::Date(d.date),
                    period: None,
                    column: None,
                    page: d.page,
                    source_text: d.source_text.clone(),
                });
            }
            let date = |k: &str| self.dated.iter().find(|d| d.key == k).map(|d| d.date);
            let dates = notice::NoticeDates {
                notice: date("notice_date"),
                due: date("due_date"),
                payment: date("payment_date"),
            };
            let totals = emit::notice_totals(&self.groups, ctx);
            let input = notice::NoticeInput {
                flow,
                totals: &totals,
                groups: &self.groups,
                paragraphs: &self.paragraphs,
                lines: &self.lines,
                dates: &dates,
                placeholders: self.placeholders,
            };
            notice::add(&input, out);
        }
        out.facts.extend(found);
        if matches!(
            doc_type,
            DocumentType::CapitalAccountStatement | DocumentType::FinancialStatements
        ) {
            self.rescale_tables(out);
        }
        if matches!(
            doc_type,
            DocumentType::QuarterlyReport | DocumentType::Other
        ) {
            self.prose_flows(out);
        }
    }

    /// A statement's unit note ("(in thousands of USD)") printed once under its title covers
    /// the dated activity table further down too, which the table reader cannot see: a table
    /// row read at its printed value is scaled here.
    fn rescale_tables(&self, out: &mut Extraction) {
        let scaled = |page: u32, source: &str, amount: Decimal| {
            self.groups
                .iter()
                .filter(|g| g.page == page && g.scale != Decimal::ONE)
                .find_map(|g| {
                    let row = g.rows.iter().find(|r| r.source_text == source)?;
                    row.cells
                        .iter()
                        .any(|(_, c)| c.value.map(|v| v.abs()) == Some(amount.abs()))
                        .then(|| amount * g.scale)
                })
        };
        for c in &mut out.capital_calls {
            if c.origin == TxOrigin::Table
                && let Some(v) = scaled(c.page, &c.source_text, c.amount)
            {
                c.amount = v;
            }
        }
        for d in &mut out.distributions {
            if d.origin == TxOrigin::Table
                && let Some(v) = scaled(d.page, &d.source_text, d.amount)
            {
                d.amount = v;
            }
        }
    }

    fn prose_flows(&self, out: &mut Extraction) {
        for p in &self.paragraphs {
            for f in prose::cash_flows(&p.text) {
                let seen = out
                    .capital_calls
                    .iter()
                    .map(|c| (c.date, c.amount))
                    .chain(out.distributions.iter().map(|d| (d.date, d.amount)))
                    .any(|(d, a)| d == f.date && a == f.amount);
                if seen {
                    continue;
                }
                match f.flow {
                    Flow::Call => out.capital_calls.push(CapitalCall {
                        date: f.date,
                        amount: f.amount,
                        page: p.page,
                        source_text: f.sentence,
                        date_precision: f.precision,
                        origin: TxOrigin::Prose,
                        ..Default::default()
                    }),
                    Flow::Distribution => out.distributions.push(Distribution {
                        date: f.date,
                        amount: f.amount,
                        page: p.page,
                        source_text: f.sentence,
                        date_precision: f.precision,
                        origin: TxOrigin::Prose,
                        ..Default::default()
                    }),
                }
            }
        }
    }
}
