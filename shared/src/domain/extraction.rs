//! What the extractor reads out of one fund report: transactions, fund facts, stated figures, text.
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::lp::{Component, DatePrecision, DocumentType, Fact, PortfolioRow, TxOrigin};

/// Everything extracted from one document, with provenance (1-based page, row text as printed).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Extraction {
    pub page_count: u32,
    pub fund: FundFacts,
    pub capital_calls: Vec<CapitalCall>,
    pub distributions: Vec<Distribution>,
    pub adjustments: Vec<Adjustment>,
    pub reported: Vec<ReportedFigure>,
    pub text_blocks: Vec<TextBlock>,
    pub warnings: Vec<ExtractionWarning>,
    #[serde(default)]
    pub document_type: DocumentType,
    /// Why the document got its type: the cues found, in words.
    #[serde(default)]
    pub type_evidence: Vec<String>,
    /// The investor (limited partner) a notice or statement is addressed to.
    #[serde(default)]
    pub investor: Option<String>,
    #[serde(default)]
    pub facts: Vec<Fact>,
    /// A heading that might name the fund but does not read as a fund's name: it may link the
    /// document to a fund that exists, never create one.
    #[serde(default)]
    pub unplaced_fund_name: Option<String>,
    /// Rows of a table of many funds; never turned into funds.
    #[serde(default)]
    pub portfolio: Vec<PortfolioRow>,
    /// Pages without a usable text layer, read by OCR.
    #[serde(default)]
    pub ocr_pages: Vec<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FundFacts {
    pub name: Option<String>,
    pub gp_name: Option<String>,
    pub vintage_year: Option<i32>,
    pub fund_size: Option<Decimal>,
    pub report_date: Option<NaiveDate>,
    pub nav: Option<Decimal>,
    pub currency: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CapitalCall {
    pub date: NaiveDate,
    /// Whole currency units (already scaled by any "(in thousands)" note), signed as printed.
    pub amount: Decimal,
    pub call_type: Option<String>,
    pub description: Option<String>,
    pub call_number: Option<String>,
    pub page: u32,
    pub source_text: String,
    /// The notice's date when the call comes from a notice (`date` is then the due date).
    #[serde(default)]
    pub notice_date: Option<NaiveDate>,
    #[serde(default)]
    pub date_precision: DatePrecision,
    #[serde(default)]
    pub origin: TxOrigin,
    #[serde(default)]
    pub components: Vec<Component>,
    /// The notice's own number as printed ("Capital Call No. 5"), for notices only.
    #[serde(default)]
    pub reference: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    pub date: NaiveDate,
    pub amount: Decimal,
    pub distribution_type: Option<String>,
    pub is_recallable: bool,
    pub description: Option<String>,
    pub page: u32,
    pub source_text: String,
    #[serde(default)]
    pub notice_date: Option<NaiveDate>,
    #[serde(default)]
    pub date_precision: DatePrecision,
    #[serde(default)]
    pub origin: TxOrigin,
    #[serde(default)]
    pub components: Vec<Component>,
    /// The part of the distribution the fund may call again, when a notice states it.
    #[serde(default)]
    pub recallable_amount: Option<Decimal>,
    /// The notice's own number as printed ("Distribution No. 7"), for notices only.
    #[serde(default)]
    pub reference: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Adjustment {
    pub date: NaiveDate,
    pub amount: Decimal,
    pub adjustment_type: Option<String>,
    pub description: Option<String>,
    pub page: u32,
    pub source_text: String,
    #[serde(default)]
    pub date_precision: DatePrecision,
    #[serde(default)]
    pub origin: TxOrigin,
}

/// A figure the report states about itself. `key` is one of: `total_capital_called`,
/// `total_distributions`, `pic`, `nav`, `dpi`, `tvpi`, `rvpi`, `irr_pct` (IRR in percent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportedFigure {
    pub key: String,
    pub value: Decimal,
    pub page: u32,
    pub source_text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextBlockKind {
    Heading,
    Paragraph,
    TableTitle,
}

impl TextBlockKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Heading => "heading",
            Self::Paragraph => "paragraph",
            Self::TableTitle => "table_title",
        }
    }
}

/// A heading or paragraph outside the transaction tables, in reading order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextBlock {
    pub page: u32,
    pub kind: TextBlockKind,
    pub text: String,
}

/// Something the extractor could not use (a row it skipped, totals that do not add up).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtractionWarning {
    pub page: Option<u32>,
    pub message: String,
    pub text: Option<String>,
}
