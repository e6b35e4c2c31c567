//! Shared state handed to every handler: the config and the services, built once per process
//! around its one pool and one Redis connection.
use std::sync::Arc;

use shared::config::Config;
use shared::files::{FileError, FileStore};
use shared::jobs::JobQueue;
use sqlx::PgPool;

use crate::service::chat::ChatService;
use crate::service::documents::DocumentService;
use crate::service::funds::FundService;
use crate::service::health::HealthService;
use crate::service::metrics::{self, MetricsService};
use crate::service::positions::PositionService;
use crate::service::transactions::TransactionService;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub documents: DocumentService,
    pub funds: FundService,
    pub metrics: MetricsService,
    pub transactions: TransactionService,
    pub positions: PositionService,
    pub chat: ChatService,
    pub health: HealthService,
}

impl AppState {
    /// Fails only when the S3 settings cannot make a client (see `config/files.rs`).
    pub fn new(db: PgPool, queue: JobQueue, config: Config) -> Result<Self, FileError> {
        let config = Arc::new(config);
        let files = FileStore::new(&config.files)?;
        let metrics = MetricsService::new(db.clone(), metrics::CACHE_ENTRIES);
        Ok(Self {
            documents: DocumentService::new(db.clone(), queue.clone(), files, config.clone()),
            funds: FundService::new(db.clone(), metrics.clone()),
            transactions: TransactionService::new(db.clone()),
            positions: PositionService::new(db.clone()),
            chat: ChatService::new(db.clone(), metrics.clone(), &config),
            health: HealthService::new(db, queue, config.api_db_pool_size),
            metrics,
            config,
        })
    }
}
