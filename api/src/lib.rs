//! The Fundlens HTTP API: uploads, document status, funds, metrics, transactions and exports;
//! plus the web console that serves pages at `/`.
pub mod console;
pub mod error;
pub mod extractors;
pub mod fund_ids;
pub mod ops;
pub mod params;
pub mod routes;
pub mod service;
pub mod state;

use anyhow::Context as _;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request, StatusCode};
use axum::routing::{get, post};
use shared::config::Config;
use shared::jobs::{self, JobQueue};
use std::future::Future;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Builds the router; tests call this with their own state and drive it with `oneshot`.
pub fn app(state: AppState) -> Router {
    // Multipart framing adds a little to the file itself; the handler enforces the exact limit.
    let upload_limit = state.config.max_upload_bytes + 64 * 1024;
    let api = Router::new()
        .route(
            "/documents/upload",
            post(routes::documents::upload).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/documents", get(routes::documents::list))
        .route(
            "/documents/{id}",
            get(routes::document_data::get).delete(routes::documents::delete),
        )
        .route(
            "/documents/{id}/transactions",
            get(routes::document_data::transactions),
        )
        .route(
            "/documents/{id}/portfolio",
            get(routes::document_data::portfolio),
        )
        .route(
            "/documents/{id}/{file}",
            get(routes::document_data::portfolio_export),
        )
        .route(
            "/documents/{id}/fund",
            post(routes::document_data::link_fund),
        )
        .route("/documents/{id}/status", get(routes::documents::status))
        .route("/documents/{id}/retry", post(routes::documents::retry))
        .route(
            "/funds",
            get(routes::funds::list).post(routes::funds::create),
        )
        // A static segment outranks `{id}` in axum's router whatever the order; listed first anyway.
        .route("/funds/compare", get(routes::metrics::compare))
        .route("/funds/{id}", get(routes::funds::get))
        .route("/funds/{id}/metrics", get(routes::metrics::fund_metrics))
        .route(
            "/funds/{id}/reconciliation",
            get(routes::metrics::reconciliation),
        )
        .route("/funds/{id}/transactions", get(routes::transactions::list))
        .route("/funds/{id}/position", get(routes::position::get))
        .route("/funds/{id}/export.xlsx", get(routes::export::xlsx))
        .route("/funds/{id}/export/{file}", get(routes::export::csv))
        .route(
            "/funds/{id}/metrics/breakdown",
            get(routes::metrics::fund_breakdown),
        )
        .route(
            "/metrics/funds/{id}/metrics",
            get(routes::metrics::breakdown_moved),
        )
        .route("/chat/query", post(routes::chat::query))
        .route("/chat/query/stream", post(routes::chat::query_stream))
        .route(
            "/chat/conversations",
            get(routes::chat::list_conversations).post(routes::chat::create_conversation),
        )
        .route(
            "/chat/conversations/{id}",
            get(routes::chat::get_conversation),
        )
        .layer(DefaultBodyLimit::max(1024 * 1024));
    // The load test's ceiling probe exists only where the load test asks for it.
    let api = if state.config.ops.expose_ping_db {
        api.route("/_ping_db", get(routes::telemetry::ping_db))
    } else {
        api
    };
    let api = ops::protect(api, &state);
    let timeout = state.config.request_timeout;
    shared::telemetry::prometheus();
    Router::new()
        .route("/health", get(routes::health::health))
        .route("/ready", get(routes::health::ready))
        .route("/metrics", get(routes::telemetry::prometheus))
        .nest("/api", api)
        .merge(console::router())
        .fallback(|| async { error::ApiError::NotFound("No such route.".into()) })
        .with_state(state)
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(axum::middleware::from_fn(ops::http_metrics::record))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, UlidRequestId))
}

#[derive(Clone, Copy)]
struct UlidRequestId;

impl MakeRequestId for UlidRequestId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        ulid::Ulid::generate()
            .to_string()
            .parse()
            .ok()
            .map(RequestId::new)
    }
}

/// Builds the state from config: one pool and one Redis connection manager for the process.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    let db = shared::db::connect(
        config.database_url(),
        config.api_db_pool_size,
        config.db_acquire_timeout,
        "fundlens-api",
    )
    .await?;
    shared::MIGRATOR
        .run(&db)
        .await
        .context("applying migrations")?;
    let redis = jobs::connect_redis(config.redis_url())
        .await
        .context("connecting to Redis")?;
    let queue = JobQueue::new(redis, &config.queue_name);
    AppState::new(db, queue, config).context("configuring the file store")
}

/// Serves until `shutdown` resolves, then lets in-flight requests finish.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let health = state.health.clone();
    let config = state.config.clone();
    let drain = config.request_timeout + std::time::Duration::from_secs(5);
    ops::server::serve(listener, app(state), &config.ops, drain, shutdown).await;
    health.close().await;
    Ok(())
}
