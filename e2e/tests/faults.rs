//! Fault scenarios on the real stack, each printing what it checked: Postgres stopped under
//! load, Redis restarted empty, a worker wedged in pdfium, and the request id reaching the job's
//! logs. Services that get stopped are private to the test. Slow and idle clients, which need no
//! worker, are in `api/tests/slow_clients.rs`.
mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Stack, variant};
use shared::domain::DocumentStatus;
use shared::testing::private::{PrivatePostgres, PrivateRedis};

const SAMPLE: &str = "reference/Sample_Fund_Performance_Report.pdf";

/// Every uploaded document has each of its pages exactly once.
async fn assert_pages_once(stack: &Stack, id: i64) {
    let (rows, distinct): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT page_number) FROM document_pages WHERE document_id = $1",
    )
    .bind(id)
    .fetch_one(&stack.db)
    .await
    .unwrap();
    assert!(
        rows > 0 && rows == distinct,
        "document {id}: {rows} page rows, {distinct} distinct"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_down_for_ten_seconds_under_load() {
    let pg = PrivatePostgres::start();
    let mut stack = Stack::start_on(&pg.url(), |c| {
        c.api_db_pool_size = 3;
        c.db_acquire_timeout = Duration::from_millis(1000);
        c.max_attempts = 5;
        c.fault_slow_page = Some(Duration::from_millis(700));
    })
    .await;
    stack.start_worker();
    let sample = shared::testing::pdf(SAMPLE);
    let mut ids = Vec::new();
    for i in 0..4 {
        let (code, body) = stack
            .upload(&format!("r{i}.pdf"), variant(&sample, i), None)
            .await;
        assert_eq!(code, 202, "{body}");
        ids.push(body["document_id"].as_i64().unwrap());
    }
    stack
        .wait_for_status(
            ids[0],
            DocumentStatus::Processing.as_str(),
            Duration::from_secs(20),
        )
        .await;

    // Load throughout: every answer must be 2xx or a 503, and quick either way.
    let seen = Arc::new(Mutex::new(Vec::<(u16, Duration)>::new()));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let load = {
        let (http, base, seen, id) = (stack.http.clone(), stack.base.clone(), seen.clone(), ids[0]);
        tokio::spawn(async move {
            let mut i = 0u64;
            while !*stop_rx.borrow() {
                let path = if i.is_multiple_of(2) {
                    "/api/funds".to_string()
                } else {
                    format!("/api/documents/{id}/status")
                };
                let t = Instant::now();
                let code = http
                    .get(format!("{base}{path}"))
                    .send()
                    .await
                    .map_or(0, |r| r.status().as_u16());
                seen.lock().unwrap().push((code, t.elapsed()));
                i += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };

    pg.down();
    let outage = Instant::now();
    let mut checked_503 = false;
    while outage.elapsed() < Duration::from_secs(10) {
        let t = Instant::now();
        let (code, body) = stack.get("/health").await;
        assert_eq!(code, 200, "/health during the outage: {body}");
        assert!(
            t.elapsed() < Duration::from_millis(200),
            "/health took {:?}",
            t.elapsed()
        );
        let (code, ready) = stack.get("/ready").await;
        assert_eq!(code, 503, "{ready}");
        assert_eq!(ready["down"], serde_json::json!(["postgres"]), "{ready}");
        if !checked_503 {
            let t = Instant::now();
            let (code, body) = stack.get("/api/funds").await;
            assert_eq!(code, 503, "{body}");
            assert!(
                body["detail"].as_str().unwrap().contains("database"),
                "{body}"
            );
            assert!(
                t.elapsed() < Duration::from_millis(2500),
                "503 took {:?}",
                t.elapsed()
            );
            checked_503 = true;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    pg.up();
    let back = Instant::now();
    loop {
        if stack.get("/ready").await.0 == 200 {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(20),
            "/ready never recovered"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let recovered = back.elapsed();
    for id in &ids {
        let s = stack.wait_done(*id, Duration::from_secs(90)).await;
        assert_eq!(s["status"], DocumentStatus::Completed.as_str(), "{s}");
        assert_pages_once(&stack, *id).await;
    }
    let _ = stop_tx.send(true);
    load.await.unwrap();
    let seen = seen.lock().unwrap().clone();
    let bad: Vec<_> = seen
        .iter()
        .filter(|(c, _)| !(200..300).contains(c) && *c != 503)
        .collect();
    let slowest = seen.iter().map(|(_, d)| *d).max().unwrap();
    let n503 = seen.iter().filter(|(c, _)| *c == 503).count();
    assert!(bad.is_empty(), "answers other than 2xx/503: {bad:?}");
    assert!(
        slowest < Duration::from_millis(2500),
        "slowest answer {slowest:?}"
    );
    assert!(n503 > 0, "the outage was never seen");
    println!(
        "checked: Postgres down 10 s under load: {} requests, {n503} answered 503 with a detail, none other, slowest {slowest:?}; \
         /health 200 and /ready naming postgres throughout; ready again {recovered:?} after restart without restarting anything; \
         all {} documents completed once",
        seen.len(),
        ids.len()
    );
    drop(seen);
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_restarted_empty_while_parsing_leaves_no_document_processing() {
    let mut redis = PrivateRedis::start();
    let url = redis.url();
    let mut stack = Stack::start(|c| {
        c.redis_url = url.into();
        c.fault_slow_page = Some(Duration::from_millis(600));
    })
    .await;
    stack.start_worker();
    let report = shared::testing::pdf("reports/dev04_zebra_multipage.pdf");
    let mut ids = Vec::new();
    for i in 0..2 {
        let (code, body) = stack
            .upload(&format!("slow{i}.pdf"), variant(&report, i), None)
            .await;
        assert_eq!(code, 202, "{body}");
        ids.push(body["document_id"].as_i64().unwrap());
    }
    stack
        .wait_for_status(
            ids[0],
            DocumentStatus::Processing.as_str(),
            Duration::from_secs(30),
        )
        .await;
    redis.down();
    tokio::time::sleep(Duration::from_secs(2)).await;
    redis.up();
    let restarted = Instant::now();
    for id in &ids {
        let s = stack.wait_done(*id, Duration::from_secs(90)).await;
        assert_eq!(s["status"], DocumentStatus::Completed.as_str(), "{s}");
        assert_pages_once(&stack, *id).await;
    }
    let took = restarted.elapsed();
    let bound = stack.config.stale_after + stack.config.requeue_after + Duration::from_secs(15);
    assert!(took < bound, "took {took:?}, bound {bound:?}");
    println!(
        "checked: Redis restarted empty mid-parse: both documents completed exactly once {:.1} s later",
        took.as_secs_f64()
    );
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_restarted_empty_loses_no_upload() {
    let mut redis = PrivateRedis::start();
    let url = redis.url();
    let mut stack = Stack::start(|c| c.redis_url = url.into()).await;
    stack.start_worker();
    let sample = shared::testing::pdf(SAMPLE);
    let (code, body) = stack.upload("before.pdf", variant(&sample, 0), None).await;
    assert_eq!(code, 202, "{body}");
    let mut ids = vec![body["document_id"].as_i64().unwrap()];

    redis.down();
    for i in 1..4 {
        let t = Instant::now();
        let (code, body) = stack
            .upload(&format!("during{i}.pdf"), variant(&sample, i), None)
            .await;
        assert_eq!(code, 202, "upload during the outage: {body}");
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "upload took {:?}",
            t.elapsed()
        );
        assert!(
            body["message"].as_str().unwrap().contains("queue"),
            "{body}"
        );
        ids.push(body["document_id"].as_i64().unwrap());
    }
    let (code, ready) = stack.get("/ready").await;
    assert_eq!(code, 503);
    assert_eq!(ready["down"], serde_json::json!(["redis"]), "{ready}");
    assert_eq!(stack.get("/health").await.0, 200);
    tokio::time::sleep(Duration::from_secs(3)).await;
    redis.up();
    for id in &ids {
        let s = stack.wait_done(*id, Duration::from_secs(60)).await;
        assert_eq!(s["status"], DocumentStatus::Completed.as_str(), "{s}");
        assert_pages_once(&stack, *id).await;
    }
    println!(
        "checked: Redis stopped: 3 uploads accepted (202, stored, queue unavailable said), /ready names redis, /health 200; \
         Redis back empty: all {} documents completed exactly once",
        ids.len()
    );
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_wedged_in_the_parser_exits_and_another_completes_the_document() {
    let stack = Stack::start(|_| {}).await;
    // Each page sleeps 3 s inside the blocking parse; the job gives up after 1 s and the
    // worker after 1 s more.
    let mut wedged = stack.spawn_worker_process(&[
        ("FAULT_SLOW_PAGE_MS", "3000"),
        ("JOB_TIMEOUT_SECS", "1"),
        ("HANG_GRACE_SECS", "1"),
    ]);
    let (code, body) = stack
        .upload("sample.pdf", shared::testing::pdf(SAMPLE), None)
        .await;
    assert_eq!(code, 202);
    let id = body["document_id"].as_i64().unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(s) = wedged.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the wedged worker did not exit"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        status.code(),
        Some(fundlens_worker::WEDGED_EXIT_CODE),
        "{status:?}"
    );
    let exited_after = started.elapsed();

    let mut rescuer = stack.spawn_worker_process(&[]);
    let s = stack.wait_done(id, Duration::from_secs(40)).await;
    rescuer.kill().unwrap();
    rescuer.wait().unwrap();
    assert_eq!(s["status"], DocumentStatus::Completed.as_str(), "{s}");
    assert_eq!(s["attempts"], 2, "{s}");
    assert_pages_once(&stack, id).await;
    let calls = stack
        .scalar(
            "SELECT count(*) FROM capital_calls WHERE document_id = $1",
            id,
        )
        .await;
    assert_eq!(s["counts"]["capital_calls"].as_i64(), Some(calls), "{s}");
    println!(
        "checked: a worker stuck in the parser exited with status {} {exited_after:?} after the upload; \
         a second worker completed the document on attempt 2 with each page and capital call stored once ({calls} calls)",
        fundlens_worker::WEDGED_EXIT_CODE
    );
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_id_of_an_upload_reaches_the_job_logs() {
    let stack = Stack::start(|_| {}).await;
    let c = &stack.config;
    let mut worker = Command::new(common::worker_binary())
        .env("DATABASE_URL", c.database_url())
        .env("QUEUE_NAME", &c.queue_name)
        .env("WORKER_METRICS_ADDR", "")
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let part = reqwest::multipart::Part::bytes(shared::testing::pdf(SAMPLE))
        .file_name("s.pdf")
        .mime_str("application/pdf")
        .unwrap();
    let res = stack
        .http
        .post(format!("{}/api/documents/upload", stack.base))
        .header("x-request-id", "trace-me-4711")
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "trace-me-4711");
    let id = res.json::<serde_json::Value>().await.unwrap()["document_id"]
        .as_i64()
        .unwrap();
    stack.wait_done(id, Duration::from_secs(30)).await;
    worker.kill().unwrap();
    let out = worker.stdout.take().unwrap();
    let lines: Vec<String> = BufReader::new(out).lines().map_while(Result::ok).collect();
    worker.wait().unwrap();
    let tagged = lines
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| {
            v.to_string().contains("trace-me-4711")
                && v.to_string().contains(&format!("\"document_id\":{id}"))
        })
        .count();
    assert!(
        tagged >= 2,
        "no JSON job log line carried the request id: {lines:?}"
    );
    println!(
        "checked: x-request-id trace-me-4711 echoed by the API and present in {tagged} JSON log lines of the job"
    );
}
