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

/// What one more forward pass costs beyond its tokens, in padded tokens: ONNX Runtime's per-run
/// set-up and the smaller matrix products of a short pass. Of 4, 16 and 48, tried by embedding
/// the sample reports one report per call as the worker does, 16 cost the least CPU.
const PASS_OVERHEAD_TOKENS: usize = 16;

/// Splits texts into forward passes. Each pass pads its texts to its longest, so the texts are
/// sorted by length and cut into runs that minimise padded tokens plus
/// [`PASS_OVERHEAD_TOKENS`] per pass: one 20-token and one 128-token chunk are cheaper as two
/// passes (148 + 32) than as one (256 + 16). Each pass holds at most `batch_size` texts and
/// `max_tokens` padded tokens, but always at least one text. Takes each text's token count and
/// returns indices into them, pass by pass.
pub(super) fn plan(lengths: &[usize], batch_size: usize, max_tokens: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    order.sort_by_key(|&i| lengths[i]);
    let len = |k: usize| lengths[order[k]];
    let n = order.len();
    // best[j]: least cost of the first j texts; start[j]: where the last pass of that plan starts.
    let mut best = vec![usize::MAX; n + 1];
    let mut start = vec![0; n + 1];
    best[0] = 0;
    for j in 1..=n {
        // The pass ending at text j-1 pads to len(j-1), the longest in it since texts are sorted.
        for i in (0..j).rev() {
            let rows = j - i;
            let padded = rows * len(j - 1);
            if rows > 1 && (rows > batch_size || padded > max_tokens) {
                break;
            }
            let cost = best[i] + padded + PASS_OVERHEAD_TOKENS;
            if cost < best[j] {
                best[j] = cost;
                start[j] = i;
            }
        }
    }
    let mut passes = Vec::new();
    let mut j = n;
    while j > 0 {
        let i = start[j];
        passes.push(order[i..j].to_vec());
        j = i;
    }
    passes.reverse();
    passes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn padded(lengths: &[usize], passes: &[Vec<usize>]) -> usize {
        passes
            .iter()
            .map(|p| p.len() * p.iter().map(|&i| lengths[i]).max().unwrap())
            .sum()
    }

    #[test]
    fn every_text_lands_in_exactly_one_pass() {
        let lengths = [40, 7, 128, 7, 90, 12, 256, 33, 33, 64];
        let passes = plan(&lengths, 4, 1024);
        let mut seen: Vec<usize> = passes.iter().flatten().copied().collect();
        seen.sort();
        assert_eq!(seen, (0..lengths.len()).collect::<Vec<_>>());
        assert!(passes.iter().all(|p| p.len() <= 4));
    }

    #[test]
    fn a_long_text_does_not_pad_the_short_ones() {
        // One pass would be 3 × 200 = 600 padded tokens; apart they are 2 × 20 + 200.
        let lengths = [20, 200, 18];
        let passes = plan(&lengths, 32, 1024);
        assert_eq!(passes, vec![vec![2, 0], vec![1]]);
        assert_eq!(padded(&lengths, &passes), 240);
    }

    #[test]
    fn texts_of_one_length_share_a_pass() {
        let lengths = [64; 8];
        assert_eq!(plan(&lengths, 32, 1024).len(), 1);
        // …within the pass limits, and never an empty pass for an over-long text.
        assert_eq!(plan(&lengths, 3, 1024).len(), 3);
        assert_eq!(plan(&lengths, 32, 128).len(), 4);
        assert_eq!(plan(&[600], 32, 128), vec![vec![0]]);
        assert!(plan(&[], 32, 128).is_empty());
    }
}
