//! The ingestion job: claim the document in Postgres, run its stages (`stages.rs`) while
//! heart-beating, and record the outcome: completed, failed with a sentence, or queued again.
mod stages;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::time::Duration;

use apalis::prelude::{BoxDynError, Data};
use shared::db::transitions::{self, Claim};
use shared::domain::{DocumentStatus, Stage};
use shared::files::FileError;
use shared::jobs::IngestDocument;
use tokio::sync::watch;
use tracing::Instrument;

use crate::JobContext;

/// Why an attempt did not complete, and so what happens next.
#[derive(Debug, thiserror::Error)]
enum IngestError {
    /// Property of the file: fail at once with this sentence.
    #[error("{0}")]
    Permanent(String),
    /// Database or queue trouble: retry later without spending an attempt.
    #[error("{0}")]
    Unavailable(String),
    /// Unexpected (a bug or a hang): retry, spending an attempt.
    #[error("{0}")]
    Other(String),
    /// Someone else owns the document now (it was reaped or deleted): drop our work.
    #[error("the document was taken over or deleted while being processed")]
    Lost,
}

impl From<FileError> for IngestError {
    fn from(e: FileError) -> Self {
        match e {
            FileError::Db(e) => e.into(),
            // Nothing will bring the object back: retrying would only repeat this.
            FileError::Missing { .. } => Self::Permanent(format!(
                "Cannot process this document: {e}. Upload it again."
            )),
            // A bucket that is down or refuses us spends an attempt, so it ends in a failure
            // with this sentence instead of waiting forever.
            FileError::Store { .. } | FileError::NoBucket(_) => Self::Other(e.to_string()),
        }
    }
}

impl From<sqlx::Error> for IngestError {
    fn from(e: sqlx::Error) -> Self {
        if shared::db::pool::is_unavailable(&e) {
            Self::Unavailable(format!("the database was unavailable ({e})"))
        } else {
            Self::Other(format!("database error: {e}"))
        }
    }
}

/// apalis entry point. Always succeeds from apalis's point of view: retries and failures are
/// recorded in Postgres, because the Redis backend's own retry bookkeeping cannot be trusted.
pub async fn ingest(job: IngestDocument, ctx: Data<Arc<JobContext>>) -> Result<(), BoxDynError> {
    let span = tracing::info_span!(
        "ingest",
        document_id = job.document_id,
        request_id = job.request_id.as_deref().unwrap_or("-")
    );
    // The job runs on a task of its own: if apalis's consumer stops (a Redis flush or restart
    // drops its in-flight futures), the attempt still finishes and records its outcome in
    // Postgres, and its timeout fires on its own.
    let ctx: Arc<JobContext> = (*ctx).clone();
    let id = job.document_id;
    let task = tokio::spawn(async move { process(&ctx, id).await }.instrument(span));
    if let Err(e) = task.await {
        // A panic: the heartbeat stopped with the task, so the reaper takes the document back.
        tracing::error!(document_id = id, error = %e, "the ingestion task panicked");
    }
    Ok(())
}

