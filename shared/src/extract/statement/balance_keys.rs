//! Balance labels (commitment, unfunded, contributed and distributed to date, recallable, NAV,
//! multiples) mapped to fact keys: the vocabulary first, then the label's words.
use super::keys::has_any;

/// Balance labels that hold in any statement (commitment summary, balance sheet).
pub fn balance_key(norm: &str) -> Option<&'static str> {
    let n = norm.trim_start_matches("total ");
    if n.contains("fee") || n.contains("payable") || n.contains("receivable") {
        return None;
    }
    let key = match n {
        "commitment"
        | "capital commitment"
        | "commitment amount"
        | "investor commitment"
        | "partner commitment"
        | "committed amount"
        | "original commitment" => "commitment",
        "unfunded commitment"
        | "remaining unfunded commitment"
        | "ending unfunded commitment"
        | "unfunded capital commitment"
        | "remaining commitment"
        | "remaining capital commitment"
        | "unfunded capital"
        | "uncalled commitment"
        | "uncalled capital"
        | "remaining unfunded capital commitment" => "unfunded_commitment",
        "contributed to date"
        | "capital contributed to date"
        | "contributed capital"
        | "cumulative contributions"
        | "cumulative capital contributions"
        | "capital contributions to date"
        | "contributions to date"
        | "paid-in capital"
        | "paid in capital"
        | "capital called to date"
        | "called capital"
        | "capital contributed"
        | "capital contributions"
        | "cumulative capital called" => "contributed_to_date",
        "distributions to date"
        | "cumulative distributions"
        | "distributed to date"
        | "capital distributed to date"
        | "cumulative capital distributed"
        | "capital distributed" => "distributed_to_date",
        "recallable distributions"
        | "recallable distributions to date"
        | "cumulative recallable distributions"
        | "recallable capital" => "recallable_to_date",
        "net contributed capital"
        | "net contributions"
        | "net invested capital"
        | "net capital contributed" => "net_contributed",
        "nav"
        | "net asset value"
        | "ending nav"
        | "ending capital balance"
        | "closing balance"
        | "ending balance"
        | "closing capital balance"
        | "capital account balance"
        | "ending capital"
        | "partners' capital"
        | "partner's capital"
        | "capital balance"
        | "ending partners' capital"
        | "closing capital" => "nav",
        "total value" => "total_value",
        "tvpi" | "net tvpi" | "gross tvpi" => "tvpi",
        "dpi" | "net dpi" => "dpi",
        "irr" | "net irr" | "irr (%)" | "net irr (%)" => "irr_pct",
        _ => return balance_key_by_words(n),
    };
    Some(key)
}

/// Balance labels no vocabulary above lists, read by their words: administrators word the same
/// balance many ways ("Undrawn commitment", "Called capital to date", "Distribution to date").
/// Only labels that say "to date", "cumulative" or "since inception" count as cumulative flows,
/// so a notice's "Total Capital Call" stays the call itself.
fn balance_key_by_words(n: &str) -> Option<&'static str> {
    if has_any(n, &["%", "percent", "date of", "dated"]) {
        return None;
    }
    let cumulative = has_any(
        n,
        &[
            "to date",
            "cumulative",
            "since inception",
            "inception-to-date",
        ],
    );
    if has_any(n, &["unfunded", "undrawn", "uncalled", "unpaid commitment"]) {
        return Some("unfunded_commitment");
    }
    if has_any(n, &["recallable", "recyclable"]) && has_any(n, &["distribut", "capital"]) {
        return Some("recallable_to_date");
    }
    if cumulative
        && has_any(
            n,
            &[
                "contribut",
                "called",
                "drawn",
                "paid-in",
                "paid in",
                "drawdown",
            ],
        )
    {
        return Some("contributed_to_date");
    }
    if cumulative && n.contains("distribut") {
        return Some("distributed_to_date");
    }
    let last = n.split(' ').next_back().unwrap_or("");
    if matches!(last, "commitment" | "commitments")
        && !has_any(
            n,
            &[
                "remaining",
                "outstanding",
                "fund size",
                "aggregate",
                "total fund",
            ],
        )
    {
        return Some("commitment");
    }
    None
}
