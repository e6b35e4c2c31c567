//! Where embeddings come from: the local model on ONNX Runtime or candle, or a remote endpoint.
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;

use super::env::{ConfigError, Env};

/// Which engine runs the encoder. Both read the same `model.safetensors` and give the same vectors
/// (within 1e-5); they differ in speed and in what they need on the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Runtime {
    /// Pure Rust, needs nothing else.
    Candle,
    /// ONNX Runtime's CPU kernels, from the shared library at `library`: `sessions` runs at once,
    /// `threads` in all, spread evenly over them.
    /// `int8`: the attention-output and first feed-forward projections run as integer matrix
    /// products (weights quantised per column at load, each token's activations per row at run
    /// time), the rest in fp32.
    Onnx {
        library: PathBuf,
        threads: usize,
        sessions: usize,
        int8: bool,
    },
}

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

impl EmbeddingConfig {
    /// `EMBEDDING_RUNTIME` = `auto` (default: remote if `EMBEDDING_BASE_URL` is set, else ONNX
    /// Runtime if `ONNXRUNTIME_LIB_PATH` is set, else candle), `onnx`, `candle` or `remote`.
    /// `None` when nothing is configured (auto without a model folder).
    pub fn from_env() -> Result<Option<Self>, ConfigError> {
        Self::read(&Env::process())
    }

