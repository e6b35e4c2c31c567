//! The `funds` table.
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Fund {
    pub id: i64,
    pub name: String,
    pub gp_name: Option<String>,
    pub fund_type: Option<String>,
    pub vintage_year: Option<i32>,
    #[serde(with = "rust_decimal::serde::float_option")]
    pub fund_size: Option<Decimal>,
    pub currency: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Bumped by triggers whenever the fund's extracted data changes; keys metric caches.
    #[serde(skip_serializing)]
    pub data_version: i64,
}

#[derive(Debug, Clone, Default)]
pub struct NewFund {
    pub name: String,
    pub gp_name: Option<String>,
    pub fund_type: Option<String>,
    pub vintage_year: Option<i32>,
    pub fund_size: Option<Decimal>,
    pub currency: Option<String>,
}

const COLUMNS: &str =
    "id, name, gp_name, fund_type, vintage_year, fund_size, currency, created_at, data_version";

pub async fn list(pool: &PgPool) -> Result<Vec<Fund>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM funds ORDER BY name"
    )))
    .fetch_all(pool)
    .await
}

pub async fn get(pool: &PgPool, id: i64) -> Result<Option<Fund>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM funds WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// The funds among `ids` that exist, in no particular order.
pub async fn get_many(pool: &PgPool, ids: &[i64]) -> Result<Vec<Fund>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM funds WHERE id = ANY($1)"
    )))
    .bind(ids)
    .fetch_all(pool)
    .await
}

/// The fund's data version, or `None` when there is no such fund: the one cheap read that tells
/// a cache whether its copy is still good.
pub async fn data_version(pool: &PgPool, id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT data_version FROM funds WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
}

pub async fn exists(pool: &PgPool, id: i64) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM funds WHERE id = $1)")
        .bind(id)
        .fetch_one(pool)
        .await
}

/// Inserts a fund; `Ok(None)` when a fund with the same name (case- and space-insensitive) exists.
pub async fn create(pool: &PgPool, f: &NewFund) -> Result<Option<Fund>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO funds (name, gp_name, fund_type, vintage_year, fund_size, currency)
         VALUES (btrim($1), $2, $3, $4, $5, $6)
         ON CONFLICT (name_key) DO NOTHING
         RETURNING {COLUMNS}"
    )))
    .bind(&f.name)
    .bind(&f.gp_name)
    .bind(&f.fund_type)
    .bind(f.vintage_year)
    .bind(f.fund_size)
    .bind(&f.currency)
    .fetch_optional(pool)
    .await
}

/// Finds the fund with this name or creates it, filling facts the existing row lacks. Safe under
/// concurrency: two documents of a new fund completing at once end up with one fund.
pub async fn find_or_create(conn: &mut PgConnection, f: &NewFund) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO funds (name, gp_name, vintage_year, fund_size, currency)
         VALUES (btrim(regexp_replace($1, '\\s+', ' ', 'g')), $2, $3, $4, $5)
         ON CONFLICT (name_key) DO UPDATE SET
             gp_name = COALESCE(funds.gp_name, EXCLUDED.gp_name),
             vintage_year = COALESCE(funds.vintage_year, EXCLUDED.vintage_year),
             fund_size = COALESCE(funds.fund_size, EXCLUDED.fund_size),
             currency = COALESCE(funds.currency, EXCLUDED.currency),
             updated_at = now()
         RETURNING id",
    )
    .bind(&f.name)
    .bind(&f.gp_name)
    .bind(f.vintage_year)
    .bind(f.fund_size)
    .bind(&f.currency)
    .fetch_one(conn)
    .await
}

/// The fund whose name matches `name` (case- and whitespace-insensitively), if one exists.
pub async fn find_by_name(conn: &mut PgConnection, name: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM funds WHERE name_key = lower(regexp_replace(btrim($1), '\\s+', ' ', 'g'))",
    )
    .bind(name)
    .fetch_optional(conn)
    .await
}

