//! Shared state handed to every handler: the process's one pool, queue handle and config.
use std::sync::Arc;

use shared::config::Config;
use shared::jobs::JobQueue;
use sqlx::PgPool;

#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub queue: JobQueue,
    pub config: Arc<Config>,
}
