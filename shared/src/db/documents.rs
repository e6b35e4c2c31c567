//! The `documents` table: uploads, their files, and the processing state machine
//! (queued → processing → completed | failed) that Postgres owns.
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

/// A document with what has been extracted from it, as the API shows it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Document {
    pub id: i64,
    pub fund_id: Option<i64>,
    pub fund_name: Option<String>,
    pub file_name: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub status: String,
    pub stage: Option<String>,
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
    d.document_type, d.type_evidence, d.investor,
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
    pub content: &'a [u8],
    pub upload_fund_id: Option<i64>,
    pub request_id: Option<&'a str>,
}

pub enum UploadOutcome {
    Created(i64),
    /// The same content was already uploaded for the same fund (or both without one).
    Duplicate(i64),
}

/// Stores the document row and its file in one transaction.
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
    .bind(u.content.len() as i64)
    .bind(u.request_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        let existing = sqlx::query_scalar(
            "SELECT id FROM documents WHERE sha256 = $1 AND COALESCE(upload_fund_id, 0) = COALESCE($2, 0)",
        )
        .bind(u.sha256)
        .bind(u.upload_fund_id)
        .fetch_one(&mut *tx)
        .await?;
        return Ok(UploadOutcome::Duplicate(existing));
    };
    sqlx::query("INSERT INTO document_files (document_id, content) VALUES ($1, $2)")
        .bind(id)
        .bind(u.content)
        .execute(&mut *tx)
        .await?;
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
    pub status: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

pub async fn list(pool: &PgPool, f: &ListFilter) -> Result<(Vec<Document>, i64), sqlx::Error> {
    let filter = "($1::bigint IS NULL OR d.fund_id = $1) AND ($2::text IS NULL OR d.status = $2)";
    let items = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE {filter} ORDER BY d.id DESC LIMIT $3 OFFSET $4"
    )))
    .bind(f.fund_id)
    .bind(&f.status)
    .bind(f.limit)
    .bind(f.offset)
    .fetch_all(pool)
    .await?;
    let total = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM documents d WHERE {filter}"
    )))
    .bind(f.fund_id)
    .bind(&f.status)
    .fetch_one(pool)
    .await?;
    Ok((items, total))
}

/// Deletes the document, its file and everything extracted from it (by cascade).
/// Returns the fund it belonged to, or `None` when there was no such document.
pub async fn delete(pool: &PgPool, id: i64) -> Result<Option<Option<i64>>, sqlx::Error> {
    sqlx::query_scalar("DELETE FROM documents WHERE id = $1 RETURNING fund_id")
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// Puts a failed document back in the queue for another round of attempts, or a completed one
/// to be processed again (after an extractor or embedding-model change; the re-run replaces its
/// rows and chunks). Queued and processing documents are left alone.
pub async fn reset_for_retry(pool: &PgPool, id: i64) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "UPDATE documents SET status = 'queued', attempts = 0, error = NULL, stage = NULL, job_id = NULL,
             enqueued_at = NULL, not_before = NULL, progress_done = 0, updated_at = now()
         WHERE id = $1 AND status IN ('failed', 'completed')",
    )
    .bind(id)
    .execute(pool)
    .await
    .map(|r| r.rows_affected() == 1)
}

pub async fn load_file(pool: &PgPool, id: i64) -> Result<Option<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar("SELECT content FROM document_files WHERE document_id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The outcome of a worker trying to take a document.
#[derive(Debug)]
pub enum Claim {
    /// This worker owns the document now; `attempt` counts from 1.
    Claimed {
        attempt: i32,
        upload_fund_id: Option<i64>,
    },
    /// Nothing to do: finished, failed, deleted, or owned by a live worker.
    Skip(&'static str),
}

/// Takes a document for processing if nobody live holds it. This is what makes jobs idempotent:
/// a duplicated or re-delivered job finds the document taken or finished and does nothing.
pub async fn claim(
    pool: &PgPool,
    id: i64,
    worker_id: &str,
    stale_after: Duration,
    max_attempts: i32,
) -> Result<Claim, sqlx::Error> {
    let row: Option<(i32, Option<i64>)> = sqlx::query_as(
        "UPDATE documents SET status = 'processing', stage = 'parsing', attempts = attempts + 1,
             worker_id = $2, heartbeat_at = now(), started_at = now(), progress_at = now(), completed_at = NULL,
             progress_done = 0, progress_total = NULL, updated_at = now()
         WHERE id = $1 AND attempts < $4
           AND (status = 'queued'
                OR (status = 'processing' AND heartbeat_at < now() - make_interval(secs => $3)))
         RETURNING attempts, upload_fund_id",
    )
    .bind(id)
    .bind(worker_id)
    .bind(stale_after.as_secs_f64())
    .bind(max_attempts)
    .fetch_optional(pool)
    .await?;
    if let Some((attempt, upload_fund_id)) = row {
        return Ok(Claim::Claimed {
            attempt,
            upload_fund_id,
        });
    }
    // Out of attempts while queued (e.g. after transient errors): fail it with the last reason.
    let failed = sqlx::query(
        "UPDATE documents SET status = 'failed', stage = NULL, updated_at = now(),
             error = 'Gave up after ' || attempts || ' attempts. Last error: ' || COALESCE(error, 'unknown')
         WHERE id = $1 AND status = 'queued' AND attempts >= $2",
    )
    .bind(id)
    .bind(max_attempts)
    .execute(pool)
    .await?;
    Ok(Claim::Skip(if failed.rows_affected() == 1 {
        "out of attempts"
    } else {
        "not claimable"
    }))
}

/// Records liveness and progress. Returns false when this worker no longer owns the document
/// (it was reaped and given to another worker, or deleted), so the caller can stop.
pub async fn heartbeat(
    pool: &PgPool,
    id: i64,
    worker_id: &str,
    stage: &str,
    done: i32,
    total: Option<i32>,
) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "UPDATE documents SET heartbeat_at = now(), stage = $3, progress_done = $4,
             progress_total = COALESCE($5, progress_total), updated_at = now(),
             progress_at = CASE WHEN stage IS DISTINCT FROM $3 OR progress_done IS DISTINCT FROM $4
                                THEN now() ELSE progress_at END
         WHERE id = $1 AND worker_id = $2 AND status = 'processing'",
    )
    .bind(id)
    .bind(worker_id)
    .bind(stage)
    .bind(done)
    .bind(total)
    .execute(pool)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// A permanent failure: the reason is a sentence for the person who uploaded the file.
pub async fn fail(
    pool: &PgPool,
    id: i64,
    worker_id: &str,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE documents SET status = 'failed', stage = NULL, error = $3, completed_at = now(), updated_at = now()
         WHERE id = $1 AND worker_id = $2 AND status = 'processing'",
    )
    .bind(id)
    .bind(worker_id)
    .bind(reason)
    .execute(pool)
    .await
    .map(|_| ())
}

