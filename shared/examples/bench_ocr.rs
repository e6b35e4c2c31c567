//! OCR accuracy and speed on `scans/` (image-only versions of the dev reports and the reference
//! sample, at 150, 200 or 300 dpi): per scan, ms per page and rows exact (date, amount to the
//! cent, kind) with Tesseract as configured, without the page clean-up, and next to the original
//! text PDF read from its text layer.
//!
//! `cargo run --release -p fundlens-shared --example bench_ocr` (`make bench-ocr`; needs
//! PDFIUM_LIB_PATH and `tesseract`; OCR_* settings as for the worker).
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::Value;
use shared::config::{Env, OcrConfig};
use shared::domain::Extraction;
use shared::extract::DocumentExtractor;

use shared::testing::{FlowRow, cents, truth_rows};

fn our_rows(out: &Extraction) -> Vec<FlowRow> {
    let row = |kind: &str, date: chrono::NaiveDate, amount: &rust_decimal::Decimal| {
        let amount: f64 = amount.to_string().parse().unwrap_or_default();
        (kind.to_string(), date.to_string(), cents(amount))
    };
    let mut rows = Vec::new();
    rows.extend(
        out.capital_calls
            .iter()
            .map(|r| row("capital_call", r.date, &r.amount)),
    );
    rows.extend(
        out.distributions
            .iter()
            .map(|r| row("distribution", r.date, &r.amount)),
    );
    rows.extend(
        out.adjustments
            .iter()
            .map(|r| row("adjustment", r.date, &r.amount)),
    );
    rows
}

/// (rows exact, rows read that the report does not have).
fn score(out: &Extraction, truth: &Value) -> (usize, usize) {
    let mut ours: HashMap<FlowRow, usize> = HashMap::new();
    for r in our_rows(out) {
        *ours.entry(r).or_default() += 1;
    }
    let mut exact = 0;
    for r in truth_rows(truth) {
        if let Some(n) = ours.get_mut(&r).filter(|n| **n > 0) {
            *n -= 1;
            exact += 1;
        }
    }
    (exact, ours.values().sum())
}

/// Extraction, pages and wall ms.
fn run(path: &Path, ocr: Option<&OcrConfig>) -> (Extraction, u32, f64) {
    let bytes = std::fs::read(path).expect("read");
    let started = Instant::now();
    let mut ex = DocumentExtractor::new();
    let pages = shared::pdf::read_pages(&bytes, ocr, |p, _| ex.add_page(&p)).unwrap_or(0);
    let out = ex.finish();
    (out, pages, started.elapsed().as_secs_f64() * 1000.0)
}

/// The text PDF a scan was made from.
fn original(scan: &Path) -> PathBuf {
    let name = scan
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .replace("_scan", "");
    let data = shared::testing::data_dir();
    let report = data.join("reports").join(format!("{name}.pdf"));
    if report.is_file() {
        report
    } else {
        data.join("reference").join(format!("{name}.pdf"))
    }
}

fn main() {
    shared::testing::init_pdfium();
    let config = OcrConfig::read(&Env::process())
        .expect("OCR_* settings")
        .expect("OCR_ENABLED is false");
    let raw = OcrConfig {
        preprocess: false,
        ..config.clone()
    };
    println!(
        "Tesseract at {} dpi, {} thread(s); ms per page (wall) and rows exact\n",
        config.dpi, config.threads
    );
    println!(
        "{:<42} {:>4} {:>5} | {:>9} {:>9} {:>6} | {:>9} {:>9} | {:>9} {:>9}",
        "scan",
        "dpi",
        "pages",
        "ocr ms/p",
        "exact",
        "warns",
        "raw ms/p",
        "raw exact",
        "text ms/p",
        "text exact"
    );
    let mut sums = [0f64; 8];
    for scan in shared::testing::data_files("scans", "pdf") {
        let truth = shared::testing::json(scan.with_extension("json"));
        let want = truth_rows(&truth).len();
        let dpi = truth["layout"]["scan"]["dpi"].as_i64().unwrap_or(0);
        let (out, pages, ms) = run(&scan, Some(&config));
        let (exact, _) = score(&out, &truth);
        let (raw_out, _, raw_ms) = run(&scan, Some(&raw));
        let (raw_exact, _) = score(&raw_out, &truth);
        let (text_out, text_pages, text_ms) = run(&original(&scan), None);
        let (text_exact, _) = score(&text_out, &truth);
        let per = |ms: f64, p: u32| ms / f64::from(p.max(1));
        println!(
            "{:<42} {dpi:>4} {pages:>5} | {:>9.0} {:>5}/{:<3} {:>6} | {:>9.0} {:>5}/{:<3} | {:>9.1} {:>5}/{:<3}",
            scan.file_name().unwrap().to_string_lossy(),
            per(ms, pages),
            exact,
            want,
            out.warnings.len(),
            per(raw_ms, pages),
            raw_exact,
            want,
            per(text_ms, text_pages),
            text_exact,
            want
        );
        for (i, v) in [
            f64::from(pages),
            ms,
            exact as f64,
            want as f64,
            raw_ms,
            raw_exact as f64,
            text_ms,
            text_exact as f64,
        ]
        .into_iter()
        .enumerate()
        {
            sums[i] += v;
        }
    }
    let [
        pages,
        ms,
        exact,
        want,
        raw_ms,
        raw_exact,
        text_ms,
        text_exact,
    ] = sums;
    println!(
        "{:<42} {:>4} {pages:>5} | {:>9.0} {:>5}/{:<3} {:>6} | {:>9.0} {:>5}/{:<3} | {:>9.1} {:>5}/{:<3}",
        "TOTAL",
        "",
        ms / pages,
        exact,
        want,
        "",
        raw_ms / pages,
        raw_exact,
        want,
        text_ms / pages,
        text_exact,
        want
    );
    println!(
        "\nrows exact: OCR {:.1}%, without clean-up {:.1}%, text layer {:.1}%",
        100.0 * exact / want,
        100.0 * raw_exact / want,
        100.0 * text_exact / want
    );
}
