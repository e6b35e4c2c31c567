//! Acceptance tests for tables of many funds: every portfolio row and the printed total against
//! the ground truth, and no portfolio rows from documents that have none.
mod common;

use common::{dec, extract, norm};
use shared::testing::{data_dir, init_pdfium};
use std::path::PathBuf;

use rust_decimal::Decimal;
use serde_json::Value;
use shared::domain::{Extraction, PortfolioRow};

/// Fact keys a portfolio table's total row gives.
const TOTAL_KEYS: &[&str] = &[
    "commitment",
    "unfunded_commitment",
    "contributed_to_date",
    "distributed_to_date",
    "nav",
    "total_value",
    "tvpi",
    "dpi",
    "irr_pct",
];

/// Collects mismatches instead of stopping at the first, so one run shows everything wrong.
#[derive(Default)]
struct Diff {
    problems: Vec<String>,
}

impl Diff {
    /// Exact comparison: amounts to the unit, ratios and percentages as printed.
    fn number(&mut self, what: &str, ours: Option<Decimal>, want: &Value) -> bool {
        let same = ours == dec(want);
        if !same {
            self.problems
                .push(format!("{what}: got {ours:?}, want {want}"));
        }
        same
    }

    fn eq<T: PartialEq + std::fmt::Debug>(&mut self, what: &str, ours: T, want: T) -> bool {
        let same = ours == want;
        if !same {
            self.problems
                .push(format!("{what}: got {ours:?}, want {want:?}"));
        }
        same
    }
}

fn compare_row(d: &mut Diff, i: usize, o: &PortfolioRow, w: &Value) -> bool {
    let at = format!("funds[{i}] ({})", o.source_text);
    let mut ok = d.eq(
        &format!("{at}.name"),
        norm(&o.name),
        norm(w["name"].as_str().unwrap_or("")),
    );
    ok &= d.eq(
        &format!("{at}.vintage_year"),
        o.vintage_year.map(i64::from),
        w["vintage_year"].as_i64(),
    );
    ok &= d.number(&format!("{at}.commitment"), o.commitment, &w["commitment"]);
    ok &= d.number(
        &format!("{at}.contributed"),
        o.contributed,
        &w["contributed"],
    );
    ok &= d.number(
        &format!("{at}.distributed"),
        o.distributed,
        &w["distributed"],
    );
    ok &= d.number(&format!("{at}.nav"), o.nav, &w["nav"]);
    ok &= d.number(&format!("{at}.tvpi"), o.tvpi, &w["tvpi"]);
    ok &= d.number(&format!("{at}.irr_pct"), o.irr_pct, &w["irr_pct"]);
    ok &= d.eq(
        &format!("{at}.page"),
        Some(i64::from(o.page)),
        w["page"].as_i64(),
    );
    ok
}

fn compare_totals(d: &mut Diff, out: &Extraction, gt: &Value) {
    let want: Vec<&Value> = gt["facts"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let want: Vec<&Value> = want
        .into_iter()
        .filter(|f| TOTAL_KEYS.contains(&f["key"].as_str().unwrap_or("")))
        .collect();
    for w in &want {
        let key = w["key"].as_str().unwrap_or("");
        let Some(o) = out.facts.iter().find(|f| f.key == key) else {
            d.problems
                .push(format!("total fact {key}: missing, want {w}"));
            continue;
        };
        let at = format!("total fact {key} ({})", o.source_text);
        d.number(&format!("{at}.value"), o.value.number(), &w["value"]);
        d.eq(
            &format!("{at}.label"),
            Some(o.label.as_str()),
            w["label"].as_str(),
        );
        d.eq(
            &format!("{at}.column"),
            o.column.as_deref(),
            w["column"].as_str(),
        );
        d.eq(
            &format!("{at}.period"),
            o.period.map(|p| p.as_str()),
            w["period"].as_str(),
        );
        d.eq(
            &format!("{at}.page"),
            Some(i64::from(o.page)),
            w["page"].as_i64(),
        );
    }
    for o in &out.facts {
        if TOTAL_KEYS.contains(&o.key.as_str()) && !want.iter().any(|w| w["key"] == o.key.as_str())
        {
            d.problems.push(format!(
                "extra total fact {} = {:?} ({})",
                o.key, o.value, o.source_text
            ));
        }
    }
}

/// Every PDF with a ground-truth JSON beside it, in the folders that hold documents.
fn documents() -> Vec<PathBuf> {
    let dir = data_dir();
    let mut pdfs = Vec::new();
    for sub in ["real", "lp_docs", "reports", "third_party", "reference"] {
        let path = dir.join(sub);
        let entries = std::fs::read_dir(&path).unwrap_or_else(|e| {
            panic!(
                "cannot list {} (set FUNDLENS_DATA_DIR?): {e}",
                path.display()
            )
        });
        pdfs.extend(
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
                .filter(|p| p.with_extension("json").is_file()),
        );
    }
    pdfs.sort();
    pdfs
}

#[test]
fn portfolio_tables_match_their_ground_truth() {
    init_pdfium();
    let files = documents();
    let mut with_funds = 0;
    let mut failures = Vec::new();
    for path in &files {
        let json = std::fs::read_to_string(path.with_extension("json")).expect("ground truth");
        let gt: Value = serde_json::from_str(&json).expect("ground truth JSON");
        let funds: &[Value] = gt["funds"].as_array().map_or(&[], Vec::as_slice);
        let out = extract(path);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut d = Diff::default();
        if funds.is_empty() {
            for r in &out.portfolio {
                d.problems
                    .push(format!("unexpected portfolio row: {}", r.source_text));
            }
        } else {
            with_funds += 1;
            d.eq("row count", out.portfolio.len(), funds.len());
            let exact = out
                .portfolio
                .iter()
                .zip(funds)
                .enumerate()
                .filter(|(i, (o, w))| compare_row(&mut d, *i, o, w))
                .count();
            eprintln!("{name}: {exact} of {} rows exact", funds.len());
            compare_totals(&mut d, &out, &gt);
            for w in out
                .warnings
                .iter()
                .filter(|w| w.message.contains("portfolio"))
            {
                d.problems.push(format!(
                    "warning p{:?}: {} ({:?})",
                    w.page, w.message, w.text
                ));
            }
        }
        if d.problems.is_empty() {
            eprintln!("PASS {name}");
        } else {
            eprintln!("FAIL {name} ({} mismatches)", d.problems.len());
            failures.push(format!("{name}:\n  {}", d.problems.join("\n  ")));
        }
    }
    assert!(
        with_funds >= 1,
        "no ground truth with portfolio rows in {}",
        data_dir().display()
    );
    assert!(
        failures.is_empty(),
        "{} of {} files differ:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}
