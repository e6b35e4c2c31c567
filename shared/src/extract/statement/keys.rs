//! Label and column-header vocabularies: which ILPA fact key a printed label states, and what a
//! column header says about the period or the party of its figures.
use crate::domain::Period;

pub use super::balance_keys::balance_key;

/// What a column of a statement holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Qtd,
    Ytd,
    /// Inception to date or cumulative.
    Itd,
    /// Balances at a moment around the notice ("Prior to this Notice", "After this Notice").
    PointInTime,
    /// This notice's own movement ("This Notice", "Current").
    Change,
    /// The whole fund's figures ("Total Fund"), beside the investor's.
    Aggregate,
    /// The investor's own figures ("Your Share", "LP").
    Investor,
    Other,
}

pub(super) fn has_any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| text.contains(w))
}

pub use super::notice_keys::*;

pub fn column_kind(header: &str) -> ColumnKind {
    let h = header.to_lowercase();
    if has_any(&h, &["inception", "itd", "cumulative", "life to date"]) {
        ColumnKind::Itd
    } else if has_any(
        &h,
        &[
            "year-to-date",
            "year to date",
            "ytd",
            "twelve months",
            "year ended",
        ],
    ) {
        ColumnKind::Ytd
    } else if has_any(&h, &["quarter", "qtd", "three months"]) {
        ColumnKind::Qtd
    } else if has_any(
        &h,
        &["prior to", "before", "after", "including", "previous"],
    ) {
        ColumnKind::PointInTime
    } else if h == "this notice"
        || h == "current"
        || has_any(&h, &["this call", "this distribution"])
    {
        ColumnKind::Change
    } else if has_any(&h, &["your", "investor", "lp", "limited partner"]) {
        ColumnKind::Investor
    } else if has_any(
        &h,
        &[
            "total fund",
            "fund",
            "partnership",
            "aggregate",
            "all partners",
        ],
    ) {
        ColumnKind::Aggregate
    } else {
        ColumnKind::Other
    }
}

/// A header naming a single value column this generically states nothing about its figures.
pub fn is_generic_header(header: &str) -> bool {
    let h = header.to_lowercase();
    let h = h.trim_matches(|c: char| !c.is_alphanumeric());
    matches!(
        h,
        "amount" | "amount usd" | "usd" | "value" | "balance" | "total" | ""
    ) || h.starts_with("amount (")
}

/// The label reduced for matching: lower case, one space, no footnote digits, no trailing
/// colon, and the qualifiers that say when a balance is taken ("(before this call)") or how
/// a figure is broken down ("- Cash & Non-Cash") removed.
pub fn normalize(label: &str) -> String {
    let lower = label.to_lowercase().replace(['’', '‘'], "'");
    let mut t: String = lower.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(cut) = qualifier_dash(&t) {
        t.truncate(cut);
    }
    if let Some(open) = t.find(" (")
        && has_any(
            &t[open..],
            &["before", "after", "prior", "including", "this "],
        )
    {
        t.truncate(open);
    }
    for q in [
        " prior to this notice",
        " including this notice",
        " after this notice",
        " before this notice",
        " after this call",
        " after this distribution",
    ] {
        if let Some(cut) = t.find(q) {
            t.truncate(cut);
        }
    }
    let mut t = t.trim_end_matches([':', '.', ' ']);
    // A footnote mark set against the last word ("Taxable Income1"), not a date's year.
    let digits = t.len() - t.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if (1..=2).contains(&digits) && t[..t.len() - digits].ends_with(char::is_alphabetic) {
        t = &t[..t.len() - digits];
    }
    t.trim_start_matches("your ").to_string()
}

/// Where a " - Qualifier" starts: a hyphen with a space on at least one side, between words
/// ("Expenses - Total", and "Expenses- Total" as a scan reads it; not "Follow-on").
fn qualifier_dash(t: &str) -> Option<usize> {
    t.find(" - ")
        .or_else(|| {
            t.find("- ")
                .filter(|&i| t[..i].ends_with(char::is_alphabetic))
        })
        .or_else(|| {
            t.find(" -")
                .filter(|&i| t[i + 2..].starts_with(char::is_alphabetic))
        })
}

/// A label that states a balance on a date ("Partners' capital, December 31, 2023").
pub fn has_date(label: &str) -> bool {
    label
        .split([',', ' '])
        .any(|w| w.len() == 4 && w.starts_with("20") && w.chars().all(|c| c.is_ascii_digit()))
}

/// Where a line sits in a roll-forward of capital.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Balance {
    Beginning,
    Ending,
    /// A balance whose label does not say which end ("Partners' capital, <date>").
    Either,
}

pub fn balance_role(norm: &str) -> Option<Balance> {
    let capital = has_any(norm, &["balance", "capital", "nav", "net asset value"]);
    let first = norm.split([' ', ',']).next().unwrap_or("");
    if !capital
        || has_any(
            norm,
            &["contribut", "distribut", "commitment", "fee", "expense"],
        )
    {
        return None;
    }
    if matches!(first, "beginning" | "opening") || norm.contains("beginning of") {
        return Some(Balance::Beginning);
    }
    if matches!(first, "ending" | "closing") || norm.contains("end of") {
        return Some(Balance::Ending);
    }
    if norm.contains(',') && has_date(norm) {
        return Some(Balance::Either);
    }
    None
}

