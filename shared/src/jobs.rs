//! The ingestion job and its queue. A job carries ids only; Postgres holds everything else, so a
//! lost or repeated job costs nothing but a re-run.
use std::time::Duration;

use apalis::prelude::*;
use apalis_redis::{Config as RedisQueueConfig, RedisStorage};
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};
use ulid::Ulid;

/// Parse, extract and store one uploaded document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IngestDocument {
    pub document_id: i64,
    /// The id of the upload request, so that logs of the job join those of the request.
    #[serde(default)]
    pub request_id: Option<String>,
}

pub type IngestStorage = RedisStorage<IngestDocument>;

/// Builds the apalis storage for the ingestion queue on a shared connection manager, as a
/// producer (the API, the reaper) uses it.
pub fn storage(conn: ConnectionManager, queue_name: &str) -> IngestStorage {
    RedisStorage::new(conn).with_config(RedisQueueConfig::default().queue(queue_name))
}

/// The storage a worker consumes from. apalis-redis's defaults suit none of it: a worker would
/// fetch 10 jobs at a time whatever its concurrency, and jobs fetched by a worker that died
/// (SIGKILL, lost host) would wait 30 s × 10 missed heartbeats before another worker re-queued
/// them, while Postgres, knowing the document is queued, saw a live job and waited too.
/// So a worker fetches no more than it runs, beats at the worker's heartbeat interval, and is
/// declared dead after the same `stale_after` silence that makes its documents stale.
pub fn worker_storage(
    conn: ConnectionManager,
    queue_name: &str,
    concurrency: usize,
    heartbeat: Duration,
    stale_after: Duration,
) -> IngestStorage {
    RedisStorage::new(conn).with_config(
        RedisQueueConfig::default()
            .queue(queue_name)
            .batch_size(concurrency.max(1))
            .heartbeat_interval(heartbeat)
            .missed_heartbeats(missed_heartbeats(heartbeat, stale_after)),
    )
}

/// Heartbeats a worker may miss before its fetched jobs go back to the queue: `stale_after`
/// rounded up to whole beats, and never fewer than 2 so one late beat under load is forgiven.
fn missed_heartbeats(heartbeat: Duration, stale_after: Duration) -> usize {
    let beat = heartbeat.as_secs_f64().max(0.001);
    ((stale_after.as_secs_f64() / beat).ceil() as usize).max(2)
}

/// Handle to the queue for producers (the API and the reaper). Cloning is cheap.
#[derive(Clone)]
pub struct JobQueue {
    storage: IngestStorage,
    conn: ConnectionManager,
    queue_name: String,
}

#[derive(Debug, thiserror::Error)]
#[error("the job queue (Redis) is unavailable: {0}")]
pub struct QueueError(String);

/// What Redis knows about a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting or running: nothing to do.
    Live,
    /// Finished, failed or unknown to Redis (e.g. after a flush): the document needs a new job.
    Gone,
}

impl JobQueue {
    pub fn new(conn: ConnectionManager, queue_name: &str) -> Self {
        Self {
            storage: storage(conn.clone(), queue_name),
            conn,
            queue_name: queue_name.to_string(),
        }
    }

    /// Pushes a job for `document_id` and returns its id (a ULID).
    pub async fn enqueue(
        &self,
        document_id: i64,
        request_id: Option<String>,
    ) -> Result<String, QueueError> {
        let id = Ulid::generate();
        let task = TaskBuilder::new(IngestDocument {
            document_id,
            request_id,
        })
        .task_id(TaskId::from_ulid(id))
        .build();
        let mut storage = self.storage.clone();
        storage
            .push_task(task)
            .await
            .map_err(|e| QueueError(e.to_string()))?;
        Ok(id.to_string())
    }

    pub async fn job_state(&self, job_id: &str) -> Result<JobState, QueueError> {
        let Ok(ulid) = job_id.parse::<Ulid>() else {
            return Ok(JobState::Gone);
        };
        let mut storage = self.storage.clone();
        let task = storage
            .fetch_by_id(&TaskId::from_ulid(ulid))
            .await
            .map_err(|e| QueueError(e.to_string()))?;
        Ok(match task.map(|t| t.ctx().status()) {
            Some(Status::Pending | Status::Queued | Status::Running) => JobState::Live,
            _ => JobState::Gone,
        })
    }

    /// Jobs waiting to be picked up: apalis parks new jobs in `scheduled` until their run time,
    /// then moves them to `active`.
    pub async fn depth(&self) -> Result<u64, QueueError> {
        let mut conn = self.conn.clone();
        let (active, scheduled): (u64, u64) = redis::pipe()
            .cmd("LLEN")
            .arg(format!("{}:active", self.queue_name))
            .cmd("ZCARD")
            .arg(format!("{}:scheduled", self.queue_name))
            .query_async(&mut conn)
            .await
            .map_err(|e| QueueError(e.to_string()))?;
        Ok(active + scheduled)
    }

    pub async fn ping(&self) -> Result<(), QueueError> {
        let mut conn = self.conn.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .map(|_| ())
            .map_err(|e| QueueError(e.to_string()))
    }

    /// Deletes what Redis keeps of jobs that finished (done, or failed for good) more than
    /// `older_than` ago: their payload and metadata (apalis-redis keeps both forever otherwise;
    /// Postgres has the document's whole history). Returns how many jobs were removed.
    pub async fn vacuum_finished(&self, older_than: Duration) -> Result<usize, QueueError> {
        use apalis_core::backend::Vacuum;
        let mut storage = self.storage.clone();
        storage
            .vacuum_before(older_than)
            .await
            .map_err(|e| QueueError(e.to_string()))
    }

    pub fn queue_name(&self) -> &str {
        &self.queue_name
    }
}

/// Opens the process's one Redis connection manager. It reconnects by itself after an outage,
/// and its timeouts keep a dead Redis from stalling callers.
pub async fn connect_redis(url: &str) -> Result<ConnectionManager, redis::RedisError> {
    let client = redis::Client::open(url)?;
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_response_timeout(Some(Duration::from_secs(2)))
        .set_number_of_retries(2);
    client.get_connection_manager_with_config(config).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_is_dead_after_the_stale_period_in_whole_beats() {
        let ms = Duration::from_millis;
        assert_eq!(missed_heartbeats(ms(2000), ms(15000)), 8);
        assert_eq!(missed_heartbeats(ms(200), ms(1500)), 8);
        assert_eq!(missed_heartbeats(ms(5000), ms(1000)), 2);
        assert_eq!(missed_heartbeats(Duration::ZERO, ms(10)), 10);
    }
}
