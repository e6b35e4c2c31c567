//! `make eval`, LP documents: every notice, capital account statement, financial statement,
//! portfolio table and program review of `lp_docs/` and `real/` goes through the real pipeline,
//! then questions generated from each file's JSON ground truth — worded as an LP analyst writes
//! them — are asked through the chat API and scored: position, notice amounts and dates,
//! breakdowns, capital account rows by period, roll-forward, portfolio filters, questions across
//! funds, and asking back when a notice number is ambiguous. Numbers must be exact and cited.
mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDate;
use common::{Stack, numbers};
use serde_json::{Value, json};
use shared::domain::{ComponentKind, DocumentStatus};

/// Acceptance thresholds of the issue: every numeric question, 95% of text questions.
const NUMERIC_MIN: f64 = 1.0;
const TEXT_MIN: f64 = 0.95;

fn documents() -> Vec<PathBuf> {
    let mut out = shared::testing::data_files("lp_docs", "pdf");
    out.extend(shared::testing::data_files("real", "pdf"));
    out
}

fn truth(pdf: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(pdf.with_extension("json"))
        .unwrap_or_else(|e| panic!("{}: no ground truth beside it: {e}", pdf.display()));
    serde_json::from_str(&text).unwrap()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Numeric,
    Text,
}

/// One generated question and what a correct answer holds.
#[derive(Debug, Clone)]
struct Q {
    file: String,
    class: Class,
    query: String,
    /// Amounts (compared to the cent; by magnitude when `magnitude` is set, since statements
    /// print outflows as negatives and an answer may say "fees of $37,535").
    numbers: Vec<f64>,
    magnitude: bool,
    dates: Vec<NaiveDate>,
    /// Each inner list: at least one of these words (case-insensitive).
    words: Vec<Vec<String>>,
    /// Words that must NOT appear (an ask-back names choices, never picks one).
    absent: Vec<String>,
    /// The answer must cite this file.
    cites: Option<String>,
}

impl Q {
    fn new(file: &str, class: Class, query: String) -> Q {
        Q {
            file: file.to_string(),
            class,
            query,
            numbers: Vec::new(),
            magnitude: false,
            dates: Vec::new(),
            words: Vec::new(),
            absent: Vec::new(),
            cites: Some(file.to_string()),
        }
    }
    fn num(mut self, v: f64) -> Q {
        self.numbers.push(v);
        self
    }
    fn date(mut self, d: NaiveDate) -> Q {
        self.dates.push(d);
        self
    }
    fn word(mut self, any: &[&str]) -> Q {
        self.words.push(any.iter().map(|w| w.to_string()).collect());
        self
    }
}

/// How an LP writes a fund's name: without the legal suffix.
fn short(name: &str) -> String {
    let mut n = name.trim().to_string();
    for suffix in [", L.P.", " L.P.", ", LP", " LP", ", Ltd.", ", LLC"] {
        if let Some(s) = n.strip_suffix(suffix) {
            n = s.to_string();
        }
    }
    n
}

