//! The process's one binding to ONNX Runtime, shared by the embedder and the PP-OCR engine.
use std::path::Path;
use std::sync::OnceLock;

use ort::environment::Environment;

/// The library can be bound once per process; every session after the first shares the binding
/// (a second `ONNXRUNTIME_LIB_PATH` would be ignored, so both users read the same variable).
static ENVIRONMENT: OnceLock<Result<Environment, String>> = OnceLock::new();

/// The environment, loading `library` on first use; the error is a sentence naming the file.
pub(crate) fn environment(library: &Path) -> Result<&'static Environment, String> {
    ENVIRONMENT
        .get_or_init(|| {
            let builder = ort::init_from(library)
                .map_err(|e| format!("cannot load ONNX Runtime from {}: {e}", library.display()))?;
            builder
                .with_name("fundlens")
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(Clone::clone)
}
