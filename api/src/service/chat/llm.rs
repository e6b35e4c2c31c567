//! Optional rewrite of a grounded answer by an OpenAI-compatible LLM, accepted only when every
//! number and citation in it can be traced to the grounded material.
use std::collections::HashSet;

use secrecy::ExposeSecret;
use serde_json::{Value, json};
use shared::config::LlmConfig;

use super::answer::Grounded;

/// One client per process: keeps connections to the LLM server alive between questions.
pub struct Llm {
    http: reqwest::Client,
    config: LlmConfig,
}

/// Why the grounded answer was kept; logged, never shown as an error.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Fallback {
    #[error("the LLM call failed: {0}")]
    Call(String),
    #[error("the LLM did not answer within {0} ms")]
    Timeout(u128),
    #[error("the LLM answer has no text")]
    Empty,
    #[error("the LLM answer contains numbers not in the grounded material: {0}")]
    Unsupported(String),
    #[error("the LLM answer cites source [{0}], which does not exist")]
    BadCitation(usize),
}

const SYSTEM: &str = "You rewrite answers for limited partners of private-equity funds. \
Rewrite the GROUNDED ANSWER into clear, concise prose. Use only facts from the grounded answer, \
rows and sources. Never introduce a number that is not written there, and copy numbers exactly. \
Cite sources with their bracketed numbers, e.g. [1], only for the numbered sources given.";

impl Llm {
    pub fn new(config: LlmConfig) -> Self {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(std::time::Duration::from_secs(2)))
            .pool_idle_timeout(std::time::Duration::from_secs(60))
            .build()
            .unwrap_or_default();
        Self { http, config }
    }

    fn prompt(question: &str, g: &Grounded) -> String {
        let mut p = format!("QUESTION: {question}\n\nGROUNDED ANSWER:\n{}\n", g.text);
        if let Some(rows) = &g.rows {
            let shown: Vec<&Value> = rows.iter().take(30).collect();
            p.push_str(&format!("\nROWS (JSON):\n{}\n", json!(shown)));
        }
        if !g.sources.is_empty() {
            p.push_str("\nSOURCES:\n");
            for (i, s) in g.sources.iter().enumerate() {
                let content: String = s.content.chars().take(800).collect();
                p.push_str(&format!(
                    "[{}] {}, page {}: {content}\n",
                    i + 1,
                    s.file_name,
                    s.page
                ));
            }
        }
        p
    }

    /// The LLM's prose for `g`, or why `g` should be sent as it is.
    pub async fn rewrite(&self, question: &str, g: &Grounded) -> Result<String, Fallback> {
        let url = format!("{}/v1/chat/completions", self.config.base_url);
        let body = json!({
            "model": self.config.model,
            "temperature": 0,
            "messages": [
                { "role": "system", "content": SYSTEM },
                { "role": "user", "content": Self::prompt(question, g) },
            ],
        });
        let mut req = self.http.post(url).json(&body);
        if let Some(key) = &self.config.api_key {
            req = req.bearer_auth(key.expose_secret());
        }
        let timeout = self.config.timeout;
        let call = async {
            let res = req
                .send()
                .await
                .map_err(|e| Fallback::Call(e.to_string()))?;
            if !res.status().is_success() {
                return Err(Fallback::Call(format!("status {}", res.status())));
            }
            res.json::<Value>()
                .await
                .map_err(|e| Fallback::Call(e.to_string()))
        };
        let value = match tokio::time::timeout(timeout, call).await {
            Ok(r) => r?,
            Err(_) => return Err(Fallback::Timeout(timeout.as_millis())),
        };
        let text = value["choices"][0]["message"]["content"]
            .as_str()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(Fallback::Empty)?
            .to_string();
        check(&text, g)?;
        Ok(text)
    }
}

/// Every `[n]` must name a source, and every number must appear in the grounded material
/// (rounded to the decimals the LLM printed, so 0.3598 may be written 0.36).
pub fn check(text: &str, g: &Grounded) -> Result<(), Fallback> {
    let (cited, numbers) = scan(text);
    if let Some(n) = cited.into_iter().find(|n| *n == 0 || *n > g.sources.len()) {
        return Err(Fallback::BadCitation(n));
    }
    let mut material = g.text.clone();
    if let Some(rows) = &g.rows {
        material.push_str(&json!(rows).to_string());
    }
    if let Some(m) = &g.metrics {
        material.push_str(&m.to_string());
    }
    for s in &g.sources {
        material.push(' ');
        material.push_str(&s.content);
    }
    let known: HashSet<String> = scan(&material).1.into_iter().collect();
    let known_values: Vec<f64> = known.iter().filter_map(|k| k.parse().ok()).collect();
    let unsupported: Vec<String> = numbers
        .into_iter()
        .filter(|n| {
            if known.contains(n) {
                return false;
            }
            let Ok(v) = n.parse::<f64>() else {
                return true;
            };
            let dp = n.split_once('.').map_or(0, |(_, f)| f.len()) as i32;
            let scale = 10f64.powi(dp);
            // Rounding of a known figure to fewer decimals (never "1" for 1.4: dp must be ≥ 1).
            !(dp >= 1
                && known_values
                    .iter()
                    .any(|k| ((k * scale).round() / scale - v).abs() < 0.5 / scale))
        })
        .collect();
    if unsupported.is_empty() {
        Ok(())
    } else {
        Err(Fallback::Unsupported(unsupported.join(", ")))
    }
}

