//! Redis loses everything (FLUSHALL) after an upload, before any worker ran: Postgres still knows
//! the document is queued and the reaper enqueues it again. Alone in its test binary, since
//! FLUSHALL would pull the queues out from under concurrent tests.
mod common;

use shared::domain::DocumentStatus;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flushing_redis_before_pickup_still_completes_the_document() {
    let mut stack = common::Stack::start(|_| {}).await;
    let body = stack.upload_sample().await;
    let id = body["document_id"].as_i64().unwrap();

    let client = redis::Client::open(stack.config.redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let (_, ready) = stack.get("/ready").await;
    assert_eq!(
        ready["redis"]["queue_depth"], 1,
        "the job should be waiting in Redis: {ready}"
    );
    let _: () = redis::cmd("FLUSHALL").query_async(&mut conn).await.unwrap();

    stack.start_worker();
    let status = stack.wait_done(id, Duration::from_secs(30)).await;
    assert_eq!(
        status["status"],
        DocumentStatus::Completed.as_str(),
        "{status}"
    );
    assert_ne!(
        status["job_id"], body["job_id"],
        "a new job should have been enqueued"
    );
    stack.stop().await;
}