/// Movement lines of a capital roll-forward.
pub fn flow_key(norm: &str) -> Option<&'static str> {
    let first = norm.split(' ').next().unwrap_or("");
    if matches!(first, "total" | "accrued") || has_any(norm, &["payable", "receivable"]) {
        return None;
    }
    if norm.contains("management fee") {
        return (!has_any(norm, &["offset", "rate", "subject to", "reduction"]))
            .then_some("management_fees_period");
    }
    if norm.contains("unrealized gain") {
        return Some("unrealized_gain_period");
    }
    if norm.contains("realized gain") {
        return Some("realized_gain_period");
    }
    if has_any(
        norm,
        &[
            "carried interest",
            "incentive allocation",
            "carry allocation",
        ],
    ) {
        return Some("carried_interest_period");
    }
    if norm.ends_with("expenses") && !norm.contains("interest") {
        return Some("expenses_period");
    }
    if norm.contains("recallable") || has_any(norm, &["proceeds", "and/or"]) {
        return None;
    }
    if norm.contains("contribution") {
        return Some("contributions_period");
    }
    if norm.contains("distribution") {
        return Some("distributions_period");
    }
    None
}

/// Flow keys that also stand outside a roll-forward (a statement of operations).
pub fn is_operations_key(key: &str) -> bool {
    matches!(key, "management_fees_period" | "expenses_period")
}

/// A balance that is a to-date sum of flows rather than a stock.
pub fn is_to_date(key: &str) -> bool {
    matches!(key, "contributed_to_date" | "distributed_to_date")
}

/// The period a period figure covers, from its column or else from the statement's wording.
pub fn period_of(kind: Option<ColumnKind>, doc_period: Option<Period>) -> Option<Period> {
    match kind {
        Some(ColumnKind::Qtd) => Some(Period::Qtd),
        Some(ColumnKind::Ytd) => Some(Period::Ytd),
        Some(ColumnKind::Itd) => Some(Period::Itd),
        _ => doc_period,
    }
}

/// "For the quarter ended …" or "For the year ended …".
pub fn period_phrase(text: &str) -> Option<Period> {
    let t = text.to_lowercase();
    if has_any(
        &t,
        &["quarter ended", "quarter ending", "three months ended"],
    ) {
        Some(Period::Qtd)
    } else if has_any(&t, &["year ended", "year ending", "twelve months ended"]) {
        Some(Period::Ytd)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_reduce_to_their_keys() {
        assert_eq!(
            normalize("Partnership Expenses- Total"),
            "partnership expenses"
        );
        assert_eq!(
            normalize("Partnership Expenses -Total"),
            "partnership expenses"
        );
        assert_eq!(normalize("Follow-on investment"), "follow-on investment");
        let n = normalize("Capital contributed to date (before this call)");
        assert_eq!(balance_key(&n), Some("contributed_to_date"));
        assert_eq!(
            balance_key(&normalize("Distributions to Date Prior to this Notice")),
            Some("distributed_to_date")
        );
        assert_eq!(balance_key(&normalize("Management fees payable")), None);
        for (label, key) in [
            ("Undrawn commitment", "unfunded_commitment"),
            ("Called capital to date", "contributed_to_date"),
            ("Distribution to date", "distributed_to_date"),
            (
                "Cumulative paid-in capital since inception",
                "contributed_to_date",
            ),
            ("Your LP commitment", "commitment"),
        ] {
            assert_eq!(balance_key(&normalize(label)), Some(key), "{label}");
        }
        assert_eq!(balance_key(&normalize("Total Capital Call")), None);
        assert_eq!(balance_key(&normalize("Commitment date")), None);
        assert_eq!(
            flow_key(&normalize("Management Fees - Gross of Offsets")),
            Some("management_fees_period")
        );
        assert_eq!(flow_key(&normalize("Total expenses")), None);
        assert_eq!(
            flow_key(&normalize("Change in Unrealized Gain / (Loss)")),
            Some("unrealized_gain_period")
        );
        assert_eq!(
            balance_role(&normalize("Beginning NAV - Net of Incentive Allocation")),
            Some(Balance::Beginning)
        );
        assert_eq!(
            balance_role(&normalize("Partners' capital, December 31, 2023")),
            Some(Balance::Either)
        );
        assert_eq!(
            notice_total("net amount payable", false),
            Some(Flow::Distribution)
        );
        assert_eq!(notice_total("total estimated taxable income", false), None);
        assert_eq!(column_kind("Year-to-Date"), ColumnKind::Ytd);
        assert_eq!(column_kind("After this Notice"), ColumnKind::PointInTime);
        assert_eq!(column_kind("Your Share"), ColumnKind::Investor);
        assert_eq!(column_kind("Total Fund"), ColumnKind::Aggregate);
    }
}
