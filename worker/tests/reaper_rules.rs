//! The reaper's rules for processing documents, against a real Postgres: a heartbeat that keeps
//! arriving does not protect a document whose progress froze or whose attempt is overdue, and a
//! Redis outage in the middle of a pass does not undo what Postgres already decided.
use std::time::Duration;

use shared::db::transitions::{self, Claim, StaleRules};
use shared::domain::{DocumentStatus, Stage};
use shared::jobs::JobQueue;
use shared::testing::private::PrivateRedis;
use sqlx::PgPool;

async fn processing_document(pool: &PgPool) -> i64 {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO documents (file_name, sha256, size_bytes) VALUES ('a.pdf', md5(random()::text), 1)
         RETURNING id",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let claim = transitions::claim(pool, id, "w1", Duration::from_secs(60), 3)
        .await
        .unwrap();
    assert!(matches!(claim, Claim::Claimed { .. }), "{claim:?}");
    id
}

async fn reap(pool: &PgPool, rules: StaleRules) -> Vec<i64> {
    let mut conn = pool.acquire().await.unwrap();
    transitions::stale_processing_to_queued_or_failed(&mut conn, rules, 3)
        .await
        .unwrap()
        .into_iter()
        .map(|(id, _)| id)
        .collect()
}

fn rules(stalled_ms: u64, overdue_ms: u64) -> StaleRules {
    StaleRules {
        silent: Duration::from_secs(60),
        stalled: Duration::from_millis(stalled_ms),
        overdue: Duration::from_millis(overdue_ms),
    }
}

#[tokio::test]
async fn frozen_progress_is_taken_back_despite_heartbeats() {
    let pool = PgPool::connect(&shared::testing::fresh_database().await)
        .await
        .unwrap();
    let frozen = processing_document(&pool).await;
    let moving = processing_document(&pool).await;
    for done in 1..=6 {
        // Both beat every 100 ms; only one of them advances.
        assert!(
            transitions::processing_heartbeat(&pool, frozen, "w1", Stage::Parsing, 0, Some(9))
                .await
                .unwrap()
        );
        assert!(
            transitions::processing_heartbeat(&pool, moving, "w1", Stage::Parsing, done, Some(9))
                .await
                .unwrap()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let taken = reap(&pool, rules(400, 3_600_000)).await;
    assert_eq!(taken, vec![frozen]);
    // The stuck attempt's own heartbeat now finds the document gone from it.
    assert!(
        !transitions::processing_heartbeat(&pool, frozen, "w1", Stage::Parsing, 0, Some(9))
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn an_overdue_attempt_is_taken_back_despite_heartbeats_and_progress() {
    let pool = PgPool::connect(&shared::testing::fresh_database().await)
        .await
        .unwrap();
    let id = processing_document(&pool).await;
    for done in 1..=4 {
        transitions::processing_heartbeat(&pool, id, "w1", Stage::Parsing, done, Some(9))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(reap(&pool, rules(3_600_000, 3_600_000)).await.is_empty());
    assert_eq!(reap(&pool, rules(3_600_000, 300)).await, vec![id]);
    let status: DocumentStatus = sqlx::query_scalar("SELECT status FROM documents WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(status, DocumentStatus::Queued);
}

async fn status_of(pool: &PgPool, id: i64) -> (DocumentStatus, Option<String>) {
    sqlx::query_as("SELECT status, job_id FROM documents WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_outage_mid_pass_keeps_the_stale_takeover() {
    let mut redis = PrivateRedis::start();
    let url = shared::testing::fresh_database().await;
    let pool = PgPool::connect(&url).await.unwrap();
    let mut config = shared::testing::config(&url);
    config.redis_url = redis.url().into();
    let conn = shared::jobs::connect_redis(&redis.url()).await.unwrap();
    let queue = JobQueue::new(conn, &config.queue_name);

    let stale = processing_document(&pool).await;
    sqlx::query("UPDATE documents SET heartbeat_at = now() - interval '1 hour' WHERE id = $1")
        .bind(stale)
        .execute(&pool)
        .await
        .unwrap();
    redis.down();
    let pass = fundlens_worker::reaper::pass(&pool, &queue, &config).await;
    assert!(pass.is_err(), "Redis is down: {pass:?}");
    // Taken back even though enqueueing it again failed; the next pass enqueues it.
    assert_eq!(
        status_of(&pool, stale).await,
        (DocumentStatus::Queued, None)
    );

    redis.up();
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while fundlens_worker::reaper::pass(&pool, &queue, &config)
        .await
        .is_err()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "Redis never came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, job) = status_of(&pool, stale).await;
    assert_eq!(status, DocumentStatus::Queued);
    assert!(job.is_some(), "enqueued again with its job id recorded");
}
