//! Compares the figures a report states with the ones computed from its rows and explains gaps.
use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::compute::{Computation, ratio, run};
use super::input::{Flow, MetricsInput, ReportedFigureRow};
use super::serde_fmt::{AMOUNT_DP, PERCENT_DP, RATIO_DP, round};
use super::text::money;

/// A stated figure that differs from the computed one by more than its printed rounding allows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Discrepancy {
    pub key: String,
    #[serde(with = "rust_decimal::serde::float")]
    pub reported: Decimal,
    /// Rounded for display (amounts 2, multiples 4, IRR 2 decimals); `None` when the figure
    /// cannot be computed from the data (e.g. TVPI without a NAV).
    #[serde(with = "rust_decimal::serde::float_option")]
    pub computed: Option<Decimal>,
    /// reported − computed.
    #[serde(with = "rust_decimal::serde::float_option")]
    pub difference: Option<Decimal>,
    /// The largest difference that printed rounding explains.
    #[serde(with = "rust_decimal::serde::float")]
    pub tolerance: Decimal,
    pub as_of: Option<NaiveDate>,
    pub document_id: Option<i64>,
    pub page: Option<i32>,
    pub source_text: Option<String>,
    pub likely_cause: Option<String>,
}

/// One stated figure and how it compares, whether or not it agrees.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureCheck {
    pub key: String,
    #[serde(with = "rust_decimal::serde::float")]
    pub reported: Decimal,
    #[serde(with = "rust_decimal::serde::float_option")]
    pub computed: Option<Decimal>,
    pub as_of: Option<NaiveDate>,
    pub document_id: Option<i64>,
    pub page: Option<i32>,
    pub consistent: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reconciliation {
    pub checks: Vec<FigureCheck>,
    pub discrepancies: Vec<Discrepancy>,
    /// Stated figures that were not checked, and why.
    pub notes: Vec<String>,
}

/// How a key is computed and displayed.
#[derive(Clone, Copy, PartialEq)]
enum Unit {
    Amount,
    Ratio,
    Percent,
}

impl Unit {
    fn dp(self) -> u32 {
        match self {
            Unit::Amount => AMOUNT_DP,
            Unit::Ratio => RATIO_DP,
            Unit::Percent => PERCENT_DP,
        }
    }
}

fn unit_of(key: &str) -> Option<Unit> {
    Some(match key {
        "total_capital_called"
        | "gross_contributions"
        | "total_distributions"
        | "pic"
        | "net_pic"
        | "nav"
        | "total_adjustments"
        | "recallable_distributions" => Unit::Amount,
        "dpi" | "tvpi" | "rvpi" => Unit::Ratio,
        "irr_pct" | "irr" => Unit::Percent,
        _ => return None,
    })
}

/// Half a unit in the last place the figure was printed with, but never finer than the
/// computed figure's own display precision: "0.6" covers [0.55, 0.65], "0.39" covers
/// [0.385, 0.395]. Compared against the computed figure rounded for display, so a report that
/// rounds an already rounded figure (0.35505 → 0.3550 → 0.35) still agrees.
fn tolerance(reported: Decimal, unit: Unit) -> Decimal {
    let dp = reported.scale().min(unit.dp());
    Decimal::new(5, dp + 1)
}

/// Checks every stated figure against the metrics computed as of the figure's own date (or the
/// latest data when it has none).
pub fn reconcile(input: &MetricsInput) -> Reconciliation {
    let mut runs: BTreeMap<Option<NaiveDate>, Computation> = BTreeMap::new();
    let mut out = Reconciliation {
        checks: Vec::new(),
        discrepancies: Vec::new(),
        notes: Vec::new(),
    };
    for row in &input.reported {
        let Some(unit) = unit_of(&row.key) else {
            out.notes.push(format!(
                "Stated figure '{}' ({}) has no computed counterpart and was not checked.",
                row.key, row.value
            ));
            continue;
        };
        let c = runs
            .entry(row.as_of)
            .or_insert_with(|| run(input, row.as_of));
        // Reported and stored at display precision, which is what the comparison uses anyway.
        let computed = computed_value(c, &row.key).map(|v| round(v, unit.dp()));
        let tol = tolerance(row.value, unit);
        let consistent = computed.is_some_and(|v| (row.value - v).abs() <= tol);
        out.checks.push(FigureCheck {
            key: row.key.clone(),
            reported: row.value,
            computed,
            as_of: c.metrics.as_of,
            document_id: row.document_id,
            page: row.page,
            consistent,
        });
        if consistent {
            continue;
        }
        out.discrepancies.push(Discrepancy {
            key: row.key.clone(),
            reported: row.value,
            computed,
            difference: computed.map(|v| row.value - v),
            tolerance: tol,
            as_of: c.metrics.as_of,
            document_id: row.document_id,
            page: row.page,
            source_text: row.source_text.clone(),
            likely_cause: likely_cause(c, row, tol),
        });
    }
    out
}

