//! Shared state handed to every handler: the process's one pool, queue handle, config and
//! metrics cache and chat services.
use std::sync::Arc;

use shared::config::Config;
use shared::jobs::JobQueue;
use sqlx::PgPool;

use crate::chat::ChatServices;
use crate::metrics_cache::MetricsCache;

/// Enough for every fund at a handful of dates; a snapshot is a few kilobytes per 100 rows.
pub const METRICS_CACHE_ENTRIES: usize = 2048;

#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub queue: JobQueue,
    pub config: Arc<Config>,
    pub metrics: Arc<MetricsCache>,
    /// Query embedder (loaded once per process) and the optional LLM client.
    pub chat: Arc<ChatServices>,
}

impl AppState {
    pub fn new(db: PgPool, queue: JobQueue, config: Config) -> Self {
        Self {
            db,
            queue,
            chat: Arc::new(ChatServices::from_config(&config)),
            config: Arc::new(config),
            metrics: Arc::new(MetricsCache::new(METRICS_CACHE_ENTRIES)),
        }
    }
}
