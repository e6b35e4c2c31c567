//! The `documents` table: uploads, their files, and reads of the processing state that
//! Postgres owns (its changes are all in `db::transitions`).
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

pub use super::files::NewFile;

use crate::domain::DocumentStatus::{self, Processing, Queued};
use crate::domain::Stage;

/// A document with what has been extracted from it, as the API shows it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Document {
    pub id: i64,
    pub fund_id: Option<i64>,
    pub fund_name: Option<String>,
    pub file_name: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub status: DocumentStatus,
    pub stage: Option<Stage>,
    pub progress_done: i32,
    pub progress_total: Option<i32>,
    pub attempts: i32,
    pub error: Option<String>,
    pub warnings: serde_json::Value,
    pub page_count: Option<i32>,
    pub job_id: Option<String>,
    pub uploaded_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    /// `quarterly_report`, `capital_call_notice`, ... once processed; null before.
    pub document_type: Option<String>,
    /// Why the document got its type.
    pub type_evidence: serde_json::Value,
    /// The limited partner a notice or statement is addressed to.
    pub investor: Option<String>,
    #[sqlx(json)]
    pub counts: Counts,
    /// The last completed attempt's stage clocks and queue wait (`StageTimings` plus
    /// `queue_wait_ms`); null before the first completion.
    pub timings: Option<serde_json::Value>,
    /// Pages read by OCR.
    pub ocr_pages: Vec<i32>,
}

#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Counts {
    pub pages: i64,
    pub capital_calls: i64,
    pub distributions: i64,
    pub adjustments: i64,
    pub reported_figures: i64,
    pub text_blocks: i64,
    pub chunks: i64,
    #[serde(default)]
    pub facts: i64,
    #[serde(default)]
    pub portfolio_rows: i64,
}

const SELECT: &str = "SELECT d.id, d.fund_id, f.name AS fund_name, d.file_name, d.sha256, d.size_bytes,
    d.status, d.stage, d.progress_done, d.progress_total, d.attempts, d.error, d.warnings, d.page_count,
    d.job_id, d.uploaded_at, d.started_at, d.completed_at, d.updated_at,
    d.document_type, d.type_evidence, d.investor, d.timings, d.ocr_pages,
    json_build_object(
        'pages', (SELECT count(*) FROM document_pages x WHERE x.document_id = d.id),
        'capital_calls', (SELECT count(*) FROM capital_calls x WHERE x.document_id = d.id),
        'distributions', (SELECT count(*) FROM distributions x WHERE x.document_id = d.id),
        'adjustments', (SELECT count(*) FROM adjustments x WHERE x.document_id = d.id),
        'reported_figures', (SELECT count(*) FROM reported_figures x WHERE x.document_id = d.id),
        'text_blocks', (SELECT count(*) FROM text_blocks x WHERE x.document_id = d.id),
        'chunks', (SELECT count(*) FROM document_chunks x WHERE x.document_id = d.id),
        'facts', (SELECT count(*) FROM document_statement_facts x WHERE x.document_id = d.id),
        'portfolio_rows', (SELECT count(*) FROM portfolio_rows x WHERE x.document_id = d.id)
    ) AS counts
    FROM documents d LEFT JOIN funds f ON f.id = d.fund_id";

pub struct NewUpload<'a> {
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub size_bytes: i64,
    pub file: NewFile<'a>,
    pub upload_fund_id: Option<i64>,
    pub request_id: Option<&'a str>,
}

pub enum UploadOutcome {
    Created(i64),
    /// The same content was already uploaded for the same fund (or both without one).
    Duplicate(i64),
}

/// Stores the document row and its file's row (bytes, or the key of an object already written)
/// in one transaction.
pub async fn insert_upload(pool: &PgPool, u: &NewUpload<'_>) -> Result<UploadOutcome, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO documents (fund_id, upload_fund_id, file_name, sha256, size_bytes, request_id)
         VALUES ($1, $1, $2, $3, $4, $5)
         ON CONFLICT (sha256, COALESCE(upload_fund_id, 0)) DO NOTHING
         RETURNING id",
    )
    .bind(u.upload_fund_id)
    .bind(u.file_name)
    .bind(u.sha256)
    .bind(u.size_bytes)
    .bind(u.request_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        let existing = find_same(&mut *tx, u.sha256, u.upload_fund_id)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?;
        return Ok(UploadOutcome::Duplicate(existing));
    };
    super::files::insert(&mut tx, id, &u.file).await?;
    tx.commit().await?;
    Ok(UploadOutcome::Created(id))
}

pub async fn set_job<'c>(
    db: impl sqlx::PgExecutor<'c>,
    id: i64,
    job_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE documents SET job_id = $2, enqueued_at = now(), updated_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(job_id)
    .execute(db)
    .await
    .map(|_| ())
}

