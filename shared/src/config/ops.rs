//! Operational settings (security, connection limits, hang handling, worker metrics), kept apart
//! from the core configuration so that they can grow without touching it.
use std::net::SocketAddr;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::env::{ConfigError, Env};

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

impl OpsConfig {
    pub fn read<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Self, ConfigError> {
        // Unset means the default address; set but empty turns the endpoint off.
        let worker_metrics_addr = match env.parse_opt::<SocketAddr>("WORKER_METRICS_ADDR")? {
            Some(addr) => Some(addr),
            None if env.is_present("WORKER_METRICS_ADDR") => None,
            None => Some(SocketAddr::from(([0, 0, 0, 0], 9101))),
        };
        let ops = Self {
            api_keys: env.list("API_KEYS").into_iter().map(Into::into).collect(),
            cors_origins: env.list("CORS_ORIGINS"),
            rate_limit_per_sec: env.parse("RATE_LIMIT_PER_SEC", 0.0)?,
            rate_limit_burst: env.parse("RATE_LIMIT_BURST", 50)?,
            max_in_flight: env.parse("MAX_IN_FLIGHT_REQUESTS", 512)?,
            max_connections: env.parse("MAX_CONNECTIONS", 4096)?,
            header_read_timeout: Duration::from_secs(env.parse("HEADER_READ_TIMEOUT_SECS", 10)?),
            body_read_timeout: Duration::from_secs(env.parse("BODY_READ_TIMEOUT_SECS", 10)?),
            worker_metrics_addr,
            hang_grace: Duration::from_secs(env.parse("HANG_GRACE_SECS", 30)?),
            job_retention: match env.parse::<u64>("JOB_RETENTION_HOURS", 24)? {
                0 => None,
                hours => Some(Duration::from_secs(hours * 3600)),
            },
            expose_ping_db: env.parse("EXPOSE_PING_DB", false)?,
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
