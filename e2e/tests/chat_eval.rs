//! Chat evaluation: every report in the data folder goes through the real pipeline, then every
//! `qa` question (plus the specification's questions and rephrasings) is asked and scored, and
//! the same facts are asked again in an LP analyst's own words (the "paraphrase" column).
//! `make eval` prints the table; `make bench-chat` runs the ignored latency benchmark.
//!
//! Honest by construction: no question asked (in total, for an intent, or about a document
//! with ground truth) fails the eval; a PDF without ground truth fails it unless the data README
//! says it has none; definition answers are scored on the retrieved text only, without the
//! convention paragraph the API appends to them.
mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Stack, numbers};
use serde_json::{Value, json};
use shared::domain::DocumentStatus;

/// PDFs of reports/ and reference/ that have no ground-truth JSON by design (data README:
/// "a three-page text document on ILPA capital accounting definitions (no tables; for
/// retrieval and definition questions)"). It is uploaded, so definition questions find it, and
/// reported; any other PDF without a JSON fails the eval.
const WITHOUT_GROUND_TRUTH: [&str; 1] = ["ILPA_Capital_Accounting_and_Performance_Metrics"];

/// Thresholds. Calculation and retrieval must all pass, definition at least 95%.
const CALCULATION_MIN: f64 = 1.0;
const RETRIEVAL_MIN: f64 = 1.0;
const DEFINITION_MIN: f64 = 0.95;
/// The LP-worded paraphrases, written without looking at the intent router's cue lists: the
/// rate this data supports today, not a target. Measured when they were written: 115/237
/// (48.5%; calculation 79/156, retrieval 36/63, definition 0/18). The wordings that fail are
/// marked `FAILS` in [`paraphrases`]; raise this as the router learns them.
const PARAPHRASE_MIN: f64 = 0.48;

/// Every PDF of reports/ and reference/ (the sample and the ILPA definitions document).
fn pdfs() -> Vec<PathBuf> {
    let mut out = shared::testing::data_files("reports", "pdf");
    out.extend(shared::testing::data_files("reference", "pdf"));
    assert!(
        !out.is_empty(),
        "no PDF in {}",
        shared::testing::data_dir().display()
    );
    out
}

