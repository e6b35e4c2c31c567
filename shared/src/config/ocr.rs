//! OCR for pages without a usable text layer: Tesseract 5, run as a child process per page.
use std::path::PathBuf;
use std::time::Duration;

use super::env::{ConfigError, Env};

#[derive(Debug, Clone)]
pub struct OcrConfig {
    /// The `tesseract` executable (Debian's `tesseract-ocr`).
    pub tesseract: PathBuf,
    /// Tesseract's language models, e.g. `eng` or `eng+deu`.
    pub languages: String,
    /// Resolution pages are rendered at for recognition; scans below it are upscaled by pdfium.
    pub dpi: u32,
    /// Threads one page's recognition may use (`OMP_THREAD_LIMIT`).
    pub threads: u32,
    /// One page's recognition; past it the process is killed and the attempt fails.
    pub page_timeout: Duration,
    /// A number Tesseract reads with less confidence than this (0–100) puts a warning on the
    /// row, fact or figure it ends up in.
    pub min_confidence: f32,
    /// Niceness the engine runs at (`nice -n`), so that a worker reading scans leaves the CPU
    /// to the API and the database first; 0 runs it as the worker runs.
    pub nice: u32,
    /// Straighten, invert shaded headers and whiten pale fills before recognition (`prep.rs`);
    /// off only to measure what it buys.
    pub preprocess: bool,
}

impl OcrConfig {
    /// `None` when `OCR_ENABLED=false`: pages without text then fail the document as before.
    pub fn read<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Option<Self>, ConfigError> {
        if !env.parse("OCR_ENABLED", true)? {
            return Ok(None);
        }
        let c = Self {
            tesseract: env.parse("OCR_TESSERACT", PathBuf::from("tesseract"))?,
            languages: env.parse("OCR_LANGUAGES", "eng".to_string())?,
            dpi: env.parse("OCR_DPI", 300)?,
            threads: env.parse("OCR_THREADS", 1)?,
            page_timeout: Duration::from_secs(env.parse("OCR_PAGE_TIMEOUT_SECS", 60)?),
            min_confidence: env.parse("OCR_MIN_CONFIDENCE", 50.0)?,
            preprocess: env.parse("OCR_PREPROCESS", true)?,
            nice: env.parse("OCR_NICE", 10)?,
        };
        if !(72..=600).contains(&c.dpi) || c.threads == 0 || c.nice > 19 {
            return Err(ConfigError(
                "OCR_DPI must be within 72..=600, OCR_THREADS at least 1 and OCR_NICE within 0..=19"
                    .into(),
            ));
        }
        Ok(Some(c))
    }
}
