//! Prometheus metrics: one recorder per process, rendered by each binary's `/metrics`.
use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

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
