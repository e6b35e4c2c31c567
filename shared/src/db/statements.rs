//! Stores and reads what LP documents state beyond transaction tables: labelled facts, portfolio
//! rows, and which cash flows repeat one already stored from another document of the fund.
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

use crate::domain::{DocumentStatus, Extraction};
use crate::metrics::position::{FlowTotals, StatedFact};

/// Two documents state the same cash flow when fund, type and amount agree and the dates are
/// this close (a notice's due date against the report's booking date).
pub const SAME_FLOW_DAYS: i32 = 5;

/// Writes the document's facts and portfolio rows (the caller deleted any earlier copy).
pub async fn store(tx: &mut PgConnection, id: i64, ex: &Extraction) -> Result<(), sqlx::Error> {
    let f = &ex.facts;
    sqlx::query(
        "INSERT INTO document_statement_facts
             (document_id, seq, key, label, value_number, value_date, period, column_name, page, source_text)
         SELECT $1, * FROM UNNEST($2::int[], $3::text[], $4::text[], $5::numeric[], $6::date[],
                                  $7::text[], $8::text[], $9::int[], $10::text[])",
    )
    .bind(id)
    .bind((0..f.len() as i32).collect::<Vec<_>>())
    .bind(f.iter().map(|x| x.key.clone()).collect::<Vec<_>>())
    .bind(f.iter().map(|x| x.label.clone()).collect::<Vec<_>>())
    .bind(f.iter().map(|x| x.value.number()).collect::<Vec<_>>())
    .bind(f.iter().map(|x| x.value.date()).collect::<Vec<_>>())
    .bind(f.iter().map(|x| x.period.map(|p| p.as_str())).collect::<Vec<_>>())
    .bind(f.iter().map(|x| x.column.clone()).collect::<Vec<_>>())
    .bind(f.iter().map(|x| x.page as i32).collect::<Vec<_>>())
    .bind(f.iter().map(|x| x.source_text.clone()).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;

    let p = &ex.portfolio;
    sqlx::query(
        "INSERT INTO portfolio_rows
             (document_id, seq, name, vintage_year, commitment, contributed, distributed, nav, tvpi, irr_pct, page, source_text)
         SELECT $1, * FROM UNNEST($2::int[], $3::text[], $4::int[], $5::numeric[], $6::numeric[], $7::numeric[],
                                  $8::numeric[], $9::numeric[], $10::numeric[], $11::int[], $12::text[])",
    )
    .bind(id)
    .bind((0..p.len() as i32).collect::<Vec<_>>())
    .bind(p.iter().map(|r| r.name.clone()).collect::<Vec<_>>())
    .bind(p.iter().map(|r| r.vintage_year).collect::<Vec<_>>())
    .bind(p.iter().map(|r| r.commitment).collect::<Vec<_>>())
    .bind(p.iter().map(|r| r.contributed).collect::<Vec<_>>())
    .bind(p.iter().map(|r| r.distributed).collect::<Vec<_>>())
    .bind(p.iter().map(|r| r.nav).collect::<Vec<_>>())
    .bind(p.iter().map(|r| r.tvpi).collect::<Vec<_>>())
    .bind(p.iter().map(|r| r.irr_pct).collect::<Vec<_>>())
    .bind(p.iter().map(|r| r.page as i32).collect::<Vec<_>>())
    .bind(p.iter().map(|r| r.source_text.clone()).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Points each of the document's calls and distributions that another completed document of
/// the fund already states (same amount, dates within SAME_FLOW_DAYS) at that first copy, so
/// metrics count the cash flow once while both documents keep their source.
pub async fn mark_duplicates(
    tx: &mut PgConnection,
    id: i64,
    fund_id: i64,
) -> Result<(), sqlx::Error> {
    for table in ["capital_calls", "distributions"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} t SET duplicate_of = (
                 SELECT o.id FROM {table} o JOIN documents od ON od.id = o.document_id
                 WHERE o.fund_id = $2 AND o.document_id <> $1 AND o.duplicate_of IS NULL
                   AND od.status = $4 AND o.amount = t.amount
                   -- a range, not abs(), so the (fund_id, date) index bounds the search
                   AND o.date BETWEEN t.date - $3 AND t.date + $3
                   -- each earlier row absorbs at most one row of this document
                   AND NOT EXISTS (SELECT 1 FROM {table} x
                                   WHERE x.duplicate_of = o.id AND x.document_id = $1)
                 ORDER BY abs(o.date - t.date), o.id LIMIT 1)
             WHERE t.id IN (SELECT id FROM {table} WHERE document_id = $1 ORDER BY id)"
        )))
        .bind(id)
        .bind(fund_id)
        .bind(SAME_FLOW_DAYS)
        .bind(DocumentStatus::Completed)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// One fact as the API shows it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct FactRow {
    pub key: String,
    pub label: String,
    #[serde(skip)]
    pub value_number: Option<Decimal>,
    #[serde(skip)]
    pub value_date: Option<NaiveDate>,
    pub period: Option<String>,
    #[sqlx(rename = "column_name")]
    pub column: Option<String>,
    pub page: i32,
    pub source_text: String,
    /// Read by OCR from a scanned page.
    pub ocr: bool,
}