fn computed_value(c: &Computation, key: &str) -> Option<Decimal> {
    let m = &c.metrics;
    match key {
        "total_capital_called" | "gross_contributions" => Some(m.gross_contributions),
        "total_distributions" => Some(m.total_distributions),
        "total_adjustments" => Some(m.total_adjustments),
        "recallable_distributions" => Some(m.recallable_distributions),
        "pic" => Some(m.pic),
        "net_pic" => Some(m.net_pic),
        "nav" => m.nav,
        "dpi" => m.dpi,
        "tvpi" => m.tvpi,
        "rvpi" => m.rvpi,
        "irr_pct" | "irr" => m.irr,
        _ => None,
    }
}

/// Denominators reports commonly use instead of ILPA PIC, with a phrase naming each.
fn alternative_pics(c: &Computation) -> Vec<(Decimal, String)> {
    let m = &c.metrics;
    let mut alts = Vec::new();
    if !m.total_adjustments.is_zero() {
        alts.push((
            m.gross_contributions + m.total_adjustments,
            format!(
                "PIC taken as calls + adjustments ({})",
                money(m.gross_contributions + m.total_adjustments)
            ),
        ));
        alts.push((
            m.gross_contributions,
            format!("gross capital calls ({})", money(m.gross_contributions)),
        ));
    }
    if !m.recallable_distributions.is_zero() {
        alts.push((m.net_pic, format!("net PIC ({})", money(m.net_pic))));
    }
    alts
}

fn close(reported: Decimal, candidate: Decimal, dp: u32, tol: Decimal) -> bool {
    (reported - round(candidate, dp)).abs() <= tol
}

