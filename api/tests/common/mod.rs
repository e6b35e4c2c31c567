//! Helpers shared by the handler tests: an `AppState` on the test's database and the real Redis,
//! a way to send one request through the router, and the API served on a local port for tests
//! that need real connections.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use fundlens_api::{AppState, app};
use serde_json::Value;
use shared::jobs::JobQueue;
use sqlx::PgPool;
use tokio::sync::oneshot;
use tower::ServiceExt;

/// State on `pool` with the test configuration (private queue, short timers).
pub async fn state(pool: PgPool) -> AppState {
    state_with(pool, |_| {}).await
}

/// Like [`state`], after `tweak` has adjusted the configuration.
pub async fn state_with(pool: PgPool, tweak: impl FnOnce(&mut shared::config::Config)) -> AppState {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let mut config = shared::testing::config(&url);
    tweak(&mut config);
    let redis = shared::jobs::connect_redis(config.redis_url())
        .await
        .expect("redis");
    let queue = JobQueue::new(redis, &config.queue_name);
    AppState::new(pool, queue, config).expect("file store")
}

/// Jobs waiting in the state's queue (its own Redis connection, as another process would see it).
pub async fn queue_depth(state: &AppState) -> u64 {
    let redis = shared::jobs::connect_redis(state.config.redis_url())
        .await
        .expect("redis");
    JobQueue::new(redis, &state.config.queue_name)
        .depth()
        .await
        .expect("queue depth")
}

/// Sends `req` and returns the status with the body parsed as JSON (`Null` when it is not).
pub async fn send(state: &AppState, req: Request<Body>) -> (StatusCode, Value) {
    let res = app(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

pub fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

/// The `detail` sentence of an error body; panics when there is none.
pub fn detail(body: &Value) -> &str {
    body["detail"]
        .as_str()
        .unwrap_or_else(|| panic!("no detail in {body}"))
}

/// The API served over TCP on a random local port (the real server with its read timeouts and
/// in-flight limit), on a fresh database and the real Redis. No worker.
pub struct Server {
    pub base: String,
    pub db: PgPool,
    http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
}

impl Server {
    pub async fn start(tweak: impl FnOnce(&mut shared::config::Config)) -> Server {
        let url = shared::testing::fresh_database().await;
        let mut config = shared::testing::config(&url);
        tweak(&mut config);
        let state = fundlens_api::build_state(config).await.expect("api state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel();
        tokio::spawn(fundlens_api::serve(state, listener, async {
            let _ = rx.await;
        }));
        Server {
            base,
            db: PgPool::connect(&url).await.unwrap(),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .unwrap(),
            stop: Some(tx),
        }
    }

    /// `host:port`, for raw TCP clients.
    pub fn addr(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}