impl FactRow {
    /// The value as JSON: a number in full currency units (or a ratio), or an ISO date.
    pub fn value(&self) -> serde_json::Value {
        match (self.value_number, self.value_date) {
            (Some(n), _) => {
                serde_json::to_value(f64::try_from(n).unwrap_or(0.0)).unwrap_or_default()
            }
            (None, Some(d)) => serde_json::Value::String(d.to_string()),
            (None, None) => serde_json::Value::Null,
        }
    }
}

pub async fn facts_of(pool: &PgPool, document_id: i64) -> Result<Vec<FactRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT f.key, f.label, f.value_number, f.value_date, f.period, f.column_name, f.page,
                f.source_text, f.page = ANY(d.ocr_pages) AS ocr
         FROM document_statement_facts f JOIN documents d ON d.id = f.document_id
         WHERE f.document_id = $1 ORDER BY f.seq",
    )
    .bind(document_id)
    .fetch_all(pool)
    .await
}

pub use super::portfolio::PortfolioItem;

/// The document's portfolio rows, in printed order or filtered by vintage.
pub async fn portfolio_of(
    pool: &PgPool,
    document_id: i64,
    vintage: Option<i32>,
) -> Result<Vec<PortfolioItem>, sqlx::Error> {
    sqlx::query_as(
        "SELECT name, vintage_year, commitment, contributed, distributed, nav, tvpi, irr_pct, page
         FROM portfolio_rows WHERE document_id = $1 AND ($2::int IS NULL OR vintage_year = $2)
         ORDER BY seq",
    )
    .bind(document_id)
    .bind(vintage)
    .fetch_all(pool)
    .await
}

/// One cash flow of a document, as the document states it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DocumentTransaction {
    #[serde(rename = "type")]
    pub kind: String,
    pub date: NaiveDate,
    pub date_precision: String,
    pub notice_date: Option<NaiveDate>,
    #[serde(with = "rust_decimal::serde::float")]
    pub amount: Decimal,
    pub components: serde_json::Value,
    #[serde(with = "rust_decimal::serde::float_option")]
    pub recallable_amount: Option<Decimal>,
    pub description: Option<String>,
    /// The notice's own number ("Capital Call No. 5").
    pub reference: Option<String>,
    pub origin: String,
    pub page: i32,
    pub source_text: String,
    /// Another document's copy of this cash flow, which metrics count instead.
    pub duplicate_of_document: Option<i64>,
    /// Read by OCR from a scanned page.
    pub ocr: bool,
}

pub async fn transactions_of(
    pool: &PgPool,
    document_id: i64,
) -> Result<Vec<DocumentTransaction>, sqlx::Error> {
    sqlx::query_as(
        "SELECT * FROM (
             SELECT 'capital_call' AS kind, c.date, c.date_precision, c.notice_date, c.amount,
                    c.components, NULL::numeric AS recallable_amount,
                    COALESCE(c.description, c.call_type) AS description, c.reference, c.origin, c.page,
                    c.source_text, o.document_id AS duplicate_of_document, c.id
             FROM capital_calls c LEFT JOIN capital_calls o ON o.id = c.duplicate_of
             WHERE c.document_id = $1
             UNION ALL
             SELECT 'distribution', d.date, d.date_precision, d.notice_date, d.amount, d.components,
                    d.recallable_amount, COALESCE(d.description, d.distribution_type), d.reference, d.origin,
                    d.page, d.source_text, o.document_id, d.id
             FROM distributions d LEFT JOIN distributions o ON o.id = d.duplicate_of
             WHERE d.document_id = $1
             UNION ALL
             SELECT 'adjustment', a.date, a.date_precision, NULL, a.amount, '[]'::jsonb, NULL,
                    COALESCE(a.description, a.adjustment_type), NULL, a.origin, a.page, a.source_text,
                    NULL, a.id
             FROM adjustments a WHERE a.document_id = $1
         ) t, LATERAL (SELECT t.page = ANY(ocr_pages) AS ocr FROM documents WHERE id = $1) o
         ORDER BY date, kind, id",
    )
    .bind(document_id)
    .fetch_all(pool)
    .await
}

