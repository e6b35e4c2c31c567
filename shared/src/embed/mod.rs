//! Sentence embeddings (all-MiniLM-L6-v2), computed in process and identical to sentence-transformers.
mod local;
mod pool;

pub use local::{DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCH_TOKENS, Embedder};

use std::path::PathBuf;

/// Width of every embedding; `document_chunks.embedding` is `vector(384)`.
pub const EMBEDDING_DIM: usize = 384;

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("embedding model: cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("embedding model: {path} is not valid: {message}")]
    InvalidFile { path: PathBuf, message: String },
    #[error("embedding model: expected {EMBEDDING_DIM} dimensions, the model has {0}")]
    WrongDimension(usize),
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    #[error("embedding model: {0}")]
    Model(#[from] candle_core::Error),
}

/// The seam for other embedding sources (e.g. an OpenAI-compatible `/v1/embeddings` endpoint):
/// callers that hold an `Arc<dyn TextEmbedder>` need not know where vectors come from.
pub trait TextEmbedder: Send + Sync {
    /// One L2-normalised vector of [`EMBEDDING_DIM`] floats per text, in input order. Blocking.
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError>;
}

impl TextEmbedder for Embedder {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        Embedder::embed(self, texts)
    }
}
