//! Sentence embeddings (all-MiniLM-L6-v2), computed in process and identical to sentence-transformers.
mod batch;
mod candle;
mod embedder;
mod onnx;
mod pooling;
mod remote;

pub use embedder::{DEFAULT_BATCH_SIZE, Embedder};
pub use remote::RemoteEmbedder;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use crate::config::EmbeddingConfig;
pub use crate::config::Runtime;

/// Width of every embedding; `document_chunks.embedding` is `vector(384)`.
pub const EMBEDDING_DIM: usize = 384;

impl Runtime {
    /// Most padded tokens per forward pass, measured with `bench_embed BENCH_SWEEP=1` (2 cores):
    /// past ~1,000 tokens neither runtime gets faster per text, and passes of mixed lengths waste
    /// more on padding (ingestion chunks, ONNX: 6.7 ms/text at 1,024, 8.8 at 8,192; candle: 18.6
    /// at 512, 31.4 at 8,192). Short questions still share passes (32 × ~15 tokens).
    pub fn default_max_batch_tokens(&self) -> usize {
        match self {
            Runtime::Candle => 512,
            Runtime::Onnx { .. } => 1024,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("embedding model: cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("embedding model: {path} is not valid: {message}")]
    InvalidFile { path: PathBuf, message: String },
    #[error(
        "embedding model: expected {EMBEDDING_DIM} dimensions (document_chunks.embedding), the model gives {0}"
    )]
    WrongDimension(usize),
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    #[error("embedding model: {0}")]
    Model(#[from] candle_core::Error),
    #[error("ONNX Runtime: {0}")]
    Onnx(String),
    /// The endpoint answered, but not usefully (4xx, malformed body): retrying will not help.
    #[error("embedding endpoint: {0}")]
    Remote(String),
    /// Unreachable, timed out, overloaded (429) or failing (5xx): worth retrying later.
    #[error("embedding endpoint unavailable: {0}")]
    RemoteUnavailable(String),
}

impl EmbedError {
    /// A model-folder file that exists but cannot be used.
    pub(crate) fn invalid(path: &std::path::Path, e: impl std::fmt::Display) -> Self {
        Self::InvalidFile {
            path: path.to_owned(),
            message: e.to_string(),
        }
    }
}

/// Whatever computes the vectors (local model, remote endpoint): callers hold an
/// `Arc<dyn TextEmbedder>` and need not know where vectors come from.
pub trait TextEmbedder: Send + Sync {
    /// One L2-normalised vector of [`EMBEDDING_DIM`] floats per text, in input order. Blocking.
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError>;
}

impl TextEmbedder for Embedder {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        Embedder::embed(self, texts)
    }
}

/// Builds the configured embedder. Loading a local model takes a fraction of a second and ~100 MB:
/// prefer [`shared`], which does it once per process.
pub fn load(config: &EmbeddingConfig) -> Result<Arc<dyn TextEmbedder>, EmbedError> {
    Ok(match config {
        EmbeddingConfig::Local { model_dir, runtime } => {
            Arc::new(Embedder::load(model_dir, runtime)?)
        }
        EmbeddingConfig::Remote(remote) => {
            let embedder = RemoteEmbedder::new(remote.clone());
            embedder.check()?;
            Arc::new(embedder)
        }
    })
}

/// The process's one embedder for `config`, loaded on first use (tests build many app states in
/// one process). A failure is remembered too, so a broken model folder is reported once.
pub fn shared(config: &EmbeddingConfig) -> Result<Arc<dyn TextEmbedder>, String> {
    type Loaded = Result<Arc<dyn TextEmbedder>, String>;
    static LOADED: OnceLock<Mutex<HashMap<String, Loaded>>> = OnceLock::new();
    let key = format!("{config:?}");
    let mut map = LOADED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    map.entry(key)
        .or_insert_with(|| load(config).map_err(|e| e.to_string()))
        .clone()
}
