//! Embeddings from an OpenAI-compatible `/v1/embeddings` endpoint (Ollama, vLLM, OpenAI).
use secrecy::ExposeSecret;

use super::{EMBEDDING_DIM, EmbedError, TextEmbedder};
use crate::config::RemoteEmbeddingConfig;

pub struct RemoteEmbedder {
    agent: ureq::Agent,
    url: String,
    config: RemoteEmbeddingConfig,
}

impl std::fmt::Debug for RemoteEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteEmbedder")
            .field("url", &self.url)
            .field("model", &self.config.model)
            .finish_non_exhaustive()
    }
}

#[derive(serde::Serialize)]
struct Request<'a> {
    model: &'a str,
    input: &'a [&'a str],
}

#[derive(serde::Deserialize)]
struct Response {
    data: Vec<Item>,
}

#[derive(serde::Deserialize)]
struct Item {
    embedding: Vec<f32>,
    /// Absent in some servers' answers; then the order of `data` is the order of `input`.
    index: Option<usize>,
}

fn remote(e: impl std::fmt::Display) -> EmbedError {
    EmbedError::Remote(e.to_string())
}

impl RemoteEmbedder {
    pub fn new(config: RemoteEmbeddingConfig) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .http_status_as_error(false)
            .build()
            .into();
        Self {
            agent,
            url: format!("{}/v1/embeddings", config.base_url),
            config,
        }
    }

    /// Embeds one text to learn the endpoint's dimension: called once at start-up, so a model whose
    /// vectors do not fit `document_chunks.embedding` stops the process instead of failing every
    /// job. An endpoint that is merely down is only logged: it may be back before the first job.
    pub fn check(&self) -> Result<(), EmbedError> {
        match self.embed(&["dimension check"]) {
            Err(e @ EmbedError::WrongDimension(_)) => Err(e),
            Err(e) => {
                tracing::warn!(error = %e, "remote embeddings: start-up check failed");
                Ok(())
            }
            Ok(_) => Ok(()),
        }
    }

    fn request(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut request = self.agent.post(&self.url);
        if let Some(key) = &self.config.api_key {
            request = request.header("Authorization", format!("Bearer {}", key.expose_secret()));
        }
        let mut response = request
            .send_json(Request {
                model: &self.config.model,
                input: texts,
            })
            .map_err(|e| EmbedError::RemoteUnavailable(format!("{}: {e}", self.url)))?;
        let status = response.status();
        if !status.is_success() {
            let body = response.body_mut().read_to_string().unwrap_or_default();
            let body: String = body.chars().take(300).collect();
            let message = format!("{} answered {status}: {body}", self.url);
            return Err(if status.is_server_error() || status.as_u16() == 429 {
                EmbedError::RemoteUnavailable(message)
            } else {
                EmbedError::Remote(message)
            });
        }
        let mut answer: Response = response.body_mut().read_json().map_err(|e| {
            remote(format!(
                "{} answered something that is not an embeddings response: {e}",
                self.url
            ))
        })?;
        if answer.data.len() != texts.len() {
            return Err(remote(format!(
                "{} returned {} embeddings for {} texts",
                self.url,
                answer.data.len(),
                texts.len()
            )));
        }
        if answer.data.iter().all(|d| d.index.is_some()) {
            answer.data.sort_by_key(|d| d.index);
        }
        answer
            .data
            .into_iter()
            .map(|d| {
                if d.embedding.len() != EMBEDDING_DIM {
                    return Err(EmbedError::WrongDimension(d.embedding.len()));
                }
                // Cosine search assumes unit vectors, and not every server normalises.
                let mut v = d.embedding;
                super::pooling::l2_normalize(&mut v);
                Ok(v)
            })
            .collect()
    }
}

impl TextEmbedder for RemoteEmbedder {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut out = Vec::with_capacity(texts.len());
        for batch in texts.chunks(self.config.batch_size) {
            out.extend(self.request(batch)?);
        }
        Ok(out)
    }
}