/// Aborts the task when dropped, so a heartbeat never outlives the attempt it beats for.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Claims and processes one document; every outcome ends up in the `documents` row.
pub async fn process(ctx: &JobContext, id: i64) {
    let cfg = &ctx.config;
    let claim = transitions::claim(
        &ctx.pool,
        id,
        &ctx.worker_id,
        cfg.stale_after,
        cfg.max_attempts,
    )
    .await;
    let (attempt, upload_fund_id) = match claim {
        Ok(Claim::Claimed {
            attempt,
            upload_fund_id,
        }) => (attempt, upload_fund_id),
        Ok(Claim::Skip(why)) => {
            tracing::info!(why, "job skipped");
            return;
        }
        Err(e) => {
            // The document stays queued; the reaper enqueues it again once Postgres answers.
            tracing::warn!(error = %e, "could not claim the document");
            return;
        }
    };
    tracing::info!(attempt, "attempt started");
    metrics::counter!("worker_jobs_started_total").increment(1);
    let started = std::time::Instant::now();
    let progress = Arc::new(Progress::default());
    let (lost_tx, mut lost_rx) = watch::channel(false);
    let beat = AbortOnDrop(tokio::spawn(heartbeat(
        ctx.pool.clone(),
        id,
        ctx.worker_id.clone(),
        cfg.heartbeat_interval,
        progress.clone(),
        lost_tx,
    )));

    let work = stages::run(ctx, id, upload_fund_id, progress.clone());
    let result = tokio::select! {
        // Work first: a result that is ready wins over a late ownership alarm.
        biased;
        r = tokio::time::timeout(cfg.job_timeout, work) => r.unwrap_or_else(|_| Err(IngestError::Other(format!(
            "processing took longer than the {} s limit", cfg.job_timeout.as_secs())))),
        _ = lost_rx.wait_for(|lost| *lost) => Err(IngestError::Lost),
    };
    drop(beat);
    if progress.parsing.load(Ordering::SeqCst) {
        watch_for_wedge(ctx, id, progress.clone());
    }
    let outcome = match &result {
        Ok(()) => "succeeded",
        // The document ends up failed; the metric's name says so.
        Err(IngestError::Permanent(_)) => DocumentStatus::Failed.as_str(),
        Err(IngestError::Unavailable(_) | IngestError::Other(_)) => "retried",
        Err(IngestError::Lost) => "lost",
    };
    metrics::counter!(format!("worker_jobs_{outcome}_total")).increment(1);
    metrics::histogram!("worker_job_duration_seconds", "outcome" => outcome)
        .record(started.elapsed().as_secs_f64());

    let pool = &ctx.pool;
    let me = &ctx.worker_id;
    let recorded = match &result {
        Ok(()) => {
            tracing::info!(
                ms = started.elapsed().as_millis() as u64,
                "attempt completed"
            );
            Ok(true)
        }
        Err(IngestError::Permanent(reason)) => {
            tracing::info!(reason, "failed permanently");
            transitions::processing_to_failed(pool, id, me, reason).await
        }
        Err(IngestError::Unavailable(reason)) => {
            let delay = backoff(attempt);
            tracing::warn!(reason, delay_s = delay.as_secs(), "will retry");
            transitions::processing_to_queued(pool, id, me, reason, delay, true).await
        }
        Err(IngestError::Other(reason)) => {
            tracing::error!(reason, attempt, "attempt failed");
            let msg = format!("Attempt {attempt} failed: {reason}.");
            transitions::processing_to_queued(pool, id, me, &msg, backoff(attempt), false).await
        }
        Err(IngestError::Lost) => {
            tracing::warn!("document taken over or deleted; result dropped");
            Ok(true)
        }
    };
    if let Err(e) = recorded {
        // The heartbeat stops now, so the reaper will pick the document up once Postgres is back.
        tracing::warn!(error = %e, "could not record the outcome");
    }
}

/// The job gave up on a parse that is still running. pdfium serialises every call behind one
/// process-wide lock, so if the parse does not end within the grace period this process can no
/// longer parse anything: it stops taking jobs and exits for its supervisor to restart it.
fn watch_for_wedge(ctx: &JobContext, id: i64, progress: Arc<Progress>) {
    let grace = ctx.config.ops.hang_grace;
    let wedged = ctx.wedged.clone();
    tokio::spawn(
        async move {
            tokio::time::sleep(grace).await;
            if progress.parsing.load(Ordering::SeqCst) {
                tracing::error!(
                    grace_s = grace.as_secs(),
                    "the PDF parser is still running past the job timeout and its grace period; \
                     stopping this worker so that its supervisor restarts it"
                );
                metrics::counter!("worker_wedged_total").increment(1);
                wedged.send_replace(true);
            }
        }
        .instrument(tracing::info_span!("wedge_watch", document_id = id)),
    );
}

fn backoff(attempt: i32) -> Duration {
    Duration::from_secs(2u64.saturating_pow(attempt.clamp(0, 6) as u32).min(60))
}

/// Stage and page progress, written by the blocking thread and read by the heartbeat.
#[derive(Default)]
struct Progress {
    stage: std::sync::Mutex<Stage>,
    done: AtomicI32,
    total: AtomicI32,
    /// True while the blocking thread is inside the parser, even after the job gave up on it.
    parsing: AtomicBool,
}

/// Clears `parsing` however the blocking closure ends, panics included.
struct ParsingGuard<'a>(&'a AtomicBool);

impl Drop for ParsingGuard<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

impl Progress {
    fn set_stage(&self, stage: Stage) {
        *self.stage.lock().unwrap_or_else(|e| e.into_inner()) = stage;
    }
}

async fn heartbeat(
    pool: sqlx::PgPool,
    id: i64,
    worker_id: String,
    every: Duration,
    progress: Arc<Progress>,
    lost: watch::Sender<bool>,
) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let stage = *progress.stage.lock().unwrap_or_else(|e| e.into_inner());
        let total = progress.total.load(Ordering::Relaxed);
        let done = progress.done.load(Ordering::Relaxed);
        match transitions::processing_heartbeat(
            &pool,
            id,
            &worker_id,
            stage,
            done,
            (total > 0).then_some(total),
        )
        .await
        {
            Ok(true) => {}
            Ok(false) => {
                let _ = lost.send(true);
                return;
            }
            // A missed beat is harmless; only a long silence makes the document look orphaned.
            Err(e) => tracing::warn!(error = %e, "heartbeat failed"),
        }
    }
}
