//! A wrong ONNXRUNTIME_LIB_PATH is an error that names the file, not a crash. (Its own test binary:
//! the library is bound once per process, so a failed binding must not meet the other tests.)
use shared::embed::{Embedder, Runtime};

#[test]
fn a_missing_library_is_reported_with_its_path() {
    let model_dir = std::env::var_os("EMBEDDING_MODEL_DIR").expect(
        "EMBEDDING_MODEL_DIR is not set: run `eval \"$(scripts/setup.sh)\"` before the tests",
    );
    let runtime = Runtime::Onnx {
        library: "/nonexistent/libonnxruntime.so".into(),
        threads: 1,
        sessions: 1,
        int8: false,
    };
    let err = Embedder::load(model_dir.as_ref(), &runtime).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("ONNX Runtime") && message.contains("/nonexistent/libonnxruntime.so"),
        "{message}"
    );
}
