//! `/metrics` (Prometheus, computed at scrape time) and `/api/_ping_db`, the cheapest request
//! that uses the pool: the load test's throughput ceiling.
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::json;
use shared::domain::DocumentStatus;

use crate::error::Result;
use crate::state::AppState;

/// Each probe of a dependency gets this long, so a scrape never hangs on a dead Postgres or Redis.
const PROBE_TIMEOUT: Duration = Duration::from_millis(500);

pub async fn prometheus(State(state): State<AppState>) -> impl IntoResponse {
    let handle = shared::telemetry::prometheus();
    state.health.record_pool();
    let (depth, (counts, oldest)) = tokio::join!(
        state.health.probe_queue(PROBE_TIMEOUT),
        state.health.document_counts(PROBE_TIMEOUT),
    );
    if let Some(age) = oldest {
        metrics::gauge!("documents_oldest_processing_seconds").set(age);
    }
    let queue = state.health.queue_name().to_string();
    match depth {
        Ok(d) => {
            metrics::gauge!("queue_depth", "queue" => queue.clone()).set(d as f64);
            metrics::gauge!("queue_up", "queue" => queue).set(1.0);
        }
        _ => metrics::gauge!("queue_up", "queue" => queue).set(0.0),
    }
    match counts {
        Some(rows) => {
            for s in DocumentStatus::ALL {
                let n = rows.iter().find(|(k, _)| *k == s).map_or(0, |(_, n)| *n);
                metrics::gauge!("documents", "status" => s.as_str()).set(n as f64);
            }
            metrics::gauge!("database_up").set(1.0);
        }
        // Stale document counts stay as last seen; `database_up` says they are stale.
        _ => metrics::gauge!("database_up").set(0.0),
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
}

pub async fn ping_db(State(state): State<AppState>) -> Result<Json<serde_json::Value>> {
    Ok(Json(json!({ "ok": state.health.ping().await? })))
}
