//! OCR for pages without a usable text layer: Tesseract 5 as a child process per page (default),
//! or PP-OCRv4 in process through ONNX Runtime.
use std::path::PathBuf;
use std::time::Duration;

use super::env::{ConfigError, Env};

#[derive(Debug, Clone)]
pub struct OcrConfig {
    /// Which engine reads the pages (`OCR_ENGINE`).
    pub engine: OcrEngine,
    /// The `tesseract` executable (Debian's `tesseract-ocr`).
    pub tesseract: PathBuf,
    /// Tesseract's language models, e.g. `eng` or `eng+deu`.
    pub languages: String,
    /// Resolution pages are rendered at for recognition; scans below it are upscaled by pdfium.
    pub dpi: u32,
    /// Threads one page's recognition may use (`OMP_THREAD_LIMIT`, or ONNX Runtime's intra-op
    /// threads for PP-OCR).
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

/// `OCR_ENGINE`.
#[derive(Debug, Clone, PartialEq)]
pub enum OcrEngine {
    /// Tesseract 5 (`tesseract`, `OCR_LANGUAGES`).
    Tesseract,
    /// PP-OCRv4 detection and recognition models (the `rapidocr-onnxruntime` wheel's).
    PpOcr {
        /// `OCR_PPOCR_DIR`: the folder with the `*det*.onnx` and `*rec*.onnx` models.
        models: PathBuf,
        /// `ONNXRUNTIME_LIB_PATH`: the shared library `ort` loads at run time.
        library: PathBuf,
    },
}

impl OcrEngine {
    /// For logs and benchmarks: "tesseract" or "ppocr".
    pub fn name(&self) -> &'static str {
        match self {
            Self::Tesseract => "tesseract",
            Self::PpOcr { .. } => "ppocr",
        }
    }

    fn read<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Self, ConfigError> {
        let name = env.parse("OCR_ENGINE", "tesseract".to_string())?;
        match name.to_ascii_lowercase().as_str() {
            "tesseract" => Ok(Self::Tesseract),
            "ppocr" => {
                let need = |var: &str| {
                    env.get(var).map(PathBuf::from).ok_or_else(|| {
                        ConfigError(format!(
                            "OCR_ENGINE=ppocr needs {var} (scripts/setup.sh sets it)"
                        ))
                    })
                };
                Ok(Self::PpOcr {
                    models: need("OCR_PPOCR_DIR")?,
                    library: need("ONNXRUNTIME_LIB_PATH")?,
                })
            }
            _ => Err(ConfigError(format!(
                "OCR_ENGINE={name:?} is not one of tesseract, ppocr"
            ))),
        }
    }
}

impl OcrConfig {
    /// `None` when `OCR_ENABLED=false`: pages without text then fail the document as before.
    pub fn read<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Option<Self>, ConfigError> {
        if !env.parse("OCR_ENABLED", true)? {
            return Ok(None);
        }
        let c = Self {
            engine: OcrEngine::read(env)?,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<Option<OcrConfig>, ConfigError> {
        let map: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        OcrConfig::read(&Env::from_lookup(|name: &str| map.get(name).cloned()))
    }

    const DIR: (&str, &str) = ("OCR_PPOCR_DIR", "/cache/rapidocr/models");
    const LIB: (&str, &str) = ("ONNXRUNTIME_LIB_PATH", "/lib/libonnxruntime.so");

    #[test]
    fn tesseract_is_the_default_and_needs_no_models() {
        let c = read(&[]).unwrap().unwrap();
        assert_eq!(c.engine, OcrEngine::Tesseract);
        let c = read(&[("OCR_ENGINE", " Tesseract "), DIR])
            .unwrap()
            .unwrap();
        assert_eq!(c.engine.name(), "tesseract");
        assert!(
            read(&[("OCR_ENABLED", "false"), ("OCR_ENGINE", "ppocr")])
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn ppocr_takes_its_models_and_the_runtime() {
        let c = read(&[("OCR_ENGINE", "PPOCR"), DIR, LIB, ("OCR_THREADS", "2")])
            .unwrap()
            .unwrap();
        assert_eq!(
            c.engine,
            OcrEngine::PpOcr {
                models: "/cache/rapidocr/models".into(),
                library: "/lib/libonnxruntime.so".into(),
            }
        );
        assert_eq!((c.engine.name(), c.threads), ("ppocr", 2));
    }

    #[test]
    fn ppocr_says_what_it_misses() {
        let err = |pairs: &[(&str, &str)]| read(pairs).unwrap_err().to_string();
        assert!(err(&[("OCR_ENGINE", "ppocr"), LIB]).contains("needs OCR_PPOCR_DIR"));
        assert!(
            err(&[("OCR_ENGINE", "ppocr"), DIR, ("OCR_PPOCR_DIR", " ")]).contains("OCR_PPOCR_DIR")
        );
        assert!(err(&[("OCR_ENGINE", "ppocr"), DIR]).contains("needs ONNXRUNTIME_LIB_PATH"));
        assert!(err(&[("OCR_ENGINE", "easyocr")]).contains("not one of tesseract, ppocr"));
    }
}
