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
    let db = tokio::time::timeout(
        CHECK_TIMEOUT,
        sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&state.db),
    )
    .await;
    let db_status = match db {
        Ok(Ok(_)) => json!({ "ok": true }),
        Ok(Err(e)) => json!({ "ok": false, "error": e.to_string() }),
        Err(_) => json!({ "ok": false, "error": "no answer within 1 s" }),
    };
    let depth = tokio::time::timeout(CHECK_TIMEOUT, state.queue.depth()).await;
    let redis_status = match depth {
        Ok(Ok(depth)) => {
            json!({ "ok": true, "queue": state.queue.queue_name(), "queue_depth": depth })
        }
        Ok(Err(e)) => json!({ "ok": false, "error": e.to_string() }),
        Err(_) => json!({ "ok": false, "error": "no answer within 1 s" }),
    };
    let size = state.db.size();
    let idle = state.db.num_idle() as u32;
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
        "pool": { "max": state.config.api_db_pool_size, "size": size, "idle": idle, "in_use": size.saturating_sub(idle) },
    });
    let code = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(body))
}
