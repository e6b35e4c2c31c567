//! "What is our unfunded commitment?": the LP's position in one fund or summed across funds,
//! each figure stated (with its label and page) or derived (with its formula).
use rust_decimal::Decimal;
use serde_json::{Value, json};
use shared::db::statements;
use shared::metrics::position::{self, POSITION_KEYS, Position, PositionSource};
use sqlx::PgPool;

use super::{Ask, cite, long_date};
use crate::error::Result;
use crate::service::chat::answer::{Grounded, Source, usd};
use crate::service::chat::retrieve::FundRow;

fn label(key: &str) -> &'static str {
    match key {
        "commitment" => "Commitment",
        "contributed_to_date" => "Contributed to date",
        "distributed_to_date" => "Distributed to date",
        "unfunded_commitment" => "Unfunded commitment",
        "recallable_to_date" => "Recallable distributions to date",
        "nav" => "NAV (capital account balance)",
        _ => "Figure",
    }
}

fn value(p: &Position, key: &str) -> Option<Decimal> {
    match key {
        "commitment" => p.commitment,
        "contributed_to_date" => p.contributed_to_date,
        "distributed_to_date" => p.distributed_to_date,
        "unfunded_commitment" => p.unfunded_commitment,
        "recallable_to_date" => p.recallable_to_date,
        "nav" => p.nav,
        _ => None,
    }
}

pub async fn of_fund(db: &PgPool, fund_id: i64) -> Result<Position> {
    let (facts, flows) = statements::position_inputs(db, fund_id, None).await?;
    Ok(position::position(&facts, &flows))
}

fn source_of(s: &PositionSource) -> Option<Source> {
    Some(Source {
        document_id: s.document_id?,
        file_name: s.file_name.clone()?,
        page: s.page?,
        heading: s.label.clone(),
        content: format!("{}: {}", s.label.as_deref().unwrap_or(&s.key), usd(s.value)),
        score: None,
    })
}

/// One line per key: the value, then where it is printed or how it is derived.
fn lines(p: &Position, keys: &[&str], sources: &mut Vec<Source>) -> Vec<String> {
    let mut out = Vec::new();
    for key in keys {
        let Some(v) = value(p, key) else {
            out.push(format!(
                "{}: not stated in any processed document, and not derivable from them.",
                label(key)
            ));
            continue;
        };
        let how = match p.sources.iter().find(|s| s.key == *key) {
            Some(s) if !s.derived => {
                let n = source_of(s).map(|src| cite(sources, src));
                let at = s
                    .as_of
                    .map(|d| format!(" as of {}", long_date(d)))
                    .unwrap_or_default();
                format!(
                    "stated as “{}”{}{}{at}{}",
                    s.label.as_deref().unwrap_or(key),
                    s.column
                        .as_deref()
                        .map(|c| format!(" ({c})"))
                        .unwrap_or_default(),
                    s.file_name
                        .as_deref()
                        .map(|f| format!(" in {f}"))
                        .unwrap_or_default(),
                    n.map(|n| format!(" [{n}]")).unwrap_or_default()
                )
            }
            Some(s) => {
                // A derived figure cites the stated figures it is computed from.
                let mut cited = String::new();
                for input in p.sources.iter().filter(|x| !x.derived) {
                    if let Some(n) = source_of(input).map(|src| cite(sources, src)) {
                        let tag = format!("[{n}]");
                        if !cited.contains(&tag) {
                            cited.push_str(&tag);
                        }
                    }
                }
                format!(
                    "derived: {} {cited}",
                    s.formula
                        .as_deref()
                        .unwrap_or("from the stored transactions")
                )
            }
            None => String::new(),
        };
        out.push(
            format!("{}: {} — {how}", label(key), usd(v))
                .trim_end()
                .to_string(),
        );
    }
    out
}

fn keys_of(asked: &[String]) -> Vec<&str> {
    if asked.is_empty() {
        POSITION_KEYS.to_vec()
    } else {
        asked.iter().map(String::as_str).collect()
    }
}

