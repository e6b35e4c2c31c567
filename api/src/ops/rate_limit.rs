//! Per-client-IP token buckets. The map is bounded: buckets that have refilled carry no state
//! worth keeping and are dropped when it grows, so spoofed or many addresses cannot grow memory.
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

const MAX_TRACKED: usize = 50_000;

#[derive(Clone)]
pub struct RateLimiter {
    per_sec: f64,
    burst: f64,
    buckets: Arc<Mutex<HashMap<IpAddr, (f64, Instant)>>>,
}

impl RateLimiter {
    pub fn new(per_sec: f64, burst: u32) -> Self {
        Self {
            per_sec,
            burst: f64::from(burst.max(1)),
            buckets: Arc::default(),
        }
    }

    /// Takes a token for `ip`; `Err(seconds)` says how long until the next one.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), f64> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_TRACKED && !buckets.contains_key(&ip) {
            let full_after = self.burst / self.per_sec;
            buckets.retain(|_, (_, at)| now.duration_since(*at).as_secs_f64() < full_after);
            if buckets.len() >= MAX_TRACKED {
                buckets.clear();
            }
        }
        let (tokens, at) = buckets.entry(ip).or_insert((self.burst, now));
        let refilled =
            (*tokens + now.duration_since(*at).as_secs_f64() * self.per_sec).min(self.burst);
        *at = now;
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            Ok(())
        } else {
            *tokens = refilled;
            Err((1.0 - refilled) / self.per_sec)
        }
    }
}

/// The peer address is the client: `X-Forwarded-For` is not trusted because anyone can set it.
pub async fn limit(State(limiter): State<RateLimiter>, req: Request, next: Next) -> Response {
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    match limiter.check(ip, Instant::now()) {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            metrics::counter!("http_requests_rate_limited_total").increment(1);
            let secs = wait.ceil().max(1.0) as u64;
            let mut res = (
                StatusCode::TOO_MANY_REQUESTS,
                axum::Json(serde_json::json!({
                    "detail": format!("Too many requests from your address; retry in {secs} s.")
                })),
            )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            res
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_passes_then_the_rate_holds() {
        let l = RateLimiter::new(2.0, 3);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let t = Instant::now();
        for _ in 0..3 {
            assert!(l.check(ip, t).is_ok());
        }
        let wait = l.check(ip, t).unwrap_err();
        assert!((wait - 0.5).abs() < 1e-9, "{wait}");
        assert!(l.check(ip, t + Duration::from_millis(500)).is_ok());
        // Another client has its own bucket.
        assert!(l.check("10.0.0.2".parse().unwrap(), t).is_ok());
    }
}
