//! What the metrics engine reads: a fund's dated flows, NAVs and stated figures, with provenance.
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One capital call, distribution or adjustment. `amount` is signed as printed: calls and
/// distributions are normally positive, adjustments carry their own sign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flow {
    /// Row id in its table, when the flow came from the database.
    pub id: Option<i64>,
    pub date: NaiveDate,
    #[serde(with = "rust_decimal::serde::float")]
    pub amount: Decimal,
    /// `call_type`, `distribution_type` or `adjustment_type` as printed.
    pub flow_type: Option<String>,
    pub description: Option<String>,
    pub document_id: Option<i64>,
    pub page: Option<i32>,
    /// Only meaningful for distributions; always false for calls and adjustments.
    #[serde(default)]
    pub is_recallable: bool,
}

impl Flow {
    /// A flow without provenance, handy for tests and ad-hoc calculations.
    pub fn new(date: NaiveDate, amount: Decimal) -> Self {
        Self {
            id: None,
            date,
            amount,
            flow_type: None,
            description: None,
            document_id: None,
            page: None,
            is_recallable: false,
        }
    }
}

/// A NAV the fund reported for `date` (normally the report date).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NavPoint {
    pub date: NaiveDate,
    #[serde(with = "rust_decimal::serde::float")]
    pub value: Decimal,
    pub document_id: Option<i64>,
    pub page: Option<i32>,
}

/// A figure a report states about itself, kept with the decimals it was printed with so that
/// reconciliation can judge rounding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportedFigureRow {
    pub id: Option<i64>,
    /// `total_capital_called`, `total_distributions`, `pic`, `nav`, `dpi`, `tvpi`, `rvpi` or `irr_pct`.
    pub key: String,
    #[serde(with = "rust_decimal::serde::float")]
    pub value: Decimal,
    /// The date the figure speaks for; `None` means "as of the latest data".
    pub as_of: Option<NaiveDate>,
    pub document_id: Option<i64>,
    pub page: Option<i32>,
    pub source_text: Option<String>,
}

/// Everything known about one fund's cash flows. Order does not matter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricsInput {
    pub calls: Vec<Flow>,
    pub distributions: Vec<Flow>,
    pub adjustments: Vec<Flow>,
    pub navs: Vec<NavPoint>,
    pub reported: Vec<ReportedFigureRow>,
    /// Problems met while assembling the input (e.g. a NAV without a date); passed on as notes.
    #[serde(default)]
    pub warnings: Vec<String>,
}

impl MetricsInput {
    /// The latest date of any flow or NAV: the default `as_of`.
    pub fn latest_date(&self) -> Option<NaiveDate> {
        self.flows()
            .map(|f| f.date)
            .chain(self.navs.iter().map(|n| n.date))
            .max()
    }

    fn flows(&self) -> impl Iterator<Item = &Flow> {
        self.calls
            .iter()
            .chain(&self.distributions)
            .chain(&self.adjustments)
    }

    /// The input as it stood on `as_of`: flows and NAVs dated after it are dropped.
    pub fn as_of(&self, as_of: NaiveDate) -> Self {
        let keep = |v: &[Flow]| v.iter().filter(|f| f.date <= as_of).cloned().collect();
        Self {
            calls: keep(&self.calls),
            distributions: keep(&self.distributions),
            adjustments: keep(&self.adjustments),
            navs: self
                .navs
                .iter()
                .filter(|n| n.date <= as_of)
                .cloned()
                .collect(),
            reported: self.reported.clone(),
            warnings: self.warnings.clone(),
        }
    }

    /// The NAV that counts on `as_of`: the latest dated on or before it. When several documents
    /// state a NAV for that date the most recently stored (highest document id) wins, since a
    /// later upload is usually a restatement.
    pub fn nav_on(&self, as_of: NaiveDate) -> Option<&NavPoint> {
        self.navs
            .iter()
            .filter(|n| n.date <= as_of)
            .max_by_key(|n| (n.date, n.document_id))
    }
}
