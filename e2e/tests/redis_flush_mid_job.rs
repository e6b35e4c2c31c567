//! Redis loses everything (FLUSHALL) while documents are being parsed: apalis's consumer loses
//! its registration and restarts, but every in-flight attempt still ends, each document is
//! completed exactly once, and none stays `processing`. Alone in its test binary, since FLUSHALL
//! would pull the queues out from under concurrent tests.
mod common;

use std::time::{Duration, Instant};

use common::Stack;
use shared::domain::{DocumentStatus, Stage};

/// The two scenarios flush the same Redis; one at a time keeps each one's timing its own.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Waits for the document to complete and checks its pages were stored once.
async fn completed_once(stack: &Stack, id: i64, when: &str) {
    let status = stack.wait_done(id, Duration::from_secs(90)).await;
    assert_eq!(
        status["status"],
        DocumentStatus::Completed.as_str(),
        "{when}: {status}"
    );
    let pages = stack
        .scalar(
            "SELECT count(*) FROM document_pages WHERE document_id = $1",
            id,
        )
        .await;
    assert_eq!(
        Some(pages),
        status["page_count"].as_i64(),
        "{when}: pages stored once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flushing_redis_mid_parse_leaves_no_document_processing() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut stack = Stack::start(|c| {
        c.fault_slow_page = Some(Duration::from_millis(600));
    })
    .await;
    stack.start_worker();
    let mut ids = Vec::new();
    for n in 0..3 {
        let bytes = common::variant(
            &shared::testing::pdf("reports/dev04_zebra_multipage.pdf"),
            n,
        );
        let (code, body) = stack.upload(&format!("dev04-{n}.pdf"), bytes, None).await;
        assert_eq!(code, 202, "{body}");
        ids.push(body["document_id"].as_i64().unwrap());
    }
    // Flush while the first documents are inside the parser.
    stack
        .wait_for_status(
            ids[0],
            DocumentStatus::Processing.as_str(),
            Duration::from_secs(30),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let client = redis::Client::open(stack.config.redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("FLUSHALL").query_async(&mut conn).await.unwrap();
    let flushed = Instant::now();

    for &id in &ids {
        completed_once(&stack, id, "mid-parse").await;
    }
    let processing: i64 = sqlx::query_scalar("SELECT count(*) FROM documents WHERE status = $1")
        .bind(DocumentStatus::Processing)
        .fetch_one(&stack.db)
        .await
        .unwrap();
    assert_eq!(processing, 0);
    let took = flushed.elapsed();
    eprintln!(
        "all {} documents completed {:.1} s after the flush",
        ids.len(),
        took.as_secs_f64()
    );
    // Stale + requeue periods plus the processing itself (three 5-page documents at 0.6 s a
    // page, two at a time); far below the 20 × stale period a frozen-progress takeover needs.
    let bound = stack.config.stale_after + stack.config.requeue_after + Duration::from_secs(15);
    assert!(took < bound, "took {took:?}, bound {bound:?}");
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flushing_redis_in_each_stage_completes_every_document_once() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut stack = Stack::start(|c| {
        c.fault_slow_page = Some(Duration::from_millis(400));
        c.fault_stage_pause = Some(Duration::from_millis(1500));
    })
    .await;
    stack.start_worker();
    let client = redis::Client::open(stack.config.redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    for (n, stage) in Stage::ALL.iter().map(|s| s.as_str()).enumerate() {
        let bytes = common::variant(&shared::testing::pdf("reports/dev01_grid_iso.pdf"), n);
        let (code, body) = stack.upload(&format!("{stage}.pdf"), bytes, None).await;
        assert_eq!(code, 202, "{body}");
        let id = body["document_id"].as_i64().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (_, s) = stack.get(&format!("/api/documents/{id}/status")).await;
            if s["stage"] == stage {
                break;
            }
            assert!(Instant::now() < deadline, "never saw stage {stage}: {s}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _: () = redis::cmd("FLUSHALL").query_async(&mut conn).await.unwrap();
        let flushed = Instant::now();
        completed_once(&stack, id, stage).await;
        let took = flushed.elapsed();
        eprintln!(
            "flushed in {stage}: completed {:.1} s later",
            took.as_secs_f64()
        );
        let bound = stack.config.stale_after + stack.config.requeue_after + Duration::from_secs(12);
        assert!(took < bound, "{stage}: took {took:?}, bound {bound:?}");
    }
    stack.stop().await;
}
