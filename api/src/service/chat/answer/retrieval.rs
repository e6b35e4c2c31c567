//! Retrieval answers: transaction rows as a table with a sentence that counts, totals or picks them.
use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use shared::db::transactions::{Kind, Transaction};

use super::{Grounded, Source, cites, usd};
use crate::service::chat::intent::{Op, Subject};
use shared::metrics::serde_fmt::round;

fn kind_words(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::CapitalCall => ("capital call", "capital calls"),
        Kind::Distribution => ("distribution", "distributions"),
        Kind::Adjustment => ("adjustment", "adjustments"),
    }
}

fn row_json(t: &Transaction) -> Value {
    json!({
        "date": t.date,
        "type": t.flow_type,
        "amount": t.amount,
        "description": t.description,
        "recallable": t.is_recallable,
        "document": t.document,
        "page": t.page,
    })
}

fn brief(t: &Transaction) -> String {
    let what = [t.flow_type.as_deref(), t.description.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    if what.is_empty() {
        format!("{} on {}", usd(t.amount), t.date)
    } else {
        format!("{} on {} ({what})", usd(t.amount), t.date)
    }
}

/// A retrieval answer over rows already filtered by fund, kind and year.
pub fn retrieval(
    fund: &str,
    subject: &Subject,
    kind: Kind,
    rows: &[Transaction],
    sources: Vec<Source>,
) -> Grounded {
    let (one, many) = kind_words(kind);
    let many = if subject.recallable_only {
        format!("recallable {many}")
    } else {
        many.to_string()
    };
    let when = subject.year.map(|y| format!(" in {y}")).unwrap_or_default();
    let c = cites(sources.len());
    if rows.is_empty() {
        return Grounded::say(format!("{fund} has no {many} recorded{when}."));
    }
    let total: Decimal = rows.iter().map(|t| t.amount).sum();
    let pick = |t: &Transaction, label: &str| Grounded {
        text: format!(
            "The {label} {one}{when} was {} {c}. It is one of {} {many}{when} totalling {}.",
            brief(t),
            rows.len(),
            usd(total)
        ),
        sources: sources.clone(),
        metrics: None,
        rows: Some(vec![row_json(t)]),
    };
    let by_amount = |t: &&Transaction| t.amount;
    match subject.op.unwrap_or(Op::List) {
        Op::Largest => pick(
            rows.iter().max_by_key(by_amount).unwrap_or(&rows[0]),
            "largest",
        ),
        Op::Smallest => pick(
            rows.iter().min_by_key(by_amount).unwrap_or(&rows[0]),
            "smallest",
        ),
        // Rows are in date order; among same-day rows the last read is the latest.
        Op::Latest => pick(&rows[rows.len() - 1], "most recent"),
        Op::Earliest => pick(&rows[0], "first"),
        Op::ByYear => by_year(fund, &many, rows, sources),
        op => {
            let lead = match op {
                Op::Count => format!(
                    "{fund} has {} {many}{when}, totalling {}",
                    rows.len(),
                    usd(total)
                ),
                _ => format!("{} {many}{when}, totalling {}", rows.len(), usd(total)),
            };
            let shown: Vec<String> = rows.iter().take(12).map(brief).collect();
            let more = if rows.len() > shown.len() {
                format!("; and {} more (see the table)", rows.len() - shown.len())
            } else {
                String::new()
            };
            Grounded {
                text: format!("{lead} {c}: {}{more}.", shown.join("; ")),
                sources,
                metrics: None,
                rows: Some(rows.iter().map(row_json).collect()),
            }
        }
    }
}

/// Per-year totals and how they changed: the answer to "the trend over time".
fn by_year(fund: &str, many: &str, rows: &[Transaction], sources: Vec<Source>) -> Grounded {
    let mut years: BTreeMap<i32, (usize, Decimal)> = BTreeMap::new();
    for t in rows {
        let e = years.entry(t.date.year()).or_default();
        e.0 += 1;
        e.1 += t.amount;
    }
    let mut table = Vec::new();
    let mut parts = Vec::new();
    let mut prev: Option<Decimal> = None;
    for (year, (count, total)) in &years {
        let change = prev
            .filter(|p| !p.is_zero())
            .map(|p| round((*total - p) / p * Decimal::ONE_HUNDRED, 1));
        table.push(json!({ "year": year, "count": count, "total": total, "change_pct": change }));
        parts.push(format!("{year}: {} ({count})", usd(*total)));
        prev = Some(*total);
    }
    let (first, last) = (years.iter().next(), years.iter().next_back());
    let trend = match (first, last) {
        (Some((fy, (_, ft))), Some((ly, (_, lt)))) if fy != ly => {
            let dir = if lt > ft {
                "rose"
            } else if lt < ft {
                "fell"
            } else {
                "held steady"
            };
            let peak = years
                .iter()
                .max_by_key(|(_, (_, t))| *t)
                .map(|(y, (_, t))| format!(" The peak year was {y} with {}.", usd(*t)))
                .unwrap_or_default();
            format!(
                " Yearly {many} {dir} from {} in {fy} to {} in {ly}.{peak}",
                usd(*ft),
                usd(*lt)
            )
        }
        _ => " All of them fall in one year.".into(),
    };
    let total: Decimal = rows.iter().map(|t| t.amount).sum();
    Grounded {
        text: format!(
            "{fund}'s {many} per year: {} — {} in all over {} {many}.{trend} {}",
            parts.join("; "),
            usd(total),
            rows.len(),
            cites(sources.len())
        ),
        sources,
        metrics: None,
        rows: Some(table),
    }
}

/// As-of date for a calculation that names a year: that year's last day.
pub fn year_end(year: Option<i32>) -> Option<NaiveDate> {
    year.and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31))
}
