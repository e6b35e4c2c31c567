//! Mean pooling over real tokens and L2 normalisation, as sentence-transformers' Pooling + Normalize.
use candle_core::{D, DType, Result, Tensor};

/// `hidden`: (batch, seq, dim); `mask`: (batch, seq) of 0/1. Returns (batch, dim), unit length rows.
pub(crate) fn mean_pool_normalized(hidden: &Tensor, mask: &Tensor) -> Result<Tensor> {
    let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
    let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
    // The clamps mirror torch's: they only matter for degenerate rows, but keep those finite.
    let counts = mask.sum(1)?.clamp(1e-9f32, f32::MAX)?;
    let mean = summed.broadcast_div(&counts)?;
    let norms = mean
        .sqr()?
        .sum_keepdim(D::Minus1)?
        .sqrt()?
        .clamp(1e-12f32, f32::MAX)?;
    mean.broadcast_div(&norms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn padding_positions_do_not_count() {
        let hidden =
            Tensor::new(&[[[3f32, 0.0], [1.0, 0.0], [100.0, 100.0]]], &Device::Cpu).unwrap();
        let mask = Tensor::new(&[[1u32, 1, 0]], &Device::Cpu).unwrap();
        let out = mean_pool_normalized(&hidden, &mask)
            .unwrap()
            .to_vec2::<f32>()
            .unwrap();
        assert_eq!(out, vec![vec![1.0, 0.0]]);
    }
}
