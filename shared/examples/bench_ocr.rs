//! OCR accuracy and speed on `scans/` (image-only versions of the dev reports and the reference
//! sample, at 150, 200 or 300 dpi): per scan, ms per page and rows exact (date, amount to the
//! cent, kind) with Tesseract as configured, Tesseract without the page clean-up, PP-OCRv4, and
//! the original text PDF read from its text layer.
//!
//! `cargo run --release -p fundlens-shared --example bench_ocr` (`make bench-ocr`; needs
//! PDFIUM_LIB_PATH and `tesseract`, and OCR_PPOCR_DIR + ONNXRUNTIME_LIB_PATH for the PP-OCR
//! columns; OCR_* settings as for the worker, whichever OCR_ENGINE says).
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::Value;
use shared::config::{Env, OcrConfig, OcrEngine};
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

/// One column pair's totals over the scans: wall ms and rows exact.
#[derive(Default, Clone, Copy)]
struct Sums {
    ms: f64,
    exact: usize,
}

/// `OCR_ENGINE=ppocr` over the process's settings, when `OCR_PPOCR_DIR` says where its models are.
fn ppocr_config() -> Option<OcrConfig> {
    std::env::var_os("OCR_PPOCR_DIR")?;
    let env = Env::from_lookup(|name: &str| match name {
        "OCR_ENGINE" => Some("ppocr".to_string()),
        _ => std::env::var(name).ok(),
    });
    let config = OcrConfig::read(&env)
        .expect("OCR_* settings for ppocr")
        .expect("OCR_ENABLED is false");
    // Loading the models once (~0.3 s) belongs to the worker's start, not to the first page.
    let started = Instant::now();
    let blank = shared::ocr::PageImage {
        width: 64,
        height: 64,
        dpi: config.dpi,
        pixels: vec![255; 64 * 64],
    };
    shared::ocr::recognize(blank, &config).expect("PP-OCR models load");
    println!(
        "PP-OCRv4 models loaded in {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    Some(config)
}

fn main() {
    shared::testing::init_pdfium();
    let config = OcrConfig::read(&Env::process())
        .expect("OCR_* settings")
        .expect("OCR_ENABLED is false");
    let tesseract = OcrConfig {
        engine: OcrEngine::Tesseract,
        ..config.clone()
    };
    let raw = OcrConfig {
        preprocess: false,
        ..tesseract.clone()
    };
    let ppocr = ppocr_config();
    if ppocr.is_none() {
        println!("OCR_PPOCR_DIR is not set: PP-OCR skipped");
    }
    println!(
        "Tesseract and PP-OCRv4 at {} dpi, {} thread(s); ms per page (wall) and rows exact\n",
        config.dpi, config.threads
    );
    println!(
        "{:<42} {:>4} {:>5} | {:>9} {:>9} {:>6} | {:>9} {:>9} | {:>9} {:>9} {:>6} | {:>9} {:>9}",
        "scan",
        "dpi",
        "pages",
        "tess ms/p",
        "exact",
        "warns",
        "raw ms/p",
        "raw exact",
        "pp ms/p",
        "pp exact",
        "warns",
        "text ms/p",
        "text exact"
    );
    let (mut pages_sum, mut want_sum) = (0u32, 0usize);
    let mut sums = [Sums::default(); 4];
    for scan in shared::testing::data_files("scans", "pdf") {
        let truth = shared::testing::json(scan.with_extension("json"));
        let want = truth_rows(&truth).len();
        let dpi = truth["layout"]["scan"]["dpi"].as_i64().unwrap_or(0);
        let (out, pages, ms) = run(&scan, Some(&tesseract));
        let (raw_out, _, raw_ms) = run(&scan, Some(&raw));
        let (pp_out, _, pp_ms) = match &ppocr {
            Some(c) => run(&scan, Some(c)),
            None => (Extraction::default(), 0, f64::NAN),
        };
        let (text_out, text_pages, text_ms) = run(&original(&scan), None);
        let per = |ms: f64, p: u32| ms / f64::from(p.max(1));
        let results = [
            (ms, score(&out, &truth).0, pages),
            (raw_ms, score(&raw_out, &truth).0, pages),
            (pp_ms, score(&pp_out, &truth).0, pages),
            (text_ms, score(&text_out, &truth).0, text_pages),
        ];
        println!(
            "{:<42} {dpi:>4} {pages:>5} | {:>9.0} {:>5}/{:<3} {:>6} | {:>9.0} {:>5}/{:<3} | {:>9.0} {:>5}/{:<3} {:>6} | {:>9.1} {:>5}/{:<3}",
            scan.file_name().unwrap().to_string_lossy(),
            per(ms, pages),
            results[0].1,
            want,
            out.warnings.len(),
            per(raw_ms, pages),
            results[1].1,
            want,
            per(pp_ms, pages),
            results[2].1,
            want,
            pp_out.warnings.len(),
            per(text_ms, text_pages),
            results[3].1,
            want
        );
        pages_sum += pages;
        want_sum += want;
        for (sum, (ms, exact, _)) in sums.iter_mut().zip(results) {
            sum.ms += ms;
            sum.exact += exact;
        }
    }
    let per = |s: &Sums| s.ms / f64::from(pages_sum.max(1));
    let [tess, raw, pp, text] = sums;
    println!(
        "{:<42} {:>4} {pages_sum:>5} | {:>9.0} {:>5}/{:<3} {:>6} | {:>9.0} {:>5}/{:<3} | {:>9.0} {:>5}/{:<3} {:>6} | {:>9.1} {:>5}/{:<3}",
        "TOTAL",
        "",
        per(&tess),
        tess.exact,
        want_sum,
        "",
        per(&raw),
        raw.exact,
        want_sum,
        per(&pp),
        pp.exact,
        want_sum,
        "",
        per(&text),
        text.exact,
        want_sum
    );
    let pct = |s: &Sums| 100.0 * s.exact as f64 / want_sum.max(1) as f64;
    println!(
        "\nrows exact: Tesseract {:.1}%, Tesseract without clean-up {:.1}%, PP-OCRv4 {:.1}%, text layer {:.1}%",
        pct(&tess),
        pct(&raw),
        pct(&pp),
        pct(&text)
    );
}
