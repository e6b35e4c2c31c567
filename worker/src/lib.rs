//! The ingestion worker: pulls jobs from Redis, parses and extracts PDFs off the async runtime,
//! and stores the result in Postgres; a reaper repairs what the queue loses.
pub mod context;
pub mod exporter;
pub mod ingest;
pub mod reaper;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use apalis::prelude::*;
use shared::config::Config;
use shared::jobs::{self, JobQueue};

pub use context::JobContext;

/// The worker stopped itself because pdfium is stuck (see `ingest::watch_for_wedge`); its
/// supervisor must start a new process.
#[derive(Debug, thiserror::Error)]
#[error("a PDF parse outlived the job timeout; this worker can no longer parse and must restart")]
pub struct Wedged;

/// Exit status of a wedged worker (EX_SOFTWARE), so supervisors and tests can tell it apart.
pub const WEDGED_EXIT_CODE: i32 = 70;

/// Runs a worker until `shutdown` resolves: in-flight jobs finish (bounded by the job timeout),
/// queued ones stay in the queue for the next worker.
pub async fn run(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    // The signal is needed twice: while waiting for dependencies at start-up, then by apalis.
    let (signal_tx, mut signal_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = signal_tx.send(true);
    });
    // Unique per process: apalis refuses a restarted worker whose name is still registered.
    let (host, pid) = (hostname(), std::process::id());
    let worker_name = format!("fundlens-worker-{host}-{pid}-{}", ulid::Ulid::generate());
    // Each worker's connections are its own in pg_stat_activity (host and pid, within
    // Postgres's 63 bytes), so several workers sharing one database can be told apart.
    let pool = shared::db::connect(
        config.database_url(),
        config.worker_db_pool_size,
        config.db_acquire_timeout,
        &application_name(&host, pid),
    )
    .await?;
    shared::pdf::init(&config.pdfium_lib_path).context("loading libpdfium (PDFIUM_LIB_PATH)")?;
    // A dependency that is down at start-up is waited for, not fatal: a worker started during
    // an outage begins work when Postgres and Redis return.
    let Some(()) = until_ready(&mut signal_rx, "Postgres (migrations)", || async {
        shared::MIGRATOR.run(&pool).await
    })
    .await
    else {
        return Ok(());
    };
    let Some(redis) = until_ready(&mut signal_rx, "Redis", || {
        jobs::connect_redis(config.redis_url())
    })
    .await
    else {
        return Ok(());
    };
    let queue = JobQueue::new(redis.clone(), &config.queue_name);

    let width = shared::db::chunks::embedding_width(&pool).await?;
    anyhow::ensure!(
        width == shared::embed::EMBEDDING_DIM as i32,
        "document_chunks.embedding is vector({width}) but embeddings have {} dimensions",
        shared::embed::EMBEDDING_DIM
    );
    let embedder = load_embedder(&config).await?;
    let files =
        shared::files::FileStore::new(&config.files).context("configuring the file store")?;
    let ctx = Arc::new(JobContext::new(
        pool.clone(),
        config.clone(),
        worker_name.clone(),
        embedder,
        files,
    ));

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let reaper = tokio::spawn(reaper::run(
        pool.clone(),
        queue.clone(),
        config.clone(),
        stop_rx,
    ));

    let exporter = config.ops.worker_metrics_addr.map(|addr| {
        tokio::spawn(exporter::serve(
            addr,
            pool.clone(),
            config.worker_db_pool_size,
            stop_tx.subscribe(),
        ))
    });
    let mut wedged = ctx.wedged.subscribe();

    let storage = jobs::worker_storage(
        redis,
        &config.queue_name,
        config.worker_concurrency,
        config.heartbeat_interval,
        config.stale_after,
    )
    .poll_with_interval(Duration::from_millis(300));
    let concurrency = config.worker_concurrency;
    let job_ctx = ctx.clone();
    let monitor = Monitor::new()
        .register(move |restarts| {
            // A restarted worker registers under a new name: apalis refuses a name still held.
            WorkerBuilder::new(format!("{worker_name}-r{restarts}"))
                .backend(storage.clone())
                .data(job_ctx.clone())
                .concurrency(concurrency)
                .build(ingest::ingest)
        })
        // apalis ends a worker whose backend fails a poll (Redis down) and, left alone, never
        // starts it again: the process would live on, reaping but taking no jobs. The callback
        // is synchronous, so the pause between attempts blocks one runtime thread for a second;
        // that is the price of not spinning against a dead Redis.
        .should_restart(|worker, error| {
            tracing::warn!(%error, restarts = worker.restarts(), "job consumer stopped; restarting it in 1 s");
            std::thread::sleep(Duration::from_secs(1));
            true
        })
        .shutdown_timeout(config.job_timeout + Duration::from_secs(5));

    let signalled = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = signalled.clone();
    let run = monitor.run_with_signal(async move {
        let _ = signal_rx.wait_for(|s| *s).await;
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    });
    let result = tokio::select! {
        r = run => r,
        // Crash-only: no graceful drain, since the stuck thread would hold it up; heartbeats
        // stop with the process and the reaper hands its documents to other workers.
        _ = wedged.wait_for(|w| *w) => {
            let _ = stop_tx.send(true);
            return Err(Wedged.into());
        }
    };
    let _ = stop_tx.send(true);
    let _ = reaper.await;
    if let Some(exporter) = exporter {
        let _ = exporter.await;
    }
    pool.close().await;
    result.context("worker monitor")?;
    if !signalled.load(std::sync::atomic::Ordering::SeqCst) {
        // apalis returns quietly when it cannot register the worker; that is not a clean exit.
        anyhow::bail!("the job monitor stopped without a shutdown signal");
    }
    Ok(())
}

