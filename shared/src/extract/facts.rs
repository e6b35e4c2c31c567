//! Fund facts ("Fund Name: …") and stated figures ("DPI: 0.60x") from label/value text.
use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::amounts;
use super::dates;
use crate::domain::FundFacts;

/// One label/value pair found on a line.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub label: String,
    pub value: String,
}

/// Label/value pairs in a line: "Label: value" inside one segment, or a segment ending in a
/// colon followed by the value segment (two-column fact sheets).
pub fn pairs(segments: &[String]) -> Vec<Pair> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < segments.len() {
        let seg = segments[i].trim();
        if let Some((label, value)) = seg.split_once(':') {
            let label = label.trim();
            let value = value.trim();
            if value.is_empty() {
                if let Some(next) = segments.get(i + 1) {
                    out.push(Pair {
                        label: label.into(),
                        value: next.trim().into(),
                    });
                    i += 2;
                    continue;
                }
            } else {
                out.push(Pair {
                    label: label.into(),
                    value: value.into(),
                });
            }
        }
        i += 1;
    }
    // A two-segment line without colon ("Vintage Year    2022") is a pair too.
    if out.is_empty() && segments.len() == 2 {
        out.push(Pair {
            label: segments[0].trim().into(),
            value: segments[1].trim().into(),
        });
    }
    out
}

fn norm_label(label: &str) -> String {
    let lower = label.to_lowercase();
    let mut out = String::with_capacity(lower.len());
    for w in lower.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w.trim_matches(|c: char| !c.is_alphanumeric()));
    }
    out
}

/// An amount that may carry a magnitude word: "$150,000,000", "USD 150 million", "$1.5bn".
pub fn parse_money(text: &str) -> Option<Decimal> {
    if let Some(a) = amounts::parse_amount(text) {
        return Some(a.value);
    }
    let text = text.trim();
    let magnitudes: [(&str, i64); 7] = [
        (" million", 1_000_000),
        ("million", 1_000_000),
        ("mm", 1_000_000),
        ("m", 1_000_000),
        (" billion", 1_000_000_000),
        ("bn", 1_000_000_000),
        ("k", 1_000),
    ];
    for (suffix, scale) in magnitudes {
        let cut = text.len().saturating_sub(suffix.len());
        if text.len() > suffix.len()
            && text.is_char_boundary(cut)
            && text[cut..].eq_ignore_ascii_case(suffix)
            && let Some(a) = amounts::parse_amount(text[..cut].trim_end())
        {
            return Some(a.value * Decimal::from(scale));
        }
    }
    None
}

/// Applies one pair to the fund facts; true if it was a fact.
pub fn apply_fact(facts: &mut FundFacts, pair: &Pair) -> bool {
    let label = norm_label(&pair.label);
    let value = pair.value.trim();
    match label.as_str() {
        "fund name" | "fund" | "name of fund" | "partnership" | "partnership name"
        | "fund legal name" => set_once(&mut facts.name, Some(value.to_string())),
        "gp"
        | "general partner"
        | "gp name"
        | "manager"
        | "fund manager"
        | "sponsor"
        | "investment manager"
        | "managed by"
        | "general partner name" => set_once(&mut facts.gp_name, Some(value.to_string())),
        // A notice's sender is its GP only when the name says so; an administrator or an
        // investor-relations desk sends notices too.
        "from" if is_gp_entity(value) => set_once(&mut facts.gp_name, Some(value.to_string())),
        l if l.contains("vintage") => set_once(&mut facts.vintage_year, parse_year(value)),
        "fund size"
        | "total commitments"
        | "committed capital"
        | "total fund size"
        | "fund commitments"
        | "commitments"
        | "total committed capital"
        | "size" => set_once(&mut facts.fund_size, parse_money(value)),
        "report date"
        | "reporting date"
        | "as of"
        | "as at"
        | "period end"
        | "period ending"
        | "valuation date"
        | "statement date"
        | "report as of"
        | "reporting period end" => set_once(&mut facts.report_date, dates::parse_date(value)),
        "net asset value" | "nav" | "net asset value nav" | "ending nav" | "fund nav" => {
            set_once(&mut facts.nav, parse_money(value))
        }
        _ => false,
    }
}

