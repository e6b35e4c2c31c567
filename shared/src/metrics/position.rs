//! The LP's position in one fund: commitment, contributed, distributed, unfunded, recallable and
//! NAV from the latest stated figures, derived where a figure is not stated, and reconciled.
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// The position keys, in the order the API lists them.
pub const POSITION_KEYS: [&str; 6] = [
    "commitment",
    "contributed_to_date",
    "distributed_to_date",
    "unfunded_commitment",
    "recallable_to_date",
    "nav",
];

/// A figure a document states, with where it was read and the date it speaks for.
#[derive(Debug, Clone, PartialEq)]
pub struct StatedFact {
    pub key: String,
    pub value: Decimal,
    pub column: Option<String>,
    pub period: Option<String>,
    pub label: String,
    pub as_of: Option<NaiveDate>,
    pub document_id: i64,
    pub file_name: String,
    pub page: i32,
}

/// Totals of the fund's stored transactions up to the as-of date (each cash flow once).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlowTotals {
    pub calls: Decimal,
    pub adjustments: Decimal,
    pub distributions: Decimal,
}

/// Where a position figure comes from.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PositionSource {
    pub key: String,
    #[serde(with = "rust_decimal::serde::float")]
    pub value: Decimal,
    /// False: read from the document; true: derived by `formula`.
    pub derived: bool,
    pub formula: Option<String>,
    pub document_id: Option<i64>,
    pub file_name: Option<String>,
    pub page: Option<i32>,
    pub label: Option<String>,
    pub column: Option<String>,
    pub as_of: Option<NaiveDate>,
}

/// A stated figure that disagrees with what the other figures or the transactions give.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PositionDiscrepancy {
    pub key: String,
    #[serde(with = "rust_decimal::serde::float")]
    pub reported: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    pub computed: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    pub difference: Decimal,
    pub explanation: String,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Position {
    #[serde(with = "rust_decimal::serde::float_option")]
    pub commitment: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::float_option")]
    pub contributed_to_date: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::float_option")]
    pub distributed_to_date: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::float_option")]
    pub unfunded_commitment: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::float_option")]
    pub recallable_to_date: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::float_option")]
    pub nav: Option<Decimal>,
    /// The date of the latest document used.
    pub as_of: Option<NaiveDate>,
    pub sources: Vec<PositionSource>,
    pub discrepancies: Vec<PositionDiscrepancy>,
}

/// Differences up to this many currency units are rounding in the printed figures.
const TOLERANCE: i64 = 1;

/// How well a stated figure speaks for the LP's own balance after the document's event: the
/// LP's column over the whole fund's, "after this notice" over "before", balances over periods.
fn rank(f: &StatedFact) -> (Option<NaiveDate>, i32) {
    let col = f.column.as_deref().unwrap_or("").to_lowercase();
    let label = f.label.to_lowercase();
    let mut score = 0;
    if col.contains("total") || col.contains("fund") || col.contains("partnership") {
        score -= 4;
    }
    if col.contains("prior")
        || col.contains("before")
        || label.contains("before")
        || label.contains("prior")
    {
        score -= 2;
    }
    if col.contains("after") || label.contains("after") || label.contains("including") {
        score += 1;
    }
    match f.period.as_deref() {
        Some("qtd") | Some("ytd") => score -= 3,
        _ => {}
    }
    (f.as_of, score)
}

/// Builds the position from stated facts (any keys; the position keys are picked out) and the
/// transaction totals.
pub fn position(facts: &[StatedFact], flows: &FlowTotals) -> Position {
    let mut p = Position::default();
    for key in POSITION_KEYS {
        let best = facts.iter().filter(|f| f.key == key).max_by(|a, b| {
            rank(a)
                .cmp(&rank(b))
                .then(b.document_id.cmp(&a.document_id))
        });
        let Some(f) = best else { continue };
        *slot(&mut p, key) = Some(f.value);
        p.as_of = p.as_of.max(f.as_of);
        p.sources.push(PositionSource {
            key: key.into(),
            value: f.value,
            derived: false,
            formula: None,
            document_id: Some(f.document_id),
            file_name: Some(f.file_name.clone()),
            page: Some(f.page),
            label: Some(f.label.clone()),
            column: f.column.clone(),
            as_of: f.as_of,
        });
    }
    let from_flows_contributed = flows.calls - flows.adjustments;
    let have_flows = flows.calls != Decimal::ZERO || flows.distributions != Decimal::ZERO;
    if p.contributed_to_date.is_none() && have_flows {
        derive(
            &mut p,
            "contributed_to_date",
            from_flows_contributed,
            "capital calls − adjustments (stored transactions)",
        );
    }
    if p.distributed_to_date.is_none() && have_flows {
        derive(
            &mut p,
            "distributed_to_date",
            flows.distributions,
            "distributions (stored transactions)",
        );
    }
    let derived_unfunded = match (p.commitment, p.contributed_to_date) {
        (Some(c), Some(k)) => Some(c - k + p.recallable_to_date.unwrap_or_default()),
        _ => None,
    };
    match (p.unfunded_commitment, derived_unfunded) {
        (None, Some(u)) => derive(
            &mut p,
            "unfunded_commitment",
            u,
            "commitment − contributed to date + recallable distributions",
        ),
        (Some(stated), Some(u)) => check(
            &mut p,
            "unfunded_commitment",
            stated,
            u,
            "commitment − contributed to date + recallable distributions",
        ),
        _ => {}
    }
    if have_flows {
        if let Some(stated) = stated_value(&p, "contributed_to_date") {
            check(
                &mut p,
                "contributed_to_date",
                stated,
                from_flows_contributed,
                "the capital calls stored for this fund, less adjustments",
            );
        }
        if let Some(stated) = stated_value(&p, "distributed_to_date") {
            check(
                &mut p,
                "distributed_to_date",
                stated,
                flows.distributions,
                "the distributions stored for this fund",
            );
        }
    }
    p
}

