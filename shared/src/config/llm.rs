//! The optional OpenAI-compatible LLM that rewrites grounded chat answers into prose.
use std::time::Duration;

use secrecy::SecretString;

use super::env::{ConfigError, Env};

#[derive(Debug, Clone)]
pub struct LlmConfig {
    /// e.g. `http://127.0.0.1:11434` (Ollama) or `https://api.openai.com`; `/v1/chat/completions`
    /// is appended.
    pub base_url: String,
    pub model: String,
    pub api_key: Option<SecretString>,
    /// The whole call; past it the grounded answer is sent as is.
    pub timeout: Duration,
}

impl LlmConfig {
    /// `None` unless both `LLM_BASE_URL` and `LLM_MODEL` are set: chat then answers without an LLM.
    pub fn read<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Option<Self>, ConfigError> {
        let (Some(base_url), Some(model)) = (env.get("LLM_BASE_URL"), env.get("LLM_MODEL")) else {
            return Ok(None);
        };
        Ok(Some(Self {
            base_url: base_url.trim_end_matches('/').to_string(),
            model,
            api_key: env.secret("LLM_API_KEY"),
            timeout: Duration::from_millis(env.parse("LLM_TIMEOUT_MS", 8000)?),
        }))
    }
}
