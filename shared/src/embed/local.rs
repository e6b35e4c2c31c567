//! The candle BERT encoder and its WordPiece tokenizer, read from a sentence-transformers model folder.
use std::path::Path;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{Encoding, Tokenizer, TruncationParams};

use super::{EMBEDDING_DIM, EmbedError, pool};

/// Most texts per forward pass: enough to amortise per-call overhead on short texts.
pub const DEFAULT_BATCH_SIZE: usize = 32;

/// Most padded tokens per forward pass. Measured with candle 0.11 (one thread, AVX-512 gemm) on
/// ~130-token chunks: ~34 ms CPU per text in passes of one, ~29–40 ms at 512 tokens, ~42 ms at
/// 1024, ~43 ms at 2048. Large intermediate tensors are mapped and faulted in afresh by glibc's
/// allocator on every pass (raising its mmap/trim thresholds removes most of the difference).
/// 512 still lets 32 short questions (~15 tokens) share one pass, where batching pays 3×.
pub const DEFAULT_MAX_BATCH_TOKENS: usize = 512;

/// sentence-transformers' `max_seq_length` for all-MiniLM-L6-v2, used when the folder lacks
/// `sentence_bert_config.json`. tokenizer.json says 128, which is *not* what the reference uses.
const FALLBACK_MAX_SEQ_LENGTH: usize = 256;

/// A loaded model. Immutable after loading, so one instance behind an `Arc` serves every thread.
pub struct Embedder {
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
    batch_size: usize,
    max_batch_tokens: usize,
    max_seq_length: usize,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
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

fn parse_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, EmbedError> {
    serde_json::from_slice(&read(path)?).map_err(|e| invalid(path, e))
}

fn invalid(path: &Path, e: impl std::fmt::Display) -> EmbedError {
    EmbedError::InvalidFile {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

impl Embedder {
    /// Reads `config.json`, `model.safetensors`, `tokenizer.json` and (if present)
    /// `sentence_bert_config.json` from `dir`. Takes a fraction of a second; do it once per process.
    pub fn load(dir: &Path) -> Result<Self, EmbedError> {
        let config_path = dir.join("config.json");
        let config: Config = parse_json(&config_path)?;
        if config.hidden_size != EMBEDDING_DIM {
            return Err(EmbedError::WrongDimension(config.hidden_size));
        }

        let st_config = dir.join("sentence_bert_config.json");
        let max_seq_length = if st_config.exists() {
            parse_json::<SentenceBertConfig>(&st_config)?.max_seq_length
        } else {
            FALLBACK_MAX_SEQ_LENGTH
        }
        .min(config.max_position_embeddings);

        let tokenizer = load_tokenizer(&dir.join("tokenizer.json"), max_seq_length)?;

        let device = Device::Cpu;
        let weights_path = dir.join("model.safetensors");
        // Buffered rather than memory-mapped: mmap needs `unsafe`, and 90 MB is read in ~50 ms.
        let vb = VarBuilder::from_buffered_safetensors(read(&weights_path)?, DType::F32, &device)
            .map_err(|e| invalid(&weights_path, e))?;
        let model = BertModel::load(vb, &config).map_err(|e| invalid(&weights_path, e))?;

        Ok(Self {
            model,
            tokenizer,
            device,
            batch_size: DEFAULT_BATCH_SIZE,
            max_batch_tokens: DEFAULT_MAX_BATCH_TOKENS,
            max_seq_length,
        })
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

        // Batching texts of similar length keeps padding (wasted attention and matmul work) small.
        let mut order: Vec<usize> = (0..encodings.len()).collect();
        order.sort_by_key(|&i| encodings[i].len());

        let mut out = vec![Vec::new(); texts.len()];
        let mut rest = order.as_slice();
        while !rest.is_empty() {
            let n = self.batch_len(rest, &encodings);
            let (batch, tail) = rest.split_at(n);
            rest = tail;
            let group: Vec<&Encoding> = batch.iter().map(|&i| &encodings[i]).collect();
            for (&i, vector) in batch.iter().zip(self.forward(&group)?) {
                out[i] = vector;
            }
        }
        Ok(out)
    }

    /// How many of the next texts (sorted by length, ascending) go into one pass: at least one,
    /// at most `batch_size`, and within `max_batch_tokens` once padded to the longest.
    fn batch_len(&self, sorted: &[usize], encodings: &[Encoding]) -> usize {
        let mut n = 1;
        while n < sorted.len().min(self.batch_size)
            && (n + 1) * encodings[sorted[n]].len() <= self.max_batch_tokens
        {
            n += 1;
        }
        n
    }

    fn forward(&self, encodings: &[&Encoding]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let seq_len = encodings.iter().map(|e| e.len()).max().unwrap_or(0);
        let batch = encodings.len();
        // Right-padding with id 0 and mask 0, as the tokenizer's own BatchLongest padding does.
        let mut ids = vec![0u32; batch * seq_len];
        let mut type_ids = vec![0u32; batch * seq_len];
        let mut mask = vec![0u32; batch * seq_len];
        for (row, enc) in encodings.iter().enumerate() {
            let start = row * seq_len;
            let n = enc.len();
            ids[start..start + n].copy_from_slice(enc.get_ids());
            type_ids[start..start + n].copy_from_slice(enc.get_type_ids());
            mask[start..start + n].copy_from_slice(enc.get_attention_mask());
        }
        let shape = (batch, seq_len);
        let ids = Tensor::from_vec(ids, shape, &self.device)?;
        let type_ids = Tensor::from_vec(type_ids, shape, &self.device)?;
        let mask = Tensor::from_vec(mask, shape, &self.device)?;

        let hidden = self.model.forward(&ids, &type_ids, Some(&mask))?;
        Ok(pool::mean_pool_normalized(&hidden, &mask)?.to_vec2::<f32>()?)
    }
}

fn load_tokenizer(path: &Path, max_seq_length: usize) -> Result<Tokenizer, EmbedError> {
    let mut tokenizer = Tokenizer::from_file(path).map_err(|e| invalid(path, e))?;
    // tokenizer.json ships with fixed padding to 128 and truncation at 128; replace both:
    // padding happens per batch in `forward`, truncation at sentence-transformers' length.
    tokenizer.with_padding(None);
    tokenizer
        .with_truncation(Some(TruncationParams {
            max_length: max_seq_length,
            ..TruncationParams::default()
        }))
        .map_err(|e| invalid(path, e))?;
    Ok(tokenizer)
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
