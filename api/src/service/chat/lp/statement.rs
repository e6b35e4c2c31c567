//! Capital account questions: a row (management fees, expenses, gains, carry, balances) for a
//! period, whether the statement rolls forward, and whether the documents agree with each other.
use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::json;
use shared::db::fund_facts::{self, StatedRow};
use shared::domain::ComponentKind;

use super::{Ask, cite, fact_source, long_date};
use crate::error::Result;
use crate::service::chat::answer::{Grounded, usd};

/// The movements between the opening and the closing balance of a capital account.
const MOVEMENTS: [&str; 7] = [
    "contributions_period",
    "distributions_period",
    "management_fees_period",
    "expenses_period",
    "realized_gain_period",
    "unrealized_gain_period",
    "carried_interest_period",
];

fn row_label(key: &str) -> &'static str {
    match key {
        "beginning_nav" => "Opening capital balance",
        "nav" => "Closing capital balance (NAV)",
        "contributions_period" => "Contributions",
        "distributions_period" => "Distributions",
        "management_fees_period" => "Management fees",
        "expenses_period" => "Fund expenses",
        "realized_gain_period" => "Realized gain/(loss)",
        "unrealized_gain_period" => "Unrealized gain/(loss)",
        "carried_interest_period" => "Carried interest allocation",
        _ => "Figure",
    }
}

fn period_name(p: Option<&str>) -> &'static str {
    match p {
        Some("qtd") => "quarter to date",
        Some("ytd") => "year to date",
        Some("itd") => "inception to date",
        _ => "as of the statement date",
    }
}

/// The column a figure sits in: its printed header, else its period.
fn column(f: &StatedRow) -> String {
    f.column_name
        .clone()
        .unwrap_or_else(|| period_name(f.period.as_deref()).to_string())
}

/// Rows of the latest document with a row that `counts`.
fn latest_document(facts: Vec<StatedRow>, counts: impl Fn(&StatedRow) -> bool) -> Vec<StatedRow> {
    let Some(doc) = facts
        .iter()
        .filter(|f| counts(f))
        .max_by_key(|f| (f.as_of, f.document_id))
        .map(|f| f.document_id)
    else {
        return Vec::new();
    };
    facts.into_iter().filter(|f| f.document_id == doc).collect()
}

pub async fn rows(
    a: &Ask<'_>,
    keys: &[String],
    period: Option<&str>,
) -> Result<Option<(Grounded, Option<i64>)>> {
    let fund = match a.fund_or_ask() {
        Ok(f) => f,
        Err(g) => return Ok(Some((g, None))),
    };
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let facts = latest_document(
        fund_facts::of_fund(&a.chat.db, fund.id, &key_refs).await?,
        |_| true,
    );
    if facts.is_empty() {
        return fee_from_notice(a, keys).await;
    }
    let mut sources = Vec::new();
    let mut lines = Vec::new();
    for key in keys {
        let all: Vec<&StatedRow> = facts.iter().filter(|f| &f.key == key).collect();
        let picked: Vec<&StatedRow> = match period {
            Some(p) if all.iter().any(|f| f.period.as_deref() == Some(p)) => all
                .iter()
                .copied()
                .filter(|f| f.period.as_deref() == Some(p))
                .collect(),
            _ => all,
        };
        if picked.is_empty() {
            continue;
        }
        let cells: Vec<String> = picked
            .iter()
            .filter_map(|f| {
                let v = f.value_number?;
                let n = cite(&mut sources, fact_source(f));
                Some(format!("{} {} [{n}]", column(f), usd(v)))
            })
            .collect();
        lines.push(format!(
            "{} (“{}”): {}",
            row_label(key),
            picked[0].label,
            cells.join("; ")
        ));
    }
    if lines.is_empty() {
        return fee_from_notice(a, keys).await;
    }
    let head = &facts[0];
    let text = format!(
        "{} — {}{}:\n- {}",
        fund.name,
        head.file_name,
        head.as_of
            .map(|d| format!(", as of {}", long_date(d)))
            .unwrap_or_default(),
        lines.join("\n- ")
    );
    let rows = facts
        .iter()
        .map(|f| {
            json!({"key": f.key, "label": f.label, "column": f.column_name, "period": f.period,
                   "value": f.value_number.map(|v| v.to_string()), "page": f.page})
        })
        .collect();
    Ok(Some((
        Grounded {
            text,
            sources,
            metrics: None,
            rows: Some(rows),
        },
        Some(fund.id),
    )))
}