/// Links a document (and everything extracted from it) to a fund chosen by a person.
pub async fn link_fund(pool: &PgPool, document_id: i64, fund_id: i64) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let updated = sqlx::query(
        "UPDATE documents SET fund_id = $2, updated_at = now() WHERE id = $1 AND status = $3",
    )
    .bind(document_id)
    .bind(fund_id)
    .bind(DocumentStatus::Completed)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Ok(false);
    }
    for table in crate::db::funds::FUND_ROW_TABLES {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET fund_id = $2 WHERE document_id = $1"
        )))
        .bind(document_id)
        .bind(fund_id)
        .execute(&mut *tx)
        .await?;
    }
    mark_duplicates(&mut tx, document_id, fund_id).await?;
    tx.commit().await?;
    Ok(true)
}

/// The stated position figures of the fund's completed documents dated on or before `as_of`
/// (a document's date: its report date, else its notice date), and its transaction totals.
pub async fn position_inputs(
    pool: &PgPool,
    fund_id: i64,
    as_of: Option<NaiveDate>,
) -> Result<(Vec<StatedFact>, FlowTotals), sqlx::Error> {
    type Row = (
        String,
        Decimal,
        Option<String>,
        Option<String>,
        String,
        Option<NaiveDate>,
        i64,
        String,
        i32,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "WITH docs AS (
             SELECT d.id, d.file_name,
                    COALESCE(df.report_date,
                             (SELECT value_date FROM document_statement_facts n
                              WHERE n.document_id = d.id AND n.key = 'notice_date' ORDER BY seq LIMIT 1))
                        AS as_of
             FROM documents d LEFT JOIN document_facts df ON df.document_id = d.id
             WHERE d.fund_id = $1 AND d.status = $3
         )
         SELECT f.key, f.value_number, f.column_name, f.period, f.label, docs.as_of, docs.id,
                docs.file_name, f.page
         FROM document_statement_facts f JOIN docs ON docs.id = f.document_id
         WHERE f.value_number IS NOT NULL
           AND f.key IN ('commitment', 'contributed_to_date', 'distributed_to_date',
                         'unfunded_commitment', 'recallable_to_date', 'nav')
           AND ($2::date IS NULL OR docs.as_of IS NULL OR docs.as_of <= $2)
         ORDER BY docs.id, f.seq",
    )
    .bind(fund_id)
    .bind(as_of)
    .bind(DocumentStatus::Completed)
    .fetch_all(pool)
    .await?;
    let facts = rows
        .into_iter()
        .map(|r| StatedFact {
            key: r.0,
            value: r.1,
            column: r.2,
            period: r.3,
            label: r.4,
            as_of: r.5,
            document_id: r.6,
            file_name: r.7,
            page: r.8,
        })
        .collect();
    let (calls, adjustments, distributions): (Decimal, Decimal, Decimal) = sqlx::query_as(
        "SELECT
             COALESCE((SELECT sum(amount) FROM capital_calls WHERE fund_id = $1 AND duplicate_of IS NULL
                       AND ($2::date IS NULL OR date <= $2)), 0),
             COALESCE((SELECT sum(amount) FROM adjustments WHERE fund_id = $1
                       AND ($2::date IS NULL OR date <= $2)), 0),
             COALESCE((SELECT sum(amount) FROM distributions WHERE fund_id = $1 AND duplicate_of IS NULL
                       AND ($2::date IS NULL OR date <= $2)), 0)",
    )
    .bind(fund_id)
    .bind(as_of)
    .fetch_one(pool)
    .await?;
    Ok((
        facts,
        FlowTotals {
            calls,
            adjustments,
            distributions,
        },
    ))
}
