//! The BERT encoder on candle (pure Rust, no native library).
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};

use super::EmbedError;
use super::batch::Padded;

pub(super) struct CandleBert {
    model: BertModel,
    device: Device,
}

impl CandleBert {
    /// `config`: the folder's `config.json`; `weights`: its `model.safetensors`, read into memory
    /// (mmap would need `unsafe`, and 90 MB is read in ~50 ms).
    pub(super) fn load(config: &[u8], weights: Vec<u8>) -> Result<Self, String> {
        let config: Config = serde_json::from_slice(config).map_err(|e| e.to_string())?;
        let device = Device::Cpu;
        let vb = VarBuilder::from_buffered_safetensors(weights, DType::F32, &device)
            .map_err(|e| e.to_string())?;
        let model = BertModel::load(vb, &config).map_err(|e| e.to_string())?;
        Ok(Self { model, device })
    }

    /// Hidden states, `[batch, seq, hidden]` flattened.
    pub(super) fn forward(&self, batch: &Padded) -> Result<Vec<f32>, EmbedError> {
        let shape = (batch.rows, batch.seq_len);
        let tensor = |v: &[i32]| {
            let v: Vec<u32> = v.iter().map(|&x| x as u32).collect();
            Tensor::from_vec(v, shape, &self.device)
        };
        let hidden = self.model.forward(
            &tensor(&batch.ids)?,
            &tensor(&batch.type_ids)?,
            Some(&tensor(&batch.mask)?),
        )?;
        Ok(hidden.flatten_all()?.to_vec1::<f32>()?)
    }
}