/// Retries `attempt` every second until it succeeds; `None` when shutdown came first.
async fn until_ready<T, E, F, Fut>(
    signal: &mut tokio::sync::watch::Receiver<bool>,
    what: &str,
    mut attempt: F,
) -> Option<T>
where
    E: std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    loop {
        match attempt().await {
            Ok(v) => return Some(v),
            Err(e) => tracing::warn!(error = %e, "{what} unavailable at start-up; retrying in 1 s"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = signal.wait_for(|s| *s) => return None,
        }
    }
}

/// The embedder (local model or remote endpoint), loaded once for the whole process on a
/// blocking thread.
async fn load_embedder(config: &Config) -> anyhow::Result<Arc<dyn shared::embed::TextEmbedder>> {
    let embedding = config.embedding.clone().context(
        "EMBEDDING_MODEL_DIR must name the all-MiniLM-L6-v2 folder, or EMBEDDING_BASE_URL an embeddings endpoint (scripts/setup.sh sets the first)",
    )?;
    let started = std::time::Instant::now();
    let described = embedding.describe();
    let embedder = shared::telemetry::spawn_blocking(move || shared::embed::shared(&embedding))
        .await
        .context("loading the embedding model")?
        .map_err(anyhow::Error::msg)?;
    tracing::info!(
        runtime = %described,
        ms = started.elapsed().as_millis() as u64,
        "embedding model loaded"
    );
    Ok(embedder)
}

/// `fundlens-worker <host> <pid>`, the host cut so that the whole fits Postgres's 63 bytes.
fn application_name(host: &str, pid: u32) -> String {
    let tail = format!(" {pid}");
    let mut name = String::from("fundlens-worker ");
    for c in host.chars() {
        if name.len() + c.len_utf8() + tail.len() > 63 {
            break;
        }
        name.push(c);
    }
    name + &tail
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".into())
}

#[cfg(test)]
mod tests {
    use super::application_name;

    #[test]
    fn application_names_name_host_and_pid_within_postgres_limit() {
        assert_eq!(application_name("box", 42), "fundlens-worker box 42");
        let long = application_name(&"h".repeat(200), 4_194_304);
        assert_eq!(long.len(), 63, "{long}");
        assert!(long.ends_with(" 4194304"), "{long}");
        let wide = application_name(&"é".repeat(40), 7);
        assert!(wide.len() <= 63 && wide.ends_with(" 7"), "{wide}");
    }
}
