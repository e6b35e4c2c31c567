//! Per-metric explanations: formula, inputs with the transactions behind them, IRR cash flows.
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::compute::{Computation, FlowKind, IrrCashFlow, run};
use super::input::{Flow, MetricsInput, NavPoint};
use super::serde_fmt::{AMOUNT_DP, PERCENT_DP, RATIO_DP, round};
use super::text::money;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    Pic,
    Dpi,
    Tvpi,
    Rvpi,
    Irr,
}

impl Metric {
    pub const ALL: [Metric; 5] = [
        Metric::Pic,
        Metric::Dpi,
        Metric::Tvpi,
        Metric::Rvpi,
        Metric::Irr,
    ];

    /// Parses a request path segment: one of `pic|dpi|tvpi|rvpi|irr`, or `all`.
    pub fn parse_selection(s: &str) -> Result<Vec<Metric>, UnknownMetric> {
        if s.trim().eq_ignore_ascii_case("all") {
            return Ok(Self::ALL.to_vec());
        }
        Ok(vec![s.parse()?])
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown metric '{0}': expected one of pic, dpi, tvpi, rvpi, irr, all")]
pub struct UnknownMetric(pub String);

impl FromStr for Metric {
    type Err = UnknownMetric;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "pic" => Metric::Pic,
            "dpi" => Metric::Dpi,
            "tvpi" => Metric::Tvpi,
            "rvpi" => Metric::Rvpi,
            "irr" | "irr_pct" => Metric::Irr,
            _ => return Err(UnknownMetric(s.to_string())),
        })
    }
}

/// A transaction (or NAV) behind a metric input, with where it was read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransactionRef {
    pub kind: FlowKind,
    pub id: Option<i64>,
    pub date: NaiveDate,
    /// As printed (calls positive, adjustments with their own sign).
    #[serde(with = "rust_decimal::serde::float")]
    pub amount: Decimal,
    pub flow_type: Option<String>,
    pub description: Option<String>,
    pub is_recallable: bool,
    pub document_id: Option<i64>,
    pub page: Option<i32>,
}

/// A named quantity a formula uses, e.g. `total_distributions`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakdownInput {
    pub name: &'static str,
    #[serde(with = "rust_decimal::serde::float_option")]
    pub value: Option<Decimal>,
    pub transactions: Vec<TransactionRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricBreakdown {
    pub metric: Metric,
    /// Rounded for display: amounts 2, multiples 4, IRR percent 2 decimals.
    #[serde(with = "rust_decimal::serde::float_option")]
    pub value: Option<Decimal>,
    /// `amount`, `multiple` or `percent`.
    pub unit: &'static str,
    pub formula: &'static str,
    /// The formula with the fund's numbers in it, when the metric has a value.
    pub calculation: Option<String>,
    pub inputs: Vec<BreakdownInput>,
    /// The dated XIRR series (IRR only), signed as used.
    pub cash_flows: Option<Vec<IrrCashFlow>>,
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    pub as_of: Option<NaiveDate>,
    pub as_of_defaulted: bool,
    pub metrics: Vec<MetricBreakdown>,
    pub notes: Vec<String>,
}

/// Explains each requested metric as of `as_of` (default: latest flow or NAV date).
pub fn breakdown(input: &MetricsInput, metrics: &[Metric], as_of: Option<NaiveDate>) -> Breakdown {
    let c = run(input, as_of);
    Breakdown {
        as_of: c.metrics.as_of,
        as_of_defaulted: c.metrics.as_of_defaulted,
        metrics: metrics.iter().map(|&m| explain(&c, m)).collect(),
        notes: c.metrics.notes.clone(),
    }
}

fn refs(flows: &[Flow], kind: FlowKind) -> Vec<TransactionRef> {
    let mut v: Vec<TransactionRef> = flows
        .iter()
        .map(|f| TransactionRef {
            kind,
            id: f.id,
            date: f.date,
            amount: f.amount,
            flow_type: f.flow_type.clone(),
            description: f.description.clone(),
            is_recallable: f.is_recallable,
            document_id: f.document_id,
            page: f.page,
        })
        .collect();
    v.sort_by_key(|t| t.date);
    v
}

fn nav_ref(n: &NavPoint) -> TransactionRef {
    TransactionRef {
        kind: FlowKind::Nav,
        id: None,
        date: n.date,
        amount: n.value,
        flow_type: None,
        description: Some("Reported net asset value".into()),
        is_recallable: false,
        document_id: n.document_id,
        page: n.page,
    }
}

fn x(v: Decimal) -> String {
    format!("{}x", round(v, RATIO_DP))
}