fn f64_of(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn date_of(v: &Value) -> Option<NaiveDate> {
    v.as_str().and_then(|s| s.parse().ok())
}

/// The figure the LP holds now: the LP's column rather than the whole fund's, the value after
/// the notice rather than before it, the last one printed otherwise.
fn current(facts: &[Value], key: &str) -> Option<f64> {
    let text = |f: &Value| {
        format!(
            "{} {}",
            f["label"].as_str().unwrap_or(""),
            f["column"].as_str().unwrap_or("")
        )
        .to_lowercase()
    };
    let mine: Vec<&Value> = facts
        .iter()
        .filter(|f| f["key"] == key && f["value"].is_number())
        .filter(|f| !text(f).contains("total fund"))
        .collect();
    let after = mine
        .iter()
        .rev()
        .find(|f| ["after", "including"].iter().any(|w| text(f).contains(w)));
    let not_before = mine
        .iter()
        .rev()
        .find(|f| !["before", "prior"].iter().any(|w| text(f).contains(w)));
    after.or(not_before).and_then(|f| f64_of(&f["value"]))
}

fn month_name(d: NaiveDate) -> String {
    d.format("%B %-d, %Y").to_string()
}

/// Questions about one notice: amount and date, breakdown, recallable part, and what it is for.
fn notice_questions(file: &str, fund: &str, t: &Value, out: &mut Vec<Q>) {
    let reference = t["reference"].as_str().unwrap_or("the notice");
    let amount = f64_of(&t["amount"]).unwrap();
    let date = date_of(&t["date"]).unwrap();
    let components = t["components"].as_array().cloned().unwrap_or_default();
    let sum_of = |kind: ComponentKind| -> Option<f64> {
        let parts: Vec<f64> = components
            .iter()
            .filter(|c| ComponentKind::of_label(c["label"].as_str().unwrap_or("")) == kind)
            .filter_map(|c| f64_of(&c["amount"]))
            .collect();
        (!parts.is_empty()).then(|| parts.iter().sum())
    };
    if t["type"] == "capital_call" {
        out.push(
            Q::new(
                file,
                Class::Numeric,
                format!("How much do we owe on {reference} from {fund}, and when is it due?"),
            )
            .num(amount)
            .date(date),
        );
        out.push(
            Q::new(
                file,
                Class::Numeric,
                format!("When do we have to fund the latest capital call for {fund}?"),
            )
            .date(date),
        );
        if let Some(fee) = sum_of(ComponentKind::ManagementFee) {
            out.push(
                Q::new(
                    file,
                    Class::Numeric,
                    format!("How much of {fund}'s {reference} is management fees?"),
                )
                .num(fee),
            );
        }
        let investees: Vec<String> = components
            .iter()
            .filter(|c| {
                ComponentKind::of_label(c["label"].as_str().unwrap_or(""))
                    == ComponentKind::Investment
            })
            .filter_map(|c| c["label"].as_str())
            .filter_map(|l| l.split(" in ").nth(1).or_else(|| l.split(" - ").nth(1)))
            .map(str::to_string)
            .collect();
        if let Some(first) = investees.first() {
            out.push(
                Q::new(
                    file,
                    Class::Text,
                    format!("What is {fund} calling capital for this time?"),
                )
                .word(&[first.as_str()]),
            );
        }
    } else {
        out.push(
            Q::new(
                file,
                Class::Numeric,
                format!("How much are we getting from {fund} in {reference}, and when is it paid?"),
            )
            .num(amount)
            .date(date),
        );
        if let Some(roc) = sum_of(ComponentKind::ReturnOfCapital) {
            out.push(
                Q::new(
                    file,
                    Class::Numeric,
                    format!("How much of the last distribution from {fund} was return of capital?"),
                )
                .num(roc),
            );
        }
        if let Some(gain) = sum_of(ComponentKind::RealizedGain) {
            out.push(
                Q::new(
                    file,
                    Class::Numeric,
                    format!("What part of {fund}'s {reference} is realized gains?"),
                )
                .num(gain),
            );
        }
        if let Some(r) = f64_of(&t["recallable_amount"]) {
            out.push(
                Q::new(
                    file,
                    Class::Numeric,
                    format!("Is any of {fund}'s latest distribution recallable, and how much?"),
                )
                .num(r),
            );
        }
    }
}

/// Position questions from the balances a document states.
fn position_questions(file: &str, fund: &str, facts: &[Value], out: &mut Vec<Q>) {
    let asks: [(&str, String); 5] = [
        (
            "unfunded_commitment",
            format!("What is our unfunded commitment in {fund}?"),
        ),
        (
            "commitment",
            format!("How big is our commitment to {fund}?"),
        ),
        (
            "contributed_to_date",
            format!("How much have we paid in to {fund} so far in total?"),
        ),
        (
            "distributed_to_date",
            format!("What have we received back from {fund} to date?"),
        ),
        (
            "recallable_to_date",
            format!("How much of our distributions from {fund} could still be called back?"),
        ),
    ];
    for (key, query) in asks {
        if let Some(v) = current(facts, key) {
            out.push(Q::new(file, Class::Numeric, query).num(v));
        }
    }
}

/// How an LP names a statement column's period.
fn period_words(period: &str) -> Option<&'static str> {
    match period {
        "qtd" => Some("for the quarter"),
        "ytd" => Some("year to date"),
        "itd" => Some("since inception"),
        _ => None,
    }
}

