//! Helpers the extraction tests share: extracting a file, comparing text and amounts. Where the
//! test data is and binding pdfium are `shared::testing`'s.
#![allow(dead_code)]
use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;
use shared::domain::Extraction;
use shared::extract::DocumentExtractor;
use shared::pdf;

/// The whole extraction of one PDF (binds pdfium first).
pub fn extract(path: &Path) -> Extraction {
    shared::testing::init_pdfium();
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut ex = DocumentExtractor::new();
    pdf::read_pages(&bytes, shared::testing::ocr().as_ref(), |page, _| {
        ex.add_page(&page)
    })
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
