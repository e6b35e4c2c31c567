//! Keyword rules: what a table holds (from its title and header) and what each column means.

/// What a transaction table lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    CapitalCalls,
    Distributions,
    Adjustments,
    Other,
}

/// The meaning of one header cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnRole {
    Date,
    Amount,
    CallNumber,
    Type,
    Recallable,
    Description,
    Other,
}

fn has_any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| text.contains(w))
}

/// Classifies a table from its title (the text above the header). Adjustment words win over
/// the others because titles like "Capital Call Adjustments" name a call or a distribution too.
pub fn kind_from_title(title: &str) -> Option<TableKind> {
    let t = title.to_lowercase();
    if has_any(
        &t,
        &[
            "adjustment",
            "rebalanc",
            "true-up",
            "true up",
            "correction",
            "clawback",
        ],
    ) {
        return Some(TableKind::Adjustments);
    }
    if has_any(&t, &["distribution", "proceeds", "payout", "returned to"]) {
        return Some(TableKind::Distributions);
    }
    if has_any(
        &t,
        &[
            "capital call",
            "contribution",
            "drawdown",
            "draw down",
            "draw-down",
            "called",
            "calls",
            "paid-in",
            "funding",
        ],
    ) {
        return Some(TableKind::CapitalCalls);
    }
    None
}

/// Classifies a table from its header roles when the title says nothing: a call-number column
/// means calls, a recallable column means distributions.
pub fn kind_from_roles(roles: &[ColumnRole]) -> Option<TableKind> {
    if roles.contains(&ColumnRole::CallNumber) {
        return Some(TableKind::CapitalCalls);
    }
    if roles.contains(&ColumnRole::Recallable) {
        return Some(TableKind::Distributions);
    }
    None
}

/// Classifies one row from its type text, for tables whose title says nothing.
pub fn kind_from_row_type(type_text: &str) -> Option<TableKind> {
    let t = type_text.to_lowercase();
    if has_any(
        &t,
        &["rebalanc", "adjust", "recalled", "clawback", "true-up"],
    ) {
        return Some(TableKind::Adjustments);
    }
    // A type cell that is just the name of the flow ("Contribution", "Distribution").
    match t.trim() {
        "contribution" | "capital contribution" | "capital call" | "call" | "drawdown" => {
            Some(TableKind::CapitalCalls)
        }
        "distribution" | "capital distribution" | "cash distribution" => {
            Some(TableKind::Distributions)
        }
        _ => None,
    }
}

/// The role of a header cell, from its words.
pub fn column_role(header: &str) -> ColumnRole {
    let t = header.to_lowercase();
    let t = t.trim();
    if has_any(t, &["recallable", "recall", "recyclable"]) {
        return ColumnRole::Recallable;
    }
    if t.contains("date") || t == "as of" || t == "period" {
        return ColumnRole::Date;
    }
    if has_any(
        t,
        // "callnumber": a scan read without its space.
        &[
            "call number",
            "call no",
            "call #",
            "call id",
            "notice",
            "callnumber",
        ],
    ) || t == "call"
        || t == "#"
        || t == "no."
        || t == "no"
        || t == "number"
    {
        return ColumnRole::CallNumber;
    }
    if has_any(t, &["amount", "usd", "value", "($", "(€", "(£", "000"])
        || t == "$"
        || t == "contribution"
        || t == "contributions"
        || t == "distribution"
        || t == "distributions"
        || t == "proceeds"
        || t == "net"
    {
        return ColumnRole::Amount;
    }
    if has_any(t, &["type", "category", "nature", "class", "kind"]) {
        return ColumnRole::Type;
    }
    if has_any(
        t,
        &[
            "description",
            "detail",
            "memo",
            "note",
            "purpose",
            "comment",
            "narrative",
            "investment",
            "explanation",
            "reason",
        ],
    ) {
        return ColumnRole::Description;
    }
    ColumnRole::Other
}

