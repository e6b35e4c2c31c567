//! A fund's capital calls, distributions and adjustments as one filtered, sorted, paged list.
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;

/// The three transaction tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    CapitalCall,
    Distribution,
    Adjustment,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::CapitalCall, Kind::Distribution, Kind::Adjustment];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::CapitalCall => "capital_call",
            Kind::Distribution => "distribution",
            Kind::Adjustment => "adjustment",
        }
    }

    /// The plural used in URLs and query strings (`capital_calls`, ...).
    pub fn plural(self) -> &'static str {
        match self {
            Kind::CapitalCall => "capital_calls",
            Kind::Distribution => "distributions",
            Kind::Adjustment => "adjustments",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Unknown transaction type {0:?}: use one of capital_calls, distributions, adjustments.")]
pub struct UnknownKind(pub String);

impl FromStr for Kind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.plural() == s || k.as_str() == s)
            .ok_or_else(|| UnknownKind(s.to_string()))
    }
}

/// The orders a client may ask for; each maps to a fixed SQL fragment, never to client text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    DateAsc,
    DateDesc,
    AmountAsc,
    AmountDesc,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Unknown sort {0:?}: use one of date, -date, amount, -amount.")]
pub struct UnknownSort(pub String);

impl FromStr for Sort {
    type Err = UnknownSort;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "date" => Sort::DateAsc,
            "-date" => Sort::DateDesc,
            "amount" => Sort::AmountAsc,
            "-amount" => Sort::AmountDesc,
            _ => return Err(UnknownSort(s.to_string())),
        })
    }
}

impl Sort {
    fn order_by(self) -> &'static str {
        // Ties broken by kind and id so that pages never overlap or skip rows.
        match self {
            Sort::DateAsc => "date ASC, kind, id",
            Sort::DateDesc => "date DESC, kind, id DESC",
            Sort::AmountAsc => "amount ASC, date, kind, id",
            Sort::AmountDesc => "amount DESC, date, kind, id",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Transaction {
    pub id: i64,
    pub fund_id: i64,
    pub document_id: i64,
    /// The document's file name, for provenance in listings and exports.
    pub document: Option<String>,
    pub page: i32,
    pub date: NaiveDate,
    /// Signed as printed.
    #[serde(with = "rust_decimal::serde::float")]
    pub amount: Decimal,
    /// The row's printed type (`call_type`, `distribution_type` or `adjustment_type`).
    #[serde(rename = "type")]
    pub flow_type: Option<String>,
    pub kind: Kind,
    pub description: Option<String>,
    /// Present (possibly null) for capital calls only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_number: Option<Option<String>>,
    /// Present for distributions only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_recallable: Option<bool>,
    /// Other documents that state the same cash flow (a notice and a later report); it is
    /// counted once.
    pub also_in: Vec<i64>,
    /// Read by OCR from a scanned page.
    pub ocr: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    fund_id: i64,
    document_id: i64,
    document: Option<String>,
    page: i32,
    date: NaiveDate,
    amount: Decimal,
    flow_type: Option<String>,
    kind: String,
    description: Option<String>,
    call_number: Option<String>,
    is_recallable: Option<bool>,
    also_in: Vec<i64>,
    ocr: Option<bool>,
}

impl From<Row> for Transaction {
    fn from(r: Row) -> Self {
        let kind = r.kind.parse().unwrap_or(Kind::Adjustment);
        Transaction {
            id: r.id,
            fund_id: r.fund_id,
            document_id: r.document_id,
            document: r.document,
            page: r.page,
            date: r.date,
            amount: r.amount,
            flow_type: r.flow_type,
            kind,
            description: r.description,
            call_number: (kind == Kind::CapitalCall).then_some(r.call_number),
            is_recallable: (kind == Kind::Distribution).then(|| r.is_recallable.unwrap_or(false)),
            also_in: r.also_in,
            ocr: r.ocr.unwrap_or(false),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub fund_id: i64,
    /// `None`: all three kinds.
    pub kind: Option<Kind>,
    pub year: Option<i32>,
    pub sort: Sort,
    /// `None`: every matching row (exports).
    pub limit: Option<i64>,
    pub offset: i64,
}

/// The three tables as one relation. Each branch filters on its own `(fund_id, date)` index; a
/// branch whose kind is not asked for is pruned by its constant `$2` test.
const UNION: &str = "
    SELECT c.id, c.fund_id, c.document_id, c.page, c.date, c.amount, c.call_type AS flow_type,
           'capital_call' AS kind, c.description, c.call_number, NULL::boolean AS is_recallable,
           ARRAY(SELECT x.document_id FROM capital_calls x WHERE x.duplicate_of = c.id) AS also_in
    FROM capital_calls c
    WHERE c.fund_id = $1 AND c.duplicate_of IS NULL AND ($2::text IS NULL OR $2 = 'capital_call')
      AND ($3::date IS NULL OR (c.date >= $3 AND c.date < $4))
    UNION ALL
    SELECT d.id, d.fund_id, d.document_id, d.page, d.date, d.amount, d.distribution_type,
           'distribution', d.description, NULL, d.is_recallable,
           ARRAY(SELECT x.document_id FROM distributions x WHERE x.duplicate_of = d.id)
    FROM distributions d
    WHERE d.fund_id = $1 AND d.duplicate_of IS NULL AND ($2::text IS NULL OR $2 = 'distribution')
      AND ($3::date IS NULL OR (d.date >= $3 AND d.date < $4))
    UNION ALL
    SELECT a.id, a.fund_id, a.document_id, a.page, a.date, a.amount, a.adjustment_type,
           'adjustment', a.description, NULL, NULL, ARRAY[]::bigint[]
    FROM adjustments a
    WHERE a.fund_id = $1 AND ($2::text IS NULL OR $2 = 'adjustment')
      AND ($3::date IS NULL OR (a.date >= $3 AND a.date < $4))";

fn year_bounds(year: Option<i32>) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let start = year.and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1));
    let end = year.and_then(|y| NaiveDate::from_ymd_opt(y + 1, 1, 1));
    match (start, end) {
        (Some(s), Some(e)) => (Some(s), Some(e)),
        _ => (None, None),
    }
}

/// One page of the fund's transactions and the total number matching the filter.
pub async fn list(pool: &PgPool, f: &Filter) -> Result<(Vec<Transaction>, i64), sqlx::Error> {
    let (from, to) = year_bounds(f.year);
    let kind = f.kind.map(Kind::as_str);
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT t.*, doc.file_name AS document, t.page = ANY(doc.ocr_pages) AS ocr FROM ({UNION}) t
         LEFT JOIN documents doc ON doc.id = t.document_id
         ORDER BY {} LIMIT $5 OFFSET $6",
        f.sort.order_by()
    )))
    .bind(f.fund_id)
    .bind(kind)
    .bind(from)
    .bind(to)
    .bind(f.limit)
    .bind(f.offset)
    .fetch_all(pool)
    .await?;
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM ({UNION}) t"
    )))
    .bind(f.fund_id)
    .bind(kind)
    .bind(from)
    .bind(to)
    .fetch_one(pool)
    .await?;
    Ok((rows.into_iter().map(Transaction::from).collect(), total))
}

