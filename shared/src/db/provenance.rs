//! The printed lines behind a fund's transactions, grouped by document page, for citations.
use serde::Serialize;
use sqlx::PgPool;

/// One page of one document and the transaction lines read from it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PageSource {
    pub document_id: i64,
    pub file_name: String,
    pub page: i32,
    /// The source lines of the page's rows of the asked kinds, in date order.
    pub content: String,
    pub rows: i64,
}

/// Pages holding the fund's rows of the given kinds (`capital_call`, `distribution`,
/// `adjustment`), most rows first; `pages` narrows to given (document, page) pairs when set.
pub async fn transaction_pages(
    pool: &PgPool,
    fund_id: i64,
    kinds: &[&str],
    pages: Option<&[(i64, i32)]>,
) -> Result<Vec<PageSource>, sqlx::Error> {
    let (docs, nums): (Vec<i64>, Vec<i32>) = pages.unwrap_or_default().iter().copied().unzip();
    sqlx::query_as(
        "WITH t AS (
             SELECT 'capital_call' AS kind, document_id, page, date, source_text
             FROM capital_calls WHERE fund_id = $1
             UNION ALL
             SELECT 'distribution', document_id, page, date, source_text
             FROM distributions WHERE fund_id = $1
             UNION ALL
             SELECT 'adjustment', document_id, page, date, source_text
             FROM adjustments WHERE fund_id = $1
         )
         SELECT t.document_id, d.file_name, t.page,
                string_agg(t.source_text, E'\\n' ORDER BY t.date, t.source_text) AS content,
                count(*) AS rows
         FROM t JOIN documents d ON d.id = t.document_id
         WHERE t.kind = ANY($2)
           AND (NOT $3 OR (t.document_id, t.page) IN (SELECT * FROM UNNEST($4::bigint[], $5::int[])))
         GROUP BY t.document_id, d.file_name, t.page
         ORDER BY rows DESC, t.document_id, t.page",
    )
    .bind(fund_id)
    .bind(kinds)
    .bind(pages.is_some())
    .bind(&docs)
    .bind(&nums)
    .fetch_all(pool)
    .await
}

/// Pages where the fund's stated figures (NAV, PIC, DPI...) were printed, for the given keys.
pub async fn figure_pages(
    pool: &PgPool,
    fund_id: i64,
    keys: &[&str],
) -> Result<Vec<PageSource>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.document_id, d.file_name, r.page,
                string_agg(r.source_text, E'\\n' ORDER BY r.key) AS content, count(*) AS rows
         FROM reported_figures r JOIN documents d ON d.id = r.document_id
         WHERE r.fund_id = $1 AND r.key = ANY($2)
         GROUP BY r.document_id, d.file_name, r.page
         ORDER BY r.document_id DESC, r.page",
    )
    .bind(fund_id)
    .bind(keys)
    .fetch_all(pool)
    .await
}
