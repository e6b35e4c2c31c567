//! Hostile input through the real router: path-traversal names, oversized and mistyped bodies,
//! malformed JSON, absurd paging, SQL-injection strings; plus API keys, CORS, rate limiting and
//! the `/metrics` exporter. Every case gets a clear 4xx (or is stored as inert text).
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{get, send, state_with};
use fundlens_api::{AppState, app};
use serde_json::Value;
use sqlx::PgPool;
use tower::ServiceExt;

async fn send_raw(state: &AppState, req: Request<Body>) -> axum::response::Response {
    app(state.clone()).oneshot(req).await.unwrap()
}

fn post(uri: &str, content_type: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, content_type)
        .body(body.into())
        .unwrap()
}

fn upload(file_name: &str, bytes: &[u8], fund_id: Option<&str>) -> Request<Body> {
    let mut body = Vec::new();
    body.extend_from_slice(b"--B\r\n");
    body.extend_from_slice(
        format!("Content-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(b"\r\n");
    if let Some(f) = fund_id {
        body.extend_from_slice(
            format!("--B\r\nContent-Disposition: form-data; name=\"fund_id\"\r\n\r\n{f}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(b"--B--\r\n");
    post(
        "/api/documents/upload",
        "multipart/form-data; boundary=B",
        body,
    )
}

fn sample(n: usize) -> Vec<u8> {
    let mut v = shared::testing::pdf("reference/Sample_Fund_Performance_Report.pdf");
    v.extend_from_slice(format!("\n%security-{n}\n").as_bytes());
    v
}

fn assert_clear_4xx(what: &str, code: StatusCode, body: &Value) {
    assert!(code.is_client_error(), "{what}: {code} {body}");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(detail.len() > 10, "{what}: no clear detail: {body}");
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn path_traversal_names_are_only_displayed_and_never_touch_the_disk(pool: PgPool) {
    let s = state_with(pool.clone(), |_| {}).await;
    let names = [
        ("../../../../tmp/fundlens-escape.pdf", "fundlens-escape.pdf"),
        ("..\\..\\windows\\system32\\evil.pdf", "evil.pdf"),
        ("/etc/cron.d/fundlens-evil.pdf", "fundlens-evil.pdf"),
        ("....//....//hidden.pdf", "hidden.pdf"),
        ("..", "document.pdf"),
        (".bashrc", "bashrc"),
    ];
    for (i, (raw, shown)) in names.iter().enumerate() {
        let (code, body) = send(&s, upload(raw, &sample(i), None)).await;
        assert_eq!(code, StatusCode::ACCEPTED, "{raw}: {body}");
        let stored: String = sqlx::query_scalar("SELECT file_name FROM documents WHERE id = $1")
            .bind(body["document_id"].as_i64().unwrap())
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(&stored, shown, "{raw}");
    }
    for p in ["/tmp/fundlens-escape.pdf", "/etc/cron.d/fundlens-evil.pdf"] {
        assert!(!std::path::Path::new(p).exists(), "{p} was written");
    }
    // Files live in Postgres or under generated bucket keys, never under a client's name.
    let rows: Vec<Option<String>> = sqlx::query_scalar("SELECT object_key FROM document_files")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(rows.len(), names.len());
    for key in rows.into_iter().flatten() {
        assert!(
            key.starts_with("documents/") && !key.contains(".."),
            "{key}"
        );
    }
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn oversized_mistyped_and_malformed_bodies_get_a_clear_4xx(pool: PgPool) {
    let s = state_with(pool.clone(), |c| c.max_upload_bytes = 1024 * 1024).await;
    let huge_json = format!("{{\"name\":\"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let mut big_pdf = b"%PDF-1.4\n".to_vec();
    big_pdf.resize(3 * 1024 * 1024, b'x');
    let cases: Vec<(&str, Request<Body>, StatusCode)> = vec![
        (
            "JSON over 1 MB",
            post("/api/funds", "application/json", huge_json),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "upload over the limit",
            upload("big.pdf", &big_pdf, None),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "text/plain fund",
            post("/api/funds", "text/plain", r#"{"name":"x"}"#),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "JSON upload",
            post("/api/documents/upload", "application/json", "{}"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "no content type",
            Request::post("/api/documents/upload")
                .body(Body::from("%PDF-1.4"))
                .unwrap(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "HTML named .pdf",
            upload("x.pdf", b"<html><script>alert(1)</script>", None),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "malformed JSON",
            post("/api/funds", "application/json", r#"{"name": "x""#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "JSON array",
            post("/api/funds", "application/json", "[1,2]"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "wrong type",
            post("/api/funds", "application/json", r#"{"name": 7}"#),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "unknown field",
            post(
                "/api/funds",
                "application/json",
                r#"{"name":"a","admin":true}"#,
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "truncated multipart",
            post(
                "/api/documents/upload",
                "multipart/form-data; boundary=B",
                "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4",
            ),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (what, req, expected) in cases {
        let (code, body) = send(&s, req).await;
        assert_eq!(code, expected, "{what}: {body}");
        assert_clear_4xx(what, code, &body);
    }
    let (docs, funds): (i64, i64) =
        sqlx::query_as("SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM funds)")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((docs, funds), (0, 0), "a refused request stored something");
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn absurd_paging_and_ids_are_refused(pool: PgPool) {
    let s = state_with(pool, |_| {}).await;
    for uri in [
        "/api/documents?page=-1",
        "/api/documents?page=0",
        "/api/documents?limit=0",
        "/api/documents?limit=-5",
        "/api/documents?limit=100000000",
        "/api/documents?page=99999999999999999999999",
        "/api/documents?page=1e3",
        "/api/documents?page=abc",
        "/api/documents?fund_id=-1%20OR%201=1",
        "/api/documents/-1%20OR%201=1",
        "/api/documents/99999999999999999999999",
        "/api/funds/0x10",
        "/api/funds/1;DROP%20TABLE%20funds",
    ] {
        let (code, body) = send(&s, get(uri)).await;
        assert!(
            code == StatusCode::BAD_REQUEST || code == StatusCode::NOT_FOUND,
            "{uri}: {code} {body}"
        );
        assert_clear_4xx(uri, code, &body);
    }
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn sql_injection_strings_are_inert_in_every_text_parameter(pool: PgPool) {
    let s = state_with(pool.clone(), |_| {}).await;
    let evil = [
        "'; DROP TABLE funds; --",
        "x' OR '1'='1",
        "Robert'); DELETE FROM documents; --",
        "\\'; SELECT pg_sleep(10); --",
    ];
    for (i, e) in evil.iter().enumerate() {
        let body = serde_json::json!({ "name": format!("{e} {i}"), "gp_name": e, "fund_type": e });
        let (code, fund) = send(&s, post("/api/funds", "application/json", body.to_string())).await;
        assert_eq!(code, StatusCode::CREATED, "{fund}");
        assert_eq!(fund["gp_name"], *e, "stored as text");
        let q = urlencode(e);
        let (code, body) = send(&s, get(&format!("/api/documents?status={q}"))).await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{body}");
        assert_clear_4xx("status", code, &body);
        let (code, body) = send(&s, upload(&format!("{e}.pdf"), &sample(i), Some(e))).await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (code, body) = send(&s, upload(&format!("{e}.pdf"), &sample(i), None)).await;
        assert_eq!(code, StatusCode::ACCEPTED, "{body}");
    }
    let (funds, docs): (i64, i64) =
        sqlx::query_as("SELECT (SELECT count(*) FROM funds), (SELECT count(*) FROM documents)")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((funds, docs), (evil.len() as i64, evil.len() as i64));
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn api_keys_guard_api_routes_only(pool: PgPool) {
    let s = state_with(pool, |c| {
        c.ops.api_keys = vec!["k-one".to_string().into(), "k-two".to_string().into()]
    })
    .await;
    let (code, body) = send(&s, get("/api/funds")).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    assert!(
        body["detail"].as_str().unwrap().contains("Bearer"),
        "{body}"
    );
    let wrong = Request::get("/api/funds")
        .header(header::AUTHORIZATION, "Bearer nope")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&s, wrong).await.0, StatusCode::UNAUTHORIZED);
    for key in ["k-one", "k-two"] {
        let ok = Request::get("/api/funds")
            .header(header::AUTHORIZATION, format!("Bearer {key}"))
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&s, ok).await.0, StatusCode::OK);
    }
    for open in ["/health", "/ready", "/metrics"] {
        assert_eq!(
            send_raw(&s, get(open)).await.status(),
            StatusCode::OK,
            "{open}"
        );
    }
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn cors_allows_only_configured_origins(pool: PgPool) {
    let preflight = |origin: &str| {
        Request::options("/api/funds")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .body(Body::empty())
            .unwrap()
    };
    let none = state_with(pool.clone(), |_| {}).await;
    let res = send_raw(&none, preflight("https://evil.example")).await;
    assert!(
        res.headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
    let s = state_with(pool, |c| {
        c.ops.cors_origins = vec!["https://console.example".into()]
    })
    .await;
    let res = send_raw(&s, preflight("https://console.example")).await;
    assert_eq!(
        res.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://console.example"
    );
    let res = send_raw(&s, preflight("https://evil.example")).await;
    assert!(
        res.headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn rate_limit_answers_429_with_retry_after_and_spares_health(pool: PgPool) {
    let s = state_with(pool, |c| {
        c.ops.rate_limit_per_sec = 0.5;
        c.ops.rate_limit_burst = 2;
    })
    .await;
    // One router, so the limiter's buckets persist between requests.
    let router = app(s.clone());
    let mut codes = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let res = router.clone().oneshot(get("/api/funds")).await.unwrap();
        codes.push(res.status());
        last = Some(res);
    }
    assert_eq!(
        codes,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    let res = last.unwrap();
    assert_eq!(res.headers()[header::RETRY_AFTER], "2");
    let body: Value = serde_json::from_slice(
        &axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("Too many requests"),
        "{body}"
    );
    for _ in 0..5 {
        assert_eq!(
            router
                .clone()
                .oneshot(get("/health"))
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );
    }
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn metrics_expose_route_latency_pool_queue_and_documents(pool: PgPool) {
    let plain = state_with(pool.clone(), |_| {}).await;
    assert_eq!(
        send(&plain, get("/api/_ping_db")).await.0,
        StatusCode::NOT_FOUND,
        "the load-test probe is off unless EXPOSE_PING_DB is set"
    );
    let s = state_with(pool, |c| c.ops.expose_ping_db = true).await;
    assert_eq!(
        send(&s, get("/api/funds/12345")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(send(&s, get("/api/_ping_db")).await.0, StatusCode::OK);
    let res = send_raw(&s, get("/metrics")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = String::from_utf8(
        axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    for needle in [
        "http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/funds/{id}\",status=\"404\"",
        "db_pool_max_connections{process=\"api\"}",
        "db_pool_in_use_connections{process=\"api\"}",
        "queue_depth{queue=",
        "documents{status=\"queued\"}",
        "database_up 1",
        "documents_oldest_processing_seconds 0",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
}