/// A header row names at least a date and an amount column, and every cell is short text.
pub fn is_header(cells: &[String]) -> bool {
    if cells.len() < 2 || cells.len() > 12 {
        return false;
    }
    let roles: Vec<ColumnRole> = cells.iter().map(|c| column_role(c)).collect();
    let short = cells.iter().all(|c| c.chars().count() <= 40);
    let wordy = cells
        .iter()
        .all(|c| c.chars().filter(|ch| ch.is_ascii_digit()).count() <= 4);
    short && wordy && roles.contains(&ColumnRole::Date) && roles.contains(&ColumnRole::Amount)
}

/// "Yes"/"No" style flags.
pub fn parse_flag(text: &str) -> Option<bool> {
    let t = text.trim().to_lowercase();
    match t.as_str() {
        "yes" | "y" | "true" | "recallable" | "✓" | "✔" | "x" => Some(true),
        "no" | "n" | "false" | "non-recallable" | "not recallable" | "-" | "—" | "–" | "" => {
            Some(false)
        }
        _ => None,
    }
}

/// A row that sums the table rather than listing a transaction.
pub fn is_total_label(text: &str) -> bool {
    let t = text.trim().to_lowercase();
    let first = t
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .find(|w| !w.is_empty())
        .unwrap_or("");
    matches!(
        first,
        "total" | "totals" | "subtotal" | "sub-total" | "sum" | "grand"
    ) && (first != "grand" || t.contains("total"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_synonyms() {
        use TableKind::*;
        let cases = [
            ("Capital Calls", CapitalCalls),
            ("Capital Contributions", CapitalCalls),
            ("Drawdowns (in thousands of USD)", CapitalCalls),
            ("Contributions Called", CapitalCalls),
            ("Schedule of Capital Calls", CapitalCalls),
            ("Distributions", Distributions),
            ("Cash Distributions", Distributions),
            ("Distributions to Limited Partners", Distributions),
            ("Adjustments", Adjustments),
            ("Rebalancing Adjustments", Adjustments),
            ("Capital Account Adjustments", Adjustments),
            ("Adjustments and Rebalances", Adjustments),
            ("Capital Call Adjustments", Adjustments),
        ];
        for (title, kind) in cases {
            assert_eq!(kind_from_title(title), Some(kind), "{title}");
        }
        assert_eq!(kind_from_title("Portfolio Commentary"), None);
    }

    #[test]
    fn header_roles() {
        use ColumnRole::*;
        let cases = [
            ("Date", Date),
            ("Payment Date", Date),
            ("Call Number", CallNumber),
            ("Call #", CallNumber),
            ("Amount", Amount),
            ("Amount (USD)", Amount),
            ("Type", Type),
            ("Distribution Type", Type),
            ("Recallable", Recallable),
            ("Description", Description),
            ("Purpose", Description),
        ];
        for (h, role) in cases {
            assert_eq!(column_role(h), role, "{h}");
        }
    }

    #[test]
    fn header_rows() {
        let row = |cells: &[&str]| cells.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(is_header(&row(&[
            "Date",
            "Call Number",
            "Amount",
            "Description"
        ])));
        assert!(is_header(&row(&[
            "Date",
            "Amount",
            "Type",
            "Recallable",
            "Description"
        ])));
        assert!(!is_header(&row(&[
            "2024-01-15",
            "Call 1",
            "$5,000",
            "Initial"
        ])));
        assert!(!is_header(&row(&["Fund Name: X"])));
        assert_eq!(
            kind_from_roles(&[ColumnRole::Date, ColumnRole::Recallable]),
            Some(TableKind::Distributions)
        );
    }

    #[test]
    fn flags_and_totals() {
        assert_eq!(parse_flag("Yes"), Some(true));
        assert_eq!(parse_flag("No"), Some(false));
        assert_eq!(parse_flag("maybe"), None);
        assert!(is_total_label("Total"));
        assert!(is_total_label("Total Distributions"));
        assert!(!is_total_label("Initial Capital Call"));
        assert!(!is_total_label("Summit fee"));
        assert!(is_total_label("Grand Total"));
    }
}
