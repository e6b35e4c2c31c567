//! Handler tests for metrics, transactions, comparison and exports, on rows inserted directly.
mod common;

use common::{detail, state};
use std::io::Cursor;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use fundlens_api::{AppState, app};
use serde_json::Value;
use shared::domain::DocumentStatus;
use sqlx::PgPool;
use tower::ServiceExt;

async fn raw(s: &AppState, uri: &str) -> (StatusCode, header::HeaderMap, Vec<u8>) {
    let req = Request::get(uri).body(Body::empty()).unwrap();
    let res = app(s.clone()).oneshot(req).await.unwrap();
    let (parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    (parts.status, parts.headers, bytes.to_vec())
}

async fn get(s: &AppState, uri: &str) -> (StatusCode, Value) {
    let (code, _, bytes) = raw(s, uri).await;
    (code, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn close(v: &Value, expected: f64, tol: f64) {
    assert!((num(v) - expected).abs() <= tol, "{v} != {expected}");
}

async fn fund(pool: &PgPool, name: &str) -> i64 {
    sqlx::query_scalar("INSERT INTO funds (name) VALUES ($1) RETURNING id")
        .bind(name)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn document(pool: &PgPool, fund_id: i64, name: &str, status: DocumentStatus) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO documents (fund_id, file_name, sha256, size_bytes, status) VALUES ($1, $2, $2, 1, $3) RETURNING id",
    )
    .bind(fund_id)
    .bind(name)
    .bind(status)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn call(pool: &PgPool, f: i64, d: i64, date: &str, amount: i64, number: &str) {
    sqlx::query(
        "INSERT INTO capital_calls (fund_id, document_id, page, date, amount, call_type, description, call_number, source_text)
         VALUES ($1, $2, 1, $3::date, $4, 'Investment', 'Capital call', $5, 'row')",
    )
    .bind(f)
    .bind(d)
    .bind(date)
    .bind(amount)
    .bind(number)
    .execute(pool)
    .await
    .unwrap();
}

/// One fund with 3 calls (2,000,000), 2 distributions (500,000, 300,000 recallable), one
/// recalled distribution (−50,000), a NAV of 2,100,000 on 2024-06-30 and a stated DPI of 0.30
/// that the data does not support. PIC = 2,050,000.
async fn seed(pool: &PgPool) -> (i64, i64) {
    let f = fund(pool, "Harbor Growth Fund I").await;
    let d = document(pool, f, "harbor-q2.pdf", DocumentStatus::Completed).await;
    call(pool, f, d, "2023-01-15", 1_000_000, "Call 1").await;
    call(pool, f, d, "2023-06-30", 500_000, "Call 2").await;
    call(pool, f, d, "2024-03-31", 500_000, "Call 3").await;
    sqlx::query(
        "INSERT INTO distributions (fund_id, document_id, page, date, amount, distribution_type, is_recallable, description, source_text)
         VALUES ($1, $2, 2, '2023-12-15', 300000, 'Return of Capital', true, 'Partial exit', 'row'),
                ($1, $2, 2, '2024-06-30', 200000, 'Realized Gain', false, 'Sale', 'row')",
    )
    .bind(f)
    .bind(d)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO adjustments (fund_id, document_id, page, date, amount, adjustment_type, description, source_text)
         VALUES ($1, $2, 2, '2024-01-31', -50000, 'Recallable Distribution', 'Recall', 'row')",
    )
    .bind(f)
    .bind(d)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO reported_figures (fund_id, document_id, key, value, as_of, page, source_text)
         VALUES ($1, $2, 'nav', 2100000, '2024-06-30', 3, 'NAV 2,100,000'),
                ($1, $2, 'dpi', 0.30, '2024-06-30', 3, 'DPI 0.30x')",
    )
    .bind(f)
    .bind(d)
    .execute(pool)
    .await
    .unwrap();
    (f, d)
}

/// The IRR the engine computes for the fund, in percent rounded to 2 decimals.
async fn engine_irr(pool: &PgPool, f: i64) -> f64 {
    let input = shared::db::metrics::load_inputs(pool, f).await.unwrap();
    let m = shared::metrics::compute(&input, None);
    let irr = shared::metrics::serde_fmt::round(m.irr.unwrap(), 2);
    irr.to_string().parse().unwrap()
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn metrics_values_as_of_discrepancies_and_errors(pool: PgPool) {
    let s = state(pool.clone()).await;
    let (f, d) = seed(&pool).await;
    let (code, m) = get(&s, &format!("/api/funds/{f}/metrics")).await;
    assert_eq!(code, StatusCode::OK, "{m}");
    for (key, expected) in [
        ("gross_contributions", 2_000_000.0),
        ("total_adjustments", -50_000.0),
        ("pic", 2_050_000.0),
        ("net_pic", 1_750_000.0),
        ("total_distributions", 500_000.0),
        ("recallable_distributions", 300_000.0),
        ("nav", 2_100_000.0),
    ] {
        close(&m[key], expected, 0.01);
    }
    close(&m["dpi"], 0.2439, 1e-9);
    close(&m["tvpi"], 1.2683, 1e-9);
    close(&m["rvpi"], 1.0244, 1e-9);
    close(&m["irr"], engine_irr(&pool, f).await, 1e-9);
    assert_eq!(m["as_of"], "2024-06-30");
    assert!(m["notes"].is_array());
    let disc = m["discrepancies"].as_array().unwrap();
    assert_eq!(disc.len(), 1, "{m}");
    assert_eq!(disc[0]["key"], "dpi");
    close(&disc[0]["reported"], 0.30, 1e-9);
    close(&disc[0]["computed"], 0.2439, 1e-9);
    assert_eq!(disc[0]["document_id"], d);

    // Before the 2024 rows and the NAV: no TVPI/RVPI, and a note says why.
    let (code, m) = get(&s, &format!("/api/funds/{f}/metrics?as_of=2023-12-31")).await;
    assert_eq!(code, StatusCode::OK, "{m}");
    close(&m["pic"], 1_500_000.0, 0.01);
    close(&m["dpi"], 0.2, 1e-9);
    assert!(m["nav"].is_null() && m["tvpi"].is_null() && m["rvpi"].is_null());
    assert!(m["notes"].to_string().contains("excluded"), "{m}");

    for bad in ["2024-13-01", "yesterday", "2024-1-1x", "'%20OR%201=1--"] {
        let (code, body) = get(&s, &format!("/api/funds/{f}/metrics?as_of={bad}")).await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(detail(&body).contains("YYYY-MM-DD"), "{body}");
    }
    let (code, body) = get(&s, "/api/funds/9999/metrics").await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    assert_eq!(detail(&body), "Fund 9999 does not exist.");

    let (code, r) = get(&s, &format!("/api/funds/{f}/reconciliation")).await;
    assert_eq!(code, StatusCode::OK, "{r}");
    assert_eq!(r["consistent"], false);
    assert_eq!(r["checks"].as_array().unwrap().len(), 2);
    assert_eq!(r["discrepancies"][0]["key"], "dpi");
    assert_eq!(
        get(&s, "/api/funds/9999/reconciliation").await.0,
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn breakdown_explains_each_metric_with_its_transactions(pool: PgPool) {
    let s = state(pool.clone()).await;
    let (f, d) = seed(&pool).await;
    let (code, b) = get(&s, &format!("/api/funds/{f}/metrics/breakdown?metric=dpi")).await;
    assert_eq!(code, StatusCode::OK, "{b}");
    close(&b["values"]["dpi"], 0.2439, 1e-9);
    let dpi = &b["metrics"][0];
    assert_eq!(dpi["metric"], "dpi");
    assert!(dpi["formula"].as_str().unwrap().contains("DPI"));
    assert!(dpi["explanation"].as_str().unwrap().len() > 20);
    let inputs: Vec<&str> = dpi["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(inputs, ["total_distributions", "pic"]);
    let first = &dpi["inputs"][0]["transactions"][0];
    assert_eq!(first["date"], "2023-12-15");
    close(&first["amount"], 300_000.0, 0.0);
    assert_eq!(first["flow_type"], "Return of Capital");
    assert_eq!(first["document_id"], d);
    assert_eq!(first["page"], 2);
    assert_eq!(b["discrepancies"][0]["key"], "dpi");

    let (_, b) = get(&s, &format!("/api/funds/{f}/metrics/breakdown?metric=irr")).await;
    let flows = b["metrics"][0]["cash_flows"].as_array().unwrap();
    assert_eq!(
        flows.len(),
        7,
        "3 calls, 2 distributions, 1 adjustment, the NAV"
    );
    close(&flows[0]["amount"], -1_000_000.0, 0.0);
    assert_eq!(flows.last().unwrap()["kind"], "nav");

    let (_, all) = get(
        &s,
        &format!("/api/funds/{f}/metrics/breakdown?metric=all&as_of=2023-12-31"),
    )
    .await;
    assert_eq!(all["metrics"].as_array().unwrap().len(), 5);
    assert_eq!(all["as_of"], "2023-12-31");
    close(&all["values"]["pic"], 1_500_000.0, 0.01);
    assert!(all["values"]["tvpi"].is_null());
    let (_, default) = get(&s, &format!("/api/funds/{f}/metrics/breakdown")).await;
    assert_eq!(default["metrics"].as_array().unwrap().len(), 5);

    let (code, body) = get(&s, &format!("/api/funds/{f}/metrics/breakdown?metric=moic")).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert!(
        detail(&body).contains("pic, dpi, tvpi, rvpi, irr, all"),
        "{body}"
    );
    let (code, _) = get(
        &s,
        &format!("/api/funds/{f}/metrics/breakdown?as_of=31/12/2024"),
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(
        get(&s, "/api/funds/424/metrics/breakdown").await.0,
        StatusCode::NOT_FOUND
    );
    // The first URL of the breakdown answers a permanent redirect that keeps the query.
    let (code, headers, _) = raw(&s, &format!("/api/metrics/funds/{f}/metrics?metric=irr")).await;
    assert_eq!(code, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        headers[header::LOCATION],
        format!("/api/funds/{f}/metrics/breakdown?metric=irr").as_str()
    );
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn transactions_page_filter_sort_and_reject_bad_parameters(pool: PgPool) {
    let s = state(pool.clone()).await;
    let (f, d) = seed(&pool).await;
    let other = fund(&pool, "Other Fund").await;
    let od = document(&pool, other, "other.pdf", DocumentStatus::Completed).await;
    call(&pool, other, od, "2023-02-01", 7, "Call 9").await;

    let (code, all) = get(&s, &format!("/api/funds/{f}/transactions")).await;
    assert_eq!(code, StatusCode::OK, "{all}");
    assert_eq!(
        (
            all["total"].as_i64(),
            all["page"].as_i64(),
            all["pages"].as_i64()
        ),
        (Some(6), Some(1), Some(1))
    );
    let items = all["items"].as_array().unwrap();
    let dates: Vec<&str> = items.iter().map(|i| i["date"].as_str().unwrap()).collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted, "default order is by date");
    let first = &items[0];
    assert_eq!(first["kind"], "capital_call");
    assert_eq!(first["type"], "Investment");
    assert_eq!(first["call_number"], "Call 1");
    assert_eq!(
        (
            first["fund_id"].as_i64(),
            first["document_id"].as_i64(),
            first["page"].as_i64()
        ),
        (Some(f), Some(d), Some(1))
    );
    assert!(first.get("is_recallable").is_none());
    let dist = items.iter().find(|i| i["kind"] == "distribution").unwrap();
    assert_eq!(dist["is_recallable"], true);
    assert!(dist.get("call_number").is_none());
    let adj = items.iter().find(|i| i["kind"] == "adjustment").unwrap();
    close(&adj["amount"], -50_000.0, 0.0);
    assert!(adj.get("call_number").is_none() && adj.get("is_recallable").is_none());

    let (_, calls) = get(
        &s,
        &format!("/api/funds/{f}/transactions?type=capital_calls&sort=-amount&limit=2&page=2"),
    )
    .await;
    assert_eq!(
        (calls["total"].as_i64(), calls["pages"].as_i64()),
        (Some(3), Some(2))
    );
    let page2 = calls["items"].as_array().unwrap();
    assert_eq!(page2.len(), 1);
    close(&page2[0]["amount"], 500_000.0, 0.0);
    assert_eq!(page2[0]["date"], "2024-03-31", "ties on amount go by date");

    let (_, y) = get(
        &s,
        &format!("/api/funds/{f}/transactions?year=2024&sort=-date"),
    )
    .await;
    let dates: Vec<&str> = y["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2024-06-30", "2024-03-31", "2024-01-31"]);
    let (_, dist) = get(
        &s,
        &format!("/api/funds/{f}/transactions?type=distributions&sort=amount"),
    )
    .await;
    assert_eq!(dist["total"], 2);
    close(&dist["items"][0]["amount"], 200_000.0, 0.0);
    let (_, big) = get(&s, &format!("/api/funds/{f}/transactions?limit=1000")).await;
    assert_eq!(big["total"], 6);
    let (_, empty) = get(&s, &format!("/api/funds/{f}/transactions?page=5")).await;
    assert_eq!(
        (
            empty["total"].as_i64(),
            empty["items"].as_array().unwrap().len()
        ),
        (Some(6), 0)
    );

    for (query, says) in [
        ("type=loans", "capital_calls, distributions, adjustments"),
        (
            "type=capital_calls'%20OR%20'1'='1",
            "Unknown transaction type",
        ),
        ("sort=name", "date, -date, amount, -amount"),
        ("sort=date;DROP%20TABLE%20funds", "Unknown sort"),
        ("limit=0", "`limit`"),
        ("limit=1001", "`limit`"),
        ("page=-1", "`page`"),
        ("page=0", "`page`"),
        ("year=abc", "Invalid query"),
        ("year=1", "`year`"),
        ("limit=1%20OR%201=1", "Invalid query"),
    ] {
        let (code, body) = get(&s, &format!("/api/funds/{f}/transactions?{query}")).await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert!(detail(&body).contains(says), "{query}: {body}");
    }
    let (code, body) = get(&s, "/api/funds/777/transactions").await;
    assert_eq!(code, StatusCode::NOT_FOUND, "{body}");
    let still: i64 = sqlx::query_scalar("SELECT count(*) FROM funds")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(still, 2);
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn funds_carry_metrics_and_compare_side_by_side(pool: PgPool) {
    let s = state(pool.clone()).await;
    let (f, _) = seed(&pool).await;
    let empty = fund(&pool, "Empty Fund").await;

    let (code, list) = get(&s, "/api/funds").await;
    assert_eq!(code, StatusCode::OK, "{list}");
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let harbor = list.iter().find(|x| x["id"] == f).unwrap();
    assert_eq!(harbor["name"], "Harbor Growth Fund I");
    assert!(harbor.get("created_at").is_some());
    close(&harbor["metrics"]["pic"], 2_050_000.0, 0.01);
    let e = list.iter().find(|x| x["id"] == empty).unwrap();
    close(&e["metrics"]["pic"], 0.0, 0.0);
    assert!(e["metrics"]["dpi"].is_null());

    // A warm cache answers the list without loading any fund's data again.
    let loads = s.metrics.loads();
    assert_eq!(get(&s, "/api/funds").await.0, StatusCode::OK);
    let (_, one) = get(&s, &format!("/api/funds/{f}")).await;
    assert_eq!(s.metrics.loads(), loads);
    close(&one["metrics"]["tvpi"], 1.2683, 1e-9);
    assert_eq!(one["gp_name"], Value::Null);

    let (code, cmp) = get(
        &s,
        &format!("/api/funds/compare?ids={empty},{f}&as_of=2024-06-30"),
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{cmp}");
    assert_eq!(cmp["funds"][0]["id"], empty);
    assert_eq!(cmp["funds"][1]["name"], "Harbor Growth Fund I");
    close(&cmp["funds"][1]["metrics"]["dpi"], 0.2439, 1e-9);
    assert_eq!(cmp["as_of"], "2024-06-30");

    let (code, body) = get(&s, &format!("/api/funds/compare?ids={f},998,999")).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    assert_eq!(detail(&body), "Funds 998, 999 do not exist.");
    let many: Vec<String> = (1..=21).map(|i| i.to_string()).collect();
    for (query, says) in [
        ("ids=1,x".to_string(), "positive integers"),
        (
            "ids=1;DROP%20TABLE%20funds".to_string(),
            "positive integers",
        ),
        ("ids=-1".to_string(), "positive integers"),
        ("ids=".to_string(), "`ids`"),
        ("".to_string(), "`ids`"),
        (format!("ids={}", many.join(",")), "at most 20"),
        (format!("ids={f}&as_of=soon"), "YYYY-MM-DD"),
    ] {
        let (code, body) = get(&s, &format!("/api/funds/compare?{query}")).await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert!(detail(&body).contains(says), "{query}: {body}");
    }
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn exports_csv_and_a_workbook_with_live_formulas(pool: PgPool) {
    let s = state(pool.clone()).await;
    let (f, d) = seed(&pool).await;
    let (code, headers, body) = raw(&s, &format!("/api/funds/{f}/export/distributions.csv")).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        format!("attachment; filename=\"fund-{f}-distributions.csv\"").as_str()
    );
    let text = String::from_utf8(body).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "id,date,amount,type,description,is_recallable,document_id,document,page"
    );
    assert!(lines[1].split(',').next().unwrap().parse::<i64>().is_ok());
    assert!(
        lines[1].contains(&format!(
            ",2023-12-15,300000,Return of Capital,Partial exit,true,{d},harbor-q2.pdf,2"
        )),
        "{text}"
    );
    assert_eq!(lines.len(), 3);
    let (_, _, calls) = raw(&s, &format!("/api/funds/{f}/export/capital_calls.csv")).await;
    let calls = String::from_utf8(calls).unwrap();
    assert!(calls.lines().next().unwrap().contains("call_number"));
    assert!(calls.contains("Call 3"));
    for (uri, code) in [
        (
            format!("/api/funds/{f}/export/loans.csv"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/api/funds/{f}/export/distributions.pdf"),
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/funds/555/export/adjustments.csv".to_string(),
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/funds/555/export.xlsx".to_string(),
            StatusCode::NOT_FOUND,
        ),
    ] {
        assert_eq!(raw(&s, &uri).await.0, code, "{uri}");
    }

    let (code, headers, body) = raw(&s, &format!("/api/funds/{f}/export.xlsx")).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains(&format!("fund-{f}.xlsx"))
    );
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(body)).unwrap();
    assert_eq!(
        wb.sheet_names(),
        ["Capital Calls", "Distributions", "Adjustments", "Metrics"]
    );
    let calls = wb.worksheet_range("Capital Calls").unwrap();
    assert_eq!(calls.height(), 4);
    match calls.get_value((1, 0)) {
        // 2023-01-15 as an Excel serial date.
        Some(Data::DateTime(dt)) => assert_eq!(dt.as_f64(), 44941.0),
        other => panic!("date cell: {other:?}"),
    }
    assert_eq!(calls.get_value((1, 1)), Some(&Data::Float(1_000_000.0)));
    assert_eq!(
        calls.get_value((0, 5)),
        Some(&Data::String("Document".into()))
    );
    assert_eq!(
        calls.get_value((1, 5)),
        Some(&Data::String("harbor-q2.pdf".into()))
    );
    assert_eq!(calls.get_value((1, 7)), Some(&Data::Float(1.0)));
    let adj = wb.worksheet_range("Adjustments").unwrap();
    assert_eq!(adj.get_value((1, 1)), Some(&Data::Float(-50_000.0)));

    let m = wb.worksheet_range("Metrics").unwrap();
    let value = |row: u32| match m.get_value((row, 1)) {
        Some(Data::Float(v)) => *v,
        other => panic!("Metrics row {row}: {other:?}"),
    };
    assert_eq!(value(4), 2_050_000.0);
    assert_eq!(value(5), 500_000.0);
    assert_eq!(value(8), 2_100_000.0);
    assert!((value(9) - 0.243902439).abs() < 1e-6);
    assert!((value(10) - 1.268292683).abs() < 1e-6);
    let formulas = wb.worksheet_formula("Metrics").unwrap();
    let formula = |row: u32| formulas.get_value((row, 1)).cloned().unwrap_or_default();
    assert_eq!(formula(2), "SUM('Capital Calls'!B2:B4)");
    assert_eq!(formula(4), "B3-B4");
    assert_eq!(formula(9), "B6/B5");
    assert_eq!(formula(10), "(B6+B9)/B5");
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn cached_metrics_follow_completed_and_deleted_documents(pool: PgPool) {
    let s = state(pool.clone()).await;
    let (f, _) = seed(&pool).await;
    let uri = format!("/api/funds/{f}/metrics");
    close(&get(&s, &uri).await.1["pic"], 2_050_000.0, 0.01);

    // A document still processing: its rows are not final and the cache keeps serving.
    let late = document(&pool, f, "q3.pdf", DocumentStatus::Processing).await;
    call(&pool, f, late, "2024-05-01", 250_000, "Call 4").await;
    let loads = s.metrics.loads();
    close(&get(&s, &uri).await.1["pic"], 2_050_000.0, 0.01);
    assert_eq!(s.metrics.loads(), loads, "served from the cache");

    sqlx::query("UPDATE documents SET status = $2, completed_at = now() WHERE id = $1")
        .bind(late)
        .bind(DocumentStatus::Completed)
        .execute(&pool)
        .await
        .unwrap();
    let (_, m) = get(&s, &uri).await;
    close(&m["pic"], 2_300_000.0, 0.01);
    close(&m["gross_contributions"], 2_250_000.0, 0.01);
    let (_, listed) = get(&s, &format!("/api/funds/{f}")).await;
    close(&listed["metrics"]["pic"], 2_300_000.0, 0.01);

    let res = app(s.clone())
        .oneshot(
            Request::delete(format!("/api/documents/{late}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    close(&get(&s, &uri).await.1["pic"], 2_050_000.0, 0.01);
    let version: i64 = sqlx::query_scalar("SELECT data_version FROM funds WHERE id = $1")
        .bind(f)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(version, 3, "seeded completed, completed, deleted");
}

/// Every caller of a fund's metrics goes through the one service and its cache: the console's
/// fund and funds pages, the API's metrics, fund, list and compare routes, the export and chat
/// together load the fund's data once, and each of them loads it again after it changes.
#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn console_api_and_chat_share_one_metrics_load(pool: PgPool) {
    let s = state(pool.clone()).await;
    let (f, _) = seed(&pool).await;
    let page = |uri: String| {
        let s = s.clone();
        async move {
            let (code, _, body) = raw(&s, &uri).await;
            assert_eq!(code, StatusCode::OK, "{uri}");
            String::from_utf8_lossy(&body).into_owned()
        }
    };
    assert_eq!(s.metrics.loads(), 0);
    let html = page(format!("/funds/{f}")).await;
    assert!(html.contains("Harbor Growth Fund I"));
    assert_eq!(
        s.metrics.loads(),
        1,
        "the console's fund page loaded the fund once"
    );
    close(
        &get(&s, &format!("/api/funds/{f}/metrics")).await.1["pic"],
        2_050_000.0,
        0.01,
    );
    get(&s, &format!("/api/funds/{f}")).await;
    get(&s, "/api/funds").await;
    get(&s, &format!("/api/funds/compare?ids={f}")).await;
    page("/funds".into()).await;
    page(format!("/api/funds/{f}/export.xlsx")).await;
    let ask = Request::post("/api/chat/query")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            serde_json::json!({"query": "What is the DPI?", "fund_id": f}).to_string(),
        ))
        .unwrap();
    let (code, answer) = common::send(&s, ask).await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    assert_eq!(
        s.metrics.loads(),
        1,
        "API routes, the funds page, the export and chat were all served from the console's load"
    );

    // New data: whichever caller comes first reloads, and the others share that load.
    sqlx::query("UPDATE funds SET data_version = data_version + 1 WHERE id = $1")
        .bind(f)
        .execute(&pool)
        .await
        .unwrap();
    close(
        &get(&s, &format!("/api/funds/{f}/metrics")).await.1["pic"],
        2_050_000.0,
        0.01,
    );
    page(format!("/funds/{f}")).await;
    assert_eq!(s.metrics.loads(), 2);
}
