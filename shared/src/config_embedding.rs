//! Where embeddings come from: the local model on ONNX Runtime or candle, or a remote endpoint.
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;

use crate::config::{ConfigError, var};
use crate::embed::Runtime;

#[derive(Debug, Clone)]
pub enum EmbeddingConfig {
    /// all-MiniLM-L6-v2 in process, from a sentence-transformers folder.
    Local {
        model_dir: PathBuf,
        runtime: Runtime,
    },
    /// Any OpenAI-compatible `/v1/embeddings` endpoint (Ollama, vLLM, OpenAI).
    Remote(RemoteEmbeddingConfig),
}

#[derive(Debug, Clone)]
pub struct RemoteEmbeddingConfig {
    /// e.g. `http://127.0.0.1:11434` or `https://api.openai.com`; `/v1/embeddings` is appended.
    pub base_url: String,
    pub model: String,
    pub api_key: Option<SecretString>,
    /// Per request; a document's chunks go in several requests of `batch_size` texts.
    pub timeout: Duration,
    pub batch_size: usize,
}

fn get(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

impl EmbeddingConfig {
    /// `EMBEDDING_RUNTIME` = `auto` (default: remote if `EMBEDDING_BASE_URL` is set, else ONNX
    /// Runtime if `ONNXRUNTIME_LIB_PATH` is set, else candle), `onnx`, `candle` or `remote`.
    /// `None` when nothing is configured (auto without a model folder).
    pub fn from_env() -> Result<Option<Self>, ConfigError> {
        let runtime = var("EMBEDDING_RUNTIME", "auto".to_string())?.to_lowercase();
        let base_url = get("EMBEDDING_BASE_URL");
        let model_dir = get("EMBEDDING_MODEL_DIR").map(PathBuf::from);
        let library = get("ONNXRUNTIME_LIB_PATH").map(PathBuf::from);
        let threads = var(
            "EMBEDDING_THREADS",
            std::thread::available_parallelism().map_or(2, |n| n.get()),
        )?;
        let need = |value: Option<PathBuf>, name: &str| {
            value.ok_or_else(|| {
                ConfigError(format!(
                    "EMBEDDING_RUNTIME={runtime} needs {name} (scripts/setup.sh sets it)"
                ))
            })
        };
        let local = |model_dir: PathBuf, runtime: Runtime| Self::Local { model_dir, runtime };
        Ok(Some(match runtime.as_str() {
            "auto" if base_url.is_some() => Self::Remote(RemoteEmbeddingConfig::from_env()?),
            "auto" => {
                let Some(model_dir) = model_dir else {
                    return Ok(None);
                };
                match library {
                    Some(library) => local(model_dir, Runtime::Onnx { library, threads }),
                    None => local(model_dir, Runtime::Candle),
                }
            }
            "onnx" => local(
                need(model_dir, "EMBEDDING_MODEL_DIR")?,
                Runtime::Onnx {
                    library: need(library, "ONNXRUNTIME_LIB_PATH")?,
                    threads,
                },
            ),
            "candle" => local(need(model_dir, "EMBEDDING_MODEL_DIR")?, Runtime::Candle),
            "remote" => Self::Remote(RemoteEmbeddingConfig::from_env()?),
            other => {
                return Err(ConfigError(format!(
                    "EMBEDDING_RUNTIME={other:?} is not one of auto, onnx, candle, remote"
                )));
            }
        }))
    }

    /// For logs and the answer's notes: "onnx", "candle" or "remote <model>".
    pub fn describe(&self) -> String {
        match self {
            Self::Local {
                runtime: Runtime::Candle,
                ..
            } => "candle".into(),
            Self::Local {
                runtime: Runtime::Onnx { .. },
                ..
            } => "onnx".into(),
            Self::Remote(r) => format!("remote {} at {}", r.model, r.base_url),
        }
    }
}

impl RemoteEmbeddingConfig {
    fn from_env() -> Result<Self, ConfigError> {
        let (Some(base_url), Some(model)) = (get("EMBEDDING_BASE_URL"), get("EMBEDDING_MODEL"))
        else {
            return Err(ConfigError(
                "remote embeddings need EMBEDDING_BASE_URL and EMBEDDING_MODEL".into(),
            ));
        };
        Ok(Self {
            base_url: base_url.trim_end_matches('/').to_string(),
            model,
            api_key: get("EMBEDDING_API_KEY").map(SecretString::from),
            timeout: Duration::from_millis(var("EMBEDDING_TIMEOUT_MS", 30_000)?),
            batch_size: var::<usize>("EMBEDDING_BATCH_SIZE", 64)?.max(1),
        })
    }
}
