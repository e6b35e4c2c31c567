//! What LP documents state beyond transaction tables: document type, labelled facts, portfolio rows.
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The kind of document, decided from its wording and from what was extracted from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    QuarterlyReport,
    CapitalCallNotice,
    DistributionNotice,
    CapitalAccountStatement,
    FinancialStatements,
    /// A table of many funds (a pension plan's private-equity portfolio).
    PortfolioPerformance,
    ProgramReview,
    #[default]
    Other,
}

impl DocumentType {
    pub const ALL: [DocumentType; 8] = [
        Self::QuarterlyReport,
        Self::CapitalCallNotice,
        Self::DistributionNotice,
        Self::CapitalAccountStatement,
        Self::FinancialStatements,
        Self::PortfolioPerformance,
        Self::ProgramReview,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::QuarterlyReport => "quarterly_report",
            Self::CapitalCallNotice => "capital_call_notice",
            Self::DistributionNotice => "distribution_notice",
            Self::CapitalAccountStatement => "capital_account_statement",
            Self::FinancialStatements => "financial_statements",
            Self::PortfolioPerformance => "portfolio_performance",
            Self::ProgramReview => "program_review",
            Self::Other => "other",
        }
    }

    /// Documents about many funds: they never create or link a fund.
    pub fn is_multi_fund(self) -> bool {
        matches!(self, Self::PortfolioPerformance | Self::ProgramReview)
    }
}

impl std::str::FromStr for DocumentType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| format!("unknown document type {s:?}"))
    }
}

/// The period a stated figure covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// A balance at a date (commitment, NAV, contributed to date).
    AsOf,
    Qtd,
    Ytd,
    /// Inception to date.
    Itd,
}

impl Period {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AsOf => "as_of",
            Self::Qtd => "qtd",
            Self::Ytd => "ytd",
            Self::Itd => "itd",
        }
    }
}

/// A fact's value: money in full currency units, a ratio or percentage, or a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FactValue {
    Date(NaiveDate),
    Number(#[serde(with = "rust_decimal::serde::float")] Decimal),
}

impl FactValue {
    pub fn number(&self) -> Option<Decimal> {
        match self {
            Self::Number(d) => Some(*d),
            Self::Date(_) => None,
        }
    }
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            Self::Date(d) => Some(*d),
            Self::Number(_) => None,
        }
    }
}

/// A labelled figure a document states (ILPA-aligned `key`, e.g. `commitment`,
/// `unfunded_commitment`, `contributed_to_date`, `nav`, `call_amount`, `due_date`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    pub key: String,
    /// The label as printed (wrapped labels joined with one space).
    pub label: String,
    pub value: FactValue,
    pub period: Option<Period>,
    /// The column header in a multi-column statement ("Limited Partner", "YTD"), else None.
    pub column: Option<String>,
    pub page: u32,
    pub source_text: String,
}

/// The fact keys the API exposes (ILPA-aligned).
pub const FACT_KEYS: &[&str] = &[
    "commitment",
    "unfunded_commitment",
    "contributed_to_date",
    "distributed_to_date",
    "net_contributed",
    "recallable_to_date",
    "nav",
    "beginning_nav",
    "contributions_period",
    "distributions_period",
    "management_fees_period",
    "expenses_period",
    "realized_gain_period",
    "unrealized_gain_period",
    "carried_interest_period",
    "total_value",
    "tvpi",
    "dpi",
    "irr_pct",
    "call_amount",
    "distribution_amount",
    "notice_date",
    "due_date",
    "payment_date",
];

/// How exactly a transaction's date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatePrecision {
    #[default]
    Day,
    /// Only a month is printed; the date is the first of that month.
    Month,
}

impl DatePrecision {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Month => "month",
        }
    }
}

/// Where in a document a transaction was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TxOrigin {
    /// A row of a call, distribution or adjustment table.
    #[default]
    Table,
    /// A capital call or distribution notice (its total, with components).
    Notice,
    /// A sentence of running text ("A distribution of USD 10.44mm in January 2024").
    Prose,
}

impl TxOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Table => "table",
            Self::Notice => "notice",
            Self::Prose => "prose",
        }
    }
}

/// One line of a notice's breakdown (investment, management fee, return of capital, carry...),
/// signed as printed: offsets and withholdings are negative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Component {
    pub label: String,
    #[serde(with = "rust_decimal::serde::float")]
    pub amount: Decimal,
}

/// One row of a table of many funds (a pension plan's portfolio), in full currency units.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PortfolioRow {
    pub name: String,
    pub vintage_year: Option<i32>,
    #[serde(with = "rust_decimal::serde::float_option")]
    pub commitment: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::float_option")]
    pub contributed: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::float_option")]
    pub distributed: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::float_option")]
    pub nav: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::float_option")]
    pub tvpi: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::float_option")]
    pub irr_pct: Option<Decimal>,
    pub page: u32,
    pub source_text: String,
}

/// One cash flow as the API and the CLI show a document's transactions: calls and
/// distributions positive, adjustments signed as printed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransactionView {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub date: NaiveDate,
    pub date_precision: DatePrecision,
    pub notice_date: Option<NaiveDate>,
    #[serde(with = "rust_decimal::serde::float")]
    pub amount: Decimal,
    pub components: Vec<Component>,
    #[serde(with = "rust_decimal::serde::float_option")]
    pub recallable_amount: Option<Decimal>,
    pub description: Option<String>,
    /// The notice's number as printed ("Capital Call No. 5").
    pub reference: Option<String>,
    pub origin: TxOrigin,
    pub page: u32,
    pub source_text: String,
}

impl super::Extraction {
    /// Calls, distributions and adjustments as one list in date order.
    pub fn transactions(&self) -> Vec<TransactionView> {
        let mut out: Vec<TransactionView> = Vec::new();
        for c in &self.capital_calls {
            out.push(TransactionView {
                kind: "capital_call",
                date: c.date,
                date_precision: c.date_precision,
                notice_date: c.notice_date,
                amount: c.amount,
                components: c.components.clone(),
                recallable_amount: None,
                description: c.description.clone().or_else(|| c.call_type.clone()),
                reference: c.reference.clone(),
                origin: c.origin,
                page: c.page,
                source_text: c.source_text.clone(),
            });
        }
        for d in &self.distributions {
            out.push(TransactionView {
                kind: "distribution",
                date: d.date,
                date_precision: d.date_precision,
                notice_date: d.notice_date,
                amount: d.amount,
                components: d.components.clone(),
                recallable_amount: d.recallable_amount,
                description: d
                    .description
                    .clone()
                    .or_else(|| d.distribution_type.clone()),
                reference: d.reference.clone(),
                origin: d.origin,
                page: d.page,
                source_text: d.source_text.clone(),
            });
        }
        for a in &self.adjustments {
            out.push(TransactionView {
                kind: "adjustment",
                date: a.date,
                date_precision: a.date_precision,
                notice_date: None,
                amount: a.amount,
                components: Vec::new(),
                recallable_amount: None,
                description: a.description.clone().or_else(|| a.adjustment_type.clone()),
                reference: None,
                origin: a.origin,
                page: a.page,
                source_text: a.source_text.clone(),
            });
        }
        out.sort_by_key(|t| t.date);
        out
    }
}
