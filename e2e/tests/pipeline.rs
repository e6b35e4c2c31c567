//! End to end on real Postgres and Redis: upload → queue → worker → status, bad files, crashes.
mod common;

use std::time::Duration;

use common::{Stack, variant};
use shared::config::FileStoreKind;
use shared::db::files::StoredFile;
use shared::domain::DocumentStatus;

const SAMPLE: &str = "reference/Sample_Fund_Performance_Report.pdf";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sample_report_is_parsed_by_a_worker() {
    let mut stack = Stack::start(|_| {}).await;
    stack.start_worker();
    let started = std::time::Instant::now();
    let (code, body) = stack
        .upload(
            "Sample_Fund_Performance_Report.pdf",
            shared::testing::pdf(SAMPLE),
            None,
        )
        .await;
    assert_eq!(code, 202, "{body}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "upload took {:?}",
        started.elapsed()
    );
    assert_eq!(body["status"], DocumentStatus::Queued.as_str());
    assert!(body["job_id"].is_string());
    let id = body["document_id"].as_i64().unwrap();
    assert_eq!(body["status_url"], format!("/api/documents/{id}/status"));

    let status = stack.wait_done(id, Duration::from_secs(30)).await;
    assert_eq!(
        status["status"],
        DocumentStatus::Completed.as_str(),
        "{status}"
    );
    assert_eq!(status["attempts"], 1);
    assert_eq!(status["page_count"], 2);
    assert_eq!(status["progress"]["pages_done"], 2);
    assert!(status["completed_at"].is_string());

    let pages = stack
        .scalar(
            "SELECT count(*) FROM document_pages WHERE document_id = $1",
            id,
        )
        .await;
    assert_eq!(pages, 2);
    let text: String = sqlx::query_scalar(
        "SELECT text FROM document_pages WHERE document_id = $1 AND page_number = 1",
    )
    .bind(id)
    .fetch_one(&stack.db)
    .await
    .unwrap();
    assert!(
        text.contains("Tech Ventures Fund III"),
        "page 1 text: {text}"
    );
    assert!(text.contains("Capital Calls"), "page 1 text: {text}");
    let chunks = stack
        .scalar(
            "SELECT count(*) FROM document_chunks WHERE document_id = $1 AND embedding IS NOT NULL",
            id,
        )
        .await;
    assert!(chunks >= 2, "expected embedded chunks, found {chunks}");
    assert_eq!(status["counts"]["chunks"], chunks);
    // Where the attempt spent its time: every stage's wall clock, the CPU of the stages that
    // run on the worker's own thread, and the queue wait from the row's timestamps.
    let t = &status["timings"];
    for stage in ["load", "parse", "extract", "chunk", "embed", "store"] {
        let wall = t[stage]["wall_ms"].as_f64().unwrap_or(-1.0);
        assert!(wall >= 0.0, "{stage}: {t}");
    }
    for stage in ["parse", "extract"] {
        let (wall, cpu) = (t[stage]["wall_ms"].as_f64(), t[stage]["cpu_ms"].as_f64());
        assert!(
            wall.unwrap() > 0.0 && cpu.is_some_and(|c| c > 0.0),
            "{stage}: {t}"
        );
    }
    assert!(t["embed"]["wall_ms"].as_f64().unwrap() > 0.0, "{t}");
    assert!(t["queue_wait_ms"].as_f64().is_some_and(|q| q >= 0.0), "{t}");

    // The same content again is recognised, not stored twice.
    let (code, again) = stack
        .upload("copy.pdf", shared::testing::pdf(SAMPLE), None)
        .await;
    assert_eq!(code, 200, "{again}");
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["document_id"], id);

    // Processing a completed document again (e.g. after a model change) replaces, never adds.
    let calls = stack
        .scalar(
            "SELECT count(*) FROM capital_calls WHERE document_id = $1",
            id,
        )
        .await;
    let retry = format!("/api/documents/{id}/retry");
    let (code, body) = stack.post(&retry).await;
    assert_eq!(code, 202, "{body}");
    // Meanwhile it is queued or processing, and a second request is refused with a sentence.
    let (code, body) = stack.post(&retry).await;
    if code != 202 {
        assert_eq!(code, 409, "{body}");
        assert!(
            body["detail"].as_str().unwrap().contains("already"),
            "{body}"
        );
    }
    let again = stack.wait_done(id, Duration::from_secs(30)).await;
    assert_eq!(
        again["status"],
        DocumentStatus::Completed.as_str(),
        "{again}"
    );
    assert_eq!(again["attempts"], 1);
    for (sql, before) in [
        (
            "SELECT count(*) FROM document_pages WHERE document_id = $1",
            2,
        ),
        (
            "SELECT count(*) FROM document_chunks WHERE document_id = $1 AND embedding IS NOT NULL",
            chunks,
        ),
        (
            "SELECT count(*) FROM capital_calls WHERE document_id = $1",
            calls,
        ),
    ] {
        assert_eq!(stack.scalar(sql, id).await, before, "{sql}");
    }
    assert!(calls > 0);

    // The file is where FILE_STORE says (`make test` runs this suite with both).
    let stored = shared::db::files::load(&stack.db, id).await.unwrap();
    let object = match (stack.config.files.store, stored) {
        (FileStoreKind::Postgres, Some(StoredFile::Bytes(b))) => {
            assert_eq!(b, shared::testing::pdf(SAMPLE));
            None
        }
        (FileStoreKind::S3, Some(StoredFile::Object(key))) => Some(key),
        (store, other) => panic!("FILE_STORE={store:?} but the file row is {other:?}"),
    };

    // Deleting removes the file and everything extracted.
    let res = stack
        .http
        .delete(format!("{}/api/documents/{id}", stack.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    for table in ["document_files", "document_pages"] {
        let sql: &'static str = if table == "document_files" {
            "SELECT count(*) FROM document_files WHERE document_id = $1"
        } else {
            "SELECT count(*) FROM document_pages WHERE document_id = $1"
        };
        assert_eq!(stack.scalar(sql, id).await, 0, "{table} left behind");
    }
    if let Some(key) = object {
        let files = shared::files::FileStore::new(&stack.config.files).unwrap();
        let gone = files.bucket().unwrap().get(&key).await;
        assert!(
            matches!(gone, Err(shared::files::FileError::Missing { .. })),
            "object {key} outlived its document"
        );
    }
    assert_eq!(stack.get(&format!("/api/documents/{id}")).await.0, 404);
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_files_fail_with_a_reason_and_the_worker_goes_on() {
    let mut stack = Stack::start(|_| {}).await;
    stack.start_worker();
    let dir = shared::testing::data_dir().join("bad");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert!(
        names.len() >= 6,
        "expected the bad/ samples, found {names:?}"
    );
    let mut queued = Vec::new();
    for name in &names {
        let (code, body) = stack
            .upload(name, std::fs::read(dir.join(name)).unwrap(), None)
            .await;
        match code {
            202 => queued.push((name.clone(), body["document_id"].as_i64().unwrap())),
            400..=499 => {
                let detail = body["detail"].as_str().unwrap_or_default();
                assert!(
                    detail.len() > 15,
                    "{name}: 4xx without a clear detail: {body}"
                );
            }
            other => panic!("{name}: unexpected status {other}: {body}"),
        }
    }
    for (name, id) in &queued {
        let status = stack.wait_done(*id, Duration::from_secs(60)).await;
        if name == "image_only_scan.pdf" {
            // No text layer: read by OCR (tests/scans.rs checks what it reads).
            assert_eq!(
                status["status"],
                DocumentStatus::Completed.as_str(),
                "{name}: {status}"
            );
            assert_eq!(status["ocr_pages"], serde_json::json!([1]), "{status}");
            continue;
        }
        assert_eq!(
            status["status"],
            DocumentStatus::Failed.as_str(),
            "{name}: {status}"
        );
        assert_eq!(status["attempts"], 1, "{name} was retried: {status}");
        let error = status["error"].as_str().unwrap();
        let expected = match name.as_str() {
            "encrypted.pdf" => "encrypted",
            "truncated.pdf" | "garbage_after_header.pdf" => "damaged",
            _ => "",
        };
        assert!(
            error.contains(expected),
            "{name}: error {error:?} does not say {expected:?}"
        );
    }
    // The worker is still healthy and takes the next good file.
    let (code, body) = stack
        .upload("good.pdf", shared::testing::pdf(SAMPLE), None)
        .await;
    assert_eq!(code, 202);
    let status = stack
        .wait_done(
            body["document_id"].as_i64().unwrap(),
            Duration::from_secs(30),
        )
        .await;
    assert_eq!(
        status["status"],
        DocumentStatus::Completed.as_str(),
        "{status}"
    );
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_job_is_replaced_and_the_document_completes_once() {
    let stack = Stack::start(|_| {}).await;
    // Slow pages keep the first worker inside the job long enough to kill it there.
    let mut victim = stack.spawn_worker_process(&[("FAULT_SLOW_PAGE_MS", "4000")]);
    let (code, body) = stack
        .upload("sample.pdf", shared::testing::pdf(SAMPLE), None)
        .await;
    assert_eq!(code, 202);
    let id = body["document_id"].as_i64().unwrap();
    stack
        .wait_for_status(
            id,
            DocumentStatus::Processing.as_str(),
            Duration::from_secs(20),
        )
        .await;
    victim.kill().unwrap();
    victim.wait().unwrap();

    let mut rescuer = stack.spawn_worker_process(&[]);
    let status = stack.wait_done(id, Duration::from_secs(40)).await;
    rescuer.kill().unwrap();
    rescuer.wait().unwrap();
    assert_eq!(
        status["status"],
        DocumentStatus::Completed.as_str(),
        "{status}"
    );
    assert_eq!(status["attempts"], 2, "{status}");
    assert_eq!(
        stack
            .scalar(
                "SELECT count(*) FROM document_pages WHERE document_id = $1",
                id
            )
            .await,
        2
    );
    assert_eq!(
        stack.scalar("SELECT count(*) FROM (SELECT DISTINCT page_number FROM document_pages WHERE document_id = $1) p", id).await,
        2
    );
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_that_always_crashes_its_worker_fails_after_max_attempts() {
    let stack = Stack::start(|c| c.max_attempts = 2).await;
    let (code, body) = stack
        .upload("sample.pdf", shared::testing::pdf(SAMPLE), None)
        .await;
    assert_eq!(code, 202);
    let id = body["document_id"].as_i64().unwrap();
    for attempt in 1..=2 {
        let mut w =
            stack.spawn_worker_process(&[("FAULT_SLOW_PAGE_MS", "4000"), ("MAX_ATTEMPTS", "2")]);
        // The second worker first has to reap the document the first one left behind.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let s = stack
                .wait_for_status(
                    id,
                    DocumentStatus::Processing.as_str(),
                    Duration::from_secs(20),
                )
                .await;
            if s["attempts"] == attempt {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "attempt {attempt} never started: {s}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        w.kill().unwrap();
        w.wait().unwrap();
    }
    let mut reaper_only = stack.spawn_worker_process(&[("MAX_ATTEMPTS", "2")]);
    let status = stack.wait_done(id, Duration::from_secs(30)).await;
    reaper_only.kill().unwrap();
    reaper_only.wait().unwrap();
    assert_eq!(
        status["status"],
        DocumentStatus::Failed.as_str(),
        "{status}"
    );
    assert!(
        status["error"].as_str().unwrap().contains("giving up"),
        "{status}"
    );
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_uploads_with_an_api_pool_of_two() {
    let mut stack = Stack::start(|c| {
        c.api_db_pool_size = 2;
        c.worker_concurrency = 2;
        c.worker_db_pool_size = 4;
    })
    .await;
    stack.start_worker();
    let db_name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&stack.db)
        .await
        .unwrap();
    let sample = shared::testing::pdf(SAMPLE);

    let watcher_db = stack.db.clone();
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    let name = db_name.clone();
    let watcher = tokio::spawn(async move {
        let mut max = 0i64;
        while !*stop_rx.borrow() {
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'fundlens-api'",
            )
            .bind(&name)
            .fetch_one(&watcher_db)
            .await
            .unwrap();
            max = max.max(n);
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(5)) => {}
                _ = stop_rx.changed() => {}
            }
        }
        max
    });

    let started = std::time::Instant::now();
    let mut ids = Vec::new();
    for i in 0..200 {
        let (code, body) = stack
            .upload(&format!("r{i}.pdf"), variant(&sample, i), None)
            .await;
        assert_eq!(code, 202, "upload {i}: {body}");
        ids.push(body["document_id"].as_i64().unwrap());
    }
    let upload_time = started.elapsed();
    for id in &ids {
        let s = stack.wait_done(*id, Duration::from_secs(120)).await;
        assert_eq!(s["status"], DocumentStatus::Completed.as_str(), "{s}");
    }
    let _ = stop_tx.send(true);
    let max_conns = watcher.await.unwrap();
    println!("200 uploads in {upload_time:?}; max API connections seen: {max_conns}");
    assert!(
        max_conns <= 2,
        "the API used {max_conns} connections with a pool of 2"
    );
    assert!(max_conns >= 1, "the watcher saw no API connection at all");
    stack.stop().await;
}
