//! Per-fund metrics kept in memory and trusted only while the fund's `data_version` is unchanged.
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use shared::db::{funds, metrics};
use shared::metrics::{FundMetrics, MetricsInput, Reconciliation, compute, reconcile};
use sqlx::PgPool;

use crate::error::Result;

/// Everything the metrics routes need about one fund as of one date, computed once.
#[derive(Debug)]
pub struct FundSnapshot {
    pub version: i64,
    pub input: MetricsInput,
    pub metrics: FundMetrics,
    pub reconciliation: Reconciliation,
}

type Key = (i64, Option<NaiveDate>);

/// A bounded map from (fund, as_of) to the snapshot and the tick it was last used at; when full,
/// the least recently used entry goes. The worker writes from another process, so entries are
/// never invalidated by message: a reader compares versions instead.
pub struct MetricsCache {
    entries: Mutex<HashMap<Key, (Arc<FundSnapshot>, u64)>>,
    capacity: usize,
    tick: AtomicU64,
    loads: AtomicU64,
}

impl MetricsCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
            tick: AtomicU64::new(0),
            loads: AtomicU64::new(0),
        }
    }

    /// How many times fund data was loaded from the database (misses); for tests and logs.
    pub fn loads(&self) -> u64 {
        self.loads.load(Ordering::Relaxed)
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, (Arc<FundSnapshot>, u64)>> {
        // A panic while holding the lock cannot leave the map half-updated, so poison is moot.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The fund's snapshot, checking its version with one query; `None` for an unknown fund.
    pub async fn for_fund(
        &self,
        db: &PgPool,
        fund_id: i64,
        as_of: Option<NaiveDate>,
    ) -> Result<Option<Arc<FundSnapshot>>> {
        match funds::data_version(db, fund_id).await? {
            Some(version) => Ok(Some(self.at_version(db, fund_id, version, as_of).await?)),
            None => Ok(None),
        }
    }

    /// The snapshot for a version the caller has just read (e.g. with the fund list), so a hit
    /// costs no query at all.
    pub async fn at_version(
        &self,
        db: &PgPool,
        fund_id: i64,
        version: i64,
        as_of: Option<NaiveDate>,
    ) -> Result<Arc<FundSnapshot>> {
        let key = (fund_id, as_of);
        let tick = self.tick.fetch_add(1, Ordering::Relaxed);
        if let Some((snap, used)) = self.lock().get_mut(&key)
            && snap.version == version
        {
            *used = tick;
            return Ok(snap.clone());
        }
        // The version was read before the data: if the data changes in between, the snapshot is
        // newer than its version says and the next read simply reloads it. Never the reverse.
        self.loads.fetch_add(1, Ordering::Relaxed);
        let input = metrics::load_inputs(db, fund_id).await?;
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
        let mut map = self.lock();
        // A concurrent reader may have stored a newer version meanwhile; keep the newest.
        let stale = map.get(&key).is_some_and(|(s, _)| s.version > version);
        if !stale {
            if map.len() >= self.capacity
                && !map.contains_key(&key)
                && let Some(oldest) = map.iter().min_by_key(|(_, (_, t))| *t).map(|(k, _)| *k)
            {
                map.remove(&oldest);
            }
            map.insert(key, (snap.clone(), tick));
        }
        Ok(snap)
    }
}