/// Citation numbers and other numbers (commas dropped, signs ignored) in order of appearance.
fn scan(text: &str) -> (Vec<usize>, Vec<String>) {
    let mut cites = Vec::new();
    let mut numbers = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || (matches!(chars[i], ',' | '.')
                        && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit())))
            {
                i += 1;
            }
            let raw: String = chars[start..i].iter().filter(|c| **c != ',').collect();
            let is_cite = start > 0 && chars[start - 1] == '[' && chars.get(i) == Some(&']');
            if is_cite {
                if let Ok(n) = raw.parse() {
                    cites.push(n);
                }
            } else {
                // 11,950,000.00 and 11950000 are the same figure.
                let norm = match raw.split_once('.') {
                    Some((int, frac)) if frac.chars().all(|c| c == '0') => int.to_string(),
                    _ => raw,
                };
                numbers.push(norm);
            }
        } else {
            i += 1;
        }
    }
    (cites, numbers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::chat::answer::Source;
    use axum::routing::post;
    use std::time::Duration;

    fn grounded() -> Grounded {
        Grounded {
            text: "DPI is 0.3598 = total distributions $4,300,000 ÷ paid-in capital $11,950,000. (as of 2024-12-31) [1]".into(),
            sources: vec![Source {
                document_id: 1,
                file_name: "Sample.pdf".into(),
                page: 1,
                heading: None,
                content: "2024-12-20 Income $300,000".into(),
                score: None,
            }],
            ..Default::default()
        }
    }

    /// An OpenAI-compatible server answering `reply` after `delay`.
    async fn stub(reply: &'static str, delay: Duration) -> String {
        let app = axum::Router::new().route(
            "/v1/chat/completions",
            post(move |axum::Json(body): axum::Json<Value>| async move {
                assert_eq!(body["messages"][1]["role"], "user");
                tokio::time::sleep(delay).await;
                axum::Json(json!({ "choices": [{ "message": { "role": "assistant", "content": reply } }] }))
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}")
    }

    fn llm(base_url: String, timeout_ms: u64) -> Llm {
        Llm::new(LlmConfig {
            base_url,
            model: "stub".into(),
            api_key: Some("k".to_string().into()),
            timeout: Duration::from_millis(timeout_ms),
        })
    }

    #[tokio::test]
    async fn a_faithful_answer_is_used_with_its_citations() {
        let base = stub(
            "The fund's DPI is 0.36 (0.3598): $4,300,000 distributed against $11,950,000 paid in, as of 2024-12-31 [1].",
            Duration::ZERO,
        )
        .await;
        let text = llm(base, 2000)
            .rewrite("What is the DPI?", &grounded())
            .await
            .unwrap();
        assert!(text.contains("[1]"));
    }

    #[tokio::test]
    async fn a_citation_without_a_source_is_rejected() {
        let base = stub("DPI is 0.3598 [2].", Duration::ZERO).await;
        let err = llm(base, 2000).rewrite("q", &grounded()).await.unwrap_err();
        assert_eq!(err, Fallback::BadCitation(2));
    }

    #[tokio::test]
    async fn a_hallucinated_number_falls_back() {
        let base = stub("DPI is 0.42 and the IRR is 15% [1].", Duration::ZERO).await;
        let err = llm(base, 2000).rewrite("q", &grounded()).await.unwrap_err();
        assert!(
            matches!(err, Fallback::Unsupported(ref n) if n.contains("0.42") && n.contains("15")),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_slow_llm_times_out() {
        let base = stub("DPI is 0.3598 [1].", Duration::from_secs(5)).await;
        let t = std::time::Instant::now();
        let err = llm(base, 200).rewrite("q", &grounded()).await.unwrap_err();
        assert!(
            matches!(err, Fallback::Timeout(_) | Fallback::Call(_)),
            "{err}"
        );
        assert!(t.elapsed() < Duration::from_secs(2));
    }

    #[tokio::test]
    async fn an_unreachable_llm_falls_back() {
        let err = llm("http://127.0.0.1:9".into(), 500)
            .rewrite("q", &grounded())
            .await
            .unwrap_err();
        assert!(
            matches!(err, Fallback::Call(_) | Fallback::Timeout(_)),
            "{err}"
        );
    }
}