/// A failure worth another try: back to `queued`, enqueued again by the reaper after `delay`.
/// With `refund_attempt` the attempt is given back, since an outage says nothing about the document.
pub async fn retry_later(
    pool: &PgPool,
    id: i64,
    worker_id: &str,
    reason: &str,
    delay: Duration,
    refund_attempt: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE documents SET status = 'queued', stage = NULL, error = $3, job_id = NULL, worker_id = NULL,
             attempts = CASE WHEN $5 THEN GREATEST(attempts - 1, 0) ELSE attempts END, not_before = now() + make_interval(secs => $4),
             updated_at = now()
         WHERE id = $1 AND worker_id = $2 AND status = 'processing'",
    )
    .bind(id)
    .bind(worker_id)
    .bind(reason)
    .bind(delay.as_secs_f64())
    .bind(refund_attempt)
    .execute(pool)
    .await
    .map(|_| ())
}

/// How long a processing document may go before the reaper takes it back.
#[derive(Debug, Clone, Copy)]
pub struct StaleRules {
    /// No heartbeat for this long: the worker is gone.
    pub silent: Duration,
    /// Heartbeats, but stage and pages unchanged for this long: the job is stuck.
    pub stalled: Duration,
    /// The attempt started this long ago: past the job timeout and its grace.
    pub overdue: Duration,
}

/// Reaper: documents whose worker stopped heart-beating, whose progress froze, or whose attempt
/// outlived the job timeout go back to `queued`, or to `failed` once they have used up their
/// attempts (a document that kills its worker every time).
pub async fn reap_stale(
    conn: &mut PgConnection,
    rules: StaleRules,
    max_attempts: i32,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE documents SET
             status = CASE WHEN attempts >= $2 THEN 'failed' ELSE 'queued' END,
             error = CASE WHEN attempts >= $2
                 THEN 'Processing was interrupted ' || attempts || ' times (the worker crashed or hung); giving up. Re-upload or retry the document.'
                 ELSE 'The worker processing this document stopped responding or stopped making progress; it will be retried.' END,
             completed_at = CASE WHEN attempts >= $2 THEN now() END,
             stage = NULL, job_id = NULL, worker_id = NULL, not_before = NULL, updated_at = now()
         WHERE status = 'processing'
           AND (heartbeat_at < now() - make_interval(secs => $1)
                OR progress_at < now() - make_interval(secs => $3)
                OR started_at < now() - make_interval(secs => $4))
         RETURNING id, status",
    )
    .bind(rules.silent.as_secs_f64())
    .bind(max_attempts)
    .bind(rules.stalled.as_secs_f64())
    .bind(rules.overdue.as_secs_f64())
    .fetch_all(conn)
    .await
}

/// Reaper: queued documents that may have no job in Redis (never enqueued, Redis lost it, or
/// their retry delay is over), with the job id they were last given.
pub async fn queued_without_recent_job(
    conn: &mut PgConnection,
    requeue_after: Duration,
) -> Result<Vec<(i64, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, job_id FROM documents
         WHERE status = 'queued' AND (not_before IS NULL OR not_before <= now())
           AND (job_id IS NULL OR enqueued_at IS NULL OR enqueued_at < now() - make_interval(secs => $1))
         ORDER BY id LIMIT 500",
    )
    .bind(requeue_after.as_secs_f64())
    .fetch_all(conn)
    .await
}

/// Seconds since the oldest processing attempt started (0 when nothing is processing): a value
/// above the reaper's overdue limit means a document is stuck.
pub async fn oldest_processing_age(pool: &PgPool) -> Result<f64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COALESCE(extract(epoch FROM now() - min(started_at))::float8, 0)
         FROM documents WHERE status = 'processing'",
    )
    .fetch_one(pool)
    .await
}

/// Marks that the reaper checked a queued document's job just now.
pub async fn touch_enqueued(conn: &mut PgConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE documents SET enqueued_at = now() WHERE id = $1 AND status = 'queued'")
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Documents per status, for `/metrics` and `/ready`.
pub async fn count_by_status(pool: &PgPool) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT status, count(*) FROM documents GROUP BY status ORDER BY status")
        .fetch_all(pool)
        .await
}