/// A legal entity named as a general partner: "Level Structured Capital Associates II, LLC",
/// "Brackenridge Growth GP IV, LLC".
fn is_gp_entity(name: &str) -> bool {
    let n = name.to_lowercase();
    let words: Vec<&str> = n
        .split(|c: char| !c.is_alphanumeric() && c != '.')
        .filter(|w| !w.is_empty())
        .collect();
    let gp =
        words.iter().any(|w| matches!(*w, "gp" | "associates")) || n.contains("general partner");
    let legal = words.last().is_some_and(|w| {
        matches!(
            w.trim_end_matches('.'),
            "llc" | "l.l.c" | "l.p" | "lp" | "ltd" | "limited" | "inc" | "sarl" | "s.a.r.l"
        )
    });
    gp && legal && !n.contains("administ")
}

fn set_once<T>(slot: &mut Option<T>, value: Option<T>) -> bool {
    match (slot.is_none(), value) {
        (true, Some(v)) => {
            *slot = Some(v);
            true
        }
        _ => false,
    }
}

fn parse_year(text: &str) -> Option<i32> {
    let t = text.trim();
    (t.len() == 4 && t.chars().all(|c| c.is_ascii_digit()))
        .then(|| t.parse().ok())
        .flatten()
        .filter(|y| (1950..=2100).contains(y))
}

/// Maps a label to a reported-figure key and reads its value; None for anything else.
pub fn reported_figure(pair: &Pair) -> Option<(&'static str, Decimal)> {
    let label = norm_label(&pair.label);
    let has = |w: &str| label.contains(w);
    let words: Vec<&str> = label.split(' ').collect();
    let word = |w: &str| words.contains(&w);
    let value = pair.value.trim();
    let key = if word("tvpi") || has("total value to paid") {
        "tvpi"
    } else if word("rvpi") || has("residual value to paid") {
        "rvpi"
    } else if word("dpi") || has("distributions to paid") {
        "dpi"
    } else if word("irr") || has("internal rate of return") {
        "irr_pct"
    } else if word("pic") || has("paid-in capital") || has("paid in capital") {
        "pic"
    } else if has("capital called")
        || has("called capital")
        || has("total contributions")
        || has("contributed capital")
        || has("total drawdowns")
        || has("capital contributions")
        || has("contributions to date")
    {
        "total_capital_called"
    } else if has("total distributions")
        || has("cumulative distributions")
        || has("distributions to date")
        || has("total distributed")
        || label == "distributions"
    {
        "total_distributions"
    } else if label == "nav" || has("net asset value") {
        "nav"
    } else {
        return None;
    };
    let parsed = match key {
        "tvpi" | "rvpi" | "dpi" => amounts::parse_multiple(value),
        "irr_pct" => amounts::parse_percent(value).or_else(|| amounts::parse_multiple(value)),
        _ => parse_money(value),
    }?;
    Some((key, parsed))
}

/// A date after "as of", "as at", "ended" or "ending" in running text ("Report as of June 30, 2025").
pub fn phrase_date(text: &str) -> Option<NaiveDate> {
    let lower = text.to_lowercase();
    for marker in ["as of ", "as at ", "ended ", "ending "] {
        let Some(pos) = lower.find(marker) else {
            continue;
        };
        let rest = text.get(pos + marker.len()..)?;
        let words: Vec<&str> = rest.split_whitespace().take(3).collect();
        for n in (1..=words.len()).rev() {
            let candidate = words[..n].join(" ");
            if let Some(d) = dates::parse_date(candidate.trim_end_matches(['.', ',', ')'])) {
                return Some(d);
            }
        }
    }
    None
}

