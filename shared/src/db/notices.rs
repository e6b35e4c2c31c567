//! Capital call and distribution notices as the chat answers them: each notice's cash flow with
//! its number, due or payment date, breakdown and recallable part, and the fund it belongs to.
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;

use crate::domain::{Component, DocumentStatus};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct NoticeFlow {
    /// `capital_call` or `distribution`.
    pub kind: String,
    pub fund_id: i64,
    pub fund_name: String,
    pub document_id: i64,
    pub file_name: String,
    pub page: i32,
    /// The due date of a call, the payment date of a distribution.
    pub date: NaiveDate,
    pub notice_date: Option<NaiveDate>,
    #[serde(with = "rust_decimal::serde::float")]
    pub amount: Decimal,
    #[serde(skip)]
    pub components: sqlx::types::Json<Vec<Component>>,
    #[serde(with = "rust_decimal::serde::float_option")]
    pub recallable_amount: Option<Decimal>,
    pub reference: Option<String>,
    pub source_text: String,
}

impl NoticeFlow {
    pub fn is_call(&self) -> bool {
        self.kind == "capital_call"
    }

    /// The number the notice prints for itself, if any.
    pub fn number(&self) -> Option<u32> {
        self.reference
            .as_deref()
            .and_then(|r| r.rsplit(' ').next())
            .and_then(|n| n.parse().ok())
    }
}

/// Every notice of the given funds (all funds when `None`), oldest first.
pub async fn of_funds(
    pool: &PgPool,
    fund_ids: Option<&[i64]>,
) -> Result<Vec<NoticeFlow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT t.kind, t.fund_id, f.name AS fund_name, t.document_id, d.file_name, t.page, t.date,
                t.notice_date, t.amount, t.components, t.recallable_amount, t.reference, t.source_text
         FROM (
             SELECT 'capital_call' AS kind, fund_id, document_id, page, date, notice_date, amount,
                    components, NULL::numeric AS recallable_amount, reference, source_text, id
             FROM capital_calls WHERE origin = 'notice'
             UNION ALL
             SELECT 'distribution', fund_id, document_id, page, date, notice_date, amount,
                    components, recallable_amount, reference, source_text, id
             FROM distributions WHERE origin = 'notice'
         ) t
         JOIN documents d ON d.id = t.document_id
         JOIN funds f ON f.id = t.fund_id
         WHERE d.status = $1 AND ($2::bigint[] IS NULL OR t.fund_id = ANY($2))
         ORDER BY t.date, t.kind, t.id",
    )
    .bind(DocumentStatus::Completed)
    .bind(fund_ids)
    .fetch_all(pool)
    .await
}
