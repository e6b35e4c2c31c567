//! What the load consists of: chat questions of every intent, fund, metrics and transaction
//! reads, status polls, and uploads of unique variants of the sample reports.
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::stats::Outcome;

/// One question per intent the chat is meant to route: a metric, a breakdown, transactions,
/// a definition, a comparison, the reports' text, and one it should decline.
pub const CHAT_QUERIES: &[&str] = &[
    "What is the DPI of this fund?",
    "What is the TVPI and the IRR?",
    "How much paid-in capital (PIC) has been called so far?",
    "List the capital calls in 2024.",
    "What distributions were made last year?",
    "Show the adjustments and how they change PIC.",
    "What does DPI mean?",
    "Explain the difference between TVPI and RVPI.",
    "Which fund has the highest IRR?",
    "Compare the funds by DPI.",
    "What does the GP say about the portfolio outlook?",
    "Summarise the latest quarterly report.",
    "What's the weather in Paris tomorrow?",
    "'; DROP TABLE funds; --",
];

pub fn data_dir() -> PathBuf {
    std::env::var("FUNDLENS_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data"))
}

/// The sample PDFs (reports/ and reference/) as (name, bytes).
pub fn sample_pdfs(limit: usize) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    for sub in ["reference", "reports"] {
        let mut paths: Vec<_> = std::fs::read_dir(data_dir().join(sub))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
            .collect();
        paths.sort();
        for p in paths {
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            if out.iter().any(|(n, _)| n == &name) {
                continue;
            }
            out.push((name, std::fs::read(&p)?));
        }
    }
    out.truncate(limit);
    anyhow::ensure!(
        !out.is_empty(),
        "no sample PDFs under {}",
        data_dir().display()
    );
    Ok(out)
}

/// The image-only scans of `scans/`, which the worker must OCR.
pub fn scan_pdfs() -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let dir = data_dir().join("scans");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    paths.sort();
    anyhow::ensure!(!paths.is_empty(), "no scans under {}", dir.display());
    paths
        .into_iter()
        .map(|p| {
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            Ok((name, std::fs::read(&p)?))
        })
        .collect()
}

/// The same report with a trailing comment line: new content, same document.
pub fn variant(bytes: &[u8], n: usize) -> Vec<u8> {
    let mut v = bytes.to_vec();
    v.extend_from_slice(format!("\n%variant-{n}\n").as_bytes());
    v
}

/// A request's outcome, its latency and its JSON body (when it had one).
pub async fn send(req: reqwest::RequestBuilder) -> (Outcome, Duration, Value) {
    let t = Instant::now();
    let res = req.send().await;
    let (outcome, body) = match res {
        Ok(r) => {
            let status = r.status().as_u16();
            match r.bytes().await {
                Ok(bytes) => {
                    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                    let outcome = match status {
                        200..=299 => Outcome::Ok,
                        404 if body["detail"] == "No such route." => Outcome::Missing,
                        s => Outcome::Error(s),
                    };
                    (outcome, body)
                }
                Err(e) if e.is_timeout() => (Outcome::Timeout, Value::Null),
                Err(_) => (Outcome::Transport, Value::Null),
            }
        }
        Err(e) if e.is_timeout() => (Outcome::Timeout, Value::Null),
        Err(_) => (Outcome::Transport, Value::Null),
    };
    (outcome, t.elapsed(), body)
}

pub fn chat(
    http: &reqwest::Client,
    base: &str,
    i: usize,
    fund_ids: &[i64],
) -> reqwest::RequestBuilder {
    let query = CHAT_QUERIES[i % CHAT_QUERIES.len()];
    // Every other question is scoped to a fund, the rest ask across funds.
    let body = if i.is_multiple_of(2) && !fund_ids.is_empty() {
        json!({ "query": query, "fund_id": fund_ids[i / 2 % fund_ids.len()] })
    } else {
        json!({ "query": query })
    };
    http.post(format!("{base}/api/chat/query")).json(&body)
}

pub fn upload(
    http: &reqwest::Client,
    base: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::RequestBuilder {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str("application/pdf")
        .expect("mime");
    http.post(format!("{base}/api/documents/upload"))
        .multipart(reqwest::multipart::Form::new().part("file", part))
}

/// A small deterministic generator, so two runs send the same mix.
pub struct Mix(u64);

impl Mix {
    pub fn new(seed: u64) -> Self {
        Self(
            seed.wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407),
        )
    }

    pub fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}
