//! One typed configuration, read from the environment once at start-up. A leaf: it depends on
//! nothing else in the crate, so every other module may read it.
pub mod embedding;
pub mod env;
pub mod files;
pub mod llm;
pub mod ocr;
pub mod ops;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

pub use embedding::{EmbeddingConfig, RemoteEmbeddingConfig, Runtime};
pub use env::{ConfigError, Env};
pub use files::{FileStoreKind, FilesConfig, S3Config};
pub use llm::LlmConfig;
pub use ocr::{OcrConfig, OcrEngine};
pub use ops::OpsConfig;

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
    /// Scheduling niceness of the worker's threads (0..=19): on a host it shares with the API,
    /// queries and health checks come first and ingestion takes the rest of the CPU.
    pub worker_nice: i32,
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
    /// Where embeddings come from; `None` when nothing is configured (see `config/embedding.rs`).
    pub embedding: Option<EmbeddingConfig>,
    pub json_logs: bool,
    /// Fault injection for the crash and hang tests: sleep this long per parsed page.
    pub fault_slow_page: Option<Duration>,
    /// Fault injection for the Redis-loss tests: pause this long on entering the parsing,
    /// embedding and storing stages, so a test can act while a job is in each of them.
    pub fault_stage_pause: Option<Duration>,
    /// Operational limits of the API and worker: see `config/ops.rs`.
    pub ops: OpsConfig,
    /// Optional LLM for chat answers: see `config/llm.rs`.
    pub llm: Option<LlmConfig>,
    /// Where uploaded files are kept: see `config/files.rs`.
    pub files: FilesConfig,
    /// OCR for scanned pages, `None` when turned off: see `config/ocr.rs`.
    pub ocr: Option<OcrConfig>,
}

/// Jobs a worker runs at once unless `WORKER_CONCURRENCY` says: one per core, each embedding on
/// a session of its own, plus one that parses or stores meanwhile, so both cores stay busy
/// through a job's database round trips (`make bench-ingest` on 2 cores: 56.4–56.9 s at 2,
/// 50.0–51.5 s at 3, 49.1–50.0 s at 4).
pub fn default_worker_concurrency() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()) + 1
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::read(&Env::process())
    }

    /// [`Self::from_env`] over any source of variables.
    pub fn read<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Self, ConfigError> {
        let worker_concurrency: usize =
            env.parse("WORKER_CONCURRENCY", default_worker_concurrency())?;
        let default_pdfium = std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(|d| d.join("libpdfium.so")))
            .unwrap_or_else(|| PathBuf::from("libpdfium.so"));
        let cfg = Self {
            database_url: env.required("DATABASE_URL")?.into(),
            redis_url: env
                .parse("REDIS_URL", "redis://127.0.0.1:6379".to_string())?
                .into(),
            queue_name: env.parse("QUEUE_NAME", "fundlens:ingest".to_string())?,
            api_addr: env.parse("API_ADDR", SocketAddr::from(([0, 0, 0, 0], 8000)))?,
            api_db_pool_size: env.parse("API_DB_POOL_SIZE", 10)?,
            worker_db_pool_size: env.parse("WORKER_DB_POOL_SIZE", worker_concurrency as u32 + 2)?,
            worker_concurrency,
            worker_nice: env.parse("WORKER_NICE", 10)?,
            db_acquire_timeout: Duration::from_millis(env.parse("DB_ACQUIRE_TIMEOUT_MS", 3000)?),
            max_upload_bytes: env.parse::<usize>("MAX_UPLOAD_MB", 50)? * 1024 * 1024,
            request_timeout: Duration::from_secs(env.parse("REQUEST_TIMEOUT_SECS", 30)?),
            job_timeout: Duration::from_secs(env.parse("JOB_TIMEOUT_SECS", 300)?),
            max_attempts: env.parse("MAX_ATTEMPTS", 3)?,
            heartbeat_interval: Duration::from_millis(env.parse("HEARTBEAT_MS", 2000)?),
            stale_after: Duration::from_millis(env.parse("STALE_AFTER_MS", 15000)?),
            requeue_after: Duration::from_millis(env.parse("REQUEUE_AFTER_MS", 10000)?),
            reaper_interval: Duration::from_millis(env.parse("REAPER_INTERVAL_MS", 2000)?),
            pdfium_lib_path: env.parse("PDFIUM_LIB_PATH", default_pdfium)?,
            embedding: EmbeddingConfig::read(env)?,
            json_logs: env.parse("LOG_FORMAT", "pretty".to_string())? == "json",
            fault_slow_page: match env.parse::<u64>("FAULT_SLOW_PAGE_MS", 0)? {
                0 => None,
                ms => Some(Duration::from_millis(ms)),
            },
            fault_stage_pause: match env.parse::<u64>("FAULT_STAGE_PAUSE_MS", 0)? {
                0 => None,
                ms => Some(Duration::from_millis(ms)),
            },
            ops: OpsConfig::read(env)?,
            llm: LlmConfig::read(env)?,
            files: FilesConfig::read(env)?,
            ocr: OcrConfig::read(env)?,
        };
        if cfg.worker_concurrency == 0 || cfg.api_db_pool_size == 0 || cfg.worker_db_pool_size == 0
        {
            return Err(ConfigError(
                "pool sizes and WORKER_CONCURRENCY must be at least 1".into(),
            ));
        }
        if !(0..=19).contains(&cfg.worker_nice) {
            return Err(ConfigError("WORKER_NICE must be within 0..=19".into()));
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

#[cfg(test)]
mod tests {
    use super::*;

    const DB: (&str, &str) = ("DATABASE_URL", "postgres://127.0.0.1/fundlens");

    fn read(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let env = Env::from_lookup(move |name: &str| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        });
        Config::read(&env)
    }

    #[test]
    fn a_worker_runs_a_job_per_core_and_one_more_and_its_pool_follows() {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let default = read(&[DB]).unwrap();
        assert_eq!(default.worker_concurrency, cores + 1);
        assert_eq!(default.worker_db_pool_size as usize, cores + 3);
        let five = read(&[DB, ("WORKER_CONCURRENCY", "5")]).unwrap();
        assert_eq!((five.worker_concurrency, five.worker_db_pool_size), (5, 7));
        assert_eq!(default.worker_nice, 10);
    }

    #[test]
    fn worker_nice_is_a_scheduling_niceness() {
        assert_eq!(read(&[DB, ("WORKER_NICE", "0")]).unwrap().worker_nice, 0);
        let err = read(&[DB, ("WORKER_NICE", "20")])
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("WORKER_NICE must be within 0..=19"), "{err}");
    }
}