fn likely_cause(c: &Computation, row: &ReportedFigureRow, tol: Decimal) -> Option<String> {
    let m = &c.metrics;
    let rep = row.value;
    let as_of = m
        .as_of
        .map(|d| d.to_string())
        .unwrap_or_else(|| "the latest data".into());
    let no_nav = m.nav.is_none();
    let ilpa = format!(
        "under the ILPA convention used here PIC = calls − adjustments = {}",
        money(m.pic)
    );
    match row.key.as_str() {
        "pic" => {
            let plus = m.gross_contributions + m.total_adjustments;
            if !m.total_adjustments.is_zero() && close(rep, plus, AMOUNT_DP, tol) {
                return Some(format!(
                    "The report computes PIC as capital calls + adjustments ({} + ({}) = {}); {ilpa}.",
                    money(m.gross_contributions),
                    money(m.total_adjustments),
                    money(plus)
                ));
            }
            if !m.total_adjustments.is_zero() && close(rep, m.gross_contributions, AMOUNT_DP, tol) {
                return Some(format!(
                    "The report's PIC equals gross capital calls and ignores adjustments of {}; {ilpa}.",
                    money(m.total_adjustments)
                ));
            }
            if !m.recallable_distributions.is_zero() && close(rep, m.net_pic, AMOUNT_DP, tol) {
                return Some(format!(
                    "The report states net PIC, after recallable distributions of {}.",
                    money(m.recallable_distributions)
                ));
            }
            row_level_cause(rep - m.pic, &c.input.calls, "capital call")
                .or_else(|| thousands(rep, m.pic))
        }
        "total_capital_called" | "gross_contributions" => {
            if !m.total_adjustments.is_zero() && close(rep, m.pic, AMOUNT_DP, tol) {
                return Some(format!(
                    "The reported total equals calls net of adjustments (PIC {}), not gross calls ({}).",
                    money(m.pic),
                    money(m.gross_contributions)
                ));
            }
            let plus = m.gross_contributions + m.total_adjustments;
            if !m.total_adjustments.is_zero() && close(rep, plus, AMOUNT_DP, tol) {
                return Some(format!(
                    "The reported total includes adjustments with their printed sign ({}).",
                    money(m.total_adjustments)
                ));
            }
            row_level_cause(rep - m.gross_contributions, &c.input.calls, "capital call")
                .or_else(|| thousands(rep, m.gross_contributions))
        }
        "total_distributions" => {
            let non_recallable = m.total_distributions - m.recallable_distributions;
            if !m.recallable_distributions.is_zero() && close(rep, non_recallable, AMOUNT_DP, tol) {
                return Some(format!(
                    "The reported total excludes recallable distributions ({}).",
                    money(m.recallable_distributions)
                ));
            }
            row_level_cause(
                rep - m.total_distributions,
                &c.input.distributions,
                "distribution",
            )
            .or_else(|| thousands(rep, m.total_distributions))
        }
        "nav" => match &c.nav_point {
            None => Some(format!("No NAV dated on or before {as_of} is in the data.")),
            Some(n) if row.as_of.is_some_and(|d| d != n.date) => Some(format!(
                "The computed NAV is the one dated {}, not the report's date.",
                n.date
            )),
            Some(n) => Some(format!(
                "The NAV used is {} from document {}; documents disagree on the NAV for {}, and the most recent document's figure is used.",
                money(n.value),
                n.document_id
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "?".into()),
                n.date
            )),
        },
        "dpi" => {
            if m.dpi.is_none() {
                return Some("PIC is not positive, so DPI is undefined.".into());
            }
            alternative_pics(c).into_iter().find_map(|(den, label)| {
                ratio(m.total_distributions, den)
                    .filter(|v| close(rep, *v, RATIO_DP, tol))
                    .map(|_| format!("The reported DPI divides distributions by {label}; {ilpa}."))
            })
        }
        "tvpi" | "rvpi" => {
            let name = row.key.to_uppercase();
            if no_nav {
                let implied = if row.key == "tvpi" {
                    rep * m.pic - m.total_distributions
                } else {
                    rep * m.pic
                };
                return Some(format!(
                    "The data holds no NAV on or before {as_of}, so the reported {name} cannot be derived from the tables; it implies a NAV of about {} that the report does not state.",
                    money(round(implied, 0))
                ));
            }
            let nav = m.nav.unwrap_or_default();
            let num = if row.key == "tvpi" {
                m.total_distributions + nav
            } else {
                nav
            };
            alternative_pics(c).into_iter().find_map(|(den, label)| {
                ratio(num, den)
                    .filter(|v| close(rep, *v, RATIO_DP, tol))
                    .map(|_| format!("The reported {name} divides by {label}; {ilpa}."))
            })
        }
        "irr_pct" | "irr" => {
            if let Some(e) = &c.irr_error {
                return Some(format!("IRR cannot be computed from the data: {e}."));
            }
            if no_nav {
                return Some(format!(
                    "The data holds no NAV on or before {as_of}, so only a realized IRR ({}%) can be computed from the tables; the reported IRR must include a remaining value the report does not state.",
                    m.irr
                        .map(|v| round(v, PERCENT_DP).to_string())
                        .unwrap_or_default()
                ));
            }
            None
        }
        _ => None,
    }
}

/// A gap equal to one row's amount points at a row missing from, or extra in, the data.
fn row_level_cause(gap: Decimal, rows: &[Flow], what: &str) -> Option<String> {
    if gap.is_zero() {
        return None;
    }
    let tol = Decimal::new(1, 2);
    let row = rows.iter().find(|f| (f.amount - gap.abs()).abs() <= tol)?;
    let place = match (row.document_id, row.page) {
        (Some(d), Some(p)) => format!(" (document {d}, page {p})"),
        (None, Some(p)) => format!(" (page {p})"),
        _ => String::new(),
    };
    Some(if gap < Decimal::ZERO {
        format!(
            "The gap equals the {what} of {} on {}{place}: it is in the data but not in the reported total (a duplicate, or a row from another report?).",
            money(row.amount),
            row.date
        )
    } else {
        format!(
            "The gap equals a {what} of {}: a row of that size (like the one on {}) may be missing from the data.",
            money(gap),
            row.date
        )
    })
}

fn thousands(reported: Decimal, computed: Decimal) -> Option<String> {
    let k = Decimal::from(1000);
    ((reported % k).is_zero() && (reported - computed).abs() < Decimal::from(500))
        .then(|| "The reported figure appears rounded to thousands.".to_string())
}
