//! Files in an S3-compatible bucket (the SeaweedFS that scripts/setup.sh starts): upload writes
//! the object before the job, the worker reads it, delete removes it, a missing object fails the
//! document once with a sentence, a bucket that is down answers 503 and stores nothing, and
//! `files-move` takes every file to the bucket and back while the documents stay readable.
mod common;

use std::time::Duration;

use common::{Stack, variant};
use shared::config::{Config, FileStoreKind};
use shared::db::files::{self, StoredFile};
use shared::domain::DocumentStatus;
use shared::files::{Bucket, FileError, FileStore, moving};

fn s3(c: &mut Config) {
    assert!(
        c.files.s3.is_some(),
        "S3_BUCKET is not set: run through `make test` (scripts/setup.sh starts SeaweedFS)"
    );
    c.files.store = FileStoreKind::S3;
}

fn sample() -> Vec<u8> {
    shared::testing::pdf("reference/Sample_Fund_Performance_Report.pdf")
}

fn bucket(stack: &Stack) -> Bucket {
    FileStore::new(&stack.config.files)
        .unwrap()
        .bucket()
        .expect("bucket configured")
        .clone()
}

async fn object_key(stack: &Stack, id: i64) -> String {
    match files::load(&stack.db, id).await.unwrap() {
        Some(StoredFile::Object(key)) => key,
        other => panic!("document {id}: expected an object key, found {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_live_in_the_bucket_and_leave_with_their_document() {
    let mut stack = Stack::start(s3).await;
    let bytes = sample();
    let (code, body) = stack.upload("sample.pdf", bytes.clone(), None).await;
    assert_eq!(code, 202, "{body}");
    let id = body["document_id"].as_i64().unwrap();
    // No worker yet: the object exists as soon as the upload is answered, and Postgres has no bytes.
    let key = object_key(&stack, id).await;
    assert_eq!(bucket(&stack).get(&key).await.unwrap(), bytes);
    let in_row: i64 = stack
        .scalar(
            "SELECT count(*) FROM document_files WHERE document_id = $1 AND content IS NOT NULL",
            id,
        )
        .await;
    assert_eq!(in_row, 0);
    // The same bytes again are a duplicate and write no second object.
    let (code, again) = stack.upload("again.pdf", bytes.clone(), None).await;
    assert_eq!(
        (code, again["duplicate"].as_bool()),
        (200, Some(true)),
        "{again}"
    );

    stack.start_worker();
    let done = stack.wait_done(id, Duration::from_secs(60)).await;
    assert_eq!(done["status"], DocumentStatus::Completed.as_str(), "{done}");
    let flows = stack
        .scalar(
            "SELECT count(*) FROM capital_calls WHERE document_id = $1",
            id,
        )
        .await;
    assert!(flows > 0, "nothing extracted from the bucket's copy");

    let (code, _) = stack.send_delete(&format!("/api/documents/{id}")).await;
    assert_eq!(code, 204);
    assert!(
        matches!(
            bucket(&stack).get(&key).await,
            Err(FileError::Missing { .. })
        ),
        "the object outlived its document"
    );
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_object_fails_the_document_once_with_a_sentence() {
    let mut stack = Stack::start(s3).await;
    let id = stack.upload_sample().await["document_id"].as_i64().unwrap();
    let key = object_key(&stack, id).await;
    bucket(&stack).remove(&key).await.unwrap();
    stack.start_worker();
    let done = stack.wait_done(id, Duration::from_secs(60)).await;
    assert_eq!(done["status"], DocumentStatus::Failed.as_str(), "{done}");
    let error = done["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("missing from object storage") && error.contains(&key),
        "{error}"
    );
    assert!(error.contains("Upload it again"), "{error}");
    let (_, doc) = stack.get(&format!("/api/documents/{id}")).await;
    assert_eq!(
        doc["attempts"], 1,
        "a missing object must not be retried: {doc}"
    );
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bucket_that_is_down_answers_503_and_stores_nothing() {
    let stack = Stack::start(|c| {
        s3(c);
        let s3 = c.files.s3.as_mut().unwrap();
        // Nothing listens on the discard port.
        s3.endpoint = Some("http://127.0.0.1:9".into());
        s3.timeout = Duration::from_secs(2);
    })
    .await;
    let started = std::time::Instant::now();
    let (code, body) = stack.upload("sample.pdf", sample(), None).await;
    assert_eq!(code, 503, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("File storage is unavailable"),
        "{body}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM documents")
        .fetch_one(&stack.db)
        .await
        .unwrap();
    assert_eq!(rows, 0, "a document without its file was stored");
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_move_to_the_bucket_and_back_and_stay_readable() {
    let mut stack = Stack::start(|c| c.files.store = FileStoreKind::Postgres).await;
    stack.start_worker();
    let originals: Vec<Vec<u8>> = (0..3).map(|n| variant(&sample(), n)).collect();
    let mut ids = Vec::new();
    for (n, bytes) in originals.iter().enumerate() {
        let (code, body) = stack
            .upload(&format!("r{n}.pdf"), bytes.clone(), None)
            .await;
        assert_eq!(code, 202, "{body}");
        ids.push(body["document_id"].as_i64().unwrap());
    }
    for &id in &ids {
        stack.wait_done(id, Duration::from_secs(60)).await;
    }
    let store = FileStore::new(&stack.config.files).unwrap();

    let report = moving::move_all(&store, &stack.db, FileStoreKind::S3)
        .await
        .unwrap();
    assert_eq!((report.moved, report.skipped), (3, 0), "{report:?}");
    assert_eq!(files::counts(&stack.db).await.unwrap(), (0, 3));
    let mut keys = Vec::new();
    for (id, bytes) in ids.iter().zip(&originals) {
        keys.push(object_key(&stack, *id).await);
        assert_eq!(
            store.load(&stack.db, *id).await.unwrap().as_ref(),
            Some(bytes)
        );
    }
    // Moving again finds nothing to move.
    let again = moving::move_all(&store, &stack.db, FileStoreKind::S3)
        .await
        .unwrap();
    assert_eq!(again.moved, 0);

    // The worker reprocesses a document from the bucket.
    let (code, body) = stack
        .post(&format!("/api/documents/{}/retry", ids[0]))
        .await;
    assert_eq!(code, 202, "{body}");
    let done = stack.wait_done(ids[0], Duration::from_secs(60)).await;
    assert_eq!(done["status"], DocumentStatus::Completed.as_str(), "{done}");

    let back = moving::move_all(&store, &stack.db, FileStoreKind::Postgres)
        .await
        .unwrap();
    assert_eq!((back.moved, back.missing.len()), (3, 0), "{back:?}");
    assert_eq!(files::counts(&stack.db).await.unwrap(), (3, 0));
    let bucket = bucket(&stack);
    for ((id, bytes), key) in ids.iter().zip(&originals).zip(&keys) {
        assert_eq!(
            store.load(&stack.db, *id).await.unwrap().as_ref(),
            Some(bytes)
        );
        assert!(
            matches!(bucket.get(key).await, Err(FileError::Missing { .. })),
            "{key} was left in the bucket after moving back"
        );
    }
    stack.stop().await;
}
