//! Operational settings (security, connection limits, hang handling, worker metrics), kept apart
//! from the core configuration so that they can grow without touching it.
use std::net::SocketAddr;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use crate::config::{ConfigError, var};

#[derive(Debug, Clone)]
pub struct OpsConfig {
    /// Bearer keys accepted on `/api`; empty means no authentication.
    pub api_keys: Vec<SecretString>,
    /// Origins allowed by CORS; empty means same-origin only (no CORS headers at all).
    pub cors_origins: Vec<String>,
    /// Requests per second per client IP; 0 turns rate limiting off.
    pub rate_limit_per_sec: f64,
    pub rate_limit_burst: u32,
    /// `/api` requests in flight at once; above it the API sheds load with 503.
    pub max_in_flight: usize,
    /// Open TCP connections; above it new connections are closed at once.
    pub max_connections: usize,
    /// A connection that has not sent a whole request head within this is closed.
    pub header_read_timeout: Duration,
    /// Longest silence between two chunks of a request body before `408`.
    pub body_read_timeout: Duration,
    /// Where the worker serves `/metrics`; `None` (empty variable) disables it.
    pub worker_metrics_addr: Option<SocketAddr>,
    /// How long a blocking parse may outlive the job timeout before the worker gives up on
    /// itself and exits for its supervisor to restart it.
    pub hang_grace: Duration,
    /// Finished jobs older than this are removed from Redis by the reaper; `None` keeps them.
    pub job_retention: Option<Duration>,
    /// Serves `GET /api/_ping_db` (the load test's throughput ceiling); off in production.
    pub expose_ping_db: bool,
}

fn list(name: &str) -> Vec<String> {
    std::env::var(name)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl OpsConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        let worker_metrics_addr = match std::env::var("WORKER_METRICS_ADDR") {
            Ok(v) if v.trim().is_empty() => None,
            Ok(v) => Some(v.trim().parse().map_err(|_| {
                ConfigError(format!("WORKER_METRICS_ADDR={v:?} is not an address"))
            })?),
            Err(_) => Some(SocketAddr::from(([0, 0, 0, 0], 9101))),
        };
        let ops = Self {
            api_keys: list("API_KEYS").into_iter().map(Into::into).collect(),
            cors_origins: list("CORS_ORIGINS"),
            rate_limit_per_sec: var("RATE_LIMIT_PER_SEC", 0.0)?,
            rate_limit_burst: var("RATE_LIMIT_BURST", 50)?,
            max_in_flight: var("MAX_IN_FLIGHT_REQUESTS", 512)?,
            max_connections: var("MAX_CONNECTIONS", 4096)?,
            header_read_timeout: Duration::from_secs(var("HEADER_READ_TIMEOUT_SECS", 10)?),
            body_read_timeout: Duration::from_secs(var("BODY_READ_TIMEOUT_SECS", 10)?),
            worker_metrics_addr,
            hang_grace: Duration::from_secs(var("HANG_GRACE_SECS", 30)?),
            job_retention: match var::<u64>("JOB_RETENTION_HOURS", 24)? {
                0 => None,
                hours => Some(Duration::from_secs(hours * 3600)),
            },
            expose_ping_db: var("EXPOSE_PING_DB", false)?,
        };
        if ops.rate_limit_per_sec < 0.0 || ops.max_in_flight == 0 || ops.max_connections == 0 {
            return Err(ConfigError(
                "RATE_LIMIT_PER_SEC must be ≥ 0, MAX_IN_FLIGHT_REQUESTS and MAX_CONNECTIONS ≥ 1"
                    .into(),
            ));
        }
        Ok(ops)
    }

    /// True when `key` is one of the configured API keys.
    pub fn accepts_key(&self, key: &str) -> bool {
        self.api_keys.iter().any(|k| k.expose_secret() == key)
    }
}