    /// [`Self::from_env`] over any source of variables.
    pub fn read<F: Fn(&str) -> Option<String>>(vars: &Env<F>) -> Result<Option<Self>, ConfigError> {
        let runtime = vars
            .parse("EMBEDDING_RUNTIME", "auto".to_string())?
            .to_lowercase();
        let base_url = vars.get("EMBEDDING_BASE_URL");
        let model_dir = vars.get("EMBEDDING_MODEL_DIR").map(PathBuf::from);
        let library = vars.get("ONNXRUNTIME_LIB_PATH").map(PathBuf::from);
        let threads = vars.parse(
            "EMBEDDING_THREADS",
            std::thread::available_parallelism().map_or(2, |n| n.get()),
        )?;
        // One single-threaded session per thread by default: a run's small matrix products
        // leave a second thread of the same run idle for a good part of the time, so two
        // documents embedded side by side, one thread each, finish sooner on less CPU.
        let sessions = vars.parse("EMBEDDING_SESSIONS", threads)?;
        // int8 by default: `make eval` answers the same as fp32, every reference vector stays
        // within cosine 0.998, and ingestion needs about a tenth less CPU (README, Benchmarks).
        let int8 = vars.parse("EMBEDDING_INT8", true)?;
        let need = |value: Option<PathBuf>, name: &str| {
            value.ok_or_else(|| {
                ConfigError(format!(
                    "EMBEDDING_RUNTIME={runtime} needs {name} (scripts/setup.sh sets it)"
                ))
            })
        };
        let local = |model_dir: PathBuf, runtime: Runtime| Self::Local { model_dir, runtime };
        Ok(Some(match runtime.as_str() {
            "auto" if base_url.is_some() => Self::Remote(RemoteEmbeddingConfig::read(vars)?),
            "auto" => {
                let Some(model_dir) = model_dir else {
                    return Ok(None);
                };
                match library {
                    Some(library) => local(
                        model_dir,
                        Runtime::Onnx {
                            library,
                            threads,
                            sessions,
                            int8,
                        },
                    ),
                    None => local(model_dir, Runtime::Candle),
                }
            }
            "onnx" => local(
                need(model_dir, "EMBEDDING_MODEL_DIR")?,
                Runtime::Onnx {
                    library: need(library, "ONNXRUNTIME_LIB_PATH")?,
                    threads,
                    sessions,
                    int8,
                },
            ),
            "candle" => local(need(model_dir, "EMBEDDING_MODEL_DIR")?, Runtime::Candle),
            "remote" => Self::Remote(RemoteEmbeddingConfig::read(vars)?),
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
                runtime: Runtime::Onnx { int8: false, .. },
                ..
            } => "onnx".into(),
            Self::Local {
                runtime: Runtime::Onnx { int8: true, .. },
                ..
            } => "onnx int8".into(),
            Self::Remote(r) => format!("remote {} at {}", r.model, r.base_url),
        }
    }
}

impl RemoteEmbeddingConfig {
    fn read<F: Fn(&str) -> Option<String>>(vars: &Env<F>) -> Result<Self, ConfigError> {
        let (Some(base_url), Some(model)) =
            (vars.get("EMBEDDING_BASE_URL"), vars.get("EMBEDDING_MODEL"))
        else {
            return Err(ConfigError(
                "remote embeddings need EMBEDDING_BASE_URL and EMBEDDING_MODEL".into(),
            ));
        };
        Ok(Self {
            base_url: base_url.trim_end_matches('/').to_string(),
            model,
            api_key: vars.secret("EMBEDDING_API_KEY"),
            timeout: Duration::from_millis(vars.parse("EMBEDDING_TIMEOUT_MS", 30_000)?),
            batch_size: vars.parse::<usize>("EMBEDDING_BATCH_SIZE", 64)?.max(1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<Option<EmbeddingConfig>, ConfigError> {
        let map: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        EmbeddingConfig::read(&Env::from_lookup(|name: &str| map.get(name).cloned()))
    }

    const DIR: (&str, &str) = ("EMBEDDING_MODEL_DIR", "/models/minilm");
    const LIB: (&str, &str) = ("ONNXRUNTIME_LIB_PATH", "/lib/libonnxruntime.so");

    #[test]
    fn auto_prefers_remote_then_onnx_then_candle() {
        assert!(read(&[]).unwrap().is_none());
        assert_eq!(read(&[DIR]).unwrap().unwrap().describe(), "candle");
        assert_eq!(read(&[DIR, LIB]).unwrap().unwrap().describe(), "onnx int8");
        let fp32 = read(&[DIR, LIB, ("EMBEDDING_INT8", "false")]).unwrap();
        assert_eq!(fp32.unwrap().describe(), "onnx");
        let remote = read(&[
            DIR,
            LIB,
            ("EMBEDDING_BASE_URL", "http://127.0.0.1:11434/"),
            ("EMBEDDING_MODEL", "all-minilm"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(
            remote.describe(),
            "remote all-minilm at http://127.0.0.1:11434"
        );
    }

    #[test]
    fn explicit_runtimes_say_what_they_miss() {
        let Some(EmbeddingConfig::Local { runtime, .. }) =
            read(&[DIR, LIB, ("EMBEDDING_RUNTIME", "candle")]).unwrap()
        else {
            panic!("candle asked for")
        };
        assert_eq!(runtime, Runtime::Candle);
        let Some(EmbeddingConfig::Local { runtime, .. }) = read(&[
            DIR,
            LIB,
            ("EMBEDDING_RUNTIME", "ONNX"),
            ("EMBEDDING_THREADS", "3"),
        ])
        .unwrap() else {
            panic!("onnx asked for")
        };
        assert_eq!(
            runtime,
            Runtime::Onnx {
                library: "/lib/libonnxruntime.so".into(),
                threads: 3,
                sessions: 3,
                int8: true,
            }
        );
        let Some(EmbeddingConfig::Local { runtime, .. }) = read(&[
            DIR,
            LIB,
            ("EMBEDDING_THREADS", "4"),
            ("EMBEDDING_SESSIONS", "1"),
        ])
        .unwrap() else {
            panic!("onnx by default")
        };
        assert!(matches!(
            runtime,
            Runtime::Onnx {
                threads: 4,
                sessions: 1,
                ..
            }
        ));
        let err = |pairs: &[(&str, &str)]| read(pairs).unwrap_err().to_string();
        assert!(err(&[DIR, ("EMBEDDING_RUNTIME", "onnx")]).contains("ONNXRUNTIME_LIB_PATH"));
        assert!(err(&[("EMBEDDING_RUNTIME", "candle")]).contains("EMBEDDING_MODEL_DIR"));
        assert!(err(&[("EMBEDDING_RUNTIME", "remote")]).contains("EMBEDDING_MODEL"));
        assert!(err(&[("EMBEDDING_RUNTIME", "gpu")]).contains("not one of"));
        assert!(err(&[DIR, ("EMBEDDING_THREADS", "many")]).contains("EMBEDDING_THREADS"));
        assert!(err(&[DIR, ("EMBEDDING_SESSIONS", "-1")]).contains("EMBEDDING_SESSIONS"));
        assert!(err(&[DIR, LIB, ("EMBEDDING_INT8", "yes")]).contains("EMBEDDING_INT8"));
    }
}
