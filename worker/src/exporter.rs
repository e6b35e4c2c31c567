//! The worker's own `/metrics` (jobs, durations, pool gauges) on WORKER_METRICS_ADDR.
use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;
use sqlx::PgPool;
use tokio::sync::watch;

/// Serves until `stop` turns true. A port already in use is logged, not fatal: metrics must not
/// keep a worker from working.
pub async fn serve(addr: SocketAddr, pool: PgPool, max: u32, mut stop: watch::Receiver<bool>) {
    let handle = shared::telemetry::prometheus();
    let app = Router::new().route(
        "/metrics",
        get(move || {
            let handle = handle.clone();
            let pool = pool.clone();
            async move {
                shared::telemetry::record_pool("worker", &pool, max);
                handle.render()
            }
        }),
    );
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(%addr, error = %e, "worker metrics not served");
            return;
        }
    };
    tracing::info!(%addr, "worker metrics on /metrics");
    let _ = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = stop.wait_for(|s| *s).await;
        })
        .await;
}
