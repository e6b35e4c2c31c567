//! PIC, DPI, TVPI, RVPI and IRR for one fund as of a date, under the project's (ILPA) conventions.
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use serde::Serialize;

use super::input::{Flow, MetricsInput, NavPoint};
use super::serde_fmt;
use super::xirr::{CashFlow, XirrError, xirr};

/// A fund's performance as it stood on `as_of`. Amounts are in the fund's currency; `irr` is in
/// percent (15.25 means 15.25%). JSON output rounds amounts to 2, multiples to 4 and IRR to 2
/// decimals; the Rust values are unrounded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FundMetrics {
    /// `None` only when the fund has no flows or NAVs at all.
    pub as_of: Option<NaiveDate>,
    /// True when the caller gave no date and `as_of` is the latest flow or NAV date.
    pub as_of_defaulted: bool,
    #[serde(serialize_with = "serde_fmt::amount")]
    pub gross_contributions: Decimal,
    #[serde(serialize_with = "serde_fmt::amount")]
    pub total_adjustments: Decimal,
    #[serde(serialize_with = "serde_fmt::amount")]
    pub pic: Decimal,
    #[serde(serialize_with = "serde_fmt::amount")]
    pub net_pic: Decimal,
    #[serde(serialize_with = "serde_fmt::amount")]
    pub total_distributions: Decimal,
    #[serde(serialize_with = "serde_fmt::amount")]
    pub recallable_distributions: Decimal,
    #[serde(serialize_with = "serde_fmt::amount_opt")]
    pub nav: Option<Decimal>,
    pub nav_date: Option<NaiveDate>,
    #[serde(serialize_with = "serde_fmt::ratio_opt")]
    pub dpi: Option<Decimal>,
    #[serde(serialize_with = "serde_fmt::ratio_opt")]
    pub tvpi: Option<Decimal>,
    #[serde(serialize_with = "serde_fmt::ratio_opt")]
    pub rvpi: Option<Decimal>,
    /// IRR in percent; realized-only when `nav` is `None`.
    #[serde(serialize_with = "serde_fmt::percent_opt")]
    pub irr: Option<Decimal>,
    pub notes: Vec<String>,
}

/// Where an IRR cash flow came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    CapitalCall,
    Distribution,
    Adjustment,
    Nav,
}

/// One IRR cash flow with the sign used in the XIRR and the row behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IrrCashFlow {
    pub date: NaiveDate,
    #[serde(with = "rust_decimal::serde::float")]
    pub amount: Decimal,
    pub kind: FlowKind,
    pub id: Option<i64>,
    pub document_id: Option<i64>,
    pub page: Option<i32>,
}

/// The shared intermediate of compute, breakdown and reconcile, so all three agree exactly.
pub(crate) struct Computation {
    pub input: MetricsInput,
    pub metrics: FundMetrics,
    pub nav_point: Option<NavPoint>,
    pub cash_flows: Vec<IrrCashFlow>,
    pub irr_error: Option<XirrError>,
}

/// Metrics as of `as_of` (default: the latest flow or NAV date), using only flows dated on or
/// before it and the latest NAV on or before it.
pub fn compute(input: &MetricsInput, as_of: Option<NaiveDate>) -> FundMetrics {
    run(input, as_of).metrics
}

fn sum(flows: &[Flow]) -> Decimal {
    flows.iter().map(|f| f.amount).sum()
}

/// `num / den`, or `None` when the denominator is not positive (a ratio to zero or negative
/// paid-in capital means nothing to an LP).
pub(crate) fn ratio(num: Decimal, den: Decimal) -> Option<Decimal> {
    if den <= Decimal::ZERO {
        return None;
    }
    num.checked_div(den)
}

