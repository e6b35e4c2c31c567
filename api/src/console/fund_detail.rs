//! Fund page: metric cards that explain themselves, reported-vs-computed discrepancies, the
//! J-curve and per-year charts, the fund's transactions with filters, and export links.
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::Datelike;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;
use shared::db::documents::ListFilter;
use shared::db::funds::Fund;
use shared::domain::DocumentStatus;
use shared::metrics::{
    Discrepancy, Flow, FundMetrics, Metric, MetricBreakdown, MetricsInput, breakdown,
};

use super::charts::{self, Event};
use super::format::{self, NONE};
use super::{PageResult, opt_id, parse_id, render};
use crate::state::AppState;

const TX_PAGE_SIZE: usize = 25;

/// The transaction types, as the transactions API and the CSV export name them.
pub const TX_TYPES: [(&str, &str); 3] = [
    ("capital_calls", "Capital calls"),
    ("distributions", "Distributions"),
    ("adjustments", "Adjustments"),
];

#[derive(Debug, Default, Deserialize)]
pub struct Params {
    #[serde(rename = "type")]
    tx_type: Option<String>,
    year: Option<String>,
    page: Option<String>,
}

struct DiscView {
    label: String,
    reported: String,
    computed: String,
    difference: String,
    cause: String,
    source: String,
}

struct Card {
    key: &'static str,
    label: &'static str,
    value: String,
    formula: String,
    calculation: Option<String>,
    explanation: String,
    inputs: Vec<(String, String)>,
    discrepancies: Vec<DiscView>,
}

struct TxRow {
    type_label: &'static str,
    date: String,
    kind: String,
    description: String,
    amount: String,
    recallable: bool,
    document_id: Option<i64>,
    page: Option<i32>,
}

struct DocLink {
    id: i64,
    file_name: String,
    status: DocumentStatus,
}

#[derive(Template)]
#[template(path = "fund_detail.html")]
struct FundPage {
    nav: &'static str,
    fund: Fund,
    facts: Vec<(&'static str, String)>,
    as_of: String,
    cards: Vec<Card>,
    discrepancies: Vec<DiscView>,
    notes: Vec<String>,
    j_curve: String,
    per_year: String,
    tx_rows: Vec<TxRow>,
    tx_total: usize,
    tx_types: [(&'static str, &'static str); 3],
    tx_type: String,
    years: Vec<i32>,
    year: Option<i32>,
    page: usize,
    pages: usize,
    filter_query: String,
    documents: Vec<DocLink>,
    position: Vec<super::position::PositionRow>,
    position_notes: Vec<String>,
}

fn label_of(key: &str) -> String {
    match key {
        "total_capital_called" => "Total capital called".into(),
        "gross_contributions" => "Gross contributions".into(),
        "total_distributions" => "Total distributions".into(),
        "recallable_distributions" => "Recallable distributions".into(),
        "total_adjustments" => "Total adjustments".into(),
        "pic" => "Paid-in capital".into(),
        "net_pic" => "Net paid-in capital".into(),
        "nav" => "NAV".into(),
        "irr" | "irr_pct" => "IRR".into(),
        other => other.to_uppercase(),
    }
}

/// Which card a stated figure belongs to, so a discrepancy shows where the number is.
fn card_of(key: &str) -> &'static str {
    match key {
        "dpi" => "dpi",
        "tvpi" => "tvpi",
        "rvpi" => "rvpi",
        "irr" | "irr_pct" => "irr",
        "nav" => "nav",
        "total_distributions" | "recallable_distributions" => "distributions",
        _ => "pic",
    }
}

fn disc_view(d: &Discrepancy) -> DiscView {
    let source = match (d.document_id, d.page) {
        (Some(doc), Some(p)) => format!("document {doc}, page {p}"),
        (Some(doc), None) => format!("document {doc}"),
        _ => String::new(),
    };
    DiscView {
        label: label_of(&d.key),
        reported: format::figure(&d.key, d.reported),
        computed: d
            .computed
            .map(|v| format::figure(&d.key, v))
            .unwrap_or_else(|| "cannot be computed".into()),
        difference: d
            .difference
            .map(|v| format::figure(&d.key, v))
            .unwrap_or_else(|| NONE.into()),
        cause: d
            .likely_cause
            .clone()
            .unwrap_or_else(|| "No likely cause was identified.".into()),
        source,
    }
}

