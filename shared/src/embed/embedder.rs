//! The in-process embedder: a sentence-transformers model folder run by candle or ONNX Runtime.
use std::path::Path;

use tokenizers::{Encoding, Tokenizer};

use super::batch::{self, Padded};
use super::candle::CandleBert;
use super::onnx::{BertShape, OnnxBert};
use super::{EMBEDDING_DIM, EmbedError, Runtime, pooling};

/// Most texts per forward pass: enough to amortise per-call overhead on short texts.
pub const DEFAULT_BATCH_SIZE: usize = 32;

/// sentence-transformers' `max_seq_length` for all-MiniLM-L6-v2, used when the folder lacks
/// `sentence_bert_config.json`. tokenizer.json says 128, which is *not* what the reference uses.
const FALLBACK_MAX_SEQ_LENGTH: usize = 256;

enum Backend {
    Candle(Box<CandleBert>),
    Onnx(OnnxBert),
}

/// A loaded model. Immutable after loading, so one instance behind an `Arc` serves every thread.
pub struct Embedder {
    backend: Backend,
    tokenizer: Tokenizer,
    batch_size: usize,
    max_batch_tokens: usize,
    max_seq_length: usize,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("runtime", &self.runtime_name())
            .field("batch_size", &self.batch_size)
            .field("max_batch_tokens", &self.max_batch_tokens)
            .field("max_seq_length", &self.max_seq_length)
            .finish_non_exhaustive()
    }
}

#[derive(serde::Deserialize)]
struct SentenceBertConfig {
    max_seq_length: usize,
}

fn read(path: &Path) -> Result<Vec<u8>, EmbedError> {
    std::fs::read(path).map_err(|source| EmbedError::Read {
        path: path.to_owned(),
        source,
    })
}

fn parse_json<T: serde::de::DeserializeOwned>(path: &Path, bytes: &[u8]) -> Result<T, EmbedError> {
    serde_json::from_slice(bytes).map_err(|e| EmbedError::invalid(path, e))
}

impl Embedder {
    /// Reads `config.json`, `model.safetensors`, `tokenizer.json` and (if present)
    /// `sentence_bert_config.json` from `dir`. Takes a fraction of a second; do it once per process.
    pub fn load(dir: &Path, runtime: &Runtime) -> Result<Self, EmbedError> {
        let config_path = dir.join("config.json");
        let config = read(&config_path)?;
        let shape: BertShape = parse_json(&config_path, &config)?;
        if shape.hidden_size != EMBEDDING_DIM {
            return Err(EmbedError::WrongDimension(shape.hidden_size));
        }

        let st_config = dir.join("sentence_bert_config.json");
        let max_seq_length = if st_config.exists() {
            parse_json::<SentenceBertConfig>(&st_config, &read(&st_config)?)?.max_seq_length
        } else {
            FALLBACK_MAX_SEQ_LENGTH
        }
        .min(shape.max_position_embeddings);

        let tokenizer = batch::load_tokenizer(&dir.join("tokenizer.json"), max_seq_length)?;

        let weights_path = dir.join("model.safetensors");
        let weights = read(&weights_path)?;
        let backend = match runtime {
            Runtime::Candle => Backend::Candle(Box::new(
                CandleBert::load(&config, weights)
                    .map_err(|e| EmbedError::invalid(&weights_path, e))?,
            )),
            Runtime::Onnx {
                library,
                threads,
                sessions,
                int8,
            } => Backend::Onnx(OnnxBert::load(
                library, *threads, *sessions, *int8, &shape, &weights,
            )?),
        };

        Ok(Self {
            max_batch_tokens: runtime.default_max_batch_tokens(),
            backend,
            tokenizer,
            batch_size: DEFAULT_BATCH_SIZE,
            max_seq_length,
        })
    }

    /// "candle", "onnx" or "onnx int8", for logs and benchmarks.
    pub fn runtime_name(&self) -> &'static str {
        match self.backend {
            Backend::Candle(_) => "candle",
            Backend::Onnx(ref b) if b.int8 => "onnx int8",
            Backend::Onnx(_) => "onnx",
        }
    }

    /// Texts per forward pass (at least 1).
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// Most padded tokens (texts × longest text) per forward pass; a longer text still gets a
    /// pass of its own.
    pub fn with_max_batch_tokens(mut self, max_batch_tokens: usize) -> Self {
        self.max_batch_tokens = max_batch_tokens;
        self
    }

    /// Tokens a text is truncated to, special tokens included.
    pub fn max_seq_length(&self) -> usize {
        self.max_seq_length
    }

    /// Number of tokens the model sees for `text` (after truncation, with `[CLS]`/`[SEP]`).
    pub fn token_count(&self, text: &str) -> Result<usize, EmbedError> {
        let enc = self
            .tokenizer
            .encode_fast(text, true)
            .map_err(|e| EmbedError::Tokenizer(e.to_string()))?;
        Ok(enc.len())
    }

    /// One unit-length vector of [`EMBEDDING_DIM`] floats per text, in input order. CPU-bound and
    /// blocking: async callers should use `spawn_blocking`.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let encodings = self
            .tokenizer
            .encode_batch_fast(texts.to_vec(), true)
            .map_err(|e| EmbedError::Tokenizer(e.to_string()))?;

        let mut out = vec![Vec::new(); texts.len()];
        let lengths: Vec<usize> = encodings.iter().map(Encoding::len).collect();
        for pass in batch::plan(&lengths, self.batch_size, self.max_batch_tokens) {
            let group: Vec<&Encoding> = pass.iter().map(|&i| &encodings[i]).collect();
            for (&i, vector) in pass.iter().zip(self.forward(&group)?) {
                out[i] = vector;
            }
        }
        Ok(out)
    }

    fn forward(&self, encodings: &[&Encoding]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let batch = Padded::new(encodings);
        let hidden = match &self.backend {
            Backend::Candle(model) => model.forward(&batch)?,
            Backend::Onnx(model) => model.forward(&batch)?,
        };
        Ok(pooling::mean_pool_normalized(
            &hidden,
            &batch.mask,
            batch.rows,
            EMBEDDING_DIM,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedder_is_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Embedder>();
    }
}
