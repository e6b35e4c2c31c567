//! Chat evaluation: every report in the data folder goes through the real pipeline, then every
//! `qa` question (plus the specification's questions and rephrasings) is asked and scored.
//! `make eval` prints the table; `make bench-chat` runs the ignored latency benchmark.
mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::Stack;
use serde_json::{Value, json};
use shared::domain::DocumentStatus;

/// Every PDF of reports/ and reference/ (the sample and the ILPA definitions document).
fn pdfs() -> Vec<PathBuf> {
    let data = shared::testing::data_dir();
    let mut out = Vec::new();
    for sub in ["reports", "reference"] {
        let mut v: Vec<PathBuf> = std::fs::read_dir(data.join(sub))
            .expect("data folder")
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
            .collect();
        v.sort();
        out.extend(v);
    }
    out
}

/// Uploads every PDF at once, waits for all, and returns (file stem → fund id).
async fn ingest_all(stack: &Stack) -> BTreeMap<String, Option<i64>> {
    let mut ids = Vec::new();
    for pdf in pdfs() {
        let name = pdf.file_name().unwrap().to_string_lossy().to_string();
        let (code, up) = stack
            .upload(&name, std::fs::read(&pdf).unwrap(), None)
            .await;
        assert_eq!(code, 202, "{name}: {up}");
        ids.push((pdf, up["document_id"].as_i64().unwrap()));
    }
    let mut funds = BTreeMap::new();
    for (pdf, id) in ids {
        let status = stack.wait_done(id, Duration::from_secs(120)).await;
        assert_eq!(
            status["status"],
            DocumentStatus::Completed.as_str(),
            "{}: {status}",
            pdf.display()
        );
        let stem = pdf.file_stem().unwrap().to_string_lossy().to_string();
        funds.insert(stem, status["fund_id"].as_i64());
    }
    funds
}

async fn ask(stack: &Stack, query: &str, fund_id: Option<i64>) -> (u16, Value) {
    let res = stack
        .http
        .post(format!("{}/api/chat/query", stack.base))
        .json(&json!({ "query": query, "fund_id": fund_id }))
        .send()
        .await
        .unwrap();
    let code = res.status().as_u16();
    (code, res.json().await.unwrap_or(Value::Null))
}

/// Numbers written in a text: thousands separators dropped, a leading `-` kept.
fn numbers(text: &str) -> Vec<f64> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
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
            let negative = (start >= 1 && chars[start - 1] == '-')
                || (start >= 2 && chars[start - 1] == '$' && chars[start - 2] == '-');
            if let Ok(v) = raw.parse::<f64>() {
                out.push(if negative { -v } else { v });
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Scores one answer against a `qa` entry; `Err` says what was wrong.
fn score(qa: &Value, code: u16, body: &Value) -> Result<(), String> {
    if code != 200 {
        return Err(format!("status {code}: {body}"));
    }
    let answer = body["answer"].as_str().unwrap_or_default();
    let mut problems = Vec::new();
    if let Some(intent) = qa["intent"].as_str()
        && body["intent"] != intent
    {
        problems.push(format!("intent {} (expected {intent})", body["intent"]));
    }
    let found = numbers(answer);
    let near = |e: f64, tol: f64| found.iter().any(|v| (v - e).abs() <= tol + 1e-9);
    if let Some(e) = qa["expect_number"].as_f64() {
        let tol = qa["tolerance"]
            .as_f64()
            .unwrap_or(if e.abs() < 10.0 { 1e-4 } else { 0.01 });
        if !near(e, tol) {
            problems.push(format!("no {e} (±{tol})"));
        }
    }
    if let Some(e) = qa["expect_total"].as_f64()
        && !near(e, 0.01)
    {
        problems.push(format!("no total {e}"));
    }
    if let Some(n) = qa["expect_rows"].as_u64() {
        let got = body["rows"].as_array().map_or(0, Vec::len) as u64;
        if got != n {
            problems.push(format!("{got} rows (expected {n})"));
        }
    }
    if let Some(d) = qa["expect_date"].as_str()
        && !answer.contains(d)
    {
        problems.push(format!("no date {d}"));
    }
    if let Some(b) = qa["expect_bool"].as_bool() {
        let lead = if b { "yes" } else { "no" };
        if !answer.trim_start().to_lowercase().starts_with(lead) {
            problems.push(format!("does not start with {lead:?}"));
        }
    }
    if let Some(words) = qa["expect_text_any"].as_array() {
        let lower = answer.to_lowercase();
        if !words
            .iter()
            .filter_map(Value::as_str)
            .any(|w| lower.contains(&w.to_lowercase()))
        {
            problems.push(format!("none of {words:?}"));
        }
    }
    if body["sources"].as_array().is_none_or(Vec::is_empty) {
        problems.push("no sources".into());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}; answer: {answer}", problems.join(", ")))
    }
}

