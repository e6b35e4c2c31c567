//! Three worker processes sharing one Redis and one Postgres, one of them SIGKILLed mid-run:
//! every document completes, only the killed worker's documents are processed a second time,
//! and the stored rows equal those of a single-worker run of the same uploads.
mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::{Stack, variant};
use shared::db::extraction::DOCUMENT_TABLES;
use shared::domain::DocumentStatus;

/// Copies of each sample report: enough documents that the kill lands while work remains.
const COPIES: usize = 3;

/// Columns that differ between two runs of the same document by construction: ids, vectors
/// whose last bits depend on thread scheduling, and `duplicate_of`, which points at whichever
/// copy of a report was stored first (compared per report by [`duplicates_by_report`]).
const UNCOMPARED: [&str; 6] = [
    "id",
    "fund_id",
    "document_id",
    "embedding",
    "created_at",
    "duplicate_of",
];

fn uploads() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for copy in 0..COPIES {
        for sub in ["reports", "reference"] {
            for path in shared::testing::data_files(sub, "pdf") {
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                let bytes = std::fs::read(&path).unwrap();
                out.push((format!("{copy}-{name}"), variant(&bytes, copy)));
            }
        }
    }
    out
}

async fn upload_all(stack: &Stack, files: &[(String, Vec<u8>)]) -> Vec<i64> {
    let mut ids = Vec::new();
    for (name, bytes) in files {
        let (code, body) = stack.upload(name, bytes.clone(), None).await;
        assert_eq!(code, 202, "{name}: {body}");
        ids.push(body["document_id"].as_i64().unwrap());
    }
    ids
}

/// Each document's stored rows, keyed by file name: every column but ids and embeddings (the
/// fund is compared by name, since ids depend on which document created the fund first).
async fn rows_by_file(stack: &Stack) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let docs: Vec<(i64, String, Option<String>, Option<i32>)> = sqlx::query_as(
        "SELECT d.id, d.file_name, f.name, d.page_count FROM documents d
         LEFT JOIN funds f ON f.id = d.fund_id ORDER BY d.id",
    )
    .fetch_all(&stack.db)
    .await
    .unwrap();
    for (id, file, fund, pages) in docs {
        let mut sig = format!("fund={fund:?} pages={pages:?}\n");
        for table in DOCUMENT_TABLES {
            let sql = format!(
                "SELECT coalesce(string_agg(r, E'\\n' ORDER BY r), '') FROM (
                   SELECT (to_jsonb(t) - $2::text[])::text AS r
                   FROM {table} t WHERE document_id = $1) rows"
            );
            let rows: String = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .bind(UNCOMPARED)
                .fetch_one(&stack.db)
                .await
                .unwrap();
            sig.push_str(&format!("[{table}]\n{rows}\n"));
        }
        out.insert(file, sig);
    }
    out
}

/// Per source report (all its copies together), how many transactions were marked as
/// duplicates of another document's, and the number of funds: the same whatever copy came first.
async fn duplicates_by_report(stack: &Stack) -> (BTreeMap<String, i64>, i64) {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT substring(d.file_name FROM '^[0-9]+-(.*)$'), count(t.dup)
         FROM documents d LEFT JOIN (
             SELECT document_id, duplicate_of AS dup FROM capital_calls
             UNION ALL SELECT document_id, duplicate_of FROM distributions) t ON t.document_id = d.id
         GROUP BY 1",
    )
    .fetch_all(&stack.db)
    .await
    .unwrap();
    let funds: i64 = sqlx::query_scalar("SELECT count(*) FROM funds")
        .fetch_one(&stack.db)
        .await
        .unwrap();
    (rows.into_iter().collect(), funds)
}

async fn wait_all(stack: &Stack, ids: &[i64], within: Duration) {
    for &id in ids {
        let s = stack.wait_done(id, within).await;
        assert_eq!(s["status"], DocumentStatus::Completed.as_str(), "{s}");
    }
}

