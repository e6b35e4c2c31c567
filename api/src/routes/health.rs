//! Liveness (`/health`, touches nothing) and readiness (`/ready`, checks Postgres and Redis).
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::json;

use crate::state::AppState;

const CHECK_TIMEOUT: Duration = Duration::from_millis(1000);

pub async fn health() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

pub async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    let (db, depth) = tokio::join!(
        state.health.probe_postgres(CHECK_TIMEOUT),
        state.health.probe_queue(CHECK_TIMEOUT)
    );
    let db_status = match db {
        Ok(()) => json!({ "ok": true }),
        Err(e) => json!({ "ok": false, "error": e }),
    };
    let redis_status = match depth {
        Ok(depth) => {
            json!({ "ok": true, "queue": state.health.queue_name(), "queue_depth": depth })
        }
        Err(e) => json!({ "ok": false, "error": e }),
    };
    let pool = state.health.pool();
    let ok = db_status["ok"] == true && redis_status["ok"] == true;
    let mut down = Vec::new();
    if db_status["ok"] != true {
        down.push("postgres");
    }
    if redis_status["ok"] != true {
        down.push("redis");
    }
    let body = json!({
        "status": if ok { "ready" } else { "unavailable" },
        "down": down,
        "postgres": db_status,
        "redis": redis_status,
        "pool": { "max": pool.max, "size": pool.size, "idle": pool.idle, "in_use": pool.size.saturating_sub(pool.idle) },
    });
    let code = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(body))
}
