//! The PP-OCR sessions, loaded once per process and models folder, and their runs.
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::TensorRef;

use crate::ocr::OcrError;

/// The detector, the recogniser and the recogniser's classes (blank first, then the
/// dictionary, then a space, as PaddleOCR appends one).
pub(super) struct Models {
    /// `Session::run` takes `&mut self`; ONNX Runtime parallelises inside one run instead.
    det: Mutex<Session>,
    rec: Mutex<Session>,
    pub dict: Vec<char>,
}

/// Loaded models by folder. Loading takes ~0.1 s, but a worker reads many pages with one set.
static LOADED: Mutex<Vec<(PathBuf, Arc<Models>)>> = Mutex::new(Vec::new());

fn failed(what: &str, e: impl std::fmt::Display) -> OcrError {
    OcrError::Failed(format!("PP-OCR {what}: {e}"))
}

/// The models of `dir`, loaded on first use (with `threads` intra-op threads).
pub(super) fn models(dir: &Path, library: &Path, threads: u32) -> Result<Arc<Models>, OcrError> {
    // Held while loading, so that two pages starting at once do not both load the models.
    let mut loaded = LOADED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, m)) = loaded.iter().find(|(d, _)| d == dir) {
        return Ok(m.clone());
    }
    let env = crate::onnxrt::environment(library).map_err(OcrError::Models)?;
    let session = |path: &Path| -> Result<Session, OcrError> {
        let load = |e: &dyn std::fmt::Display| OcrError::Models(format!("{}: {e}", path.display()));
        Session::builder(env)
            .map_err(|e| load(&e))?
            .with_optimization_level(GraphOptimizationLevel::All)
            .map_err(|e| load(&e))?
            .with_intra_threads(threads as usize)
            .map_err(|e| load(&e))?
            // Between runs the cores belong to pdfium, Postgres and the API, not to spinning threads.
            .with_intra_op_spinning(false)
            .map_err(|e| load(&e))?
            .commit_from_file(path)
            .map_err(|e| load(&e))
    };
    let det = session(&model_file(dir, "det")?)?;
    let rec = session(&model_file(dir, "rec")?)?;
    let dict = dictionary(dir, &rec)?;
    let models = Arc::new(Models {
        det: Mutex::new(det),
        rec: Mutex::new(rec),
        dict,
    });
    loaded.push((dir.to_path_buf(), models.clone()));
    Ok(models)
}

/// The one `*{kind}*.onnx` in `dir` (`ch_PP-OCRv4_det_infer.onnx`, `..._rec_infer.onnx`).
fn model_file(dir: &Path, kind: &str) -> Result<PathBuf, OcrError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| OcrError::Models(format!("OCR_PPOCR_DIR {}: {e}", dir.display())))?;
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.ends_with(".onnx") && name.contains(&format!("_{kind}"))
        })
        .ok_or_else(|| {
            OcrError::Models(format!(
                "no *_{kind}*.onnx model in OCR_PPOCR_DIR {}",
                dir.display()
            ))
        })
}

/// The recogniser's characters: PP-OCRv4 exports carry them in the model's metadata under
/// `character`; older ones ship a `ppocr_keys*.txt` beside the model.
fn dictionary(dir: &Path, rec: &Session) -> Result<Vec<char>, OcrError> {
    let from_metadata = rec.metadata().ok().and_then(|m| m.custom("character"));
    let text = match from_metadata {
        Some(t) => t,
        None => {
            let keys = std::fs::read_dir(dir)
                .ok()
                .into_iter()
                .flatten()
                .filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|e| e == "txt"))
                .ok_or_else(|| {
                    OcrError::Models(format!(
                        "the recogniser in {} has no `character` metadata and there is no keys .txt",
                        dir.display()
                    ))
                })?;
            std::fs::read_to_string(&keys).map_err(|e| failed("dictionary", e))?
        }
    };
    // One character per line; the space goes last, where the model's last class is.
    let mut dict: Vec<char> = text
        .split('\n')
        .filter_map(|l| l.trim_end_matches('\r').chars().next())
        .collect();
    dict.push(' ');
    Ok(dict)
}

impl Models {
    /// The detector's probability map for a `[1, 3, height, width]` input (same size).
    pub fn detect(&self, input: &[f32], width: usize, height: usize) -> Result<Vec<f32>, OcrError> {
        let x = TensorRef::from_array_view(([1usize, 3, height, width], input))
            .map_err(|e| failed("detector input", e))?;
        let mut det = self.det.lock().unwrap_or_else(|p| p.into_inner());
        let out = det
            .run(ort::inputs![x])
            .map_err(|e| failed("detector", e))?;
        let (_, map) = out[0]
            .try_extract_tensor::<f32>()
            .map_err(|e| failed("detector output", e))?;
        if map.len() != width * height {
            return Err(failed("detector", "its map is not the input's size"));
        }
        Ok(map.to_vec())
    }

    /// The recogniser's class probabilities for `n` crops `[n, 3, 48, width]`: `(steps, data)`
    /// with data `[n, steps, classes]`.
    pub fn recognize(
        &self,
        input: &[f32],
        n: usize,
        width: usize,
    ) -> Result<(usize, Vec<f32>), OcrError> {
        let x = TensorRef::from_array_view(([n, 3, super::rec::HEIGHT, width], input))
            .map_err(|e| failed("recogniser input", e))?;
        let mut rec = self.rec.lock().unwrap_or_else(|p| p.into_inner());
        let out = rec
            .run(ort::inputs![x])
            .map_err(|e| failed("recogniser", e))?;
        let (shape, probs) = out[0]
            .try_extract_tensor::<f32>()
            .map_err(|e| failed("recogniser output", e))?;
        let classes = self.dict.len() + 1;
        if shape.len() != 3 || shape[2] as usize != classes {
            return Err(failed(
                "recogniser",
                format!("output {shape:?} does not have the dictionary's {classes} classes"),
            ));
        }
        Ok((shape[1] as usize, probs.to_vec()))
    }
}