/// "What was the management fee this quarter?" for a fund with notices but no statement: the
/// fee lines of its latest call.
async fn fee_from_notice(a: &Ask<'_>, keys: &[String]) -> Result<Option<(Grounded, Option<i64>)>> {
    let parts: Vec<ComponentKind> = keys
        .iter()
        .filter_map(|k| match k.as_str() {
            "management_fees_period" => Some(ComponentKind::ManagementFee),
            "expenses_period" => Some(ComponentKind::Expenses),
            "carried_interest_period" => Some(ComponentKind::CarriedInterest),
            "realized_gain_period" => Some(ComponentKind::RealizedGain),
            _ => None,
        })
        .collect();
    if parts.is_empty() {
        return Ok(None);
    }
    let q = super::notices::NoticeQuestion {
        kind: None,
        number: None,
        parts: &parts,
        breakdown: false,
        recallable: false,
    };
    super::notices::answer(a, &q).await
}

/// One column's roll-forward: opening + movements against the closing balance.
struct Roll {
    column: String,
    opening: Decimal,
    movements: Decimal,
    closing: Decimal,
    /// Distributions printed as positive amounts are subtracted.
    distributions_positive: bool,
    /// Rows printed between the opening and the closing balance that have no known meaning
    /// ("Pro rata allocation"), counted only when the known movements alone do not roll.
    unlabelled: Vec<(String, Decimal)>,
}

impl Roll {
    fn computed(&self) -> Decimal {
        self.opening + self.movements
    }
    fn holds(&self) -> bool {
        (self.computed() - self.closing).abs() <= Decimal::ONE
    }
}

/// The rows of one column printed strictly between its opening and its closing balance.
fn between<'a>(rows: &[&'a StatedRow]) -> Vec<&'a StatedRow> {
    let open = rows.iter().position(|f| f.key == "beginning_nav");
    let close = rows.iter().rposition(|f| f.key == "nav");
    match (open, close) {
        (Some(o), Some(c)) if o < c => rows[o + 1..c].to_vec(),
        _ => Vec::new(),
    }
}

/// The movement sum, trying distributions as negative amounts first, then as positive amounts
/// printed under a "less" heading.
fn signed(
    column: &str,
    opening: Decimal,
    closing: Decimal,
    dist: Decimal,
    others: Decimal,
) -> Roll {
    let roll = Roll {
        column: column.to_string(),
        opening,
        movements: others + dist,
        closing,
        distributions_positive: false,
        unlabelled: Vec::new(),
    };
    if !roll.holds() && dist > Decimal::ZERO {
        Roll {
            movements: others - dist,
            distributions_positive: true,
            ..roll
        }
    } else {
        roll
    }
}

fn rolls(facts: &[StatedRow]) -> Vec<(Roll, Vec<&StatedRow>)> {
    let mut by_column: BTreeMap<String, Vec<&StatedRow>> = BTreeMap::new();
    for f in facts {
        by_column.entry(column(f)).or_default().push(f);
    }
    let mut out = Vec::new();
    for (col, rows) in by_column {
        let get = |k: &str| {
            rows.iter()
                .find(|f| f.key == k)
                .and_then(|f| f.value_number)
        };
        let (Some(opening), Some(closing)) = (get("beginning_nav"), get("nav")) else {
            continue;
        };
        let dist = get("distributions_period").unwrap_or_default();
        let others: Decimal = MOVEMENTS
            .iter()
            .filter(|k| **k != "distributions_period")
            .filter_map(|k| get(k))
            .sum();
        let mut roll = signed(&col, opening, closing, dist, others);
        let unlabelled: Vec<(String, Decimal)> = between(&rows)
            .into_iter()
            .filter(|f| f.key == "other" && f.period.as_deref() != Some("as_of"))
            .filter_map(|f| Some((f.label.clone(), f.value_number?)))
            .collect();
        if !roll.holds() && !unlabelled.is_empty() {
            let extra: Decimal = unlabelled.iter().map(|(_, v)| *v).sum();
            let with = signed(&col, opening, closing, dist, others + extra);
            if with.holds() {
                roll = Roll { unlabelled, ..with };
            }
        }
        let rows = rows.into_iter().filter(|f| f.key != "other").collect();
        out.push((roll, rows));
    }
    out
}

/// "(including Pro rata allocation $5,387,632, a row of no known kind)".
fn unlabelled_note(rows: &[(String, Decimal)]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let listed: Vec<String> = rows
        .iter()
        .map(|(l, v)| format!("{l} {}", usd(*v)))
        .collect();
    format!(
        " (including {}, printed between the balances with no known kind)",
        listed.join(", ")
    )
}

