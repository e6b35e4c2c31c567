//! What a portfolio table's column holds, read from its header wording.

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Name,
    Vintage,
    Commitment,
    Unfunded,
    Contributed,
    Distributed,
    Nav,
    TotalValue,
    Tvpi,
    Dpi,
    Irr,
    Other,
}

impl Role {
    /// Money columns, which add up over the rows and are scaled by the unit note.
    pub fn is_money(self) -> bool {
        matches!(
            self,
            Self::Commitment
                | Self::Unfunded
                | Self::Contributed
                | Self::Distributed
                | Self::Nav
                | Self::TotalValue
        )
    }

    /// The fund metrics that make a table a portfolio table.
    pub fn is_metric(self) -> bool {
        matches!(
            self,
            Self::Commitment
                | Self::Contributed
                | Self::Distributed
                | Self::Nav
                | Self::Tvpi
                | Self::Dpi
                | Self::Irr
        )
    }

    /// The fact key of this column's figure in a total row.
    pub fn fact_key(self) -> Option<&'static str> {
        Some(match self {
            Self::Commitment => "commitment",
            Self::Unfunded => "unfunded_commitment",
            Self::Contributed => "contributed_to_date",
            Self::Distributed => "distributed_to_date",
            Self::Nav => "nav",
            Self::TotalValue => "total_value",
            Self::Tvpi => "tvpi",
            Self::Dpi => "dpi",
            Self::Irr => "irr_pct",
            Self::Name | Self::Vintage | Self::Other => return None,
        })
    }
}

/// How sure a name header is that the rows are funds rather than companies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Fund,
    Generic,
    /// The manager's name: the fund's name when no other column names it.
    Manager,
}

impl NameKind {
    pub fn rank(self) -> u8 {
        match self {
            Self::Fund => 2,
            Self::Generic => 1,
            Self::Manager => 0,
        }
    }
}

/// The role a header text names. More specific names are tested first: "Distributions /
/// Paid-In" is DPI, "Total Value Multiple" is TVPI, "Unfunded Commitment" is not the commitment,
/// "Cash Out & Remaining Value" is a total value, not the NAV.
pub fn role_of(t: &str) -> (Role, Option<NameKind>) {
    let has = |ws: &[&str]| ws.iter().any(|w| t.contains(w));
    let word = |w: &str| t.split(|c: char| !c.is_alphanumeric()).any(|x| x == w);
    let ratio = t.contains('/') || t.contains(" to ");
    let paid = has(&["paid", "contribut", " pi"]);
    let role = if word("irr") || has(&["internal rate"]) {
        Role::Irr
    } else if word("dpi") || (ratio && paid && has(&["distribut", "dist"])) {
        Role::Dpi
    } else if word("tvpi")
        || word("moic")
        || word("tvm")
        || has(&["multiple"])
        || (ratio && paid && has(&["total value", "tv"]))
    {
        Role::Tvpi
    } else if has(&["date", "%"]) && !has(&["to date"]) {
        Role::Other
    } else if has(&[
        "unfunded",
        "uncalled",
        "remaining commitment",
        "remaining to be",
        "undrawn",
    ]) {
        Role::Unfunded
    } else if has(&["commit"]) {
        Role::Commitment
    } else if has(&["total value"])
        || (has(&["remaining value", "market value", "nav"]) && has(&["cash out", "distribut"]))
    {
        Role::TotalValue
    } else if word("nav")
        || has(&[
            "net asset value",
            "fair value",
            "market value",
            "fair market",
            "remaining value",
            "reported value",
            "unrealized value",
            "carrying value",
            "valuation",
        ])
    {
        Role::Nav
    } else if has(&["distribut", "realized", "cash out", "returned"]) {
        Role::Distributed
    } else if has(&[
        "contribut",
        "paid-in",
        "paid in",
        "called",
        "drawn",
        "funded",
        "cash in",
    ]) {
        Role::Contributed
    } else if word("vintage") || t == "year" || t == "vintage year" || t == "inception year" {
        Role::Vintage
    } else if has(&[
        "size", "type", "strategy", "year", "geograph", "sector", "currency", "status", "region",
    ]) {
        Role::Other
    } else if has(&["fund", "partnership", "vehicle"]) {
        return (Role::Name, Some(NameKind::Fund));
    } else if word("investment") || word("investments") || word("name") {
        return (Role::Name, Some(NameKind::Generic));
    } else if has(&["manager", "sponsor", "general partner"]) {
        return (Role::Name, Some(NameKind::Manager));
    } else {
        Role::Other
    };
    (role, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_of_common_headers() {
        let cases = [
            ("total capital contributed", Role::Contributed),
            ("total capital distributed", Role::Distributed),
            ("fair market value", Role::Nav),
            ("total value multiple", Role::Tvpi),
            ("capital commitment", Role::Commitment),
            ("unfunded commitment", Role::Unfunded),
            ("distributions / paid-in (dpi)", Role::Dpi),
            ("net irr", Role::Irr),
            ("vintage year", Role::Vintage),
            ("partnership", Role::Name),
            ("fund name", Role::Name),
            ("investment date", Role::Other),
            ("paid-in capital", Role::Contributed),
            ("capital committed", Role::Commitment),
            ("cash in", Role::Contributed),
            ("cash out", Role::Distributed),
            ("cash out & remaining value", Role::TotalValue),
            ("investment multiple", Role::Tvpi),
            ("total value / paid-in", Role::Tvpi),
            ("distributions / paid-in", Role::Dpi),
            ("commitment date", Role::Other),
            ("capital called to date", Role::Contributed),
            ("distributions to date", Role::Distributed),
            ("market value", Role::Nav),
            ("fund size", Role::Other),
            ("manager", Role::Name),
        ];
        for (text, want) in cases {
            assert_eq!(role_of(text).0, want, "{text}");
        }
    }
}
