//! Every change of a document's status, one function per edge of the state machine
//! (`domain::status::EDGES`). Each UPDATE names its source status in its WHERE clause, so called
//! on a document in any other status it changes nothing, and its result says so.
use std::time::Duration;

use sqlx::{PgConnection, PgPool};

use crate::domain::DocumentStatus::{Completed, Failed, Processing, Queued};
use crate::domain::{DocumentStatus, Stage};

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

/// Takes a document for processing if nobody live holds it, or fails it once it has used up its
/// attempts. This is what makes jobs idempotent: a duplicated or re-delivered job finds the
/// document taken or finished and does nothing.
pub async fn claim(
    pool: &PgPool,
    id: i64,
    worker_id: &str,
    stale_after: Duration,
    max_attempts: i32,
) -> Result<Claim, sqlx::Error> {
    let taken =
        queued_or_stale_to_processing(pool, id, worker_id, stale_after, max_attempts).await?;
    if let Some((attempt, upload_fund_id)) = taken {
        return Ok(Claim::Claimed {
            attempt,
            upload_fund_id,
        });
    }
    // Out of attempts while queued (e.g. after transient errors): fail it with the last reason.
    Ok(Claim::Skip(
        if queued_to_failed(pool, id, max_attempts).await? {
            "out of attempts"
        } else {
            "not claimable"
        },
    ))
}

/// queued → processing, or processing → processing when the holder's heartbeat is older than
/// `stale_after` (its worker is gone). Spends an attempt; `None` when the document was not
/// claimable. Returns the attempt number and the fund the uploader chose.
pub async fn queued_or_stale_to_processing(
    pool: &PgPool,
    id: i64,
    worker_id: &str,
    stale_after: Duration,
    max_attempts: i32,
) -> Result<Option<(i32, Option<i64>)>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE documents SET status = $5, stage = $6, attempts = attempts + 1,
             worker_id = $2, heartbeat_at = now(), started_at = now(), progress_at = now(), completed_at = NULL,
             progress_done = 0, progress_total = NULL, updated_at = now()
         WHERE id = $1 AND attempts < $4
           AND (status = $7 OR (status = $5 AND heartbeat_at < now() - make_interval(secs => $3)))
         RETURNING attempts, upload_fund_id",
    )
    .bind(id)
    .bind(worker_id)
    .bind(stale_after.as_secs_f64())
    .bind(max_attempts)
    .bind(Processing)
    .bind(Stage::Parsing)
    .bind(Queued)
    .fetch_optional(pool)
    .await
}

/// queued → failed, once the document has used up `max_attempts` (spent on errors that were
/// worth retrying); the error keeps the last reason.
pub async fn queued_to_failed(
    pool: &PgPool,
    id: i64,
    max_attempts: i32,
) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "UPDATE documents SET status = $3, stage = NULL, updated_at = now(),
             error = 'Gave up after ' || attempts || ' attempts. Last error: ' || COALESCE(error, 'unknown')
         WHERE id = $1 AND status = $4 AND attempts >= $2",
    )
    .bind(id)
    .bind(max_attempts)
    .bind(Failed)
    .bind(Queued)
    .execute(pool)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// processing → processing: records liveness and progress. Returns false when this worker no
/// longer owns the document (it was reaped and given to another worker, or deleted), so the
/// caller can stop.
pub async fn processing_heartbeat(
    pool: &PgPool,
    id: i64,
    worker_id: &str,
    stage: Stage,
    done: i32,
    total: Option<i32>,
) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "UPDATE documents SET heartbeat_at = now(), stage = $3, progress_done = $4,
             progress_total = COALESCE($5, progress_total), updated_at = now(),
             progress_at = CASE WHEN stage IS DISTINCT FROM $3 OR progress_done IS DISTINCT FROM $4
                                THEN now() ELSE progress_at END
         WHERE id = $1 AND worker_id = $2 AND status = $6",
    )
    .bind(id)
    .bind(worker_id)
    .bind(stage)
    .bind(done)
    .bind(total)
    .bind(Processing)
    .execute(pool)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// What a finished attempt stores on the document row itself.
pub struct Completion<'a> {
    pub fund_id: Option<i64>,
    pub page_count: i32,
    pub warnings: serde_json::Value,
    pub document_type: &'a str,
    pub type_evidence: serde_json::Value,
    pub investor: Option<&'a str>,
    /// Pages read by OCR.
    pub ocr_pages: Vec<i32>,
}

