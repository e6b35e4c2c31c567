//! Helpers the extraction tests share: where the test data is, binding pdfium, extracting a file.
#![allow(dead_code)]
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;
use shared::domain::Extraction;
use shared::extract::DocumentExtractor;
use shared::pdf;

/// `../shared/data` beside the clone, or FUNDLENS_DATA_DIR (`shared::testing` needs a feature
/// shared's own tests cannot turn on).
pub fn data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("FUNDLENS_DATA_DIR") {
        return PathBuf::from(d);
    }
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = crate_dir.parent().unwrap_or(crate_dir);
    root.join("..").join("shared").join("data")
}

pub fn init_pdfium() {
    let lib = std::env::var_os("PDFIUM_LIB_PATH").unwrap_or_else(|| {
        panic!("PDFIUM_LIB_PATH is not set; run `eval \"$(scripts/setup.sh)\"` first")
    });
    pdf::init(Path::new(&lib)).unwrap_or_else(|e| panic!("cannot bind libpdfium: {e}"));
}

/// The whole extraction of one PDF (binds pdfium first).
pub fn extract(path: &Path) -> Extraction {
    init_pdfium();
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut ex = DocumentExtractor::new();
    pdf::read_pages(&bytes, |page, _| ex.add_page(&page))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ex.finish()
}

/// Whitespace folded to single spaces.
pub fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A JSON number or numeric string as an exact decimal.
pub fn dec(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => Decimal::from_str(&n.to_string())
            .ok()
            .or_else(|| Decimal::from_scientific(&n.to_string()).ok())
            .or_else(|| n.as_f64().and_then(|f| Decimal::try_from(f).ok())),
        Value::String(s) => Decimal::from_str(s).ok(),
        _ => None,
    }
}