pub(crate) fn run(full: &MetricsInput, as_of: Option<NaiveDate>) -> Computation {
    let mut notes: Vec<String> = full.warnings.clone();
    let as_of_defaulted = as_of.is_none();
    let as_of = as_of.or_else(|| full.latest_date());
    let input = match as_of {
        Some(d) => full.as_of(d),
        None => full.clone(),
    };
    match (as_of, as_of_defaulted) {
        (Some(d), true) => notes.push(format!(
            "As of {d}: the latest transaction or NAV date known for the fund (no date was requested)."
        )),
        (Some(d), false) => {
            let later = full.calls.len() + full.distributions.len() + full.adjustments.len()
                - input.calls.len()
                - input.distributions.len()
                - input.adjustments.len();
            if later > 0 {
                notes.push(format!(
                    "As of {d}: {later} transaction(s) dated after it are excluded."
                ));
            }
        }
        (None, _) => notes.push("The fund has no transactions or NAVs yet.".to_string()),
    }

    let gross_contributions = sum(&input.calls);
    let total_adjustments = sum(&input.adjustments);
    let total_distributions = sum(&input.distributions);
    let recallable_distributions: Decimal = input
        .distributions
        .iter()
        .filter(|d| d.is_recallable)
        .map(|d| d.amount)
        .sum();
    // Adjustments are printed from the LP's cash point of view (a refund of called capital is
    // positive), so they reduce paid-in capital.
    let pic = gross_contributions - total_adjustments;
    let net_pic = pic - recallable_distributions;

    let nav_point = as_of.and_then(|d| input.nav_on(d)).cloned();
    if let (Some(d), Some(n)) = (as_of, &nav_point) {
        let rivals = input
            .navs
            .iter()
            .filter(|m| m.date == n.date && m.value != n.value)
            .count();
        if rivals > 0 {
            notes.push(format!(
                "Documents disagree on the NAV for {}; using {} from the most recent document.",
                n.date, n.value
            ));
        }
        if n.date < d {
            notes.push(format!(
                "NAV is the latest reported on or before {d}, dated {}.",
                n.date
            ));
        }
    }
    let nav = nav_point.as_ref().map(|n| n.value);

    let pic_ok = pic > Decimal::ZERO;
    if !pic_ok && !input.calls.is_empty() {
        notes.push(format!(
            "Paid-in capital is {pic} (not positive), so DPI, TVPI and RVPI are undefined."
        ));
    }
    let dpi = ratio(total_distributions, pic);
    let (tvpi, rvpi) = match nav {
        Some(nav) => (ratio(total_distributions + nav, pic), ratio(nav, pic)),
        None => {
            notes.push(match as_of {
                Some(d) => format!(
                    "No NAV is reported on or before {d}, so TVPI and RVPI (which need the remaining value) are not available."
                ),
                None => "No NAV is reported, so TVPI and RVPI are not available.".to_string(),
            });
            (None, None)
        }
    };

    let cash_flows = irr_cash_flows(&input, nav_point.as_ref());
    let series: Vec<CashFlow> = cash_flows
        .iter()
        .map(|c| CashFlow {
            date: c.date,
            amount: c.amount,
        })
        .collect();
    let (irr, irr_error) = match xirr(&series) {
        Ok(rate) => match Decimal::from_f64(rate * 100.0) {
            // f64 carries ~15 significant digits; anything past 8 decimals of a percent is noise.
            Some(pct) => (Some(pct.round_dp(8)), None),
            None => (None, Some(XirrError::OutOfRange)),
        },
        Err(e) => (None, Some(e)),
    };
    match (&irr_error, nav) {
        (Some(e), _) => notes.push(format!("IRR is not available: {e}.")),
        (None, None) => notes.push(
            "IRR is a realized IRR: with no NAV it counts only cash already paid in and returned, so it is usually negative early in a fund's life.".to_string(),
        ),
        (None, Some(_)) => {}
    }

    let metrics = FundMetrics {
        as_of,
        as_of_defaulted,
        gross_contributions,
        total_adjustments,
        pic,
        net_pic,
        total_distributions,
        recallable_distributions,
        nav,
        nav_date: nav_point.as_ref().map(|n| n.date),
        dpi,
        tvpi,
        rvpi,
        irr,
        notes,
    };
    Computation {
        input,
        metrics,
        nav_point,
        cash_flows,
        irr_error,
    }
}

/// The XIRR series: calls paid in (negative), distributions received (positive), adjustments as
/// printed, and the NAV as if received on its date; sorted by date for readability.
fn irr_cash_flows(input: &MetricsInput, nav: Option<&NavPoint>) -> Vec<IrrCashFlow> {
    let from = |f: &Flow, kind: FlowKind, amount: Decimal| IrrCashFlow {
        date: f.date,
        amount,
        kind,
        id: f.id,
        document_id: f.document_id,
        page: f.page,
    };
    let mut out: Vec<IrrCashFlow> = input
        .calls
        .iter()
        .map(|f| from(f, FlowKind::CapitalCall, -f.amount))
        .chain(
            input
                .distributions
                .iter()
                .map(|f| from(f, FlowKind::Distribution, f.amount)),
        )
        .chain(
            input
                .adjustments
                .iter()
                .map(|f| from(f, FlowKind::Adjustment, f.amount)),
        )
        .collect();
    if let Some(n) = nav {
        out.push(IrrCashFlow {
            date: n.date,
            amount: n.value,
            kind: FlowKind::Nav,
            id: None,
            document_id: n.document_id,
            page: n.page,
        });
    }
    out.sort_by_key(|c| c.date);
    out
}