fn stated_value(p: &Position, key: &str) -> Option<Decimal> {
    p.sources
        .iter()
        .find(|s| s.key == key && !s.derived)
        .map(|s| s.value)
}

fn slot<'a>(p: &'a mut Position, key: &str) -> &'a mut Option<Decimal> {
    match key {
        "commitment" => &mut p.commitment,
        "contributed_to_date" => &mut p.contributed_to_date,
        "distributed_to_date" => &mut p.distributed_to_date,
        "unfunded_commitment" => &mut p.unfunded_commitment,
        "recallable_to_date" => &mut p.recallable_to_date,
        _ => &mut p.nav,
    }
}

fn derive(p: &mut Position, key: &str, value: Decimal, formula: &str) {
    *slot(p, key) = Some(value);
    p.sources.push(PositionSource {
        key: key.into(),
        value,
        derived: true,
        formula: Some(formula.into()),
        document_id: None,
        file_name: None,
        page: None,
        label: None,
        column: None,
        as_of: None,
    });
}

fn check(p: &mut Position, key: &str, stated: Decimal, computed: Decimal, from: &str) {
    let difference = stated - computed;
    if difference.abs() > Decimal::from(TOLERANCE) {
        p.discrepancies.push(PositionDiscrepancy {
            key: key.into(),
            reported: stated,
            computed,
            difference,
            explanation: format!(
                "The document states {key} of {stated}, but {from} give {computed} (difference {difference})."
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(key: &str, value: i64, column: Option<&str>, day: u32) -> StatedFact {
        StatedFact {
            key: key.into(),
            value: Decimal::from(value),
            column: column.map(str::to_string),
            period: Some("as_of".into()),
            label: key.into(),
            as_of: NaiveDate::from_ymd_opt(2024, 6, day),
            document_id: 1,
            file_name: "n.pdf".into(),
            page: 1,
        }
    }

    #[test]
    fn latest_lp_figures_and_derived_unfunded() {
        let facts = [
            fact("commitment", 10_000_000, None, 1),
            fact(
                "contributed_to_date",
                4_000_000,
                Some("Prior to this Notice"),
                1,
            ),
            fact(
                "contributed_to_date",
                4_500_000,
                Some("After this Notice"),
                1,
            ),
            fact("contributed_to_date", 90_000_000, Some("Total Fund"), 1),
            fact("recallable_to_date", 200_000, None, 1),
        ];
        let p = position(&facts, &FlowTotals::default());
        assert_eq!(p.contributed_to_date, Some(Decimal::from(4_500_000)));
        assert_eq!(p.unfunded_commitment, Some(Decimal::from(5_700_000)));
        let u = p
            .sources
            .iter()
            .find(|s| s.key == "unfunded_commitment")
            .unwrap();
        assert!(u.derived && u.formula.is_some());
        assert!(p.discrepancies.is_empty());
    }

    #[test]
    fn stated_unfunded_that_does_not_add_up_is_a_discrepancy() {
        let facts = [
            fact("commitment", 10_000_000, None, 1),
            fact("contributed_to_date", 4_000_000, None, 1),
            fact("unfunded_commitment", 5_000_000, None, 1),
        ];
        let p = position(&facts, &FlowTotals::default());
        assert_eq!(p.unfunded_commitment, Some(Decimal::from(5_000_000)));
        assert_eq!(p.discrepancies.len(), 1);
        assert_eq!(p.discrepancies[0].difference, Decimal::from(-1_000_000));
    }

    #[test]
    fn transactions_fill_what_no_document_states() {
        let flows = FlowTotals {
            calls: Decimal::from(3_000),
            adjustments: Decimal::from(-500),
            distributions: Decimal::from(1_000),
        };
        let p = position(&[fact("commitment", 10_000, None, 1)], &flows);
        assert_eq!(p.contributed_to_date, Some(Decimal::from(3_500)));
        assert_eq!(p.distributed_to_date, Some(Decimal::from(1_000)));
        assert_eq!(p.unfunded_commitment, Some(Decimal::from(6_500)));
    }
}
