//! What every job can reach: the process's one pool and its configuration.
use std::sync::Arc;

use shared::config::Config;
use shared::embed::TextEmbedder;
use shared::files::FileStore;
use sqlx::PgPool;
use tokio::sync::watch;

pub struct JobContext {
    pub pool: PgPool,
    pub config: Config,
    /// Written into `documents.worker_id` so that only the owner of a document may store it.
    pub worker_id: String,
    /// Turns true when a blocking parse outlived its job: pdfium is then stuck for the whole
    /// process, so the worker must exit and be restarted.
    pub wedged: Arc<watch::Sender<bool>>,
    /// Loaded once per process; jobs only borrow it.
    pub embedder: Arc<dyn TextEmbedder>,
    /// Reads each document's file from Postgres or the bucket, as its row says.
    pub files: FileStore,
}

impl JobContext {
    pub fn new(
        pool: PgPool,
        config: Config,
        worker_id: String,
        embedder: Arc<dyn TextEmbedder>,
        files: FileStore,
    ) -> Self {
        Self {
            pool,
            config,
            worker_id,
            wedged: Arc::new(watch::channel(false).0),
            embedder,
            files,
        }
    }
}
