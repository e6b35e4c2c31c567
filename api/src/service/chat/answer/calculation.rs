//! Calculation answers: one sentence per metric from the computed figures, with formula, inputs,
//! as-of date and any reported-vs-computed discrepancy.

use rust_decimal::Decimal;
use serde_json::Value;
use shared::metrics::{Discrepancy, FundMetrics};

use super::{Grounded, Source, cites, pct, ratio, usd};
use crate::service::chat::intent::MetricAsk;

fn discrepancy_note(d: &Discrepancy, fmt: fn(Decimal) -> String) -> String {
    let computed = d
        .computed
        .map(fmt)
        .unwrap_or_else(|| "not computable".into());
    // The stated figure as printed (0.39, not 0.3900): its precision is part of the story.
    let printed = d.reported.normalize().to_string();
    let reported = if fmt(Decimal::ONE).ends_with('%') {
        format!("{printed}%")
    } else if fmt(Decimal::ONE).starts_with('$') {
        fmt(d.reported)
    } else {
        printed
    };
    let mut s = format!(
        " Note: the report states {} (page {}), while the figure computed from its rows is {}.",
        reported,
        d.page.unwrap_or(0),
        computed
    );
    if let Some(cause) = &d.likely_cause {
        s.push(' ');
        s.push_str(cause.trim_end_matches('.'));
        s.push('.');
    }
    s
}

/// The sentence for one metric; `discrepancies` adds the report's disagreeing figure.
fn metric_sentence(m: MetricAsk, f: &FundMetrics, discrepancies: &[Discrepancy]) -> String {
    let find = |keys: &[&str]| {
        discrepancies
            .iter()
            .find(|d| keys.contains(&d.key.as_str()))
    };
    let note = |keys: &[&str], fmt: fn(Decimal) -> String| {
        find(keys)
            .map(|d| discrepancy_note(d, fmt))
            .unwrap_or_default()
    };
    let nav_text = || match (f.nav, f.nav_date) {
        (Some(n), Some(d)) => format!("NAV {} (reported for {d})", usd(n)),
        _ => "no NAV".into(),
    };
    let no_nav = "it needs a NAV, and none is reported on or before that date";
    match m {
        MetricAsk::Dpi => match f.dpi {
            Some(v) => format!(
                "DPI is {} = total distributions {} ÷ paid-in capital {}.{}",
                ratio(v),
                usd(f.total_distributions),
                usd(f.pic),
                note(&["dpi"], ratio)
            ),
            None => "DPI cannot be computed: paid-in capital is zero.".into(),
        },
        MetricAsk::Tvpi => match f.tvpi {
            Some(v) => format!(
                "TVPI is {} = (distributions {} + {}) ÷ paid-in capital {}.{}",
                ratio(v),
                usd(f.total_distributions),
                nav_text(),
                usd(f.pic),
                note(&["tvpi"], ratio)
            ),
            None => format!(
                "TVPI cannot be computed: {no_nav}.{}",
                note(&["tvpi"], ratio)
            ),
        },
        MetricAsk::Rvpi => match f.rvpi {
            Some(v) => format!(
                "RVPI is {} = {} ÷ paid-in capital {}.{}",
                ratio(v),
                nav_text(),
                usd(f.pic),
                note(&["rvpi"], ratio)
            ),
            None => format!("RVPI cannot be computed: {no_nav}."),
        },
        MetricAsk::Irr => match f.irr {
            Some(v) if f.nav.is_some() => format!(
                "IRR is {} (date-aware XIRR, actual/365: capital calls negative, distributions positive, adjustments as printed, and {} as the terminal value).{}",
                pct(v),
                nav_text(),
                note(&["irr_pct", "irr"], pct)
            ),
            Some(v) => format!(
                "IRR is {} — a realized IRR: no NAV is reported, so only the cash flows count (calls negative, distributions positive, adjustments as printed) and unrealized value is left out, which makes it low early in a fund's life.{}",
                pct(v),
                note(&["irr_pct", "irr"], pct)
            ),
            None => {
                let why = f
                    .notes
                    .iter()
                    .find(|n| n.contains("IRR"))
                    .cloned()
                    .unwrap_or_else(|| "the cash flows have no sign change.".into());
                format!("IRR cannot be computed: {why}")
            }
        },
        MetricAsk::Pic => format!(
            "Paid-in capital (PIC) is {} = capital calls {} − adjustments {}; net of recallable distributions ({}) it is {}.{}",
            usd(f.pic),
            usd(f.gross_contributions),
            usd(f.total_adjustments),
            usd(f.recallable_distributions),
            usd(f.net_pic),
            note(&["pic"], usd)
        ),
        MetricAsk::NetPic => format!(
            "Net paid-in capital is {} = PIC {} − recallable distributions {}.",
            usd(f.net_pic),
            usd(f.pic),
            usd(f.recallable_distributions)
        ),
        MetricAsk::Nav => match (f.nav, f.nav_date) {
            (Some(n), Some(d)) => format!(
                "NAV is {} as reported for {d}.{}",
                usd(n),
                note(&["nav"], usd)
            ),
            _ => "No NAV is reported on or before that date.".into(),
        },
        MetricAsk::TotalCalled => format!(
            "Capital calls total {} (gross contributions); after adjustments of {} paid-in capital is {}.{}",
            usd(f.gross_contributions),
            usd(f.total_adjustments),
            usd(f.pic),
            note(&["total_capital_called", "gross_contributions"], usd)
        ),
        MetricAsk::TotalDistributed => format!(
            "Distributions total {}, of which {} recallable.{}",
            usd(f.total_distributions),
            usd(f.recallable_distributions),
            note(&["total_distributions"], usd)
        ),
        MetricAsk::TotalAdjustments => format!(
            "Adjustments total {} (signed as printed); they are subtracted from capital calls {} to give paid-in capital {}.",
            usd(f.total_adjustments),
            usd(f.gross_contributions),
            usd(f.pic)
        ),
        MetricAsk::RecallableShare => {
            let share = if f.total_distributions.is_zero() {
                Decimal::ZERO
            } else {
                f.recallable_distributions / f.total_distributions * Decimal::ONE_HUNDRED
            };
            format!(
                "{} of distributions were recallable: {} of {} distributed.",
                pct(share),
                usd(f.recallable_distributions),
                usd(f.total_distributions)
            )
        }
        MetricAsk::CapitalReturned => {
            let dpi = f.dpi.unwrap_or(Decimal::ZERO);
            let back = if dpi >= Decimal::ONE { "Yes" } else { "No" };
            let rest = if dpi >= Decimal::ONE {
                "DPI is at least 1.0, so every dollar paid in has come back in cash".to_string()
            } else {
                format!(
                    "{} of paid-in capital is still to be returned in cash; all capital is back once DPI reaches 1.0",
                    usd(f.pic - f.total_distributions)
                )
            };
            format!(
                "{back} — LPs have received {} in distributions against {} of paid-in capital (DPI {}); {rest}.",
                usd(f.total_distributions),
                usd(f.pic),
                ratio(dpi)
            )
        }
    }
}