/// Uploads every PDF at once, waits for all, and returns (file stem → fund id).
async fn ingest_all(stack: &Stack) -> BTreeMap<String, Option<i64>> {
    let mut ids = Vec::new();
    for pdf in pdfs() {
        let name = pdf.file_name().unwrap().to_string_lossy().to_string();
        let (code, up) = stack.upload(&name, shared::testing::read(&pdf), None).await;
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

/// Uploads one file of the data dir's `folder`, waits for it and returns its fund.
async fn ingest_one(stack: &Stack, folder: &str, file: &str) -> Option<i64> {
    let path = shared::testing::data_dir().join(folder).join(file);
    let (code, up) = stack.upload(file, shared::testing::read(&path), None).await;
    assert_eq!(code, 202, "{file}: {up}");
    let id = up["document_id"].as_i64().unwrap();
    let status = stack.wait_done(id, Duration::from_secs(120)).await;
    assert_eq!(
        status["status"],
        DocumentStatus::Completed.as_str(),
        "{file}: {status}"
    );
    status["fund_id"].as_i64()
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

/// A definition answer without the paragraph the API appends from its own conventions
/// (api/src/chat/answer/definition.rs: "\n\nIn Fundlens: <conventions>.", then an optional
/// note): from "In Fundlens:" to the end. Expected words must come from the retrieved text.
fn retrieved_text(answer: &str) -> &str {
    answer.find("In Fundlens:").map_or(answer, |i| &answer[..i])
}

/// Whether `expect_text_any` is scored on the whole answer (the old, lenient way, printed for
/// comparison) or on the retrieved text alone (what the eval asserts on).
#[derive(Clone, Copy, PartialEq)]
enum Words {
    WholeAnswer,
    RetrievedOnly,
}

/// Scores one answer against a `qa` entry; `Err` says what was wrong.
fn score(qa: &Value, code: u16, body: &Value, words: Words) -> Result<(), String> {
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
    let tolerance = |e: f64| {
        qa["tolerance"]
            .as_f64()
            .unwrap_or(if e.abs() < 10.0 { 1e-4 } else { 0.01 })
    };
    // An expectation that is present but not a number (a null figure in the ground truth) would
    // otherwise pass unchecked.
    if let Some(v) = qa.get("expect_number") {
        match v.as_f64() {
            Some(e) if near(e, tolerance(e)) => {}
            Some(e) => problems.push(format!("no {e} (±{})", tolerance(e))),
            None => problems.push(format!("expect_number is not a number: {v}")),
        }
    }
    // Either reading of an ambiguous question is right (e.g. "drawn": calls, or paid-in).
    if let Some(v) = qa.get("expect_number_any") {
        let options: Vec<f64> = v
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default();
        if options.is_empty() {
            problems.push(format!("expect_number_any has no number: {v}"));
        } else if !options.iter().any(|e| near(*e, tolerance(*e))) {
            problems.push(format!("none of {options:?}"));
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
    if let Some(list) = qa["expect_text_any"].as_array() {
        let text = match words {
            Words::WholeAnswer => answer,
            Words::RetrievedOnly => retrieved_text(answer),
        };
        let lower = text.to_lowercase();
        if !list
            .iter()
            .filter_map(Value::as_str)
            .any(|w| lower.contains(&w.to_lowercase()))
        {
            problems.push(match words {
                Words::WholeAnswer => format!("none of {list:?}"),
                Words::RetrievedOnly => {
                    format!("none of {list:?} in the retrieved text (before \"In Fundlens:\")")
                }
            });
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

/// The first year with a capital call and how many calls it has.
fn first_call_year(truth: &Value) -> Option<(String, usize)> {
    let calls = truth["capital_calls"].as_array()?;
    let year = calls.first()?["date"].as_str()?.get(..4)?.to_string();
    let n = calls
        .iter()
        .filter(|c| c["date"].as_str().is_some_and(|d| d.starts_with(&year)))
        .count();
    Some((year, n))
}

/// The largest distribution row.
fn biggest_distribution(truth: &Value) -> Option<&Value> {
    truth["distributions"].as_array()?.iter().max_by(|a, b| {
        a["amount"]
            .as_f64()
            .partial_cmp(&b["amount"].as_f64())
            .unwrap()
    })
}

/// Whether the LPs have their money back: DPI ≥ 1 (the question's honest answer, per report).
fn returned_all(e: &Value) -> bool {
    e["dpi"].as_f64().expect("expected.dpi") >= 1.0
}

/// Rewordings kept from the first eval: they differ from the `qa` and specification wording
/// without reusing a metric's name ("drawdowns" for calls, "payout" for distribution). Scored
/// under their intents, with the intents' thresholds. (Rewordings that only spelt a metric out,
/// such as "distributions to paid-in multiple" or "internal rate of return", were replaced by
/// [`paraphrases`].)
fn rephrasings(truth: &Value) -> Vec<Value> {
    let e = &truth["expected"];
    let mut out = vec![
        json!({"q": "Have investors gotten all their money back yet?", "intent": "calculation", "expect_bool": returned_all(e)}),
        json!({"q": "Explain what DPI stands for", "intent": "definition", "expect_text_any": ["distributions", "paid-in"]}),
    ];
    if let Some((year, n)) = first_call_year(truth) {
        out.push(json!({"q": format!("Which drawdowns happened during {year}?"), "intent": "retrieval", "expect_rows": n}));
    }
    if let Some(biggest) = biggest_distribution(truth) {
        out.push(json!({"q": "Biggest payout so far?", "intent": "retrieval", "expect_number": biggest["amount"]}));
    }
    out
}

/// The same facts as an LP analyst would ask them in an email, two or three wordings each,
/// written from the ground truth's meaning and NOT from the router's cue lists
/// (api/src/chat/intent/cues.rs was not read to write them). Counted in their own "paraphrase"
/// tally with its own threshold; a wording that fails is listed under FAIL with its answer.
/// `FAILS` marks the wordings that failed on every report when they were written (the chat
/// code is someone else's to change; these stay as written).
fn paraphrases(truth: &Value) -> Vec<Value> {
    let e = &truth["expected"];
    let calc = "calculation";
    let mut out = Vec::new();
    let mut add = |intent: &str, qs: &[&str], expect: Value| {
        for q in qs {
            let mut v = expect.clone();
            v["q"] = json!(q);
            v["intent"] = json!(intent);
            out.push(v);
        }
    };
    // DPI.
    add(
        calc,
        &[
            // FAILS: answered with TVPI, not DPI.
            "What multiple have we actually received back in cash?",
            "How many times over has the cash we got back covered what we contributed?",
            "What's our realized multiple on this fund to date?",
        ],
        json!({"expect_number": e["dpi"]}),
    );
    // Paid-in capital: "drawn" may fairly be read as the calls alone, before adjustments.
    add(
        calc,
        &[
            "How much of our commitment has been drawn so far?",
            // FAILS: routed to definition (quotes the report's header).
            "What's the total we've wired to the fund to date?",
            // FAILS: routed to definition.
            "How much money have we put into this fund so far?",
        ],
        json!({"expect_number_any": [e["pic"], e["gross_contributions"]]}),
    );
    // Total distributions.
    add(
        calc,
        &[
            // FAILS: routed to definition (the quoted passage may hold the total; no figure is
            // computed).
            "How much cash have we gotten back from the fund in total?",
            // FAILS: routed to definition.
            "What's the total the GP has sent back to us so far?",
            // FAILS: routed to definition.
            "Add up everything we've received from the fund, please.",
        ],
        json!({"expect_number": e["total_distributions"]}),
    );
    // Capital returned (yes/no).
    add(
        calc,
        &[
            "Did we get our money back yet?",
            "Are we back to break-even on a cash basis?",
            "Has the fund paid back everything we put in?",
        ],
        json!({"expect_bool": returned_all(e)}),
    );
    // IRR.
    if e["irr_pct"].is_number() {
        add(
            calc,
            &[
                "What annualized return are we earning on this fund?",
                // FAILS: routed to definition.
                "What's our money-weighted return so far?",
                "What yield are we getting on this investment per year?",
            ],
            json!({"expect_number": e["irr_pct"], "tolerance": 0.1}),
        );
    }
    // TVPI (only where the report states a NAV).
    if e["tvpi"].is_number() {
        add(
            calc,
            &[
                // FAILS: routed to definition.
                "Counting what's still in the fund, how many times our money are we at?",
                "All in, cash back plus remaining value, what multiple are we sitting at?",
                // FAILS: routed to definition.
                "What's the whole position worth relative to what we put in?",
            ],
            json!({"expect_number": e["tvpi"], "tolerance": 0.005}),
        );
    }
    // Calls in one year.
    if let Some((year, n)) = first_call_year(truth) {
        add(
            "retrieval",
            &[
                &format!("Which drawdowns landed in {year}?"),
                &format!("What did the GP call from us during {year}?"),
                // FAILS: routed to definition (no rows).
                &format!("Can you list what we were asked to fund in {year}?"),
            ],
            json!({"expect_rows": n}),
        );
    }
    // The largest distribution, and how many there were.
    if let Some(biggest) = biggest_distribution(truth) {
        add(
            "retrieval",
            // FAILS: routed to definition.
            &["What was the single largest check we got from the fund?"],
            json!({"expect_number": biggest["amount"]}),
        );
        add(
            "retrieval",
            &["When did we get our biggest payout, and how much was it?"],
            json!({"expect_number": biggest["amount"], "expect_date": biggest["date"]}),
        );
    }
    if let Some(dists) = truth["distributions"].as_array() {
        add(
            "retrieval",
            &[
                // FAILS: routed to definition.
                "How many times has the fund sent us money?",
                "How many payouts have we received so far?",
            ],
            json!({"expect_number": dists.len()}),
        );
    }
    // What DPI means.
    add(
        "definition",
        &[
            // FAILS: routed to calculation (answers with the fund's DPI figure).
            "Remind me what DPI tells us about a fund?",
            // FAILS: routed to calculation.
            "In plain terms, what is DPI measuring?",
        ],
        json!({"expect_text_any": ["distributions", "paid-in"]}),
    );
    out
}

#[derive(Default, Clone, Copy, Debug, PartialEq)]
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

    fn add(&mut self, other: Tally) {
        self.passed += other.passed;
        self.asked += other.asked;
    }

    fn record(&mut self, pass: bool) {
        self.asked += 1;
        self.passed += usize::from(pass);
    }
}

const INTENTS: [&str; 3] = ["calculation", "retrieval", "definition"];
/// The table's columns: the intents, then the LP-worded paraphrases (of every intent).
const PARAPHRASE: &str = "paraphrase";

/// What is wrong with a run's totals, empty when it passes: every column must have been asked
/// at least once and reach its threshold.
fn verdict(totals: &BTreeMap<&str, Tally>) -> Vec<String> {
    let mut problems = Vec::new();
    let all = totals.values().fold(Tally::default(), |mut a, t| {
        a.add(*t);
        a
    });
    if all.asked == 0 {
        problems.push("no question was asked at all".to_string());
    }
    for (column, min) in [
        ("calculation", CALCULATION_MIN),
        ("retrieval", RETRIEVAL_MIN),
        ("definition", DEFINITION_MIN),
        (PARAPHRASE, PARAPHRASE_MIN),
    ] {
        let t = totals.get(column).copied().unwrap_or_default();
        if t.asked == 0 {
            problems.push(format!("no {column} question was asked"));
        } else if t.rate() < min {
            problems.push(format!(
                "{column} {} = {:.1}% is below {:.1}%",
                t.cell(),
                t.rate() * 100.0,
                min * 100.0
            ));
        }
    }
    problems
}

#[test]
fn an_eval_that_asks_nothing_fails() {
    assert_eq!(Tally::default().rate(), 0.0);
    let problems = verdict(&BTreeMap::new());
    assert!(
        problems
            .iter()
            .any(|p| p.contains("no question was asked at all")),
        "{problems:?}"
    );
    for column in INTENTS.iter().chain([&PARAPHRASE]) {
        assert!(
            problems
                .iter()
                .any(|p| p == &format!("no {column} question was asked")),
            "{column}: {problems:?}"
        );
    }
    // Questions for every intent but one: still a failure, naming the missing one.
    let mut totals = BTreeMap::new();
    for column in ["calculation", "retrieval", PARAPHRASE] {
        totals.insert(
            column,
            Tally {
                passed: 5,
                asked: 5,
            },
        );
    }
    assert_eq!(
        verdict(&totals),
        vec!["no definition question was asked".to_string()]
    );
    totals.insert(
        "definition",
        Tally {
            passed: 5,
            asked: 5,
        },
    );
    assert!(verdict(&totals).is_empty());
    // One retrieval failure is one too many; 19/20 definitions is enough.
    totals.insert(
        "retrieval",
        Tally {
            passed: 4,
            asked: 5,
        },
    );
    totals.insert(
        "definition",
        Tally {
            passed: 19,
            asked: 20,
        },
    );
    assert_eq!(verdict(&totals).len(), 1, "{:?}", verdict(&totals));
}

#[test]
fn definitions_are_scored_without_the_convention_paragraph() {
    let qa = json!({"intent": "definition", "expect_text_any": ["paid-in"]});
    let body =
        |answer: &str| json!({"intent": "definition", "answer": answer, "sources": [{"page": 1}]});
    let canned = body(
        "From ilpa.pdf, page 2: “Distributions are cash returned to LPs.” [1]\n\nIn Fundlens: DPI (distributions to paid-in) = total distributions ÷ paid-in capital.",
    );
    assert!(score(&qa, 200, &canned, Words::WholeAnswer).is_ok());
    assert!(score(&qa, 200, &canned, Words::RetrievedOnly).is_err());
    let retrieved = body(
        "From ilpa.pdf, page 2: “Paid-in capital is the capital LPs contributed.” [1]\n\nIn Fundlens: PIC = calls less adjustments.",
    );
    assert!(score(&qa, 200, &retrieved, Words::RetrievedOnly).is_ok());
    // An expectation that is null in the ground truth is a failure, not a free pass.
    let qa = json!({"intent": "calculation", "expect_number": null});
    let body = json!({"intent": "calculation", "answer": "TVPI is 1.5", "sources": [{"page": 1}]});
    assert!(score(&qa, 200, &body, Words::RetrievedOnly).is_err());
}

/// One group of questions about one fund, and the column it is counted in.
struct Suite {
    name: String,
    fund: Option<i64>,
    questions: Vec<Value>,
    paraphrase: bool,
}

/// Suffix of the suites asking each report's investment focus (all must pass).
const FOCUS_SUITE: &str = " (focus)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_answers_every_question_about_every_report() {
    let mut stack = Stack::start(|_| {}).await;
    stack.start_worker();
    let funds = ingest_all(&stack).await;
    let mut suites: Vec<Suite> = Vec::new();
    let mut without_truth = Vec::new();
    let mut nothing_to_ask = Vec::new();
    let all_pdfs = pdfs();
    for pdf in &all_pdfs {
        let stem = pdf.file_stem().unwrap().to_string_lossy().to_string();
        let truth_path = pdf.with_extension("json");
        if !truth_path.is_file() {
            without_truth.push(stem);
            continue;
        }
        let truth = shared::testing::json(&truth_path);
        let fund = funds[&stem];
        let before = suites.len();
        let mut suite = |name: String, questions: Vec<Value>, paraphrase: bool| {
            if !questions.is_empty() {
                suites.push(Suite {
                    name,
                    fund,
                    questions,
                    paraphrase,
                });
            }
        };
        if let Some(qa) = truth["qa"].as_array() {
            suite(stem.clone(), qa.clone(), false);
        }
        if stem == "Sample_Fund_Performance_Report" {
            suite(format!("{stem} (spec)"), specification_questions(), false);
        }
        // The text answer must quote the sentence that answers, not merely its neighbours.
        if let Some(focus) = truth["facts"]["focus"].as_str() {
            suite(
                format!("{stem}{FOCUS_SUITE}"),
                vec![
                    json!({"q": "What is the fund's investment focus?", "intent": "definition", "expect_text_any": [focus]}),
                ],
                false,
            );
        }
        if truth["expected"].is_object() {
            suite(format!("{stem} (reworded)"), rephrasings(&truth), false);
            suite(format!("{stem} (LP wording)"), paraphrases(&truth), true);
        }
        if suites.len() == before {
            nothing_to_ask.push(stem);
        }
    }
    let unexplained: Vec<&String> = without_truth
        .iter()
        .filter(|s| !WITHOUT_GROUND_TRUTH.contains(&s.as_str()))
        .collect();
    println!(
        "\n{} PDFs uploaded; {} with ground truth; without ground truth: {:?} ({} by design, see the data README)",
        all_pdfs.len(),
        all_pdfs.len() - without_truth.len(),
        without_truth,
        without_truth.len() - unexplained.len(),
    );
    assert!(
        unexplained.is_empty(),
        "PDFs without a ground-truth JSON, so nothing is asked about them: {unexplained:?}"
    );
    assert!(
        nothing_to_ask.is_empty(),
        "ground truth with no `qa` and no `expected` figures, so nothing is asked: {nothing_to_ask:?}"
    );

    let mut totals: BTreeMap<&str, Tally> = BTreeMap::new();
    // Paraphrases per intent, and definition checks scored the old way, for the report.
    let mut paraphrase_by_intent: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut definition_whole_answer = Tally::default();
    let mut definition_retrieved = Tally::default();
    let mut focus = Tally::default();
    let mut failures = Vec::new();
    let header = |first: &str| {
        println!(
            "{first:<52} {:>12} {:>10} {:>11} {:>11} {:>8}",
            "calculation", "retrieval", "definition", "paraphrase", "all"
        )
    };
    header("document");
    for suite in &suites {
        let mut row: BTreeMap<&str, Tally> = BTreeMap::new();
        for qa in &suite.questions {
            let q = qa["q"].as_str().expect("question text");
            // A question without a known intent would be counted nowhere honest.
            let intent = INTENTS
                .iter()
                .find(|i| qa["intent"] == **i)
                .copied()
                .unwrap_or_else(|| panic!("{}: {q:?} has no known intent: {qa}", suite.name));
            let (code, body) = ask(&stack, q, suite.fund).await;
            if std::env::var_os("EVAL_VERBOSE").is_some() {
                println!(
                    "Q [{}] {q}\nA [{}] {}\n",
                    suite.name, body["intent"], body["answer"]
                );
            }
            let result = score(qa, code, &body, Words::RetrievedOnly);
            if qa.get("expect_text_any").is_some() && !suite.paraphrase {
                definition_retrieved.record(result.is_ok());
                definition_whole_answer.record(score(qa, code, &body, Words::WholeAnswer).is_ok());
            }
            let column = if suite.paraphrase { PARAPHRASE } else { intent };
            row.entry(column).or_default().record(result.is_ok());
            if suite.paraphrase {
                paraphrase_by_intent
                    .entry(intent)
                    .or_default()
                    .record(result.is_ok());
            }
            if suite.name.ends_with(FOCUS_SUITE) {
                focus.record(result.is_ok());
            }
            if let Err(why) = result {
                failures.push(format!("{} [{column}/{intent}] {q:?}: {why}", suite.name));
            }
        }
        let all = row.values().fold(Tally::default(), |mut a, t| {
            a.add(*t);
            a
        });
        let cell = |k: &str| row.get(k).copied().unwrap_or_default().cell();
        println!(
            "{:<52} {:>12} {:>10} {:>11} {:>11} {:>8}",
            suite.name,
            cell("calculation"),
            cell("retrieval"),
            cell("definition"),
            cell(PARAPHRASE),
            all.cell()
        );
        for (k, t) in row {
            totals.entry(k).or_default().add(t);
        }
    }
    let all = totals.values().fold(Tally::default(), |mut a, t| {
        a.add(*t);
        a
    });
    let get = |k: &str| totals.get(k).copied().unwrap_or_default();
    println!(
        "{:<52} {:>12} {:>10} {:>11} {:>11} {:>8}",
        "TOTAL",
        get("calculation").cell(),
        get("retrieval").cell(),
        get("definition").cell(),
        get(PARAPHRASE).cell(),
        all.cell()
    );
    println!(
        "\ndefinition word checks (expect_text_any): {} on the whole answer, {} on the retrieved text alone (without \"In Fundlens: …\")",
        definition_whole_answer.cell(),
        definition_retrieved.cell()
    );
    println!(
        "paraphrase by intent: {}",
        INTENTS
            .iter()
            .map(|i| format!(
                "{i} {}",
                paraphrase_by_intent
                    .get(i)
                    .copied()
                    .unwrap_or_default()
                    .cell()
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "investment focus quoted (every report with facts.focus): {}",
        focus.cell()
    );
    for f in &failures {
        println!("FAIL {f}");
    }
    stack.stop().await;
    let mut problems = verdict(&totals);
    if focus.asked == 0 || focus.passed < focus.asked {
        problems.push(format!(
            "the investment-focus answer must quote the focus sentence for every report: {}",
            focus.cell()
        ));
    }
    assert!(
        problems.is_empty(),
        "{}\nfailed questions:\n{}",
        problems.join("\n"),
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
    // A call notice (position, notice) and a pension plan's portfolio table.
    let notice_fund = ingest_one(&stack, "lp_docs", "lp01_call_grid_cents_long.pdf").await;
    ingest_one(
        &stack,
        "real",
        "OregonPERS_OPERF_Private_Equity_Portfolio_2021Q1.pdf",
    )
    .await;
    let stack = Arc::new(stack);
    type Question = fn(usize) -> String;
    let questions: [(&str, Option<i64>, Question); 6] = [
        ("calculation", fund, |_| {
            "What is the current DPI?".to_string()
        }),
        ("retrieval", fund, |_| {
            "Show me all capital calls in 2024".to_string()
        }),
        ("definition", fund, |i| {
            format!("What does paid-in capital mean for investor number {i}?")
        }),
        ("position", notice_fund, |_| {
            "What is our unfunded commitment?".to_string()
        }),
        ("notice", notice_fund, |_| {
            "How much do we owe on Capital Call No. 5, and when is it due?".to_string()
        }),
        ("portfolio", None, |_| {
            "Which 2011 vintage fund in the pension plan's table has the highest TVPI?".to_string()
        }),
    ];
    println!(
        "\n{:<12} {:>5} {:>6} {:>9} {:>9} {:>9}",
        "intent", "conc", "n", "p50 ms", "p99 ms", "server p50"
    );
    let mut offset = 0;
    for (intent, fund, make) in questions {
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
    for rel in [
        "reference/Sample_Fund_Performance_Report.pdf",
        "reference/ILPA_Capital_Accounting_and_Performance_Metrics.pdf",
        "reports/dev01_grid_iso.pdf",
    ] {
        let bytes = shared::testing::read(rel);
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
    let res = state
        .chat
        .ask(
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
