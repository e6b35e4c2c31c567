//! Optional API keys: with `API_KEYS` set, every `/api` request needs `Authorization: Bearer`.
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shared::config::Config;

pub async fn require_key(State(config): State<Arc<Config>>, req: Request, next: Next) -> Response {
    let key = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match key {
        Some(k) if config.ops.accepts_key(k) => next.run(req).await,
        found => {
            let detail = if found.is_some() {
                "The API key is not valid."
            } else {
                "This API needs a key: send `Authorization: Bearer <key>`."
            };
            let mut res = (
                StatusCode::UNAUTHORIZED,
                axum::Json(serde_json::json!({ "detail": detail })),
            )
                .into_response();
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            res
        }
    }
}
