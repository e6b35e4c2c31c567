//! Telemetry: tracing set-up, `spawn_blocking` that keeps the caller's span, and the Prometheus
//! recorder each binary's `/metrics` renders (one per process).
use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::{EnvFilter, fmt};

/// Installs the global subscriber: JSON lines when `json` is set, human-readable otherwise.
pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,apalis=warn"));
    let builder = fmt().with_env_filter(filter).with_target(true);
    // A second init (tests starting several apps) is harmless, so the error is ignored.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Runs CPU-bound work on the blocking pool inside the current tracing span.
pub fn spawn_blocking<F, R>(f: F) -> tokio::task::JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(f))
}

/// Wall clock and this thread's CPU clock from the same start; lives on one thread (not `Send`).
pub struct Stopwatch {
    wall: std::time::Instant,
    cpu: Option<cpu_time::ThreadTime>,
}

impl Stopwatch {
    pub fn start() -> Self {
        Self {
            wall: std::time::Instant::now(),
            cpu: cpu_time::ThreadTime::try_now().ok(),
        }
    }

    /// Both clocks since the start; only valid on the thread that started it.
    pub fn stop(&self) -> crate::domain::StageTime {
        crate::domain::StageTime {
            wall_ms: self.wall.elapsed().as_secs_f64() * 1000.0,
            cpu_ms: self
                .cpu
                .and_then(|c| c.try_elapsed().ok())
                .map(|d| d.as_secs_f64() * 1000.0),
        }
    }
}

/// Records one attempt's stages in `worker_stage_seconds{stage, clock}`.
pub fn record_stages(t: &crate::domain::StageTimings) {
    for (stage, time) in t.stages() {
        metrics::histogram!("worker_stage_seconds", "stage" => stage, "clock" => "wall")
            .record(time.wall_ms / 1000.0);
        if let Some(cpu) = time.cpu_ms {
            metrics::histogram!("worker_stage_seconds", "stage" => stage, "clock" => "cpu")
                .record(cpu / 1000.0);
        }
    }
}

/// Resolves on SIGINT or SIGTERM: both binaries stop taking work and finish what is in flight.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => tracing::info!("SIGINT received, shutting down"),
        _ = term => tracing::info!("SIGTERM received, shutting down"),
    }
}

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the global recorder on first use (tests start several apps in one process).
pub fn prometheus() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let latency = [
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ];
            let jobs = [
                0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
            ];
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Suffix("request_duration_seconds".into()),
                    &latency,
                )
                .and_then(|b| {
                    b.set_buckets_for_metric(Matcher::Suffix("job_duration_seconds".into()), &jobs)
                })
                .and_then(|b| {
                    b.set_buckets_for_metric(Matcher::Suffix("stage_seconds".into()), &latency)
                })
                .unwrap_or_else(|_| PrometheusBuilder::new());
            match builder.install_recorder() {
                Ok(handle) => handle,
                // Another recorder is installed already: keep a detached one so rendering works.
                Err(_) => PrometheusBuilder::new().build_recorder().handle(),
            }
        })
        .clone()
}

/// Pool gauges, labelled by process kind, set just before rendering.
pub fn record_pool(process: &'static str, pool: &sqlx::PgPool, max: u32) {
    let size = pool.size();
    let idle = pool.num_idle() as u32;
    metrics::gauge!("db_pool_max_connections", "process" => process).set(max as f64);
    metrics::gauge!("db_pool_connections", "process" => process).set(size as f64);
    metrics::gauge!("db_pool_idle_connections", "process" => process).set(idle as f64);
    metrics::gauge!("db_pool_in_use_connections", "process" => process)
        .set(size.saturating_sub(idle) as f64);
}
