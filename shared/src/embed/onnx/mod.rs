//! The BERT encoder on ONNX Runtime (loaded from a shared library at run time through `ort`).
mod graph;
mod proto;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};

use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::TensorRef;

pub use graph::BertShape;

use super::EmbedError;
use super::batch::Padded;

fn environment(library: &Path) -> Result<&'static ort::environment::Environment, EmbedError> {
    crate::onnxrt::environment(library).map_err(EmbedError::Onnx)
}

pub(super) struct OnnxBert {
    /// `Session::run` takes `&mut self`, so each run that may go at the same time as another
    /// (two documents of a worker, concurrent questions) needs a session of its own.
    sessions: Vec<Mutex<Session>>,
    /// Where a caller that finds every session busy queues, turn by turn.
    next: AtomicUsize,
    /// Built with int8 projections ([`graph::bert_model`]).
    pub(super) int8: bool,
}

fn onnx_err(e: impl std::fmt::Display) -> EmbedError {
    EmbedError::Onnx(e.to_string())
}

impl OnnxBert {
    /// `sessions` sessions (at least one) sharing `threads` threads evenly (at least one each).
    pub(super) fn load(
        library: &Path,
        threads: usize,
        sessions: usize,
        int8: bool,
        shape: &BertShape,
        weights: &[u8],
    ) -> Result<Self, EmbedError> {
        let env = environment(library)?;
        let model = graph::bert_model(shape, weights, int8).map_err(onnx_err)?;
        let sessions = sessions.max(1);
        let per_session = (threads / sessions).max(1);
        let sessions = (0..sessions)
            .map(|_| {
                Session::builder(env)
                    .map_err(onnx_err)?
                    .with_optimization_level(GraphOptimizationLevel::All)
                    .map_err(onnx_err)?
                    .with_intra_threads(per_session)
                    .map_err(onnx_err)?
                    // Spinning threads would take the cores from the API, Postgres and pdfium
                    // between runs; measured cost of not spinning: +0.6 ms on a single short
                    // question, nothing on batches.
                    .with_intra_op_spinning(false)
                    .map_err(onnx_err)?
                    .commit_from_memory(&model)
                    .map(Mutex::new)
                    .map_err(onnx_err)
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            sessions,
            next: AtomicUsize::new(0),
            int8,
        })
    }

    /// A free session if there is one, else the next in turn once it is free. A panic elsewhere
    /// while holding a lock leaves the session itself intact, so a poisoned lock is taken as is.
    fn session(&self) -> MutexGuard<'_, Session> {
        for session in &self.sessions {
            match session.try_lock() {
                Ok(guard) => return guard,
                Err(TryLockError::Poisoned(p)) => return p.into_inner(),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        let turn = self.next.fetch_add(1, Ordering::Relaxed) % self.sessions.len();
        self.sessions[turn]
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// Hidden states, `[batch, seq, hidden]` flattened.
    pub(super) fn forward(&self, batch: &Padded) -> Result<Vec<f32>, EmbedError> {
        let shape = [batch.rows, batch.seq_len];
        let ids = TensorRef::from_array_view((shape, batch.ids.as_slice())).map_err(onnx_err)?;
        let types =
            TensorRef::from_array_view((shape, batch.type_ids.as_slice())).map_err(onnx_err)?;
        let mask = TensorRef::from_array_view((shape, batch.mask.as_slice())).map_err(onnx_err)?;
        let mut session = self.session();
        let outputs = session
            .run(ort::inputs![
                graph::INPUT_IDS => ids,
                graph::TOKEN_TYPE_IDS => types,
                graph::ATTENTION_MASK => mask,
            ])
            .map_err(onnx_err)?;
        let (_, hidden) = outputs[graph::LAST_HIDDEN_STATE]
            .try_extract_tensor::<f32>()
            .map_err(onnx_err)?;
        Ok(hidden.to_vec())
    }
}
