//! Magnitude check: a table whose amounts are 1,000× (or 1,000,000×) away from the figures the
//! document states about them, or from its sibling tables, gets a warning instead of silence.
use rust_decimal::Decimal;

use super::classify::TableKind;
use crate::domain::{Extraction, ExtractionWarning};

/// What the check needs to know about one closed table.
#[derive(Debug, Clone)]
pub struct TableSummary {
    pub kind: TableKind,
    pub title: String,
    /// The unit the table was read in (1, 1,000 for "(in thousands)"...).
    pub scale: Decimal,
    /// Sum of its rows, after scaling.
    pub sum: Decimal,
    pub rows: usize,
    pub page: u32,
    /// The middle absolute row amount, after scaling.
    pub median: Decimal,
}

/// Scale factors a wrong or missing unit note produces.
const FACTORS: [i64; 2] = [1_000, 1_000_000];
/// How close a ratio must come to a factor to be read as that factor (rounded figures, a
/// stated total that includes a few rows this table does not list).
const TOLERANCE: f64 = 0.02;

/// Typical amounts of two tables of one document this many times apart mean different units;
/// real calls and distributions of one fund differ by far less.
const APART: i64 = 300;

/// The power-of-1,000 factor that separates `a` from `b`, if they are that far apart.
pub fn off_by(a: Decimal, b: Decimal) -> Option<i64> {
    let (a, b) = (f64::try_from(a.abs()).ok()?, f64::try_from(b.abs()).ok()?);
    if a == 0.0 || b == 0.0 {
        return None;
    }
    let ratio = if a > b { a / b } else { b / a };
    FACTORS
        .into_iter()
        .find(|&f| (ratio / f as f64 - 1.0).abs() <= TOLERANCE)
}

/// Adds a warning for every table out of scale with a stated total or with the other tables.
pub fn check(tables: &[TableSummary], out: &mut Extraction) {
    let mut warnings = Vec::new();
    for (kind, key, what) in [
        (
            TableKind::CapitalCalls,
            "total_capital_called",
            "total capital called",
        ),
        (
            TableKind::Distributions,
            "total_distributions",
            "total distributions",
        ),
    ] {
        let of_kind: Vec<&TableSummary> = tables
            .iter()
            .filter(|t| t.kind == kind && t.rows > 0)
            .collect();
        let sum: Decimal = of_kind.iter().map(|t| t.sum).sum();
        let Some(stated) = out.reported.iter().find(|r| r.key == key) else {
            continue;
        };
        if let Some(factor) = off_by(stated.value, sum)
            && let Some(t) = of_kind.first()
        {
            warnings.push(ExtractionWarning {
                page: Some(t.page),
                message: format!(
                    "the rows of \"{}\" add up to {} but the document states {what} of {} (page {}), about {factor}× apart: the table's unit may be misread, check it before relying on these amounts",
                    t.title,
                    sum.normalize(),
                    stated.value.normalize(),
                    stated.page
                ),
                text: Some(stated.source_text.clone()),
            });
        }
    }
    // A table without a unit note among tables "in thousands" whose entries are that much
    // smaller than theirs was most likely meant in thousands too (or the reverse).
    let scaled: Vec<&TableSummary> = tables
        .iter()
        .filter(|t| t.rows > 0 && t.scale != Decimal::ONE)
        .collect();
    for t in tables
        .iter()
        .filter(|t| t.rows > 0 && t.scale == Decimal::ONE)
    {
        let apart = |a: Decimal, b: Decimal| a > b * Decimal::from(APART);
        let Some(other) = scaled
            .iter()
            .find(|s| apart(s.median, t.median) || apart(t.median, s.median))
        else {
            continue;
        };
        warnings.push(ExtractionWarning {
            page: Some(t.page),
            message: format!(
                "\"{}\" states no unit while \"{}\" (page {}) is in units of {}, and their typical amounts ({} and {}) are hundreds of times apart: check which unit \"{}\" is in",
                t.title,
                other.title,
                other.page,
                other.scale.normalize(),
                t.median.normalize(),
                other.median.normalize(),
                t.title
            ),
            text: None,
        });
    }
    out.warnings.extend(warnings);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ReportedFigure;

    fn table(kind: TableKind, scale: i64, sum: i64, median: i64) -> TableSummary {
        TableSummary {
            kind,
            title: format!("{kind:?}"),
            scale: Decimal::from(scale),
            sum: Decimal::from(sum),
            rows: 3,
            page: 1,
            median: Decimal::from(median),
        }
    }

    fn stated(key: &str, value: i64) -> ReportedFigure {
        ReportedFigure {
            key: key.into(),
            value: Decimal::from(value),
            page: 2,
            source_text: format!("{key}: {value}"),
        }
    }

    #[test]
    fn factors() {
        let d = Decimal::from;
        assert_eq!(off_by(d(61_109_000), d(61_109)), Some(1_000));
        assert_eq!(off_by(d(61_109), d(61_109_000)), Some(1_000));
        assert_eq!(off_by(d(5_000_000), d(5)), Some(1_000_000));
        assert_eq!(off_by(d(61_109_000), d(61_000_000)), None);
        assert_eq!(off_by(d(0), d(5)), None);
    }

    #[test]
    fn table_a_thousand_times_below_the_stated_total_is_flagged() {
        let mut out = Extraction {
            reported: vec![stated("total_capital_called", 61_109_000)],
            ..Default::default()
        };
        check(
            &[table(TableKind::CapitalCalls, 1, 61_109, 13_000)],
            &mut out,
        );
        assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
        assert!(out.warnings[0].message.contains("1000×"));

        let mut fine = Extraction {
            reported: vec![stated("total_capital_called", 61_109_000)],
            ..Default::default()
        };
        check(
            &[table(TableKind::CapitalCalls, 1000, 61_109_000, 13_000_000)],
            &mut fine,
        );
        assert!(fine.warnings.is_empty(), "{:?}", fine.warnings);
    }

    #[test]
    fn unitless_table_among_tables_in_thousands_is_flagged() {
        let mut out = Extraction::default();
        check(
            &[
                table(TableKind::CapitalCalls, 1000, 61_109_000, 13_000_000),
                table(TableKind::Distributions, 1, 16_074, 5_751),
            ],
            &mut out,
        );
        assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
        let mut same = Extraction::default();
        check(
            &[
                table(TableKind::CapitalCalls, 1000, 61_109_000, 13_000_000),
                table(TableKind::Distributions, 1, 16_074_000, 5_751_000),
            ],
            &mut same,
        );
        assert!(same.warnings.is_empty(), "{:?}", same.warnings);
    }
}
