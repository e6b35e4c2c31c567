//! The labelled figures a fund's documents state (capital account rows, balances, notice
//! figures), with the date each document speaks for, for answers that quote them.
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgPool;

use crate::domain::DocumentStatus;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatedRow {
    pub key: String,
    pub label: String,
    pub value_number: Option<Decimal>,
    pub value_date: Option<NaiveDate>,
    pub period: Option<String>,
    pub column_name: Option<String>,
    pub page: i32,
    pub source_text: String,
    pub document_id: i64,
    pub file_name: String,
    pub document_type: Option<String>,
    /// The report date, else the notice date, of the document.
    pub as_of: Option<NaiveDate>,
}

/// The fund's facts with one of `keys`, oldest document first, in printed order.
pub async fn of_fund(
    pool: &PgPool,
    fund_id: i64,
    keys: &[&str],
) -> Result<Vec<StatedRow>, sqlx::Error> {
    sqlx::query_as(
        "WITH docs AS (
             SELECT d.id, d.file_name, d.document_type,
                    COALESCE(df.report_date,
                             (SELECT value_date FROM document_statement_facts n
                              WHERE n.document_id = d.id AND n.key = 'notice_date' ORDER BY seq LIMIT 1))
                        AS as_of
             FROM documents d LEFT JOIN document_facts df ON df.document_id = d.id
             WHERE d.fund_id = $1 AND d.status = $2
         )
         SELECT f.key, f.label, f.value_number, f.value_date, f.period, f.column_name, f.page,
                f.source_text, docs.id AS document_id, docs.file_name, docs.document_type, docs.as_of
         FROM document_statement_facts f JOIN docs ON docs.id = f.document_id
         WHERE f.key = ANY($3)
         ORDER BY docs.as_of NULLS FIRST, docs.id, f.seq",
    )
    .bind(fund_id)
    .bind(DocumentStatus::Completed)
    .bind(keys)
    .fetch_all(pool)
    .await
}