/// Capital account rows by period (the LP's column), and the roll-forward.
fn statement_questions(file: &str, fund: &str, facts: &[Value], out: &mut Vec<Q>) {
    let rows: [(&str, &str); 5] = [
        ("management_fees_period", "management fees"),
        ("expenses_period", "fund expenses"),
        ("realized_gain_period", "realized gains"),
        ("unrealized_gain_period", "unrealized gains or losses"),
        ("carried_interest_period", "carried interest allocation"),
    ];
    let mut asked = false;
    for f in facts {
        let key = f["key"].as_str().unwrap_or("");
        let column = f["column"].as_str().unwrap_or("").to_lowercase();
        if column.contains("total") || column.contains("general partner") {
            continue;
        }
        let Some((_, what)) = rows.iter().find(|(k, _)| *k == key) else {
            continue;
        };
        let Some(when) = f["period"].as_str().and_then(period_words) else {
            continue;
        };
        let mut q = Q::new(
            file,
            Class::Numeric,
            format!("What were our {what} in {fund} {when}?"),
        )
        .num(f64_of(&f["value"]).unwrap());
        q.magnitude = true;
        out.push(q);
        asked = true;
    }
    if asked {
        let ending = facts
            .iter()
            .find(|f| {
                f["key"] == "nav"
                    && !f["column"]
                        .as_str()
                        .unwrap_or("")
                        .to_lowercase()
                        .contains("total")
            })
            .and_then(|f| f64_of(&f["value"]));
        if let Some(v) = ending {
            out.push(
                Q::new(
                    file,
                    Class::Numeric,
                    format!("What is the ending balance of our capital account in {fund}?"),
                )
                .num(v),
            );
        }
        out.push(
            Q::new(
                file,
                Class::Text,
                format!("Does our capital account statement from {fund} roll forward correctly?"),
            )
            .word(&["yes"]),
        );
    }
}

/// Filters, top-N and totals over a many-funds table.
fn portfolio_questions(file: &str, t: &Value, out: &mut Vec<Q>) {
    let funds = t["funds"].as_array().cloned().unwrap_or_default();
    let investor = t["investor"]["name"].as_str().unwrap_or("the pension plan");
    let mut by_vintage: BTreeMap<i64, Vec<&Value>> = BTreeMap::new();
    for f in &funds {
        if let Some(v) = f["vintage_year"].as_i64() {
            by_vintage.entry(v).or_default().push(f);
        }
    }
    // Three vintages with enough funds to rank, spread over the table.
    let rich: Vec<i64> = by_vintage
        .iter()
        .filter(|(_, v)| v.len() >= 4)
        .map(|(y, _)| *y)
        .collect();
    let picks: Vec<i64> = [0, rich.len() / 2, rich.len().saturating_sub(1)]
        .into_iter()
        .filter_map(|i| rich.get(i).copied())
        .collect();
    for year in picks {
        let rows = &by_vintage[&year];
        let best = rows
            .iter()
            .filter(|r| r["tvpi"].is_number())
            .max_by(|a, b| a["tvpi"].as_f64().partial_cmp(&b["tvpi"].as_f64()).unwrap())
            .unwrap();
        out.push(
            Q::new(
                file,
                Class::Numeric,
                format!("In the {investor} portfolio table, which {year} vintage fund has the highest TVPI?"),
            )
            .num(best["tvpi"].as_f64().unwrap())
            .word(&[best["name"].as_str().unwrap()]),
        );
        out.push(
            Q::new(
                file,
                Class::Numeric,
                format!("How many funds of vintage {year} are in the {investor} private equity portfolio?"),
            )
            .num(rows.len() as f64),
        );
        let total: f64 = rows.iter().filter_map(|r| r["commitment"].as_f64()).sum();
        out.push(
            Q::new(
                file,
                Class::Numeric,
                format!("What is the total commitment to {year} vintage funds in the {investor} portfolio?"),
            )
            .num(total),
        );
    }
    // A named row: the one with the largest commitment.
    if let Some(big) = funds
        .iter()
        .filter(|f| f["irr_pct"].is_number())
        .max_by(|a, b| {
            a["commitment"]
                .as_f64()
                .partial_cmp(&b["commitment"].as_f64())
                .unwrap()
        })
    {
        let name = big["name"].as_str().unwrap();
        out.push(
            Q::new(
                file,
                Class::Numeric,
                format!("What IRR does {name} show in the {investor} table?"),
            )
            .num(big["irr_pct"].as_f64().unwrap()),
        );
    }
}