/// processing → completed, inside the storing transaction (which holds the row locked since it
/// checked this worker still owns it).
pub async fn processing_to_completed(
    tx: &mut PgConnection,
    id: i64,
    c: &Completion<'_>,
) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "UPDATE documents SET status = $8, stage = NULL, error = NULL, fund_id = $2,
             page_count = $3, progress_done = $3, progress_total = $3, warnings = $4,
             document_type = $5, type_evidence = $6, investor = $7, ocr_pages = $10,
             completed_at = now(), updated_at = now()
         WHERE id = $1 AND status = $9",
    )
    .bind(id)
    .bind(c.fund_id)
    .bind(c.page_count)
    .bind(&c.warnings)
    .bind(c.document_type)
    .bind(&c.type_evidence)
    .bind(c.investor)
    .bind(Completed)
    .bind(Processing)
    .bind(&c.ocr_pages)
    .execute(tx)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// processing → failed: a permanent failure, the reason a sentence for the person who uploaded
/// the file.
pub async fn processing_to_failed(
    pool: &PgPool,
    id: i64,
    worker_id: &str,
    reason: &str,
) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "UPDATE documents SET status = $4, stage = NULL, error = $3, completed_at = now(), updated_at = now()
         WHERE id = $1 AND worker_id = $2 AND status = $5",
    )
    .bind(id)
    .bind(worker_id)
    .bind(reason)
    .bind(Failed)
    .bind(Processing)
    .execute(pool)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// processing → queued: a failure worth another try, enqueued again by the reaper after `delay`.
/// With `refund_attempt` the attempt is given back, since an outage says nothing about the document.
pub async fn processing_to_queued(
    pool: &PgPool,
    id: i64,
    worker_id: &str,
    reason: &str,
    delay: Duration,
    refund_attempt: bool,
) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "UPDATE documents SET status = $6, stage = NULL, error = $3, job_id = NULL, worker_id = NULL,
             attempts = CASE WHEN $5 THEN GREATEST(attempts - 1, 0) ELSE attempts END, not_before = now() + make_interval(secs => $4),
             updated_at = now()
         WHERE id = $1 AND worker_id = $2 AND status = $7",
    )
    .bind(id)
    .bind(worker_id)
    .bind(reason)
    .bind(delay.as_secs_f64())
    .bind(refund_attempt)
    .bind(Queued)
    .bind(Processing)
    .execute(pool)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// failed → queued for another round of attempts, or completed → queued to be processed again
/// (after an extractor or embedding-model change; the re-run replaces its rows and chunks).
/// Queued and processing documents are left alone.
pub async fn failed_or_completed_to_queued(pool: &PgPool, id: i64) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "UPDATE documents SET status = $2, attempts = 0, error = NULL, stage = NULL, job_id = NULL,
             enqueued_at = NULL, not_before = NULL, progress_done = 0, updated_at = now()
         WHERE id = $1 AND status IN ($3, $4)",
    )
    .bind(id)
    .bind(Queued)
    .bind(Failed)
    .bind(Completed)
    .execute(pool)
    .await
    .map(|r| r.rows_affected() == 1)
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

/// processing → queued, or processing → failed once the document has used up its attempts (a
/// document that kills its worker every time): for documents whose worker stopped
/// heart-beating, whose progress froze, or whose attempt outlived the job timeout.
/// Returns each document taken back with the status it got.
pub async fn stale_processing_to_queued_or_failed(
    conn: &mut PgConnection,
    rules: StaleRules,
    max_attempts: i32,
) -> Result<Vec<(i64, DocumentStatus)>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE documents SET
             status = CASE WHEN attempts >= $2 THEN $5 ELSE $6 END,
             error = CASE WHEN attempts >= $2
                 THEN 'Processing was interrupted ' || attempts || ' times (the worker crashed or hung); giving up. Re-upload or retry the document.'
                 ELSE 'The worker processing this document stopped responding or stopped making progress; it will be retried.' END,
             completed_at = CASE WHEN attempts >= $2 THEN now() END,
             stage = NULL, job_id = NULL, worker_id = NULL, not_before = NULL, updated_at = now()
         WHERE status = $7
           AND (heartbeat_at < now() - make_interval(secs => $1)
                OR progress_at < now() - make_interval(secs => $3)
                OR started_at < now() - make_interval(secs => $4))
         RETURNING id, status",
    )
    .bind(rules.silent.as_secs_f64())
    .bind(max_attempts)
    .bind(rules.stalled.as_secs_f64())
    .bind(rules.overdue.as_secs_f64())
    .bind(Failed)
    .bind(Queued)
    .bind(Processing)
    .fetch_all(conn)
    .await
}
