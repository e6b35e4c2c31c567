//! Handler tests through the real router (`oneshot`) on a fresh database per test and the real Redis.
mod common;

use common::{detail, get, send, state_with};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;
use shared::domain::DocumentStatus;
use sqlx::PgPool;

fn post_json(uri: &str, body: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

const BOUNDARY: &str = "fundlens-test-boundary";

/// A multipart body with the given (name, file name, bytes) parts.
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> Request<Body> {
    let mut body = Vec::new();
    for (name, file_name, bytes) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match file_name {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    Request::post("/api/documents/upload")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap()
}

fn sample() -> Vec<u8> {
    shared::testing::pdf("reference/Sample_Fund_Performance_Report.pdf")
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn funds_are_created_listed_and_named_uniquely(pool: PgPool) {
    let s = state_with(pool, |_| {}).await;
    let (code, fund) = send(&s, post_json("/api/funds", r#"{"name":"Tech Ventures Fund III","gp_name":"Tech Ventures Partners","vintage_year":2023}"#)).await;
    assert_eq!(code, StatusCode::CREATED, "{fund}");
    let id = fund["id"].as_i64().unwrap();
    assert_eq!(fund["name"], "Tech Ventures Fund III");

    let (code, body) = send(
        &s,
        post_json("/api/funds", r#"{"name":"  tech ventures   FUND iii "}"#),
    )
    .await;
    assert_eq!(code, StatusCode::CONFLICT);
    assert!(detail(&body).contains("already exists"));

    let (code, body) = send(&s, get(&format!("/api/funds/{id}"))).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(body["gp_name"], "Tech Ventures Partners");
    let (code, list) = send(&s, get("/api/funds")).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);

    let (code, body) = send(&s, get("/api/funds/999999")).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    assert_eq!(detail(&body), "Fund 999999 does not exist.");
    let (code, body) = send(&s, get("/api/funds/abc")).await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "{body}");
    detail(&body);

    for (bad, expected) in [
        (r#"{"name": "#, StatusCode::BAD_REQUEST),
        (r#"{"gp_name":"x"}"#, StatusCode::UNPROCESSABLE_ENTITY),
        (r#"{"name":""}"#, StatusCode::UNPROCESSABLE_ENTITY),
        (
            r#"{"name":"A","vintage_year":"soon"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (r#"{"name":"'; DROP TABLE funds; --"}"#, StatusCode::CREATED),
    ] {
        let (code, body) = send(&s, post_json("/api/funds", bad)).await;
        assert_eq!(code, expected, "{bad}: {body}");
    }
    let req = Request::post("/api/funds")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("name=x"))
        .unwrap();
    assert_eq!(send(&s, req).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // The injection attempt above was stored as a name, and the table is still there.
    assert_eq!(
        send(&s, get("/api/funds"))
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn upload_stores_the_file_enqueues_a_job_and_detects_duplicates(pool: PgPool) {
    let s = state_with(pool.clone(), |_| {}).await;
    let started = Instant::now();
    let (code, body) = send(
        &s,
        multipart(&[("file", Some("../../etc/passwd.pdf"), &sample())]),
    )
    .await;
    assert_eq!(code, StatusCode::ACCEPTED, "{body}");
    assert!(started.elapsed() < Duration::from_secs(1));
    let id = body["document_id"].as_i64().unwrap();
    assert_eq!(body["status"], DocumentStatus::Queued.as_str());
    assert_eq!(body["duplicate"], false);
    assert_eq!(common::queue_depth(&s).await, 1);

    let (file_name, job_id): (String, Option<String>) =
        sqlx::query_as("SELECT file_name, job_id FROM documents WHERE id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        file_name, "passwd.pdf",
        "the client's path must not survive"
    );
    // Byte for byte, from Postgres or the bucket (FILE_STORE), as the worker will read it.
    let stored = shared::files::FileStore::new(&s.config.files)
        .unwrap()
        .load(&pool, id)
        .await
        .unwrap();
    assert_eq!(stored, Some(sample()));
    assert_eq!(job_id.as_deref(), body["job_id"].as_str());

    let (code, again) = send(&s, multipart(&[("file", Some("again.pdf"), &sample())])).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["document_id"], id);
    assert!(
        again["message"]
            .as_str()
            .unwrap()
            .contains("already uploaded")
    );

    // The same file for a named fund is a different upload.
    let (_, fund) = send(&s, post_json("/api/funds", r#"{"name":"Some Fund"}"#)).await;
    let fid = fund["id"].as_i64().unwrap().to_string();
    let (code, body) = send(
        &s,
        multipart(&[
            ("file", Some("a.pdf"), &sample()),
            ("fund_id", None, fid.as_bytes()),
        ]),
    )
    .await;
    assert_eq!(code, StatusCode::ACCEPTED, "{body}");
    assert_ne!(body["document_id"], id);

    let (code, list) = send(&s, get(&format!("/api/documents?fund_id={fid}"))).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(list["total"], 1);
    let (_, all) = send(&s, get("/api/documents?limit=1&page=2")).await;
    assert_eq!(
        (
            all["total"].as_i64(),
            all["pages"].as_i64(),
            all["page"].as_i64()
        ),
        (Some(2), Some(2), Some(2))
    );
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn bad_uploads_get_a_clear_4xx_and_store_nothing(pool: PgPool) {
    let s = state_with(pool.clone(), |c| c.max_upload_bytes = 1024 * 1024).await;
    let png = b"\x89PNG\r\n\x1a\n0000000000000000".to_vec();
    let big = {
        let mut b = b"%PDF-1.4\n".to_vec();
        b.resize(2 * 1024 * 1024, b'x');
        b
    };
    let cases: Vec<(&str, Request<Body>, StatusCode, &str)> = vec![
        (
            "empty",
            multipart(&[("file", Some("e.pdf"), b"")]),
            StatusCode::BAD_REQUEST,
            "empty",
        ),
        (
            "png",
            multipart(&[("file", Some("p.pdf"), &png)]),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not a PDF",
        ),
        (
            "too large",
            multipart(&[("file", Some("big.pdf"), &big)]),
            StatusCode::PAYLOAD_TOO_LARGE,
            "1 MB",
        ),
        (
            "no file",
            multipart(&[("fund_id", None, b"1")]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "`file`",
        ),
        (
            "unknown field",
            multipart(&[("document", Some("a.pdf"), &sample())]),
            StatusCode::BAD_REQUEST,
            "Unexpected form field",
        ),
        (
            "unknown fund",
            multipart(&[
                ("file", Some("a.pdf"), &sample()),
                ("fund_id", None, b"424242"),
            ]),
            StatusCode::NOT_FOUND,
            "Fund 424242",
        ),
        (
            "bad fund id",
            multipart(&[
                ("file", Some("a.pdf"), &sample()),
                ("fund_id", None, b"1 OR 1=1"),
            ]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "positive integer",
        ),
        (
            "not multipart",
            post_json("/api/documents/upload", "{}"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "multipart/form-data",
        ),
    ];
    for (name, req, code, says) in cases {
        let (got, body) = send(&s, req).await;
        assert_eq!(got, code, "{name}: {body}");
        assert!(detail(&body).contains(says), "{name}: {body}");
    }
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM documents")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 0);
    assert_eq!(common::queue_depth(&s).await, 0);

    for (uri, says) in [
        ("/api/documents?limit=0", "`limit`"),
        ("/api/documents?limit=100000", "`limit`"),
        ("/api/documents?page=-1", "`page`"),
        ("/api/documents?status=lost", "unknown status"),
        ("/api/documents?fund_id=x", "Invalid query"),
        ("/api/documents/1%27%20OR%201=1/status", "Invalid path"),
    ] {
        let (code, body) = send(&s, get(uri)).await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert!(detail(&body).contains(says), "{uri}: {body}");
    }
    let (code, body) = send(&s, get("/api/documents/77/status")).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    assert_eq!(detail(&body), "Document 77 does not exist.");
    let (code, _) = send(
        &s,
        Request::delete("/api/documents/77")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(code, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn a_saturated_pool_answers_503_quickly_and_health_stays_up(pool: PgPool) {
    let url = std::env::var("DATABASE_URL").unwrap();
    let opts = pool.connect_options().as_ref().clone();
    let small = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_millis(300))
        .connect_with(opts)
        .await
        .unwrap();
    let s = state_with(small.clone(), |_| {}).await;
    let _held = small.acquire().await.unwrap();
    let started = Instant::now();
    let (code, body) = send(&s, get("/api/funds")).await;
    assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(detail(&body).contains("retry"));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );

    let (code, body) = send(&s, get("/health")).await;
    assert_eq!((code, body), (StatusCode::OK, json!({"status": "ok"})));
    let (code, ready) = send(&s, get("/ready")).await;
    assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE, "{ready}");
    assert_eq!(ready["down"], json!(["postgres"]));
    assert_eq!(ready["redis"]["ok"], true);
    drop(_held);
    let (code, ready) = send(&s, get("/ready")).await;
    assert_eq!(code, StatusCode::OK, "{ready}");
    assert_eq!(ready["pool"]["size"], 1);
    let _ = url;
}
