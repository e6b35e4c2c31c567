//! Mean pooling over real tokens and L2 normalisation, as sentence-transformers' Pooling + Normalize.

/// `hidden`: `[rows, seq, dim]` flattened; `mask`: `[rows, seq]` of 0/1. One unit vector per row.
pub(crate) fn mean_pool_normalized(
    hidden: &[f32],
    mask: &[i32],
    rows: usize,
    dim: usize,
) -> Vec<Vec<f32>> {
    let seq = mask.len().checked_div(rows).unwrap_or(0);
    (0..rows)
        .map(|r| {
            let mut sum = vec![0f32; dim];
            let mut count = 0f32;
            for t in 0..seq {
                if mask[r * seq + t] == 0 {
                    continue;
                }
                count += 1.0;
                let at = (r * seq + t) * dim;
                for (s, h) in sum.iter_mut().zip(&hidden[at..at + dim]) {
                    *s += h;
                }
            }
            // The clamp mirrors torch's: it only matters for degenerate rows, but keeps those finite.
            let count = count.max(1e-9);
            sum.iter_mut().for_each(|s| *s /= count);
            l2_normalize(&mut sum);
            sum
        })
        .collect()
}

/// Scales `v` to unit length, as sentence-transformers' Normalize (F.normalize, eps 1e-12).
pub(crate) fn l2_normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.iter_mut().for_each(|x| *x /= norm);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_positions_do_not_count() {
        let hidden = [3f32, 0.0, 1.0, 0.0, 100.0, 100.0];
        let out = mean_pool_normalized(&hidden, &[1, 1, 0], 1, 2);
        assert_eq!(out, vec![vec![1.0, 0.0]]);
    }

    #[test]
    fn rows_are_pooled_separately() {
        let hidden = [0f32, 2.0, 9.0, 9.0, 5.0, 0.0, 1.0, 0.0];
        let out = mean_pool_normalized(&hidden, &[1, 0, 1, 1], 2, 2);
        assert_eq!(out, vec![vec![0.0, 1.0], vec![1.0, 0.0]]);
    }
}