fn from_breakdown(
    key: &'static str,
    label: &'static str,
    value: String,
    b: Option<&MetricBreakdown>,
) -> Card {
    let inputs = b
        .map(|b| {
            b.inputs
                .iter()
                .map(|i| {
                    let value = if i.name == "nav" {
                        format::money_opt(i.value)
                    } else {
                        i.value.map(format::money).unwrap_or_else(|| NONE.into())
                    };
                    let rows = match i.transactions.len() {
                        0 => String::new(),
                        1 => " (1 row)".into(),
                        n => format!(" ({n} rows)"),
                    };
                    (label_of(i.name), format!("{value}{rows}"))
                })
                .collect()
        })
        .unwrap_or_default();
    Card {
        key,
        label,
        value,
        formula: b.map(|b| b.formula.to_string()).unwrap_or_default(),
        calculation: b.and_then(|b| b.calculation.clone()),
        explanation: b.map(|b| b.explanation.clone()).unwrap_or_default(),
        inputs,
        discrepancies: Vec::new(),
    }
}

fn cards(input: &MetricsInput, m: &FundMetrics) -> Vec<Card> {
    let b = breakdown(input, &Metric::ALL, None);
    let find = |metric: Metric| b.metrics.iter().find(|x| x.metric == metric);
    let as_of = m
        .as_of
        .map(|d| d.to_string())
        .unwrap_or_else(|| "the latest date".into());
    let n_dist = input
        .distributions
        .iter()
        .filter(|f| m.as_of.is_none_or(|d| f.date <= d))
        .count();
    vec![
        from_breakdown(
            "pic",
            "Paid-in capital",
            format::money(m.pic),
            find(Metric::Pic),
        ),
        Card {
            key: "distributions",
            label: "Distributions",
            value: format::money(m.total_distributions),
            formula: "Σ distributions".into(),
            calculation: None,
            explanation: format!(
                "{} up to {as_of}, of which {} recallable.",
                format::count(n_dist as i64, "distribution", "distributions"),
                format::money(m.recallable_distributions)
            ),
            inputs: vec![(
                "Recallable distributions".into(),
                format::money(m.recallable_distributions),
            )],
            discrepancies: Vec::new(),
        },
        Card {
            key: "nav",
            label: "NAV",
            value: format::money_opt(m.nav),
            formula: "Latest NAV reported on or before the as-of date".into(),
            calculation: None,
            explanation: match m.nav_date {
                Some(d) => format!("Reported for {d}."),
                None => "No NAV has been reported for this fund yet.".into(),
            },
            inputs: Vec::new(),
            discrepancies: Vec::new(),
        },
        from_breakdown("dpi", "DPI", format::multiple(m.dpi), find(Metric::Dpi)),
        from_breakdown("tvpi", "TVPI", format::multiple(m.tvpi), find(Metric::Tvpi)),
        from_breakdown("rvpi", "RVPI", format::multiple(m.rvpi), find(Metric::Rvpi)),
        from_breakdown(
            "irr",
            // Without a NAV the engine can only give the realized IRR, which reads very
            // differently from a reported net IRR; say so where the number is.
            if m.nav.is_none() && m.irr.is_some() {
                "IRR (realized)"
            } else {
                "IRR"
            },
            format::percent(m.irr),
            find(Metric::Irr),
        ),
    ]
}

fn f64_of(v: Decimal) -> f64 {
    v.to_f64().unwrap_or(0.0)
}

fn events(input: &MetricsInput) -> Vec<Event> {
    let ev = |f: &Flow, c: f64, d: f64| Event {
        date: f.date,
        contributed: c,
        distributed: d,
    };
    // Adjustments are printed from the LP's side (a refund is positive), so they reduce paid-in,
    // the same convention as PIC in the metrics engine.
    input
        .calls
        .iter()
        .map(|f| ev(f, f64_of(f.amount), 0.0))
        .chain(
            input
                .adjustments
                .iter()
                .map(|f| ev(f, -f64_of(f.amount), 0.0)),
        )
        .chain(
            input
                .distributions
                .iter()
                .map(|f| ev(f, 0.0, f64_of(f.amount))),
        )
        .collect()
}