/// The original specification's questions about the reference sample (its JSON has no `qa`).
fn specification_questions() -> Vec<Value> {
    vec![
        json!({"q": "What is the current DPI?", "intent": "calculation", "expect_number": 0.3598}),
        json!({"q": "Has the fund returned all invested capital to LPs?", "intent": "calculation", "expect_bool": false}),
        json!({"q": "What does Paid-In Capital mean?", "intent": "definition", "expect_text_any": ["paid-in", "contributed", "contribution"]}),
        json!({"q": "Show me all capital calls in 2024", "intent": "retrieval", "expect_rows": 2, "expect_total": 3500000.0}),
        json!({"q": "What was the largest distribution?", "intent": "retrieval", "expect_number": 2000000.0, "expect_date": "2024-09-10"}),
        json!({"q": "List all adjustments", "intent": "retrieval", "expect_rows": 3}),
        json!({"q": "What percentage of distributions were recallable?", "intent": "calculation", "expect_number": 46.51, "tolerance": 0.01}),
        json!({"q": "Explain the trend in capital calls over time", "intent": "retrieval", "expect_rows": 2, "expect_number": 8000000.0}),
        json!({"q": "What is the total paid-in capital?", "intent": "calculation", "expect_number": 11950000.0}),
    ]
}

/// The same facts asked in other words, built from each report's `expected` figures, so that
/// routing by exact phrasing would fail here.
fn rephrasings(truth: &Value) -> Vec<Value> {
    let e = &truth["expected"];
    let mut out = vec![
        json!({"q": "Give me the distributions to paid-in multiple", "intent": "calculation", "expect_number": e["dpi"]}),
        json!({"q": "How much capital have LPs paid in so far?", "intent": "calculation", "expect_number": e["pic"]}),
        json!({"q": "Sum of all distributions to date?", "intent": "calculation", "expect_number": e["total_distributions"]}),
        json!({"q": "Have investors gotten all their money back yet?", "intent": "calculation", "expect_bool": false}),
        json!({"q": "what is the internal rate of return", "intent": "calculation", "expect_number": e["irr_pct"], "tolerance": 0.1}),
        json!({"q": "Explain what DPI stands for", "intent": "definition", "expect_text_any": ["distributions", "paid-in"]}),
    ];
    if let Some(calls) = truth["capital_calls"].as_array()
        && let Some(year) = calls
            .first()
            .and_then(|c| c["date"].as_str())
            .and_then(|d| d.get(..4))
    {
        let n = calls
            .iter()
            .filter(|c| c["date"].as_str().is_some_and(|d| d.starts_with(year)))
            .count();
        out.push(json!({"q": format!("Which drawdowns happened during {year}?"), "intent": "retrieval", "expect_rows": n}));
    }
    if let Some(dists) = truth["distributions"].as_array()
        && let Some(biggest) = dists.iter().max_by(|a, b| {
            a["amount"]
                .as_f64()
                .partial_cmp(&b["amount"].as_f64())
                .unwrap()
        })
    {
        out.push(json!({"q": "Biggest payout so far?", "intent": "retrieval", "expect_number": biggest["amount"]}));
        out.push(json!({"q": "How many distributions has the fund made?", "intent": "retrieval", "expect_number": dists.len()}));
    }
    if e["tvpi"].is_number() {
        out.push(json!({"q": "total value to paid-in?", "intent": "calculation", "expect_number": e["tvpi"], "tolerance": 0.005}));
    }
    out
}

#[derive(Default, Clone, Copy)]
struct Tally {
    passed: usize,
    asked: usize,
}

impl Tally {
    fn cell(&self) -> String {
        if self.asked == 0 {
            "-".into()
        } else {
            format!("{}/{}", self.passed, self.asked)
        }
    }

