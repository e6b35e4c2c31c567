//! Fund metrics as of a date: loaded once per data version, computed off the async threads and
//! kept in one bounded LRU cache that every caller (API, console, chat) goes through.
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use lru::LruCache;
use serde::Serialize;
use shared::db::{funds, metrics};
use shared::metrics::{Discrepancy, FundMetrics, MetricsInput, Reconciliation, compute, reconcile};
use sqlx::PgPool;

use crate::error::{ApiError, Result};

/// Enough for every fund at a handful of dates; a snapshot is a few kilobytes per 100 rows.
pub const CACHE_ENTRIES: usize = 2048;

/// Everything the metrics views need about one fund as of one date, computed once.
#[derive(Debug)]
pub struct FundSnapshot {
    pub version: i64,
    pub input: MetricsInput,
    pub metrics: FundMetrics,
    pub reconciliation: Reconciliation,
}

/// The metrics object of every response: the engine's figures plus the reconciliation's
/// disagreements (which do not depend on `as_of`: each stated figure is checked at its own date).
#[derive(Serialize)]
pub struct MetricsBody<'a> {
    #[serde(flatten)]
    pub metrics: &'a FundMetrics,
    pub discrepancies: &'a [Discrepancy],
}

impl<'a> From<&'a FundSnapshot> for MetricsBody<'a> {
    fn from(s: &'a FundSnapshot) -> Self {
        Self {
            metrics: &s.metrics,
            discrepancies: &s.reconciliation.discrepancies,
        }
    }
}

type Key = (i64, Option<NaiveDate>);

/// The worker writes from another process, so entries are never invalidated by message: a reader
/// compares the fund's `data_version` with the snapshot's instead.
#[derive(Clone)]
pub struct MetricsService {
    db: PgPool,
    inner: Arc<Inner>,
}

struct Inner {
    cache: Mutex<LruCache<Key, Arc<FundSnapshot>>>,
    loads: AtomicU64,
}

impl MetricsService {
    pub fn new(db: PgPool, capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self {
            db,
            inner: Arc::new(Inner {
                cache: Mutex::new(LruCache::new(capacity)),
                loads: AtomicU64::new(0),
            }),
        }
    }

    /// How many times fund data was loaded from the database (cache misses); for tests and logs.
    pub fn loads(&self) -> u64 {
        self.inner.loads.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<Key, Arc<FundSnapshot>>> {
        // A panic while holding the lock cannot leave the map half-updated, so poison is moot.
        self.inner.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The fund's snapshot, checking its version with one query; 404 for an unknown fund.
    #[tracing::instrument(skip_all, fields(fund_id, as_of = ?as_of))]
    pub async fn snapshot(
        &self,
        fund_id: i64,
        as_of: Option<NaiveDate>,
    ) -> Result<Arc<FundSnapshot>> {
        let version = funds::data_version(&self.db, fund_id)
            .await?
            .ok_or_else(|| ApiError::not_found("Fund", fund_id))?;
        self.at_version(fund_id, version, as_of).await
    }

    /// The snapshot for a version the caller has just read (e.g. with the fund list), so a hit
    /// costs no query at all.
    #[tracing::instrument(skip_all, fields(fund_id, version, as_of = ?as_of))]
    pub async fn at_version(
        &self,
        fund_id: i64,
        version: i64,
        as_of: Option<NaiveDate>,
    ) -> Result<Arc<FundSnapshot>> {
        let key = (fund_id, as_of);
        if let Some(snap) = self.lock().get(&key)
            && snap.version == version
        {
            return Ok(snap.clone());
        }
        // The version was read before the data: if the data changes in between, the snapshot is
        // newer than its version says and the next read simply reloads it. Never the reverse.
        self.inner.loads.fetch_add(1, Ordering::Relaxed);
        let input = metrics::load_inputs(&self.db, fund_id).await?;
        let snap = shared::telemetry::spawn_blocking(move || {
            let metrics = compute(&input, as_of);
            let reconciliation = reconcile(&input);
            FundSnapshot {
                version,
                input,
                metrics,
                reconciliation,
            }
        })
        .await
        .map_err(|e| anyhow::anyhow!("metrics computation for fund {fund_id} failed: {e}"))?;
        let snap = Arc::new(snap);
        let mut cache = self.lock();
        // A concurrent reader may have stored a newer version meanwhile; keep the newest.
        if cache.peek(&key).is_none_or(|s| s.version <= version) {
            cache.put(key, snap.clone());
        }
        Ok(snap)
    }
}