pub async fn answer(a: &Ask<'_>, asked: &[String]) -> Result<Option<(Grounded, Option<i64>)>> {
    let keys = keys_of(asked);
    if a.subject.across_funds && !a.named {
        return Ok(Some((across(a, &keys).await?, None)));
    }
    let fund = match a.fund_or_ask() {
        Ok(f) => f,
        Err(g) => return Ok(Some((g, None))),
    };
    let p = of_fund(&a.chat.db, fund.id).await?;
    let mut sources = Vec::new();
    let body = lines(&p, &keys, &mut sources);
    let mut text = format!(
        "Your position in {}{}:\n- {}",
        fund.name,
        p.as_of
            .map(|d| format!(" (latest document dated {})", long_date(d)))
            .unwrap_or_default(),
        body.join("\n- ")
    );
    for d in p
        .discrepancies
        .iter()
        .filter(|d| keys.contains(&d.key.as_str()))
    {
        text.push_str(&format!(
            "\nNote: {} stated {} but {} is computed ({}).",
            label(&d.key),
            usd(d.reported),
            usd(d.computed),
            d.explanation
        ));
    }
    let rows: Vec<Value> = p
        .sources
        .iter()
        .filter(|s| keys.contains(&s.key.as_str()))
        .map(|s| serde_json::to_value(s).unwrap_or(Value::Null))
        .collect();
    Ok(Some((
        Grounded {
            text,
            sources,
            metrics: serde_json::to_value(&p).ok(),
            rows: Some(rows),
        },
        Some(fund.id),
    )))
}

/// "Total unfunded across all funds": the figure for every fund that has it, and the sum.
async fn across(a: &Ask<'_>, keys: &[&str]) -> Result<Grounded> {
    let key = keys.first().copied().unwrap_or("unfunded_commitment");
    let mut total = Decimal::ZERO;
    let mut listed = Vec::new();
    let mut rows = Vec::new();
    let mut sources = Vec::new();
    let mut missing = Vec::new();
    for f in a.all.iter().filter(|f| f.has_data) {
        let p = of_fund(&a.chat.db, f.id).await?;
        let Some(v) = value(&p, key) else {
            missing.push(f.name.clone());
            continue;
        };
        total += v;
        let n = p
            .sources
            .iter()
            .find(|s| s.key == key && !s.derived)
            .and_then(source_of)
            .map(|s| cite(&mut sources, s));
        listed.push(format!(
            "{}: {}{}",
            f.name,
            usd(v),
            n.map(|n| format!(" [{n}]")).unwrap_or_default()
        ));
        rows.push(json!({"fund": f.name, "fund_id": f.id, key: v.to_string(), "as_of": p.as_of}));
    }
    if listed.is_empty() {
        return Ok(Grounded::say(format!(
            "No fund's documents state or imply its {}.",
            label(key).to_lowercase()
        )));
    }
    let mut text = format!(
        "{} across {} funds: {}.\n- {}",
        label(key),
        listed.len(),
        usd(total),
        listed.join("\n- ")
    );
    if !missing.is_empty() {
        text.push_str(&format!(
            "\nNot included (nothing stated or derivable): {}.",
            missing.join(", ")
        ));
    }
    Ok(Grounded {
        text,
        sources,
        metrics: None,
        rows: Some(rows),
    })
}

/// For a metric answer (paid-in, distributed, NAV) about a fund whose notices or statements
/// state the LP's balance: that stated figure with its source, said to agree or to differ with
/// the transactions' sum (a fund known only from notices has few stored cash flows).
pub async fn stated_alongside(
    db: &PgPool,
    fund: &FundRow,
    keys: &[&str],
    computed: &[(&str, Option<Decimal>)],
) -> Result<Option<Grounded>> {
    let p = of_fund(db, fund.id).await?;
    let mut sources = Vec::new();
    let mut differing = Vec::new();
    let mut agreeing = Vec::new();
    for key in keys {
        let Some(s) = p.sources.iter().find(|s| s.key == *key && !s.derived) else {
            continue;
        };
        let Some(src) = source_of(s) else { continue };
        let agrees = computed
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| *v)
            .is_some_and(|v| (v - s.value).abs() <= Decimal::ONE);
        let n = cite(&mut sources, src);
        let line = format!(
            "{} stated in {}: {}{} [{n}].",
            label(key),
            s.file_name.as_deref().unwrap_or("a document"),
            usd(s.value),
            s.as_of
                .map(|d| format!(" as of {}", long_date(d)))
                .unwrap_or_default()
        );
        if agrees {
            agreeing.push(line)
        } else {
            differing.push(line)
        }
    }
    let mut parts = Vec::new();
    if !differing.is_empty() {
        parts.push(format!(
            "The fund's notices and statements state the LP's balance directly (the figures above count only the cash flows stored):\n- {}",
            differing.join("\n- ")
        ));
    }
    if !agreeing.is_empty() {
        parts.push(format!(
            "The fund's documents state the same:\n- {}",
            agreeing.join("\n- ")
        ));
    }
    if parts.is_empty() {
        return Ok(None);
    }
    Ok(Some(Grounded {
        text: parts.join("\n"),
        sources,
        metrics: None,
        rows: None,
    }))
}
