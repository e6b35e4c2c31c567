//! The reaper: Postgres is the source of truth and Redis may lose jobs, so every few seconds one
//! worker (elected by an advisory lock) re-enqueues queued documents that have no live job and
//! takes back documents whose worker stopped heart-beating. Every few minutes it also removes
//! long-finished jobs from Redis, which apalis-redis would otherwise keep forever.
use std::time::{Duration, Instant};

use shared::config::Config;
use shared::db::{documents, transitions};
use shared::jobs::{JobQueue, JobState};
use sqlx::PgPool;
use tokio::sync::watch;

/// Arbitrary constant naming the reaper's advisory lock.
const REAPER_LOCK: i64 = 0x6675_6e64_6c65_6e73;

/// How often finished jobs are vacuumed. The script scans the queue's job hash inside Redis, so
/// it runs rarely; running it from several workers at once is harmless (it only deletes).
const VACUUM_EVERY: Duration = Duration::from_secs(600);

pub async fn run(pool: PgPool, queue: JobQueue, config: Config, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(config.reaper_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_vacuum: Option<Instant> = None;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        if let Err(e) = pass(&pool, &queue, &config).await {
            tracing::warn!(error = %e, "reaper pass failed; will try again");
        }
        if let Some(retention) = config.ops.job_retention
            && last_vacuum.is_none_or(|t| t.elapsed() >= VACUUM_EVERY)
        {
            last_vacuum = Some(Instant::now());
            match queue.vacuum_finished(retention).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(jobs = n, "removed finished jobs from Redis"),
                Err(e) => tracing::warn!(error = %e, "vacuuming finished jobs failed"),
            }
        }
    }
}

/// A heartbeat whose progress (stage, pages done) has not moved for this many stale periods
/// means the job is stuck even though something still beats for it.
pub const STALL_FACTOR: u32 = 20;

/// When the reaper takes a processing document back: no heartbeat for `STALE_AFTER_MS`; progress
/// frozen for `STALL_FACTOR` × that; or the attempt older than the job timeout, its hang grace
/// and one stale period, by which time the job's own timeout must have fired.
pub fn stale_rules(config: &Config) -> transitions::StaleRules {
    transitions::StaleRules {
        silent: config.stale_after,
        stalled: config.stale_after * STALL_FACTOR,
        overdue: config.job_timeout + config.ops.hang_grace + config.stale_after,
    }
}

/// One pass; public so tests can drive it directly.
///
/// Postgres decides and commits first (stale takeovers, the list of queued documents to check),
/// then Redis is asked about each job with no transaction open, each new job id recorded at once.
/// A Redis error therefore loses nothing already decided, and no row lock waits on Redis. A
/// session advisory lock, held on one pooled connection for the pass, keeps it to one reaper.
pub async fn pass(pool: &PgPool, queue: &JobQueue, config: &Config) -> anyhow::Result<()> {
    let mut conn = pool.acquire().await?;
    let leader: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(REAPER_LOCK)
        .fetch_one(&mut *conn)
        .await?;
    if !leader {
        return Ok(());
    }
    let result = lead(&mut conn, queue, config).await;
    // If the connection itself is gone, the session lock went with it.
    let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(REAPER_LOCK)
        .execute(&mut *conn)
        .await;
    result
}

async fn lead(
    conn: &mut sqlx::PgConnection,
    queue: &JobQueue,
    config: &Config,
) -> anyhow::Result<()> {
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    let taken = transitions::stale_processing_to_queued_or_failed(
        &mut tx,
        stale_rules(config),
        config.max_attempts,
    )
    .await?;
    let queued = documents::queued_without_recent_job(&mut tx, config.requeue_after).await?;
    tx.commit().await?;
    for (id, status) in taken {
        tracing::warn!(
            document_id = id,
            status = status.as_str(),
            "took back a document whose worker stopped responding or making progress"
        );
    }
    for (id, job_id) in queued {
        let live = match &job_id {
            Some(job) => queue.job_state(job).await? == JobState::Live,
            None => false,
        };
        if live {
            documents::touch_enqueued(&mut *conn, id).await?;
            continue;
        }
        let new_job = queue.enqueue(id, None).await?;
        documents::set_job(&mut *conn, id, &new_job).await?;
        tracing::info!(
            document_id = id,
            job_id = new_job,
            "re-enqueued a queued document that had no live job"
        );
    }
    Ok(())
}
