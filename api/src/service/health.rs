//! What readiness, Prometheus scrapes and the load test's probe ask of Postgres, the pool and
//! Redis, each bounded by the caller's timeout so a dead dependency never hangs a request.
use std::time::Duration;

use shared::db::documents;
use shared::domain::DocumentStatus;
use shared::jobs::JobQueue;
use sqlx::PgPool;

use crate::error::Result;

/// The pool's size, idle connections and configured maximum.
pub struct PoolStats {
    pub max: u32,
    pub size: u32,
    pub idle: u32,
}

#[derive(Clone)]
pub struct HealthService {
    db: PgPool,
    queue: JobQueue,
    pool_max: u32,
}

impl HealthService {
    pub fn new(db: PgPool, queue: JobQueue, pool_max: u32) -> Self {
        Self {
            db,
            queue,
            pool_max,
        }
    }

    pub fn queue_name(&self) -> &str {
        self.queue.queue_name()
    }

    /// `Ok` when Postgres answers a trivial query within `within`; the reason otherwise.
    pub async fn probe_postgres(&self, within: Duration) -> Result<(), String> {
        match tokio::time::timeout(
            within,
            sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&self.db),
        )
        .await
        {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!("no answer within {} ms", within.as_millis())),
        }
    }

    /// The job queue's depth when Redis answers within `within`; the reason otherwise.
    pub async fn probe_queue(&self, within: Duration) -> Result<u64, String> {
        match tokio::time::timeout(within, self.queue.depth()).await {
            Ok(Ok(depth)) => Ok(depth),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!("no answer within {} ms", within.as_millis())),
        }
    }

    pub fn pool(&self) -> PoolStats {
        PoolStats {
            max: self.pool_max,
            size: self.db.size(),
            idle: self.db.num_idle() as u32,
        }
    }

    /// Sets the pool gauges for Prometheus.
    pub fn record_pool(&self) {
        shared::telemetry::record_pool("api", &self.db, self.pool_max);
    }

    /// Documents per status and the age of the oldest one processing, or `None` if Postgres did
    /// not answer within `within`.
    pub async fn document_counts(
        &self,
        within: Duration,
    ) -> (Option<Vec<(DocumentStatus, i64)>>, Option<f64>) {
        let (counts, oldest) = tokio::join!(
            tokio::time::timeout(within, documents::count_by_status(&self.db)),
            tokio::time::timeout(within, documents::oldest_processing_age(&self.db)),
        );
        (
            counts.ok().and_then(|r| r.ok()),
            oldest.ok().and_then(|r| r.ok()),
        )
    }

    /// The cheapest request that uses the pool (the load test's throughput ceiling).
    pub async fn ping(&self) -> Result<bool> {
        let one: i32 = sqlx::query_scalar("SELECT 1").fetch_one(&self.db).await?;
        Ok(one == 1)
    }

    /// Closes the pool after the server has drained, so Postgres sees clean disconnects.
    pub async fn close(&self) {
        self.db.close().await;
    }
}
