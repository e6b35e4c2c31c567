//! Console pages through the real router (`oneshot`): each renders with its key elements, escapes
//! hostile names, shows empty states, and leaves the JSON API as it was.
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::state;
use fundlens_api::{AppState, app};
use shared::domain::DocumentStatus;
use sqlx::PgPool;
use tower::ServiceExt;

const HOSTILE: &str = r#"<script>alert("x")</script> & Sons' Fund"#;
/// How the templates write it: markup characters as numeric references.
const HOSTILE_ESCAPED: &str =
    "&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; Sons&#39; Fund";

struct Page {
    status: StatusCode,
    content_type: String,
    csp: Option<String>,
    body: String,
}

async fn get(state: &AppState, uri: &str) -> Page {
    let res = app(state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let header = |h| {
        res.headers()
            .get(h)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    };
    let content_type = header(header::CONTENT_TYPE).unwrap_or_default();
    let csp = header(header::CONTENT_SECURITY_POLICY);
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    Page {
        status,
        content_type,
        csp,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

/// A fund named to break out of HTML, with calls, a refund, a distribution, a NAV and a stated
/// DPI that disagrees with the rows. Returns (fund id, document id).
async fn seed(pool: &PgPool) -> (i64, i64) {
    let fund: i64 = sqlx::query_scalar(
        "INSERT INTO funds (name, gp_name, vintage_year) VALUES ($1, $2, 2021) RETURNING id",
    )
    .bind(HOSTILE)
    .bind("<b>GP</b>")
    .fetch_one(pool)
    .await
    .unwrap();
    let doc: i64 = sqlx::query_scalar(
        "INSERT INTO documents (fund_id, file_name, sha256, size_bytes, status, page_count, warnings)
         VALUES ($1, $2, 'abc', 2048, $3, 2,
                 '[{\"page\": 1, \"message\": \"<img src=x onerror=alert(1)> looked odd\", \"text\": null}]')
         RETURNING id",
    )
    .bind(fund)
    .bind("<evil>.pdf")
    .bind(DocumentStatus::Completed)
    .fetch_one(pool)
    .await
    .unwrap();
    for (date, amount) in [("2021-03-15", 5_000_000), ("2022-06-30", 3_000_000)] {
        sqlx::query(
            "INSERT INTO capital_calls (fund_id, document_id, page, date, amount, call_type, description, source_text)
             VALUES ($1, $2, 1, $3::date, $4, 'Investment', '<i>call</i>', 'row')",
        )
        .bind(fund)
        .bind(doc)
        .bind(date)
        .bind(amount)
        .execute(pool)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO adjustments (fund_id, document_id, page, date, amount, adjustment_type, source_text)
         VALUES ($1, $2, 1, '2022-01-10', 100000, 'Refund', 'row')",
    )
    .bind(fund)
    .bind(doc)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO distributions (fund_id, document_id, page, date, amount, distribution_type, is_recallable, source_text)
         VALUES ($1, $2, 2, '2023-09-30', 2000000, 'Return of capital', true, 'row')",
    )
    .bind(fund)
    .bind(doc)
    .execute(pool)
    .await
    .unwrap();
    for (key, value) in [("nav", "7000000"), ("dpi", "0.40")] {
        sqlx::query(
            "INSERT INTO reported_figures (fund_id, document_id, key, value, as_of, page, source_text)
             VALUES ($1, $2, $3, $4::numeric, '2023-12-31', 2, 'stated')",
        )
        .bind(fund)
        .bind(doc)
        .bind(key)
        .bind(value)
        .execute(pool)
        .await
        .unwrap();
    }
    (fund, doc)
}

fn assert_escaped(page: &Page) {
    assert!(
        !page.body.contains("<script>alert"),
        "unescaped fund name in {}",
        page.body
    );
    assert!(!page.body.contains("<evil>") && !page.body.contains("<img src=x"));
    assert!(!page.body.contains("<b>GP</b>"));
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn every_page_renders_with_its_key_elements_and_escapes_names(pool: PgPool) {
    let (fund, doc) = seed(&pool).await;
    let s = state(pool).await;

    for uri in ["/", "/upload"] {
        let p = get(&s, uri).await;
        assert_eq!(p.status, StatusCode::OK, "{uri}");
        assert!(p.content_type.starts_with("text/html"));
        assert!(p.csp.as_deref().unwrap().contains("script-src 'self'"));
        assert!(p.body.contains(r#"<input id="file-input""#));
        assert!(p.body.contains(r#"<label for="fund-select">"#));
        assert!(p.body.contains("Detect from the document"));
        assert!(
            p.body.contains(HOSTILE_ESCAPED),
            "fund options escape the name"
        );
        assert!(p.body.contains(r#"aria-current="page">Upload"#));
        assert_escaped(&p);
    }

    let p = get(&s, "/documents").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains(&format!(r#"<tr id="doc-{doc}""#)));
    assert!(p.body.contains("&#60;evil&#62;.pdf"));
    assert!(p.body.contains("2 capital calls"));
    assert!(p.body.contains("1 warning"));
    assert!(p.body.contains(r#"<dialog id="confirm-delete""#));
    assert_escaped(&p);

    let p = get(&s, "/funds").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains(&format!(r#"href="/funds/{fund}""#)));
    assert!(p.body.contains("7,900,000"), "PIC = calls − refund");
    assert!(p.body.contains("0.25x"), "DPI 2,000,000 / 7,900,000");
    assert!(
        p.body.contains("1.14x"),
        "TVPI (2,000,000 + 7,000,000) / 7,900,000"
    );
    assert!(
        !p.body.contains("compare-heading"),
        "no comparison until asked"
    );
    assert_escaped(&p);

    let p = get(&s, &format!("/funds/{fund}")).await;
    assert_eq!(p.status, StatusCode::OK);
    for needle in [
        r#"id="card-dpi""#,
        r#"id="card-irr""#,
        "DPI = Σ distributions / PIC",
        r#"<svg id="j-curve""#,
        r#"<svg id="per-year""#,
        "series-net",
        "Reported vs computed",
        "card-discrepancy",
        "Report states 0.4x",
        &format!("/api/funds/{fund}/export.xlsx"),
        &format!("/api/funds/{fund}/export/distributions.csv"),
        "4 transactions",
        "recallable",
        &format!("/chat?fund_id={fund}"),
    ] {
        assert!(p.body.contains(needle), "fund page lacks {needle}");
    }
    assert!(p.body.contains("&#60;i&#62;call&#60;/i&#62;"));
    assert_escaped(&p);

    let p = get(&s, &format!("/chat?fund_id={fund}")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains(r#"<textarea id="chat-query""#));
    assert!(
        p.body
            .contains(&format!(r#"<option value="{fund}" selected>"#))
    );
    assert!(p.body.contains(r#"<ul id="conversation-list""#));
    assert!(p.body.contains(r#"<script src="/static/chat.js">"#));
    assert_escaped(&p);
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn filters_paging_and_comparison(pool: PgPool) {
    let (fund, _) = seed(&pool).await;
    let other: i64 =
        sqlx::query_scalar("INSERT INTO funds (name) VALUES ('Quiet Fund II') RETURNING id")
            .fetch_one(&pool)
            .await
            .unwrap();
    let s = state(pool).await;

    let p = get(&s, &format!("/funds/{fund}?type=distributions")).await;
    assert!(p.body.contains("1 transaction."), "{}", p.body);
    assert!(
        p.body
            .contains(r#"<option value="distributions" selected>"#)
    );
    let p = get(&s, &format!("/funds/{fund}?year=2022")).await;
    assert!(p.body.contains("2 transactions."));
    assert!(p.body.contains(r#"<option value="2022" selected>"#));
    let p = get(&s, &format!("/funds/{fund}?year=1999&type=bogus&page=x")).await;
    assert_eq!(p.status, StatusCode::OK, "bad filters are ignored");
    assert!(p.body.contains("4 transactions."));

    let p = get(&s, &format!("/funds/{other}")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.body
            .contains("No transactions have been extracted for this fund yet")
    );
    assert!(
        p.body.contains(r#"<svg id="j-curve""#),
        "an empty chart still says why"
    );

    let p = get(&s, &format!("/funds?ids={fund}&ids={other}")).await;
    assert!(p.body.contains("compare-heading"));
    assert!(
        p.body
            .contains(&format!(r#"value="{fund}" id="cmp-{fund}" checked"#))
    );
    let p = get(&s, &format!("/funds?ids={fund}")).await;
    assert!(p.body.contains("Select at least two funds"));

    let p = get(&s, "/documents?status=failed").await;
    assert!(p.body.contains("No documents match these filters"));
    let p = get(&s, &format!("/documents?fund_id={fund}&status=completed")).await;
    assert!(p.body.contains("1 document."));
    let p = get(&s, "/documents?fund_id=&status=nonsense").await;
    assert_eq!(p.status, StatusCode::OK);
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn empty_states_and_not_found_pages(pool: PgPool) {
    let s = state(pool).await;
    assert!(
        get(&s, "/documents")
            .await
            .body
            .contains("No documents yet")
    );
    assert!(get(&s, "/funds").await.body.contains("No funds yet"));
    assert!(get(&s, "/").await.body.contains("No files yet"));

    for uri in ["/funds/999", "/funds/abc", "/funds/-1"] {
        let p = get(&s, uri).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(p.content_type.starts_with("text/html"));
        assert!(p.body.contains("Not found"));
    }
    let p = get(&s, "/funds/%3Cscript%3E").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(!p.body.contains("<script>"), "{}", p.body);
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn assets_are_served_and_the_api_is_untouched(pool: PgPool) {
    let s = state(pool).await;
    for (name, mime) in [
        ("console.css", "text/css"),
        ("upload.js", "text/javascript"),
        ("chat.js", "text/javascript"),
        ("favicon.svg", "image/svg+xml"),
    ] {
        let p = get(&s, &format!("/static/{name}")).await;
        assert_eq!(p.status, StatusCode::OK, "{name}");
        assert!(
            p.content_type.starts_with(mime),
            "{name}: {}",
            p.content_type
        );
    }
    assert_eq!(
        get(&s, "/static/nope.js").await.status,
        StatusCode::NOT_FOUND
    );
    let p = get(&s, "/health").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.content_type.starts_with("application/json"));
    let p = get(&s, "/api/funds").await;
    assert_eq!(p.body, "[]");
    let p = get(&s, "/api/nothing").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(p.body.contains("detail"));
}