fn tx_rows(input: &MetricsInput) -> Vec<(&'static str, &Flow)> {
    let mut all: Vec<(&'static str, &Flow)> = input
        .calls
        .iter()
        .map(|f| ("capital_calls", f))
        .chain(input.distributions.iter().map(|f| ("distributions", f)))
        .chain(input.adjustments.iter().map(|f| ("adjustments", f)))
        .collect();
    all.sort_by_key(|(t, f)| (f.date, *t, f.id));
    all
}

pub async fn page(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Query(p): Query<Params>,
) -> PageResult {
    let id = parse_id(&raw, "fund")?;
    // The same service, cache and snapshot as `GET /api/funds/{id}/metrics`.
    let (fund, snap) = state.funds.with_metrics(id, None).await?;
    let (input, m, rec) = (&snap.input, &snap.metrics, &snap.reconciliation);
    let (position, position_notes) =
        super::position::view(&state.positions.of_fund(id, None).await?);

    let mut cards = cards(input, m);
    let discrepancies: Vec<DiscView> = rec.discrepancies.iter().map(disc_view).collect();
    for d in &rec.discrepancies {
        if let Some(card) = cards.iter_mut().find(|c| c.key == card_of(&d.key)) {
            card.discrepancies.push(disc_view(d));
        }
    }
    let mut notes = m.notes.clone();
    notes.extend(rec.notes.iter().cloned());

    let events = events(input);
    let all = tx_rows(input);
    let mut years: Vec<i32> = all.iter().map(|(_, f)| f.date.year()).collect();
    years.sort_unstable();
    years.dedup();
    let tx_type = p
        .tx_type
        .filter(|t| TX_TYPES.iter().any(|(k, _)| k == t))
        .unwrap_or_default();
    let year = p
        .year
        .and_then(|y| y.trim().parse::<i32>().ok())
        .filter(|y| years.contains(y));
    let filtered: Vec<_> = all
        .into_iter()
        .filter(|(t, f)| {
            (tx_type.is_empty() || *t == tx_type) && year.is_none_or(|y| f.date.year() == y)
        })
        .collect();
    let tx_total = filtered.len();
    let pages = tx_total.div_ceil(TX_PAGE_SIZE);
    let page = (opt_id(p.page.as_deref()).unwrap_or(1) as usize).clamp(1, pages.max(1));
    let tx_rows = filtered
        .into_iter()
        .skip((page - 1) * TX_PAGE_SIZE)
        .take(TX_PAGE_SIZE)
        .map(|(t, f)| TxRow {
            type_label: TX_TYPES
                .iter()
                .find(|(k, _)| *k == t)
                .map(|(_, l)| *l)
                .unwrap_or(""),
            date: f.date.to_string(),
            kind: f.flow_type.clone().unwrap_or_default(),
            description: f.description.clone().unwrap_or_default(),
            amount: format::money(f.amount),
            recallable: f.is_recallable,
            document_id: f.document_id,
            page: f.page,
        })
        .collect();
    let mut filter_query = String::new();
    if !tx_type.is_empty() {
        filter_query.push_str(&format!("type={tx_type}&"));
    }
    if let Some(y) = year {
        filter_query.push_str(&format!("year={y}&"));
    }

    let (docs, _) = state
        .documents
        .list(&ListFilter {
            fund_id: Some(id),
            status: None,
            limit: 100,
            offset: 0,
        })
        .await?;
    let mut facts = Vec::new();
    if let Some(gp) = &fund.gp_name {
        facts.push(("General partner", gp.clone()));
    }
    if let Some(v) = fund.vintage_year {
        facts.push(("Vintage", v.to_string()));
    }
    if let Some(t) = &fund.fund_type {
        facts.push(("Type", t.clone()));
    }
    if let Some(s) = fund.fund_size {
        let currency = fund.currency.clone().unwrap_or_default();
        facts.push(("Fund size", format!("{} {currency}", format::money(s))));
    }

    Ok(render(
        StatusCode::OK,
        &FundPage {
            nav: "funds",
            as_of: m
                .as_of
                .map(|d| d.to_string())
                .unwrap_or_else(|| NONE.into()),
            facts,
            cards,
            discrepancies,
            notes,
            j_curve: charts::j_curve(&events),
            per_year: charts::per_year(&events),
            tx_rows,
            tx_total,
            tx_types: TX_TYPES,
            tx_type,
            years,
            year,
            page,
            pages,
            filter_query,
            documents: docs
                .into_iter()
                .map(|d| DocLink {
                    id: d.id,
                    file_name: d.file_name,
                    status: d.status,
                })
                .collect(),
            fund,
            position,
            position_notes,
        },
    ))
}