/// Documents the worker process `pid` holds in processing right now.
async fn held_by(stack: &Stack, pid: u32) -> Vec<i64> {
    sqlx::query_scalar(
        "SELECT id FROM documents WHERE status = $1 AND worker_id LIKE $2 ORDER BY id",
    )
    .bind(DocumentStatus::Processing)
    .bind(format!("fundlens-worker-%-{pid}-%"))
    .fetch_all(&stack.db)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_with_one_killed_complete_every_document_once() {
    let files = uploads();
    let started = Instant::now();
    assert!(files.len() >= 12, "only {} sample reports", files.len());

    // The reference: one worker, nothing killed.
    let mut single = Stack::start(|_| {}).await;
    let ids = upload_all(&single, &files).await;
    single.start_worker();
    wait_all(&single, &ids, Duration::from_secs(300)).await;
    let expected = rows_by_file(&single).await;
    let expected_duplicates = duplicates_by_report(&single).await;
    single.stop().await;
    let single_run = started.elapsed();

    let stack = Stack::start(|_| {}).await;
    let ids = upload_all(&stack, &files).await;
    let mut workers: Vec<_> = (0..3).map(|_| stack.spawn_worker_process(&[])).collect();
    let pids: Vec<u32> = workers.iter().map(|w| w.id()).collect();

    // Kill the first worker while it holds a document, once every worker has connected.
    let victim = pids[0];
    let three_started = Instant::now();
    let names = loop {
        assert!(
            three_started.elapsed() < Duration::from_secs(120),
            "worker {victim} never held a document while the others were connected"
        );
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT application_name FROM pg_stat_activity
             WHERE datname = current_database() AND application_name LIKE 'fundlens-worker %'
             ORDER BY 1",
        )
        .fetch_all(&stack.db)
        .await
        .unwrap();
        let held = held_by(&stack, victim).await;
        if !held.is_empty() && names.len() == 3 {
            break names;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    for pid in &pids {
        assert!(
            names.iter().any(|n| n.ends_with(&format!(" {pid}"))),
            "worker {pid} has no connection of its own: {names:?}"
        );
    }
    workers[0].kill().unwrap();
    workers[0].wait().unwrap();
    // What it held at the moment it died (it may have claimed more since the check above); the
    // reaper leaves these alone until their heartbeat is stale_after old.
    let held = held_by(&stack, victim).await;
    assert!(!held.is_empty());
    let done_at_kill: i64 = sqlx::query_scalar("SELECT count(*) FROM documents WHERE status = $1")
        .bind(DocumentStatus::Completed)
        .fetch_one(&stack.db)
        .await
        .unwrap();

    // Its fetched jobs come back after stale_after (1.5 s here), not apalis's default 300 s.
    wait_all(&stack, &ids, Duration::from_secs(60)).await;
    for w in &mut workers[1..] {
        w.kill().unwrap();
        w.wait().unwrap();
    }
    let three_run = three_started.elapsed();

    // Processed once, except what the kill interrupted, which was processed exactly once more.
    let attempts: Vec<(i64, i32)> =
        sqlx::query_as("SELECT id, attempts FROM documents ORDER BY id")
            .fetch_all(&stack.db)
            .await
            .unwrap();
    for (id, n) in &attempts {
        let want = if held.contains(id) { 2 } else { 1 };
        assert_eq!(
            *n, want,
            "document {id}: {n} attempts (held by the killed worker: {held:?})"
        );
    }
    let by_worker: Vec<(String, i64)> = sqlx::query_as(
        "SELECT substring(worker_id FROM '-([0-9]+)-[0-9A-Z]{26}$'), count(*) FROM documents
         GROUP BY 1 ORDER BY 1",
    )
    .fetch_all(&stack.db)
    .await
    .unwrap();
    assert!(
        by_worker.len() >= 2,
        "the surviving workers did not share the work: {by_worker:?}"
    );

    assert_eq!(
        duplicates_by_report(&stack).await,
        expected_duplicates,
        "duplicate marks per report, or the number of funds, differ from the single-worker run"
    );
    let got = rows_by_file(&stack).await;
    assert_eq!(got.len(), expected.len());
    for (file, want) in &expected {
        let have = got.get(file).map(String::as_str).unwrap_or_default();
        let only = |a: &str, b: &str| -> Vec<String> {
            a.lines()
                .filter(|l| !b.lines().any(|m| m == *l))
                .map(|l| l.chars().take(300).collect())
                .collect()
        };
        assert!(
            have == want,
            "{file}: rows differ from the single-worker run\nonly there: {:#?}\nonly here: {:#?}",
            only(want, have),
            only(have, want)
        );
    }
    println!(
        "checked: {} documents over 3 worker processes ({names:?}); worker {victim} SIGKILLed \
         holding {held:?} with {done_at_kill} completed; every document completed, attempts 1 \
         except the {} interrupted (2); completed per worker pid {by_worker:?}; rows of all {} \
         tables equal to a single-worker run (one worker {single_run:.1?}, three {three_run:.1?})",
        ids.len(),
        held.len(),
        DOCUMENT_TABLES.len()
    );
    stack.stop().await;
}
