//! Shared state handed to every handler: the process's one pool, queue handle, config and
//! metrics cache.
use std::sync::Arc;

use shared::config::Config;
use shared::jobs::JobQueue;
use sqlx::PgPool;

use crate::metrics_cache::MetricsCache;

/// Enough for every fund at a handful of dates; a snapshot is a few kilobytes per 100 rows.
pub const METRICS_CACHE_ENTRIES: usize = 2048;

#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub queue: JobQueue,
    pub config: Arc<Config>,
    pub metrics: Arc<MetricsCache>,
}

impl AppState {
    pub fn new(db: PgPool, queue: JobQueue, config: Config) -> Self {
        Self {
            db,
            queue,
            config: Arc::new(config),
            metrics: Arc::new(MetricsCache::new(METRICS_CACHE_ENTRIES)),
        }
    }
}
