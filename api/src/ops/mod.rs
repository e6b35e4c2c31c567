//! What keeps the API standing under abuse and load: keys, per-IP rate limits, load shedding,
//! CORS and body timeouts in front of `/api`, HTTP metrics, and the connection-limited server.
pub mod auth;
pub mod http_metrics;
pub mod rate_limit;
pub mod server;
pub mod shed;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::from_fn_with_state;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::timeout::RequestBodyTimeoutLayer;

use crate::state::AppState;

/// Wraps the `/api` router. Outermost first: CORS (so that pre-flights need no key), rate
/// limit, key check, load shedding, then the per-chunk body timeout around the handlers.
pub fn protect(api: Router<AppState>, state: &AppState) -> Router<AppState> {
    let ops = &state.config.ops;
    let mut api = api
        .layer(RequestBodyTimeoutLayer::new(ops.body_read_timeout))
        .layer(from_fn_with_state(
            shed::Shedder::new(ops.max_in_flight),
            shed::shed,
        ));
    if !ops.api_keys.is_empty() {
        api = api.layer(from_fn_with_state(state.config.clone(), auth::require_key));
    }
    if ops.rate_limit_per_sec > 0.0 {
        let limiter = rate_limit::RateLimiter::new(ops.rate_limit_per_sec, ops.rate_limit_burst);
        api = api.layer(from_fn_with_state(limiter, rate_limit::limit));
    }
    if !ops.cors_origins.is_empty() {
        let origins: Vec<HeaderValue> = ops
            .cors_origins
            .iter()
            .filter_map(|o| o.parse().ok())
            .collect();
        api = api.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST, Method::DELETE])
                .allow_headers([
                    header::AUTHORIZATION,
                    header::CONTENT_TYPE,
                    HeaderName::from_static("x-request-id"),
                ])
                .expose_headers([HeaderName::from_static("x-request-id")]),
        );
    }
    api
}
