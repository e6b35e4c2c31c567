//! Finished jobs do not pile up in Redis: once older than the retention, the reaper's vacuum
//! removes their payload and metadata, and the document (whose history is in Postgres) is
//! unaffected.
mod common;

use std::time::Duration;

use apalis::prelude::{FetchById, TaskId};
use shared::domain::DocumentStatus;
use shared::jobs::JobQueue;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finished_jobs_are_removed_after_the_retention() {
    let mut stack = common::Stack::start(|_| {}).await;
    stack.start_worker();
    let body = stack.upload_sample().await;
    let id = body["document_id"].as_i64().unwrap();
    let job: ulid::Ulid = body["job_id"].as_str().unwrap().parse().unwrap();
    let status = stack.wait_done(id, Duration::from_secs(30)).await;
    assert_eq!(
        status["status"],
        DocumentStatus::Completed.as_str(),
        "{status}"
    );

    let redis = shared::jobs::connect_redis(stack.config.redis_url())
        .await
        .unwrap();
    let queue = JobQueue::new(redis.clone(), &stack.config.queue_name);
    let mut storage = shared::jobs::storage(redis, &stack.config.queue_name);
    // apalis acknowledges right after the handler returns; give it a moment to record "Done".
    let mut recorded = false;
    for _ in 0..50 {
        if storage
            .fetch_by_id(&TaskId::from_ulid(job))
            .await
            .unwrap()
            .is_some_and(|t| t.ctx().status() == apalis::prelude::Status::Done)
        {
            recorded = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recorded, "the finished job should be recorded in Redis");

    // Within the retention nothing goes; past it, the job's record does.
    assert_eq!(
        queue
            .vacuum_finished(Duration::from_secs(3600))
            .await
            .unwrap(),
        0
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(queue.vacuum_finished(Duration::ZERO).await.unwrap() >= 1);
    assert!(
        storage
            .fetch_by_id(&TaskId::from_ulid(job))
            .await
            .unwrap()
            .is_none(),
        "the job's record should be gone"
    );
    let (_, status) = stack.get(&format!("/api/documents/{id}/status")).await;
    assert_eq!(
        status["status"],
        DocumentStatus::Completed.as_str(),
        "{status}"
    );
    stack.stop().await;
}