pub async fn get(pool: &PgPool, id: i64) -> Result<Option<Document>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE d.id = $1")))
        .bind(id)
        .fetch_optional(pool)
        .await
}

pub struct ListFilter {
    pub fund_id: Option<i64>,
    pub status: Option<DocumentStatus>,
    pub limit: i64,
    pub offset: i64,
}

pub async fn list(pool: &PgPool, f: &ListFilter) -> Result<(Vec<Document>, i64), sqlx::Error> {
    let filter = "($1::bigint IS NULL OR d.fund_id = $1) AND ($2::text IS NULL OR d.status = $2)";
    let items = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE {filter} ORDER BY d.id DESC LIMIT $3 OFFSET $4"
    )))
    .bind(f.fund_id)
    .bind(f.status)
    .bind(f.limit)
    .bind(f.offset)
    .fetch_all(pool)
    .await?;
    let total = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM documents d WHERE {filter}"
    )))
    .bind(f.fund_id)
    .bind(f.status)
    .fetch_one(pool)
    .await?;
    Ok((items, total))
}

/// What deleting a document leaves to do outside Postgres.
pub struct Deleted {
    pub fund_id: Option<i64>,
    /// The bucket object that held its file, to be removed after the row.
    pub object_key: Option<String>,
}

/// Deletes the document, its file row and everything extracted from it (by cascade).
/// `None` when there was no such document.
pub async fn delete(pool: &PgPool, id: i64) -> Result<Option<Deleted>, sqlx::Error> {
    // RETURNING sees the statement's starting snapshot, so the file row is still readable there.
    let row: Option<(Option<i64>, Option<String>)> = sqlx::query_as(
        "DELETE FROM documents d WHERE d.id = $1
         RETURNING d.fund_id, (SELECT f.object_key FROM document_files f WHERE f.document_id = d.id)",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(fund_id, object_key)| Deleted {
        fund_id,
        object_key,
    }))
}

/// The document already holding these bytes for this fund (or for no fund), if any.
pub async fn find_same<'c>(
    db: impl sqlx::PgExecutor<'c>,
    sha256: &str,
    upload_fund_id: Option<i64>,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM documents WHERE sha256 = $1 AND COALESCE(upload_fund_id, 0) = COALESCE($2, 0)",
    )
    .bind(sha256)
    .bind(upload_fund_id)
    .fetch_optional(db)
    .await
}

/// Stores a completed attempt's stage timings beside the queue wait the row's own timestamps
/// give (claim time minus the later of enqueue and retry-not-before). The API stamps
/// `enqueued_at` after the job is in Redis, so a fast worker can claim first: that wait is 0.
pub async fn record_timings(
    conn: &mut PgConnection,
    id: i64,
    timings: &crate::domain::StageTimings,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE documents SET timings = $2::jsonb || jsonb_build_object('queue_wait_ms',
             GREATEST(0, round((extract(epoch FROM started_at - GREATEST(
                 COALESCE(enqueued_at, uploaded_at), COALESCE(not_before, uploaded_at)))
                 * 1000)::numeric, 1)))
         WHERE id = $1",
    )
    .bind(id)
    .bind(sqlx::types::Json(timings))
    .execute(conn)
    .await
    .map(|_| ())
}

/// Reaper: queued documents that may have no job in Redis (never enqueued, Redis lost it, or
/// their retry delay is over), with the job id they were last given.
pub async fn queued_without_recent_job(
    conn: &mut PgConnection,
    requeue_after: Duration,
) -> Result<Vec<(i64, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, job_id FROM documents
         WHERE status = $2 AND (not_before IS NULL OR not_before <= now())
           AND (job_id IS NULL OR enqueued_at IS NULL OR enqueued_at < now() - make_interval(secs => $1))
         ORDER BY id LIMIT 500",
    )
    .bind(requeue_after.as_secs_f64())
    .bind(Queued)
    .fetch_all(conn)
    .await
}

/// Seconds since the oldest processing attempt started (0 when nothing is processing): a value
/// above the reaper's overdue limit means a document is stuck.
pub async fn oldest_processing_age(pool: &PgPool) -> Result<f64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COALESCE(extract(epoch FROM now() - min(started_at))::float8, 0)
         FROM documents WHERE status = $1",
    )
    .bind(Processing)
    .fetch_one(pool)
    .await
}

/// Marks that the reaper checked a queued document's job just now.
pub async fn touch_enqueued(conn: &mut PgConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE documents SET enqueued_at = now() WHERE id = $1 AND status = $2")
        .bind(id)
        .bind(Queued)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Documents per status, for `/metrics` and `/ready`.
pub async fn count_by_status(pool: &PgPool) -> Result<Vec<(DocumentStatus, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT status, count(*) FROM documents GROUP BY status ORDER BY status")
        .fetch_all(pool)
        .await
}
