//! What every job can reach: the process's one pool and its configuration.
use shared::config::Config;
use sqlx::PgPool;

pub struct JobContext {
    pub pool: PgPool,
    pub config: Config,
    /// Written into `documents.worker_id` so that only the owner of a document may store it.
    pub worker_id: String,
}

impl JobContext {
    pub fn new(pool: PgPool, config: Config, worker_id: String) -> Self {
        Self {
            pool,
            config,
            worker_id,
        }
    }
}
