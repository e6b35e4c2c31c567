//! Notice vocabularies: the lines that state a notice's amount or its recallable part, the
//! labelled dates of a notice and the labels that name the investor.

fn has_any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| text.contains(w))
}

/// The cash flow a notice total states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Call,
    Distribution,
}

/// A line that closes a notice's breakdown ("Total Capital Call", "Net Distribution",
/// "Net Amount Payable", "Total Due from Limited Partner"), with the flow it names.
pub fn notice_total(norm: &str, call_notice: bool) -> Option<Flow> {
    let first = norm.split(' ').next().unwrap_or("");
    let totalish = matches!(first, "total" | "net")
        || has_any(norm, &["amount due", "total due", "amount payable"]);
    if !totalish
        || has_any(
            norm,
            &[
                "recallable",
                "to date",
                "cumulative",
                "commitment",
                "income",
            ],
        )
    {
        return None;
    }
    notice_flow(norm, call_notice)
}

/// A line naming this notice's own amount ("This capital call", "Amount of this Capital Call").
pub fn notice_amount(norm: &str, call_notice: bool) -> Option<Flow> {
    if has_any(
        norm,
        &["this capital call", "this call", "this distribution"],
    ) && !has_any(norm, &["to date", "before", "after", "prior", "including"])
    {
        return notice_flow(norm, call_notice);
    }
    None
}

fn notice_flow(norm: &str, call_notice: bool) -> Option<Flow> {
    if has_any(norm, &["call", "contribution", "drawdown"]) {
        Some(Flow::Call)
    } else if norm.contains("distribution") {
        Some(Flow::Distribution)
    } else if has_any(norm, &["due", "payable", "amount"]) {
        Some(if call_notice {
            Flow::Call
        } else {
            Flow::Distribution
        })
    } else {
        None
    }
}

/// A distribution notice's statement of the recallable part of this distribution.
pub fn is_recallable_part(norm: &str) -> bool {
    (norm.contains("recallable") || norm.contains("subject to recall"))
        && !has_any(norm, &["to date", "cumulative", "distributions"])
}

pub fn notice_date_key(norm: &str) -> Option<&'static str> {
    match norm {
        "date" | "notice date" | "date of notice" | "notice" => Some("notice_date"),
        "due date"
        | "payment due date"
        | "funds due"
        | "due"
        | "payment due"
        | "funding date"
        | "funding due date"
        | "contribution due date"
        | "date due"
        | "wire date" => Some("due_date"),
        "payment date"
        | "value date"
        | "distribution date"
        | "date of distribution"
        | "date of payment"
        | "pay date" => Some("payment_date"),
        _ => None,
    }
}

pub fn investor_label(norm: &str) -> bool {
    matches!(
        norm,
        "to" | "limited partner"
            | "investor"
            | "investor name"
            | "partner"
            | "lp"
            | "lp name"
            | "name of investor"
            | "limited partner name"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_name_their_flow() {
        assert_eq!(
            notice_total("net amount payable", false),
            Some(Flow::Distribution)
        );
        assert_eq!(
            notice_total("total due from limited partner", true),
            Some(Flow::Call)
        );
        assert_eq!(notice_total("total estimated taxable income", false), None);
        assert_eq!(
            notice_amount("amount of this capital call", true),
            Some(Flow::Call)
        );
        assert!(is_recallable_part("amount subject to recall"));
        assert!(!is_recallable_part("recallable distributions to date"));
    }
}
