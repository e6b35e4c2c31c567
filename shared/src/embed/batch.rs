//! From texts to model input: the WordPiece tokenizer, batches of similar length, right padding.
use std::path::Path;

use tokenizers::{Encoding, Tokenizer, TruncationParams};

use super::EmbedError;

/// Token ids, token types and attention mask of `rows` texts, each padded to `seq_len`, row-major.
/// int32 because that is what ONNX Runtime's fused attention takes for its mask.
pub(super) struct Padded {
    pub rows: usize,
    pub seq_len: usize,
    pub ids: Vec<i32>,
    pub type_ids: Vec<i32>,
    pub mask: Vec<i32>,
}

impl Padded {
    /// Right-padding with id 0 and mask 0, as the tokenizer's own BatchLongest padding does.
    pub fn new(encodings: &[&Encoding]) -> Self {
        let seq_len = encodings.iter().map(|e| e.len()).max().unwrap_or(0);
        let rows = encodings.len();
        let mut ids = vec![0i32; rows * seq_len];
        let mut type_ids = vec![0i32; rows * seq_len];
        let mut mask = vec![0i32; rows * seq_len];
        for (row, enc) in encodings.iter().enumerate() {
            let start = row * seq_len;
            let copy = |dst: &mut [i32], src: &[u32]| {
                for (d, &s) in dst.iter_mut().zip(src) {
                    *d = s as i32;
                }
            };
            let n = enc.len();
            copy(&mut ids[start..start + n], enc.get_ids());
            copy(&mut type_ids[start..start + n], enc.get_type_ids());
            copy(&mut mask[start..start + n], enc.get_attention_mask());
        }
        Self {
            rows,
            seq_len,
            ids,
            type_ids,
            mask,
        }
    }
}

/// Reads `tokenizer.json`, replacing its fixed padding and truncation (128 in this model's file):
/// padding happens per batch, truncation at sentence-transformers' `max_seq_length`.
pub(super) fn load_tokenizer(path: &Path, max_seq_length: usize) -> Result<Tokenizer, EmbedError> {
    let mut tokenizer = Tokenizer::from_file(path).map_err(|e| EmbedError::invalid(path, e))?;
    tokenizer.with_padding(None);
    tokenizer
        .with_truncation(Some(TruncationParams {
            max_length: max_seq_length,
            ..TruncationParams::default()
        }))
        .map_err(|e| EmbedError::invalid(path, e))?;
    Ok(tokenizer)
}

/// Splits texts into forward passes. Sorting by length first keeps padding (wasted attention and
/// matmul work) small; each pass holds at most `batch_size` texts and `max_tokens` padded tokens,
/// but always at least one text. Returns indices into `encodings`, pass by pass.
pub(super) fn plan(
    encodings: &[Encoding],
    batch_size: usize,
    max_tokens: usize,
) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..encodings.len()).collect();
    order.sort_by_key(|&i| encodings[i].len());
    let mut passes = Vec::new();
    let mut rest = order.as_slice();
    while !rest.is_empty() {
        let mut n = 1;
        while n < rest.len().min(batch_size) && (n + 1) * encodings[rest[n]].len() <= max_tokens {
            n += 1;
        }
        let (pass, tail) = rest.split_at(n);
        passes.push(pass.to_vec());
        rest = tail;
    }
    passes
}