pub async fn roll_forward(a: &Ask<'_>) -> Result<Option<(Grounded, Option<i64>)>> {
    let fund = match a.fund_or_ask() {
        Ok(f) => f,
        Err(g) => return Ok(Some((g, None))),
    };
    let mut keys = vec!["beginning_nav", "nav", "other"];
    keys.extend(MOVEMENTS);
    // The latest document with an opening balance: a later notice's unlabelled rows are no
    // statement.
    let facts = latest_document(
        fund_facts::of_fund(&a.chat.db, fund.id, &keys).await?,
        |f| f.key == "beginning_nav",
    );
    let rolls = rolls(&facts);
    if rolls.is_empty() {
        return Ok(Some((
            Grounded::say(format!(
                "No processed capital account statement of {} states both an opening and a closing balance, so there is no roll-forward to check.",
                fund.name
            )),
            Some(fund.id),
        )));
    }
    let mut sources = Vec::new();
    let mut lines = Vec::new();
    for (r, rows) in &rolls {
        let n = rows
            .first()
            .map(|f| cite(&mut sources, fact_source(f)))
            .unwrap_or(1);
        lines.push(format!(
            "{}: opening {} + movements {}{}{} = {} against the stated closing {} — {} [{n}]",
            r.column,
            usd(r.opening),
            usd(r.movements),
            if r.distributions_positive {
                " (distributions printed as positive amounts, subtracted)"
            } else {
                ""
            },
            unlabelled_note(&r.unlabelled),
            usd(r.computed()),
            usd(r.closing),
            if r.holds() {
                "agrees".to_string()
            } else {
                format!("off by {}", usd(r.computed() - r.closing))
            }
        ));
    }
    let ok = rolls.iter().all(|(r, _)| r.holds());
    let file = &facts[0].file_name;
    let text = format!(
        "{} — the capital account in {file} {}:\n- {}",
        if ok { "Yes" } else { "No" },
        if ok {
            "rolls forward in every column"
        } else {
            "does not roll forward in every column"
        },
        lines.join("\n- ")
    );
    Ok(Some((
        Grounded {
            text,
            sources,
            metrics: None,
            rows: None,
        },
        Some(fund.id),
    )))
}

/// "Does the statement agree with the notices?": the roll-forward, the position's
/// reconciliation (stated against derived and against the transactions) and the metrics'.
pub async fn reconcile(a: &Ask<'_>) -> Result<Option<(Grounded, Option<i64>)>> {
    let fund = match a.fund_or_ask() {
        Ok(f) => f,
        Err(g) => return Ok(Some((g, None))),
    };
    let position = super::position::of_fund(&a.chat.db, fund.id).await?;
    let snap = a.chat.metrics.snapshot(fund.id, None).await?;
    let mut issues: Vec<String> = position
        .discrepancies
        .iter()
        .map(|d| {
            format!(
                "{}: stated {}, computed {} ({})",
                d.key,
                usd(d.reported),
                usd(d.computed),
                d.explanation
            )
        })
        .collect();
    issues.extend(snap.reconciliation.discrepancies.iter().map(|d| {
        format!(
            "{}: reported {}, computed {}{}",
            d.key,
            d.reported,
            d.computed.map_or("n/a".to_string(), |c| c.to_string()),
            d.likely_cause
                .as_deref()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default()
        )
    }));
    let roll = roll_forward(a).await?;
    let mut g = Grounded::say(if issues.is_empty() {
        format!(
            "Yes — the figures stated for {} agree with each other and with the stored cash flows (within $1 of rounding).",
            fund.name
        )
    } else {
        format!(
            "No — {} disagreement(s) for {}:\n- {}",
            issues.len(),
            fund.name,
            issues.join("\n- ")
        )
    });
    g.sources = position
        .sources
        .iter()
        .filter(|s| !s.derived)
        .filter_map(|s| {
            Some(crate::service::chat::answer::Source {
                document_id: s.document_id?,
                file_name: s.file_name.clone()?,
                page: s.page?,
                heading: s.label.clone(),
                content: format!("{}: {}", s.label.as_deref().unwrap_or(&s.key), usd(s.value)),
                score: None,
            })
        })
        .take(6)
        .collect();
    if let Some((r, _)) = roll
        && !r.sources.is_empty()
    {
        g = g.join(r);
    }
    Ok(Some((g, Some(fund.id))))
}