/// Every question the ground truth of one file yields.
fn questions_for(file: &str, t: &Value) -> Vec<Q> {
    let mut out = Vec::new();
    let facts = t["facts"].as_array().cloned().unwrap_or_default();
    let fund = t["fund"]["name"].as_str().map(short);
    if t["document_type"] == "portfolio_performance" {
        portfolio_questions(file, t, &mut out);
    }
    let Some(fund) = fund else {
        return out;
    };
    for tx in t["transactions"].as_array().cloned().unwrap_or_default() {
        if t["document_type"]
            .as_str()
            .is_some_and(|d| d.ends_with("_notice"))
            && tx["reference"].is_string()
        {
            notice_questions(file, &fund, &tx, &mut out);
        }
    }
    if matches!(
        t["document_type"].as_str(),
        Some("capital_call_notice" | "distribution_notice" | "capital_account_statement")
    ) {
        position_questions(file, &fund, &facts, &mut out);
    }
    statement_questions(file, &fund, &facts, &mut out);
    if let Some(gp) = t["fund"]["gp_name"].as_str() {
        out.push(
            Q::new(
                file,
                Class::Text,
                format!("Who is the general partner of {fund}?"),
            )
            .word(&[gp]),
        );
    }
    out
}

/// Questions over several funds: totals across funds, the fund that called most in a year, and
/// a notice number that two funds use (the answer must ask which, naming both, and pick none).
fn across_questions(truths: &[(String, Value)]) -> Vec<Q> {
    let mut out = Vec::new();
    let mut unfunded = 0.0;
    let mut with_unfunded = 0;
    let mut calls_by_year: BTreeMap<i32, Vec<(String, f64)>> = BTreeMap::new();
    let mut references: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (_, t) in truths {
        let Some(fund) = t["fund"]["name"].as_str().map(short) else {
            continue;
        };
        let facts = t["facts"].as_array().cloned().unwrap_or_default();
        if let Some(v) = current(&facts, "unfunded_commitment") {
            unfunded += v;
            with_unfunded += 1;
        }
        for tx in t["transactions"].as_array().cloned().unwrap_or_default() {
            if let (Some(d), Some(a)) = (date_of(&tx["date"]), f64_of(&tx["amount"])) {
                use chrono::Datelike;
                if tx["type"] == "capital_call" {
                    calls_by_year
                        .entry(d.year())
                        .or_default()
                        .push((fund.clone(), a));
                }
            }
            if let Some(r) = tx["reference"].as_str() {
                references
                    .entry(r.to_string())
                    .or_default()
                    .push(fund.clone());
            }
        }
    }
    if with_unfunded >= 2 {
        let mut q = Q::new(
            "",
            Class::Numeric,
            "What is our total unfunded commitment across all our funds?".into(),
        )
        .num(unfunded);
        q.cites = None;
        out.push(q);
    }
    for (year, calls) in &calls_by_year {
        let mut per_fund: BTreeMap<&str, f64> = BTreeMap::new();
        for (f, a) in calls {
            *per_fund.entry(f.as_str()).or_default() += a;
        }
        if per_fund.len() < 2 {
            continue;
        }
        let (top, amount) = per_fund
            .iter()
            .max_by(|a, b| a.1.partial_cmp(b.1).unwrap())
            .unwrap();
        let mut q = Q::new(
            "",
            Class::Numeric,
            format!("Which fund called the most capital from us in {year}?"),
        )
        .num(*amount)
        .word(&[top]);
        q.cites = None;
        out.push(q);
    }
    for (reference, funds) in references {
        if funds.len() < 2 {
            continue;
        }
        let mut q = Q::new(
            "",
            Class::Text,
            format!("How much was {reference} and when was it paid?"),
        );
        for f in &funds {
            q = q.word(&[f.as_str()]);
        }
        q.cites = None;
        q.absent = vec!["$".into()];
        out.push(q);
    }
    out
}