    /// Pass rate; no questions asked is a broken eval, not a perfect score.
    fn rate(&self) -> f64 {
        if self.asked == 0 {
            0.0
        } else {
            self.passed as f64 / self.asked as f64
        }
    }
}

const INTENTS: [&str; 3] = ["calculation", "retrieval", "definition"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_answers_every_question_about_every_report() {
    let mut stack = Stack::start(|_| {}).await;
    stack.start_worker();
    let funds = ingest_all(&stack).await;
    let mut suites: Vec<(String, Option<i64>, Vec<Value>)> = Vec::new();
    for pdf in pdfs() {
        let stem = pdf.file_stem().unwrap().to_string_lossy().to_string();
        let Ok(raw) = std::fs::read(pdf.with_extension("json")) else {
            continue;
        };
        let truth: Value = serde_json::from_slice(&raw).unwrap();
        let fund = funds[&stem];
        if let Some(qa) = truth["qa"].as_array() {
            suites.push((stem.clone(), fund, qa.clone()));
        }
        if stem == "Sample_Fund_Performance_Report" {
            suites.push((format!("{stem} (spec)"), fund, specification_questions()));
        }
        if truth["expected"].is_object() {
            suites.push((format!("{stem} (reworded)"), fund, rephrasings(&truth)));
        }
    }

    let mut totals: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    println!(
        "\n{:<52} {:>12} {:>10} {:>11} {:>8}",
        "document", "calculation", "retrieval", "definition", "all"
    );
    for (name, fund, questions) in &suites {
        let mut row: BTreeMap<&str, Tally> = BTreeMap::new();
        for qa in questions {
            let intent = INTENTS
                .iter()
                .find(|i| qa["intent"] == **i)
                .copied()
                .unwrap_or("definition");
            let q = qa["q"].as_str().unwrap();
            let (code, body) = ask(&stack, q, *fund).await;
            if std::env::var_os("EVAL_VERBOSE").is_some() {
                println!(
                    "Q [{name}] {q}\nA [{}] {}\n",
                    body["intent"], body["answer"]
                );
            }
            let t = row.entry(intent).or_default();
            t.asked += 1;
            match score(qa, code, &body) {
                Ok(()) => t.passed += 1,
                Err(why) => failures.push(format!("{name} [{intent}] {q:?}: {why}")),
            }
        }
        let all = row.values().fold(Tally::default(), |a, t| Tally {
            passed: a.passed + t.passed,
            asked: a.asked + t.asked,
        });
        println!(
            "{:<52} {:>12} {:>10} {:>11} {:>8}",
            name,
            row.get("calculation").copied().unwrap_or_default().cell(),
            row.get("retrieval").copied().unwrap_or_default().cell(),
            row.get("definition").copied().unwrap_or_default().cell(),
            all.cell()
        );
        for (k, t) in row {
            let e = totals.entry(k).or_default();
            e.passed += t.passed;
            e.asked += t.asked;
        }
    }
    let all = totals.values().fold(Tally::default(), |a, t| Tally {
        passed: a.passed + t.passed,
        asked: a.asked + t.asked,
    });
    let get = |k: &str| totals.get(k).copied().unwrap_or_default();
    println!(
        "{:<52} {:>12} {:>10} {:>11} {:>8}",
        "TOTAL",
        get("calculation").cell(),
        get("retrieval").cell(),
        get("definition").cell(),
        all.cell()
    );
    for f in &failures {
        println!("FAIL {f}");
    }
    stack.stop().await;
    assert!(
        get("calculation").rate() >= 1.0 && get("retrieval").rate() >= 1.0,
        "calculation and retrieval must all pass:\n{}",
        failures.join("\n")
    );
    assert!(
        get("definition").rate() >= 0.95,
        "definition below 95%:\n{}",
        failures.join("\n")
    );
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Latency per intent at concurrency 1 and 32, measured at the client (`make bench-chat`).
/// Definition questions are all distinct, so each one is embedded (no cache hit).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with make bench-chat"]
async fn chat_latency_bench() {
    let mut stack = Stack::start(|c| c.api_db_pool_size = 10).await;
    stack.start_worker();
    let funds = ingest_all(&stack).await;
    let fund = funds["Sample_Fund_Performance_Report"];
    let stack = Arc::new(stack);
    type Question = fn(usize) -> String;
    let questions: [(&str, Question); 3] = [
        ("calculation", |_| "What is the current DPI?".to_string()),
        ("retrieval", |_| {
            "Show me all capital calls in 2024".to_string()
        }),
        ("definition", |i| {
            format!("What does paid-in capital mean for investor number {i}?")
        }),
    ];
    println!(
        "\n{:<12} {:>5} {:>6} {:>9} {:>9} {:>9}",
        "intent", "conc", "n", "p50 ms", "p99 ms", "server p50"
    );
    let mut offset = 0;
    for (intent, make) in questions {
        for conc in [1usize, 32] {
            let n = if conc == 1 { 200 } else { 640 };
            // Warm-up: connections, caches, the model's first pass.
            for i in 0..5 {
                ask(&stack, &make(1_000_000 + offset + i), fund).await;
            }
            offset += 100;
            let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let tasks: Vec<_> = (0..conc)
                .map(|_| {
                    let stack = stack.clone();
                    let next = next.clone();
                    let base = offset;
                    tokio::spawn(async move {
                        let mut out = Vec::new();
                        loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            if i >= n {
                                return out;
                            }
                            let t = Instant::now();
                            let (code, body) = ask(&stack, &make(base + i), fund).await;
                            assert_eq!(code, 200, "{body}");
                            assert_eq!(body["intent"], intent, "{body}");
                            out.push((
                                t.elapsed().as_secs_f64() * 1000.0,
                                body["processing_time_ms"].as_f64().unwrap_or(f64::NAN),
                            ));
                        }
                    })
                })
                .collect();
            offset += n;
            let mut client = Vec::new();
            let mut server = Vec::new();
            for t in tasks {
                for (c, s) in t.await.unwrap() {
                    client.push(c);
                    server.push(s);
                }
            }
            client.sort_by(f64::total_cmp);
            server.sort_by(f64::total_cmp);
            println!(
                "{:<12} {:>5} {:>6} {:>9.2} {:>9.2} {:>9.2}",
                intent,
                conc,
                client.len(),
                percentile(&client, 0.5),
                percentile(&client, 0.99),
                percentile(&server, 0.5)
            );
        }
    }
    let stack = Arc::try_unwrap(stack).ok().expect("no request in flight");
    stack.stop().await;
}

async fn post(stack: &Stack, path: &str, body: Value) -> (u16, Value) {
    let res = stack
        .http
        .post(format!("{}{path}", stack.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    let code = res.status().as_u16();
    (code, res.json().await.unwrap_or(Value::Null))
}

/// Conversations keep the fund and subject for follow-ups, the stream carries the same answer,
/// a fund named in the question is found, and without a model search falls back to full text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversations_follow_ups_streaming_and_fallbacks() {
    let mut stack = Stack::start(|_| {}).await;
    stack.start_worker();
    let data = shared::testing::data_dir();
    for rel in [
        "reference/Sample_Fund_Performance_Report.pdf",
        "reference/ILPA_Capital_Accounting_and_Performance_Metrics.pdf",
        "reports/dev01_grid_iso.pdf",
    ] {
        let bytes = std::fs::read(data.join(rel)).unwrap();
        let (code, up) = stack.upload(rel, bytes, None).await;
        assert_eq!(code, 202, "{up}");
        let done = stack
            .wait_done(up["document_id"].as_i64().unwrap(), Duration::from_secs(60))
            .await;
        assert_eq!(done["status"], DocumentStatus::Completed.as_str(), "{done}");
    }

    // Two funds have data: a metric question without a fund asks which one.
    let (code, body) = ask(&stack, "What is the current DPI?", None).await;
    assert_eq!(code, 200, "{body}");
    assert!(
        body["answer"].as_str().unwrap().contains("Several funds"),
        "{body}"
    );
    // The fund named in the question is used, case-insensitively.
    let (_, body) = ask(&stack, "what is the dpi of tech ventures fund iii?", None).await;
    assert!(
        body["answer"].as_str().unwrap().contains("0.3598"),
        "{body}"
    );
    let conv = body["conversation_id"].as_i64().unwrap();

    // Follow-ups inherit the conversation's fund and subject.
    let (_, body) = post(
        &stack,
        "/api/chat/query",
        json!({"query": "what about TVPI?", "conversation_id": conv}),
    )
    .await;
    assert_eq!(body["intent"], "calculation", "{body}");
    assert!(
        body["answer"]
            .as_str()
            .unwrap()
            .contains("TVPI cannot be computed"),
        "{body}"
    );
    let (_, body) = post(
        &stack,
        "/api/chat/query",
        json!({"query": "Show me all capital calls in 2024", "conversation_id": conv}),
    )
    .await;
    assert_eq!(body["rows"].as_array().unwrap().len(), 2, "{body}");
    let (_, body) = post(
        &stack,
        "/api/chat/query",
        json!({"query": "and in 2023?", "conversation_id": conv}),
    )
    .await;
    assert_eq!(body["intent"], "retrieval", "{body}");
    assert!(
        body["answer"].as_str().unwrap().contains("$8,000,000"),
        "{body}"
    );

    let (code, c) = stack.get(&format!("/api/chat/conversations/{conv}")).await;
    assert_eq!(code, 200);
    assert_eq!(c["messages"].as_array().unwrap().len(), 8, "{c}");
    assert_eq!(c["messages"][1]["role"], "assistant");
    assert!(
        c["messages"][1]["payload"]["sources"]
            .as_array()
            .is_some_and(|s| !s.is_empty())
    );
    let (_, list) = stack
        .get(&format!("/api/chat/conversations?fund_id={}", c["fund_id"]))
        .await;
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == conv),
        "{list}"
    );
    let (code, created) = post(
        &stack,
        "/api/chat/conversations",
        json!({"fund_id": c["fund_id"]}),
    )
    .await;
    assert_eq!(code, 201, "{created}");
    let (code, _) = post(
        &stack,
        "/api/chat/conversations",
        json!({"fund_id": 999_999}),
    )
    .await;
    assert_eq!(code, 404);
    let (code, e) = post(
        &stack,
        "/api/chat/query",
        json!({"query": "dpi?", "conversation_id": 999_999}),
    )
    .await;
    assert_eq!(code, 404, "{e}");
    let (code, e) = post(&stack, "/api/chat/query", json!({"query": "  "})).await;
    assert_eq!(code, 400, "{e}");

    // The stream's tokens rebuild the answer; the last events carry the whole response.
    let res = stack
        .http
        .post(format!("{}/api/chat/query/stream", stack.base))
        .json(&json!({"query": "List all adjustments", "fund_id": c["fund_id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let text = res.text().await.unwrap();
    let mut answer = String::new();
    let mut full = Value::Null;
    let mut event = "";
    for line in text.lines() {
        if let Some(e) = line.strip_prefix("event: ") {
            event = e;
        } else if let Some(d) = line.strip_prefix("data: ") {
            match event {
                "token" => answer.push_str(
                    serde_json::from_str::<Value>(d).unwrap()["text"]
                        .as_str()
                        .unwrap(),
                ),
                "sources" => full = serde_json::from_str(d).unwrap(),
                _ => {}
            }
        }
    }
    assert_eq!(full["answer"].as_str().unwrap(), answer);
    assert_eq!(full["rows"].as_array().unwrap().len(), 3);
    assert!(text.contains("event: done"));

    // Without a model the API still answers definitions, from full text, and says so.
    let mut config = stack.config.clone();
    config.embedding = None;
    let state = fundlens_api::build_state(config).await.unwrap();
    let res = fundlens_api::chat::ask(
        &state,
        serde_json::from_value(
            json!({"query": "What does Paid-In Capital mean?", "fund_id": c["fund_id"]}),
        )
        .unwrap(),
    )
    .await
    .unwrap();
    assert!(
        res.answer.contains("full-text search only"),
        "{}",
        res.answer
    );
    assert!(
        res.answer.to_lowercase().contains("paid-in capital"),
        "{}",
        res.answer
    );
    // Nothing related: said plainly, no random passage.
    let (_, body) = ask(
        &stack,
        "What's the weather in Paris tomorrow?",
        c["fund_id"].as_i64(),
    )
    .await;
    assert!(
        body["answer"].as_str().unwrap().contains("could not find"),
        "{body}"
    );
    stack.stop().await;
}