/// The keys of the transaction kinds each metric is computed from (for citations).
pub fn kinds_behind(metrics: &[MetricAsk]) -> Vec<&'static str> {
    let mut out = Vec::new();
    for m in metrics {
        let ks: &[&str] = match m {
            MetricAsk::TotalCalled => &["capital_call"],
            MetricAsk::TotalDistributed | MetricAsk::RecallableShare => &["distribution"],
            MetricAsk::TotalAdjustments => &["adjustment"],
            MetricAsk::Pic => &["capital_call", "adjustment"],
            MetricAsk::Nav => &[],
            _ => &["distribution", "capital_call", "adjustment"],
        };
        for k in ks {
            if !out.contains(k) {
                out.push(*k);
            }
        }
    }
    out
}

/// A calculation answer: one sentence per asked metric, the as-of date, and citations.
pub fn calculation(
    fund: &str,
    asked: &[MetricAsk],
    metrics: &FundMetrics,
    discrepancies: &[Discrepancy],
    metrics_json: Value,
    sources: Vec<Source>,
) -> Grounded {
    let Some(as_of) = metrics.as_of else {
        return Grounded::say(format!(
            "{fund} has no processed transactions yet, so there is nothing to compute. Upload its reports first."
        ));
    };
    let mut text = String::new();
    for m in asked {
        text.push_str(&metric_sentence(*m, metrics, discrepancies));
        text.push(' ');
    }
    text.push_str(&format!(
        "({fund}, as of {as_of}; computed from the extracted transactions {})",
        cites(sources.len())
    ));
    Grounded {
        text,
        sources,
        metrics: Some(metrics_json),
        rows: None,
    }
}
