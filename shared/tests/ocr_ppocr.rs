//! The PP-OCR engine end to end on a real scan: the rapidocr-onnxruntime models through ONNX
//! Runtime read a 200-dpi scan into text the extractor turns into rows. Needs OCR_PPOCR_DIR and
//! ONNXRUNTIME_LIB_PATH (scripts/setup.sh prints both; `make test` has them).
use shared::config::{Env, OcrConfig, OcrEngine};
use shared::extract::DocumentExtractor;

fn ppocr() -> OcrConfig {
    let env = Env::from_lookup(|name: &str| match name {
        "OCR_ENGINE" => Some("ppocr".to_string()),
        _ => std::env::var(name).ok(),
    });
    let config = OcrConfig::read(&env)
        .unwrap_or_else(|e| panic!("{e}: run with the environment scripts/setup.sh prints"))
        .expect("OCR_ENABLED is false");
    assert_eq!(config.engine.name(), "ppocr");
    assert!(matches!(config.engine, OcrEngine::PpOcr { .. }));
    config
}

#[test]
fn reads_a_scanned_report_into_rows() {
    shared::testing::init_pdfium();
    let scan = shared::testing::data_dir().join("scans/dev01_grid_iso_scan.pdf");
    let bytes = std::fs::read(&scan).expect("the scan");
    let config = ppocr();
    let mut texts = Vec::new();
    let mut ex = DocumentExtractor::new();
    shared::pdf::read_pages(&bytes, Some(&config), |page, _| {
        let ocr = page
            .ocr
            .as_ref()
            .expect("an image-only page goes through OCR");
        assert!(ocr.words.iter().all(|w| (0.0..=100.0).contains(&w.conf)));
        texts.push(page.text.clone());
        ex.add_page(&page);
    })
    .expect("the scan reads");
    let first = &texts[0];
    for printed in [
        "Fund Name: Beacon Credit Fund V",
        "2022-01-31 Call 1 $10,107,000 Initial Capital Call",
    ] {
        assert!(first.contains(printed), "{printed:?} not in:\n{first}");
    }
    let out = ex.finish();
    let calls: Vec<(String, String)> = out
        .capital_calls
        .iter()
        .map(|c| (c.date.to_string(), c.amount.to_string()))
        .collect();
    assert!(
        calls.contains(&("2022-03-27".into(), "7449500".into())),
        "{calls:?}"
    );
}
