//! End to end: every generated report and the reference sample go through upload, a real worker
//! and the metrics endpoint, and must match the ground truth's `expected` figures.
mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::Stack;
use serde_json::Value;
use shared::domain::DocumentStatus;

fn reports() -> Vec<PathBuf> {
    let mut pdfs = shared::testing::data_files("reports", "pdf");
    pdfs.push(shared::testing::data_dir().join("reference/Sample_Fund_Performance_Report.pdf"));
    pdfs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_report_yields_its_expected_metrics() {
    let mut stack = Stack::start(|_| {}).await;
    stack.start_worker();
    let mut failures = Vec::new();
    for pdf in reports() {
        let name = pdf.file_name().unwrap().to_string_lossy().to_string();
        let truth: Value = shared::testing::json(pdf.with_extension("json"));
        let (code, up) = stack.upload(&name, shared::testing::read(&pdf), None).await;
        assert_eq!(code, 202, "{name}: {up}");
        let id = up["document_id"].as_i64().unwrap();
        let status = stack.wait_done(id, Duration::from_secs(60)).await;
        assert_eq!(
            status["status"],
            DocumentStatus::Completed.as_str(),
            "{name}: {status}"
        );
        let Some(fund_id) = status["fund_id"].as_i64() else {
            failures.push(format!("{name}: no fund detected ({status})"));
            continue;
        };
        let as_of = truth["fund"]["report_date"].as_str().unwrap();
        let (code, m) = stack
            .get(&format!("/api/funds/{fund_id}/metrics?as_of={as_of}"))
            .await;
        assert_eq!(code, 200, "{name}: {m}");
        for (key, expected) in truth["expected"].as_object().unwrap() {
            let (field, tol) = common::metric_target(key);
            let got = &m[field];
            let ok = match (expected.as_f64(), got.as_f64()) {
                (None, None) => expected.is_null() && got.is_null(),
                (Some(e), Some(g)) => (e - g).abs() <= tol + 1e-9,
                _ => false,
            };
            if !ok {
                failures.push(format!("{name}: {field} = {got}, expected {expected}"));
            }
        }
    }
    stack.stop().await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