fn explain(c: &Computation, metric: Metric) -> MetricBreakdown {
    let m = &c.metrics;
    let i = &c.input;
    let calls = BreakdownInput {
        name: "gross_contributions",
        value: Some(m.gross_contributions),
        transactions: refs(&i.calls, FlowKind::CapitalCall),
    };
    let adjustments = BreakdownInput {
        name: "total_adjustments",
        value: Some(m.total_adjustments),
        transactions: refs(&i.adjustments, FlowKind::Adjustment),
    };
    let pic = || {
        let mut t = calls.transactions.clone();
        t.extend(adjustments.transactions.clone());
        BreakdownInput {
            name: "pic",
            value: Some(m.pic),
            transactions: t,
        }
    };
    let dists = BreakdownInput {
        name: "total_distributions",
        value: Some(m.total_distributions),
        transactions: refs(&i.distributions, FlowKind::Distribution),
    };
    let nav = BreakdownInput {
        name: "nav",
        value: m.nav,
        transactions: c.nav_point.iter().map(nav_ref).collect(),
    };
    let no_nav = || match m.as_of {
        Some(d) => format!("No NAV is reported on or before {d}, so it cannot be computed."),
        None => "No NAV is reported, so it cannot be computed.".to_string(),
    };
    let no_pic = "Paid-in capital is not positive, so the multiple is undefined.".to_string();
    match metric {
        Metric::Pic => MetricBreakdown {
            metric,
            value: Some(round(m.pic, AMOUNT_DP)),
            unit: "amount",
            formula: "PIC = gross contributions (Σ capital calls) − Σ adjustments",
            calculation: Some(format!(
                "{} − ({}) = {}",
                money(m.gross_contributions),
                money(m.total_adjustments),
                money(m.pic)
            )),
            explanation: format!(
                "Paid-in capital is the {} called in {} capital call(s), less {} of adjustments signed as printed (refunds of called capital are positive and reduce PIC; recalled distributions are negative and add to it). Net of recallable distributions ({}), PIC is {}.",
                money(m.gross_contributions),
                i.calls.len(),
                money(m.total_adjustments),
                money(m.recallable_distributions),
                money(m.net_pic)
            ),
            inputs: vec![calls, adjustments],
            cash_flows: None,
        },
        Metric::Dpi => MetricBreakdown {
            metric,
            value: m.dpi.map(|v| round(v, RATIO_DP)),
            unit: "multiple",
            formula: "DPI = Σ distributions / PIC",
            calculation: m.dpi.map(|v| {
                format!(
                    "{} / {} = {}",
                    money(m.total_distributions),
                    money(m.pic),
                    x(v)
                )
            }),
            explanation: match m.dpi {
                Some(v) => format!(
                    "The fund has returned {} in cash for every 1 paid in: {} distributed over {} of paid-in capital.",
                    round(v, RATIO_DP),
                    money(m.total_distributions),
                    money(m.pic)
                ),
                None => no_pic.clone(),
            },
            inputs: vec![dists, pic()],
            cash_flows: None,
        },
        Metric::Tvpi => MetricBreakdown {
            metric,
            value: m.tvpi.map(|v| round(v, RATIO_DP)),
            unit: "multiple",
            formula: "TVPI = (Σ distributions + NAV) / PIC",
            calculation: m.tvpi.zip(m.nav).map(|(v, n)| {
                format!(
                    "({} + {}) / {} = {}",
                    money(m.total_distributions),
                    money(n),
                    money(m.pic),
                    x(v)
                )
            }),
            explanation: match (m.tvpi, m.nav) {
                (Some(v), Some(n)) => format!(
                    "Distributions of {} plus the remaining value (NAV {} on {}) come to {} times the paid-in capital of {}.",
                    money(m.total_distributions),
                    money(n),
                    m.nav_date.map(|d| d.to_string()).unwrap_or_default(),
                    round(v, RATIO_DP),
                    money(m.pic)
                ),
                (_, None) => no_nav(),
                (None, Some(_)) => no_pic.clone(),
            },
            inputs: vec![dists, nav, pic()],
            cash_flows: None,
        },
        Metric::Rvpi => MetricBreakdown {
            metric,
            value: m.rvpi.map(|v| round(v, RATIO_DP)),
            unit: "multiple",
            formula: "RVPI = NAV / PIC",
            calculation: m
                .rvpi
                .zip(m.nav)
                .map(|(v, n)| format!("{} / {} = {}", money(n), money(m.pic), x(v))),
            explanation: match (m.rvpi, m.nav) {
                (Some(v), Some(n)) => format!(
                    "The value still held (NAV {}) is {} times the paid-in capital of {}.",
                    money(n),
                    round(v, RATIO_DP),
                    money(m.pic)
                ),
                (_, None) => no_nav(),
                (None, Some(_)) => no_pic.clone(),
            },
            inputs: vec![nav, pic()],
            cash_flows: None,
        },
        Metric::Irr => MetricBreakdown {
            metric,
            value: m.irr.map(|v| round(v, PERCENT_DP)),
            unit: "percent",
            formula: "Σ CFᵢ / (1 + IRR)^((dᵢ − d₀) / 365) = 0 (XIRR, actual/365)",
            calculation: m.irr.map(|v| {
                format!(
                    "{} dated cash flows from {} to {} → IRR = {}%",
                    c.cash_flows.len(),
                    c.cash_flows
                        .first()
                        .map(|f| f.date.to_string())
                        .unwrap_or_default(),
                    c.cash_flows
                        .last()
                        .map(|f| f.date.to_string())
                        .unwrap_or_default(),
                    round(v, PERCENT_DP)
                )
            }),
            explanation: match (&c.irr_error, m.irr, m.nav) {
                (Some(e), _, _) => format!("IRR is not available: {e}."),
                (None, Some(v), Some(n)) => format!(
                    "The annual rate that discounts every capital call (negative), distribution (positive) and adjustment (as printed), plus the NAV of {} as if received on {}, to a net present value of zero: {}%.",
                    money(n),
                    m.nav_date.map(|d| d.to_string()).unwrap_or_default(),
                    round(v, PERCENT_DP)
                ),
                (None, Some(v), None) => format!(
                    "Realized IRR of {}%: no NAV is reported, so only cash already paid in and returned counts, which makes the IRR low (usually negative) early in a fund's life.",
                    round(v, PERCENT_DP)
                ),
                (None, None, _) => "IRR is not available.".to_string(),
            },
            inputs: vec![calls, dists, adjustments, nav],
            cash_flows: Some(c.cash_flows.clone()),
        },
    }
}
