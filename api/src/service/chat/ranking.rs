//! Questions across funds ("Which fund has the highest IRR?"): every fund with data ranked by
//! the asked metric, each from the metrics service.
use serde_json::{Value, json};

use super::answer::{self, Grounded};
use super::intent::{MetricAsk, Op, Subject};
use super::retrieve::FundRow;
use super::{ChatService, NO_FUNDS};
use crate::error::Result;
use shared::db::transactions::{self, Kind};

/// "Which fund has the highest IRR?": every fund with data, ranked by the first asked metric.
pub async fn compare(state: &ChatService, subject: &Subject, all: &[FundRow]) -> Result<Grounded> {
    let with_data: Vec<&FundRow> = all.iter().filter(|f| f.has_data).collect();
    if with_data.is_empty() {
        return Ok(Grounded::say(NO_FUNDS));
    }
    let metric = subject.metrics[0];
    let mut ranked = Vec::new();
    for f in with_data.iter().take(crate::fund_ids::MAX_COMPARE * 5) {
        let snap = state
            .metrics
            .snapshot(f.id, answer::year_end(subject.year))
            .await?;
        let m = &snap.metrics;
        let value = match metric {
            MetricAsk::Dpi | MetricAsk::CapitalReturned => m.dpi,
            MetricAsk::Tvpi => m.tvpi,
            MetricAsk::Rvpi => m.rvpi,
            MetricAsk::Irr => m.irr,
            MetricAsk::Pic | MetricAsk::NetPic => Some(m.pic),
            MetricAsk::Nav => m.nav,
            MetricAsk::TotalCalled => Some(m.gross_contributions),
            MetricAsk::TotalDistributed | MetricAsk::RecallableShare => Some(m.total_distributions),
            MetricAsk::TotalAdjustments => Some(m.total_adjustments),
        };
        ranked.push((f, value, snap));
    }
    ranked.sort_by_key(|r| std::cmp::Reverse(r.1));
    let name = serde_json::to_value(metric)
        .ok()
        .and_then(|v| v.as_str().map(str::to_uppercase))
        .unwrap_or_default();
    let rows: Vec<Value> = ranked
        .iter()
        .map(|(f, v, s)| {
            json!({
                "fund": f.name, "fund_id": f.id, "as_of": s.metrics.as_of,
                name.to_lowercase(): v,
                "dpi": s.metrics.dpi.map(|d| shared::metrics::serde_fmt::round(d, 4)),
                "tvpi": s.metrics.tvpi.map(|d| shared::metrics::serde_fmt::round(d, 4)),
                "irr": s.metrics.irr.map(|d| shared::metrics::serde_fmt::round(d, 2)),
            })
        })
        .collect();
    let listed: Vec<String> = ranked
        .iter()
        .map(|(f, v, _)| match v {
            Some(v) => format!("{} {}", f.name, shared::metrics::serde_fmt::round(*v, 4)),
            None => format!("{} n/a", f.name),
        })
        .collect();
    let text = match ranked.iter().find(|r| r.1.is_some()) {
        Some((f, Some(v), _)) => format!(
            "{} has the highest {name} ({}). All funds by {name}: {}.",
            f.name,
            shared::metrics::serde_fmt::round(*v, 4),
            listed.join("; ")
        ),
        _ => format!("No fund has a computable {name} yet."),
    };
    Ok(Grounded {
        text,
        sources: Vec::new(),
        metrics: None,
        rows: Some(rows),
    })
}

/// "Which fund called the most capital in 2024?": every fund's total of that kind of cash flow.
pub async fn flows(state: &ChatService, subject: &Subject, kind: Kind) -> Result<Grounded> {
    let mut totals = transactions::totals_by_fund(&state.db, kind, subject.year).await?;
    let when = subject.year.map_or(String::new(), |y| format!(" in {y}"));
    if totals.is_empty() {
        return Ok(Grounded::say(format!(
            "No fund has {} recorded{when}.",
            kind.plural().replace('_', " ")
        )));
    }
    if subject.op == Some(Op::Smallest) {
        totals.reverse();
    }
    let top = &totals[0];
    let listed: Vec<String> = totals
        .iter()
        .map(|t| {
            format!(
                "{} {} ({} rows)",
                t.fund_name,
                answer::usd(t.total),
                t.count
            )
        })
        .collect();
    let rows = totals
        .iter()
        .map(|t| json!({"fund": t.fund_name, "fund_id": t.fund_id, "total": t.total.to_string(), "count": t.count}))
        .collect();
    let most = if subject.op == Some(Op::Smallest) {
        "least"
    } else {
        "most"
    };
    let verb = match kind {
        Kind::CapitalCall => "called",
        Kind::Distribution => "distributed",
        Kind::Adjustment => "adjusted",
    };
    Ok(Grounded {
        text: format!(
            "{} {verb} the {most}{when}: {}. All funds: {}.",
            top.fund_name,
            answer::usd(top.total),
            listed.join("; ")
        ),
        sources: Vec::new(),
        metrics: None,
        rows: Some(rows),
    })
}