/// Fills facts the fund lacks from a document that belongs to it (never overwrites).
pub async fn fill_missing_facts(
    conn: &mut PgConnection,
    id: i64,
    f: &NewFund,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE funds SET gp_name = COALESCE(gp_name, $2), vintage_year = COALESCE(vintage_year, $3),
             fund_size = COALESCE(fund_size, $4), currency = COALESCE(currency, $5), updated_at = now()
         WHERE id = $1",
    )
    .bind(id)
    .bind(&f.gp_name)
    .bind(f.vintage_year)
    .bind(f.fund_size)
    .bind(&f.currency)
    .execute(conn)
    .await
    .map(|_| ())
}

/// The fund's name as stored, to compare with the name printed in a document.
pub async fn name_key_matches(
    conn: &mut PgConnection,
    id: i64,
    name: &str,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT name_key = lower(regexp_replace(btrim($2), '\\s+', ' ', 'g')) FROM funds WHERE id = $1",
    )
    .bind(id)
    .bind(name)
    .fetch_optional(conn)
    .await
    .map(|m| m.unwrap_or(false))
}

/// Tables whose rows carry their document's fund, re-pointed when a document changes fund.
pub const FUND_ROW_TABLES: [&str; 5] = [
    "capital_calls",
    "distributions",
    "adjustments",
    "reported_figures",
    "document_chunks",
];

/// A fund an earlier extractor created from a name that does not read as a fund's ("IRR",
/// "CONFIDENTIAL", "To: Joe"): only documents link to it and no upload chose it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JunkFund {
    pub id: i64,
    pub name: String,
    pub documents: i64,
}

/// Funds created by detection whose names fail `reads_as_fund_name`.
pub async fn junk_funds(pool: &PgPool) -> Result<Vec<JunkFund>, sqlx::Error> {
    let candidates: Vec<JunkFund> = sqlx::query_as(
        "SELECT f.id, f.name, count(d.id) AS documents
         FROM funds f JOIN documents d ON d.fund_id = f.id
         GROUP BY f.id
         HAVING bool_and(d.upload_fund_id IS NULL)
            AND NOT EXISTS (SELECT 1 FROM documents u WHERE u.upload_fund_id = f.id)
         ORDER BY f.id",
    )
    .fetch_all(pool)
    .await?;
    Ok(candidates
        .into_iter()
        .filter(|f| !crate::extract::fund_name::reads_as_fund_name(&f.name))
        .collect())
}

/// Unlinks the fund's documents (they keep their data, with a warning asking for the fund) and
/// deletes the fund, in one transaction.
pub async fn remove_junk_fund(pool: &PgPool, f: &JunkFund) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    let warning = serde_json::json!([{
        "page": null,
        "message": format!(
            "This document was linked to a fund named \"{}\", which does not read as a fund's name; the link was removed. Choose its fund on the Documents page.",
            f.name
        ),
        "text": f.name,
    }]);
    sqlx::query(
        "UPDATE documents SET fund_id = NULL, warnings = warnings || $2::jsonb, updated_at = now()
         WHERE fund_id = $1",
    )
    .bind(f.id)
    .bind(warning)
    .execute(&mut *tx)
    .await?;
    for table in FUND_ROW_TABLES {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET fund_id = NULL WHERE fund_id = $1"
        )))
        .bind(f.id)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("DELETE FROM funds WHERE id = $1")
        .bind(f.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// Where a fund's general partner is named: the name, and the latest processed document page
/// that prints it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NamedGp {
    pub gp_name: String,
    pub document_id: i64,
    pub file_name: String,
    pub page: i32,
    pub content: String,
}

pub async fn gp_named(pool: &PgPool, fund_id: i64) -> Result<Option<NamedGp>, sqlx::Error> {
    sqlx::query_as(
        "SELECT f.gp_name, d.id AS document_id, d.file_name, c.page_start AS page, c.content
         FROM funds f
         JOIN documents d ON d.fund_id = f.id AND d.status = $2
         JOIN document_chunks c ON c.document_id = d.id
              AND strpos(lower(regexp_replace(c.content, '\\s+', ' ', 'g')), lower(f.gp_name)) > 0
         WHERE f.id = $1 AND f.gp_name IS NOT NULL
         ORDER BY d.id DESC, c.chunk_index
         LIMIT 1",
    )
    .bind(fund_id)
    .bind(crate::domain::DocumentStatus::Completed)
    .fetch_optional(pool)
    .await
}
