//! Load shedding: a bounded number of `/api` requests in flight; the next one gets `503` at once
//! instead of queueing behind the others until its client gives up.
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct Shedder {
    slots: Arc<Semaphore>,
    max: usize,
}

impl Shedder {
    pub fn new(max: usize) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(max)),
            max,
        }
    }
}

pub async fn shed(State(shedder): State<Shedder>, req: Request, next: Next) -> Response {
    let Ok(_slot) = shedder.slots.clone().try_acquire_owned() else {
        metrics::counter!("http_requests_shed_total").increment(1);
        let detail = format!(
            "The API is handling its limit of {} requests at once; please retry in a moment.",
            shedder.max
        );
        let mut res = (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({ "detail": detail })),
        )
            .into_response();
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return res;
    };
    next.run(req).await
}