fn mentions_date(answer: &str, d: NaiveDate) -> bool {
    answer.contains(&d.to_string()) || answer.contains(&month_name(d))
}

fn score(q: &Q, code: u16, body: &Value) -> Result<(), String> {
    if code != 200 {
        return Err(format!("HTTP {code}: {body}"));
    }
    let answer = body["answer"].as_str().unwrap_or("");
    let found = numbers(answer);
    for want in &q.numbers {
        let hit = found.iter().any(|v| {
            let (a, b) = if q.magnitude {
                (v.abs(), want.abs())
            } else {
                (*v, *want)
            };
            (a - b).abs() < 0.006
        });
        if !hit {
            return Err(format!("{want} not in the answer"));
        }
    }
    for d in &q.dates {
        if !mentions_date(answer, *d) {
            return Err(format!("date {d} not in the answer"));
        }
    }
    let lower = answer.to_lowercase();
    for any in &q.words {
        if !any.iter().any(|w| lower.contains(&w.to_lowercase())) {
            return Err(format!("none of {any:?} in the answer"));
        }
    }
    for w in &q.absent {
        if lower.contains(&w.to_lowercase()) {
            return Err(format!("{w:?} in an answer that should ask back"));
        }
    }
    if let Some(file) = &q.cites {
        let sources = body["sources"].as_array().cloned().unwrap_or_default();
        if !sources
            .iter()
            .any(|s| s["file_name"].as_str() == Some(file.as_str()) && s["page"].as_i64() > Some(0))
        {
            return Err(format!("no source cites {file} with a page"));
        }
    }
    Ok(())
}

