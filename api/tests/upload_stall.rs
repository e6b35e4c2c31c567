//! An upload whose body stops arriving is answered `408` with a sentence, once the body read
//! timeout passes, and stores nothing.
mod common;

use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode, header};
use common::{detail, send, state_with};
use futures::StreamExt;
use sqlx::PgPool;

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn a_stalled_upload_gets_408_and_leaves_nothing(pool: PgPool) -> sqlx::Result<()> {
    let state = state_with(pool.clone(), |c| {
        c.ops.body_read_timeout = Duration::from_millis(300);
    })
    .await;
    let head = Bytes::from_static(
        b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.pdf\"\r\n\r\n%PDF-1.7\n",
    );
    // The head of the form, then silence.
    let body =
        futures::stream::iter([Ok::<_, std::io::Error>(head)]).chain(futures::stream::pending());
    let req = Request::post("/api/documents/upload")
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=b")
        .body(Body::from_stream(body))
        .unwrap();

    let started = Instant::now();
    let (status, body) = send(&state, req).await;
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT, "{body}");
    assert!(detail(&body).contains("stalled"), "{body}");
    assert!(started.elapsed() < Duration::from_secs(3));
    let documents: i64 = sqlx::query_scalar("SELECT count(*) FROM documents")
        .fetch_one(&pool)
        .await?;
    assert_eq!(documents, 0);
    Ok(())
}