/// "Quarterly Report - Q4 2024" gives the quarter's last day, a fallback report date.
pub fn quarter_end(text: &str) -> Option<NaiveDate> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .collect();
    for pair in words.windows(2) {
        let Some(q) = pair[0].strip_prefix(['Q', 'q']) else {
            continue;
        };
        if let (Ok(q @ 1..=4), Ok(y)) = (q.parse::<u32>(), pair[1].parse::<i32>())
            && (1950..=2100).contains(&y)
        {
            let (m, d) = [(3, 31), (6, 30), (9, 30), (12, 31)][q as usize - 1];
            return NaiveDate::from_ymd_opt(y, m, d);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn pair(l: &str, v: &str) -> Pair {
        Pair {
            label: l.into(),
            value: v.into(),
        }
    }

    #[test]
    fn facts_from_labels() {
        let mut f = FundFacts::default();
        for p in pairs(&["Fund Name: Beacon Credit Fund V".to_string()]) {
            apply_fact(&mut f, &p);
        }
        apply_fact(&mut f, &pair("General Partner", "Beacon Capital"));
        apply_fact(&mut f, &pair("Vintage Year", "2022"));
        apply_fact(&mut f, &pair("Fund Size", "$150,000,000"));
        apply_fact(&mut f, &pair("Report Date", "June 30, 2025"));
        assert_eq!(f.name.as_deref(), Some("Beacon Credit Fund V"));
        assert_eq!(f.gp_name.as_deref(), Some("Beacon Capital"));
        assert_eq!(f.vintage_year, Some(2022));
        assert_eq!(f.fund_size, Some(Decimal::from(150_000_000)));
        assert_eq!(f.report_date, NaiveDate::from_ymd_opt(2025, 6, 30));
    }

    #[test]
    fn a_sender_is_the_gp_only_when_named_as_one() {
        let mut f = FundFacts::default();
        apply_fact(&mut f, &pair("From", "Investor Relations"));
        apply_fact(&mut f, &pair("From", "Meadowlane Fund Administration, LLC"));
        assert_eq!(f.gp_name, None);
        apply_fact(
            &mut f,
            &pair("From", "Level Structured Capital Associates II, LLC"),
        );
        assert_eq!(
            f.gp_name.as_deref(),
            Some("Level Structured Capital Associates II, LLC")
        );
    }

    #[test]
    fn reported_keys() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(
            reported_figure(&pair("DPI", "0.60x")),
            Some(("dpi", d("0.60")))
        );
        assert_eq!(
            reported_figure(&pair("Distributions to Paid-In (DPI)", "0.39")),
            Some(("dpi", d("0.39")))
        );
        assert_eq!(
            reported_figure(&pair("Net IRR", "32.3%")),
            Some(("irr_pct", d("32.3")))
        );
        assert_eq!(
            reported_figure(&pair("Net Paid-In Capital (PIC)", "$11,050,000")),
            Some(("pic", d("11050000")))
        );
        assert_eq!(
            reported_figure(&pair("Total Capital Called", "$36,705,250")),
            Some(("total_capital_called", d("36705250")))
        );
        assert_eq!(
            reported_figure(&pair("Net Asset Value", "$1")),
            Some(("nav", d("1")))
        );
        assert_eq!(
            reported_figure(&pair(
                "DPI (Distributions to Paid-In)",
                "Total distributions divided by"
            )),
            None
        );
    }

    #[test]
    fn money_with_magnitude_and_quarters() {
        assert_eq!(
            parse_money("USD 150 million"),
            Some(Decimal::from(150_000_000))
        );
        assert_eq!(parse_money("$1.5bn"), Some(Decimal::from(1_500_000_000)));
        assert_eq!(
            quarter_end("Quarterly Report - Q4 2024"),
            NaiveDate::from_ymd_opt(2024, 12, 31)
        );
    }
}