#[test]
fn the_lp_eval_asks_questions_of_every_kind() {
    let truths: Vec<(String, Value)> = documents()
        .iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().to_string(),
                truth(p),
            )
        })
        .collect();
    assert!(!truths.is_empty(), "no LP documents found");
    let mut all: Vec<Q> = truths
        .iter()
        .flat_map(|(f, t)| questions_for(f, t))
        .collect();
    all.extend(across_questions(&truths));
    let numeric = all.iter().filter(|q| q.class == Class::Numeric).count();
    let text = all.len() - numeric;
    assert!(numeric >= 40 && text >= 8, "{numeric} numeric, {text} text");
    // A score that cannot fail is no score: a wrong number, a missing date and a missing
    // citation each fail.
    let q = Q::new("a.pdf", Class::Numeric, "x".into())
        .num(100.0)
        .date(NaiveDate::from_ymd_opt(2024, 2, 28).unwrap());
    let ok = json!({"answer": "$100.00 due February 28, 2024 [1]", "sources": [{"file_name": "a.pdf", "page": 1}]});
    assert!(score(&q, 200, &ok).is_ok());
    let wrong = json!({"answer": "$100.01 due February 28, 2024", "sources": [{"file_name": "a.pdf", "page": 1}]});
    assert!(score(&q, 200, &wrong).is_err());
    let uncited = json!({"answer": "$100.00 due 2024-02-28", "sources": []});
    assert!(score(&q, 200, &uncited).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_answers_lp_questions_from_notices_statements_and_portfolio_tables() {
    let mut stack = Stack::start(|_| {}).await;
    stack.start_worker();
    let mut ids = Vec::new();
    let mut truths = Vec::new();
    for pdf in documents() {
        let name = pdf.file_name().unwrap().to_string_lossy().to_string();
        let (code, up) = stack.upload(&name, shared::testing::read(&pdf), None).await;
        assert_eq!(code, 202, "{name}: {up}");
        ids.push((name.clone(), up["document_id"].as_i64().unwrap()));
        truths.push((name, truth(&pdf)));
    }
    for (name, id) in &ids {
        let status = stack.wait_done(*id, Duration::from_secs(180)).await;
        assert_eq!(
            status["status"],
            DocumentStatus::Completed.as_str(),
            "{name}: {status}"
        );
    }
    let mut questions: Vec<Q> = truths
        .iter()
        .flat_map(|(f, t)| questions_for(f, t))
        .collect();
    questions.extend(across_questions(&truths));
    assert!(!questions.is_empty(), "the LP eval asked nothing");
    // A program review or a template names no fund and holds no table: nothing to ask of it alone.
    let silent: Vec<&str> = truths
        .iter()
        .map(|(f, _)| f.as_str())
        .filter(|f| !questions.iter().any(|q| q.file == *f))
        .collect();
    println!("files that yield no question of their own (no fund, no table): {silent:?}");

    // (file, class) → (passed, asked)
    let mut table: BTreeMap<(String, Class), (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for q in &questions {
        let res = stack
            .http
            .post(format!("{}/api/chat/query", stack.base))
            .json(&json!({ "query": q.query }))
            .send()
            .await
            .unwrap();
        let code = res.status().as_u16();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        let verdict = score(q, code, &body);
        let key = (
            if q.file.is_empty() {
                "(across funds)".to_string()
            } else {
                q.file.clone()
            },
            q.class,
        );
        let e = table.entry(key).or_default();
        e.1 += 1;
        match verdict {
            Ok(()) => e.0 += 1,
            Err(why) => failures.push(format!(
                "{} [{:?}] {}\n    -> {why}\n    answer: {}",
                q.file,
                q.class,
                q.query,
                body["answer"].as_str().unwrap_or("").replace('\n', " ")
            )),
        }
    }
    println!("\n{:<66} {:>9} {:>9}", "document", "numeric", "text");
    let mut files: Vec<String> = table.keys().map(|(f, _)| f.clone()).collect();
    files.dedup();
    let cell = |f: &str, c: Class| {
        table
            .get(&(f.to_string(), c))
            .map_or("-".to_string(), |(p, n)| format!("{p}/{n}"))
    };
    for f in &files {
        println!(
            "{:<66} {:>9} {:>9}",
            f,
            cell(f, Class::Numeric),
            cell(f, Class::Text)
        );
    }
    let total = |c: Class| {
        table
            .iter()
            .filter(|((_, k), _)| *k == c)
            .fold((0, 0), |acc, (_, (p, n))| (acc.0 + p, acc.1 + n))
    };
    let (np, nn) = total(Class::Numeric);
    let (tp, tn) = total(Class::Text);
    println!(
        "{:<66} {:>9} {:>9}",
        "total",
        format!("{np}/{nn}"),
        format!("{tp}/{tn}")
    );
    for f in &failures {
        println!("FAIL {f}");
    }
    stack.stop().await;
    assert!(
        nn > 0 && tn > 0,
        "the LP eval asked {nn} numeric and {tn} text questions"
    );
    assert!(
        np as f64 / nn as f64 >= NUMERIC_MIN,
        "numeric {np}/{nn} is below {NUMERIC_MIN}"
    );
    assert!(
        tp as f64 / tn as f64 >= TEXT_MIN,
        "text {tp}/{tn} is below {TEXT_MIN}"
    );
}
