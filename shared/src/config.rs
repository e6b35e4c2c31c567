//! One typed configuration, read from the environment once at start-up.
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

#[derive(Debug, Clone)]
pub struct Config {
    /// Holds a password in production: never logged.
    pub database_url: SecretString,
    pub redis_url: SecretString,
    /// Redis key prefix of the ingestion queue; tests use their own to stay apart.
    pub queue_name: String,
    pub api_addr: SocketAddr,
    pub api_db_pool_size: u32,
    pub worker_db_pool_size: u32,
    pub worker_concurrency: usize,
    /// How long a request waits for a pooled connection before answering 503.
    pub db_acquire_timeout: Duration,
    pub max_upload_bytes: usize,
    pub request_timeout: Duration,
    pub job_timeout: Duration,
    pub max_attempts: i32,
    pub heartbeat_interval: Duration,
    /// A `processing` document whose heartbeat is older than this is taken to be orphaned.
    pub stale_after: Duration,
    /// A `queued` document older than this with no job in Redis is enqueued again.
    pub requeue_after: Duration,
    pub reaper_interval: Duration,
    pub pdfium_lib_path: PathBuf,
    /// Where embeddings come from; `None` when nothing is configured (see `config_embedding.rs`).
    pub embedding: Option<crate::config_embedding::EmbeddingConfig>,
    pub json_logs: bool,
    /// Fault injection for the crash and hang tests: sleep this long per parsed page.
    pub fault_slow_page: Option<Duration>,
    /// Fault injection for the Redis-loss tests: pause this long on entering the parsing,
    /// embedding and storing stages, so a test can act while a job is in each of them.
    pub fault_stage_pause: Option<Duration>,
    /// Operational limits of the API and worker: see `config_ops.rs`.
    pub ops: crate::config_ops::OpsConfig,
    /// Optional LLM for chat answers: see `config_llm.rs`.
    pub llm: Option<crate::config_llm::LlmConfig>,
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub(crate) String);

pub(crate) fn var<T: FromStr>(name: &str, default: T) -> Result<T, ConfigError> {
    parse_value(name, std::env::var(name).ok(), default)
}

/// A variable's value parsed (trimmed; empty counts as unset), or `default` when unset.
pub(crate) fn parse_value<T: FromStr>(
    name: &str,
    raw: Option<String>,
    default: T,
) -> Result<T, ConfigError> {
    match raw {
        Some(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .map_err(|_| ConfigError(format!("{name}={v:?} is not valid"))),
        _ => Ok(default),
    }
}

fn required(name: &str) -> Result<String, ConfigError> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| {
            ConfigError(format!(
                "{name} must be set (run scripts/setup.sh, see README)"
            ))
        })
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let worker_concurrency: usize = var("WORKER_CONCURRENCY", 2)?;
        let default_pdfium = std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(|d| d.join("libpdfium.so")))
            .unwrap_or_else(|| PathBuf::from("libpdfium.so"));
        let cfg = Self {
            database_url: required("DATABASE_URL")?.into(),
            redis_url: var("REDIS_URL", "redis://127.0.0.1:6379".to_string())?.into(),
            queue_name: var("QUEUE_NAME", "fundlens:ingest".to_string())?,
            api_addr: var("API_ADDR", SocketAddr::from(([0, 0, 0, 0], 8000)))?,
            api_db_pool_size: var("API_DB_POOL_SIZE", 10)?,
            worker_db_pool_size: var("WORKER_DB_POOL_SIZE", worker_concurrency as u32 + 2)?,
            worker_concurrency,
            db_acquire_timeout: Duration::from_millis(var("DB_ACQUIRE_TIMEOUT_MS", 3000)?),
            max_upload_bytes: var::<usize>("MAX_UPLOAD_MB", 50)? * 1024 * 1024,
            request_timeout: Duration::from_secs(var("REQUEST_TIMEOUT_SECS", 30)?),
            job_timeout: Duration::from_secs(var("JOB_TIMEOUT_SECS", 300)?),
            max_attempts: var("MAX_ATTEMPTS", 3)?,
            heartbeat_interval: Duration::from_millis(var("HEARTBEAT_MS", 2000)?),
            stale_after: Duration::from_millis(var("STALE_AFTER_MS", 15000)?),
            requeue_after: Duration::from_millis(var("REQUEUE_AFTER_MS", 10000)?),
            reaper_interval: Duration::from_millis(var("REAPER_INTERVAL_MS", 2000)?),
            pdfium_lib_path: var("PDFIUM_LIB_PATH", default_pdfium)?,
            embedding: crate::config_embedding::EmbeddingConfig::from_env()?,
            json_logs: var("LOG_FORMAT", "pretty".to_string())? == "json",
            fault_slow_page: match var::<u64>("FAULT_SLOW_PAGE_MS", 0)? {
                0 => None,
                ms => Some(Duration::from_millis(ms)),
            },
            fault_stage_pause: match var::<u64>("FAULT_STAGE_PAUSE_MS", 0)? {
                0 => None,
                ms => Some(Duration::from_millis(ms)),
            },
            ops: crate::config_ops::OpsConfig::from_env()?,
            llm: crate::config_llm::LlmConfig::from_env()?,
        };
        if cfg.worker_concurrency == 0 || cfg.api_db_pool_size == 0 || cfg.worker_db_pool_size == 0
        {
            return Err(ConfigError(
                "pool sizes and WORKER_CONCURRENCY must be at least 1".into(),
            ));
        }
        Ok(cfg)
    }

    pub fn database_url(&self) -> &str {
        self.database_url.expose_secret()
    }

    pub fn redis_url(&self) -> &str {
        self.redis_url.expose_secret()
    }
}