/// Every transaction of one kind for the fund, oldest first (for exports).
pub async fn all_of(
    pool: &PgPool,
    fund_id: i64,
    kind: Kind,
) -> Result<Vec<Transaction>, sqlx::Error> {
    let filter = Filter {
        fund_id,
        kind: Some(kind),
        ..Default::default()
    };
    Ok(list(pool, &filter).await?.0)
}

/// One fund's sum of one kind of cash flow.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FundTotal {
    pub fund_id: i64,
    pub fund_name: String,
    pub total: Decimal,
    pub count: i64,
}

/// Every fund's total of `kind` (in `year` when given), largest first; each cash flow once.
pub async fn totals_by_fund(
    pool: &PgPool,
    kind: Kind,
    year: Option<i32>,
) -> Result<Vec<FundTotal>, sqlx::Error> {
    let (from, to) = year_bounds(year);
    let (table, dedup) = match kind {
        Kind::CapitalCall => ("capital_calls", "AND t.duplicate_of IS NULL"),
        Kind::Distribution => ("distributions", "AND t.duplicate_of IS NULL"),
        Kind::Adjustment => ("adjustments", ""),
    };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT f.id AS fund_id, f.name AS fund_name, sum(t.amount) AS total, count(*) AS count
         FROM {table} t JOIN funds f ON f.id = t.fund_id
         JOIN documents d ON d.id = t.document_id AND d.status = $3
         WHERE ($1::date IS NULL OR t.date >= $1) AND ($2::date IS NULL OR t.date < $2) {dedup}
         GROUP BY f.id, f.name ORDER BY total DESC, f.name"
    )))
    .bind(from)
    .bind(to)
    .bind(crate::domain::DocumentStatus::Completed)
    .fetch_all(pool)
    .await
}
