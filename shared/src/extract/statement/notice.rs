//! A capital call or distribution notice as one transaction: the investor's amount, dated by
//! the due or payment date, with its breakdown and the recallable part.
use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::emit::NoticeTotal;
use super::grid::{Group, Paragraph};
use super::keys::{self, Flow};
use super::prose;
use crate::domain::{
    CapitalCall, Component, DatePrecision, Distribution, Extraction, ExtractionWarning, TxOrigin,
};

/// The dates a notice states, by fact key.
#[derive(Debug, Clone, Default)]
pub struct NoticeDates {
    pub notice: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub payment: Option<NaiveDate>,
}

/// Everything a notice transaction is built from.
pub struct NoticeInput<'a> {
    pub flow: Flow,
    pub totals: &'a [NoticeTotal],
    pub groups: &'a [Group],
    pub paragraphs: &'a [Paragraph],
    pub lines: &'a [String],
    pub dates: &'a NoticeDates,
    /// The document prints placeholders ("$XX,XXX", "Month XX, 2022") instead of figures.
    pub placeholders: bool,
}

/// The total that states the investor's amount: the last one closing a breakdown, else the
/// last one standing alone.
fn pick(totals: &[NoticeTotal]) -> Option<&NoticeTotal> {
    totals
        .iter()
        .rev()
        .find(|t| t.closes_block)
        .or_else(|| totals.last())
}

/// A breakdown written as a sentence in the running text just above a standalone total.
fn prose_components(input: &NoticeInput, total: &NoticeTotal) -> Vec<(String, Decimal)> {
    input
        .paragraphs
        .iter()
        .filter(|p| p.page == total.row.page && p.top > total.row.top)
        .filter_map(|p| {
            let items = prose::breakdown(&p.text);
            (!items.is_empty()).then_some((p.top, items))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, items)| {
            items
                .into_iter()
                .map(|(l, v)| (l, v * total.scale))
                .collect()
        })
        .unwrap_or_default()
}

fn recallable(input: &NoticeInput) -> Option<Decimal> {
    input.groups.iter().find_map(|g| {
        g.rows.iter().find_map(|r| {
            let norm = keys::normalize(&r.label);
            if !keys::is_recallable_part(&norm) || r.cells.len() != 1 {
                return None;
            }
            r.cells[0].1.value.map(|v| v * g.scale)
        })
    })
}

/// Adds the notice's transaction to `out`, or warns why there is none.
pub fn add(input: &NoticeInput, out: &mut Extraction) {
    let total = pick(input.totals);
    // A call is dated when the money is due, a distribution when it is paid; notices word that
    // date many ways ("Due Date", "Value date", "Funding date"), so either label will do before
    // falling back, with a warning, to the notice's own date.
    let (d, notice_date) = (input.dates, input.dates.notice);
    let value_date = match input.flow {
        Flow::Call => d.due.or(d.payment),
        Flow::Distribution => d.payment.or(d.due),
    };
    let date = value_date.or(notice_date);
    if value_date.is_none()
        && let (Some(nd), Some(t)) = (notice_date, total)
    {
        out.warnings.push(ExtractionWarning {
            page: Some(t.row.page),
            message: format!(
                "the notice states no due or payment date; its cash flow is dated by the notice date {nd}"
            ),
            text: Some(t.row.source_text.clone()),
        });
    }
    let (Some(total), Some(date)) = (total, date) else {
        let why = if input.placeholders {
            "the notice prints placeholders instead of its date or amount"
        } else {
            "the notice states no investor amount or no date"
        };
        out.warnings.push(ExtractionWarning {
            page: total.map(|t| t.row.page),
            message: format!("no transaction from this notice: {why}"),
            text: total.map(|t| t.row.source_text.clone()),
        });
        return;
    };
    let mut parts = total.components.clone();
    if parts.is_empty() {
        parts = prose_components(input, total);
    }
    let components: Vec<Component> = parts
        .into_iter()
        .map(|(label, amount)| Component { label, amount })
        .collect();
    if !components.is_empty() {
        let sum: Decimal = components.iter().map(|c| c.amount).sum();
        let tolerance = Decimal::new(5, 3) * Decimal::from(components.len()) * total.scale;
        if (sum - total.amount).abs() > tolerance {
            out.warnings.push(ExtractionWarning {
                page: Some(total.row.page),
                message: format!(
                    "notice breakdown does not add up: components sum to {sum}, the stated \
                     amount is {} (difference {})",
                    total.amount,
                    sum - total.amount
                ),
                text: Some(total.row.source_text.clone()),
            });
        }
    }
    let description = Some(total.row.label.clone());
    let reference = super::reference::find(input.flow, input.lines.iter().map(String::as_str));
    match input.flow {
        Flow::Call => out.capital_calls.push(CapitalCall {
            date,
            amount: total.amount,
            description,
            page: total.row.page,
            source_text: total.row.source_text.clone(),
            notice_date: input.dates.notice,
            date_precision: DatePrecision::Day,
            origin: TxOrigin::Notice,
            components,
            call_number: reference
                .as_deref()
                .and_then(|r| r.rsplit(' ').next())
                .map(|n| format!("Call {n}")),
            reference,
            ..Default::default()
        }),
        Flow::Distribution => {
            let recallable_amount = recallable(input);
            out.distributions.push(Distribution {
                date,
                amount: total.amount,
                is_recallable: recallable_amount.is_some_and(|v| v > Decimal::ZERO),
                description,
                page: total.row.page,
                source_text: total.row.source_text.clone(),
                notice_date: input.dates.notice,
                date_precision: DatePrecision::Day,
                origin: TxOrigin::Notice,
                components,
                recallable_amount,
                reference,
                ..Default::default()
            })
        }
    }
}
