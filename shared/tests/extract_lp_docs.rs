//! Acceptance tests for notices and statements: every LP document against its JSON (investor,
//! ILPA-keyed facts, notice transactions), plus synthetic layouts the files do not cover.
mod common;

use common::{dec, extract, norm};
use shared::testing::{data_dir, init_pdfium};
use std::path::PathBuf;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;
use shared::domain::{Extraction, FACT_KEYS, FactValue};
use shared::extract::DocumentExtractor;
use shared::pdf::{Glyph, Page};

fn close(a: Decimal, b: Decimal) -> bool {
    (a - b).abs() < Decimal::new(5, 3)
}

/// One fact reduced to what is compared; the value is a number or an ISO date.
#[derive(Debug, Clone)]
struct F {
    key: String,
    period: Option<String>,
    column: Option<String>,
    number: Option<Decimal>,
    date: Option<String>,
    page: u64,
    label: String,
}

impl F {
    fn same(&self, o: &F) -> bool {
        self.key == o.key
            && self.period == o.period
            && self.column.as_deref().map(norm) == o.column.as_deref().map(norm)
            && self.page == o.page
            && self.date == o.date
            && match (self.number, o.number) {
                (Some(a), Some(b)) => close(a, b),
                (None, None) => true,
                _ => false,
            }
    }
}

fn expected_facts(gt: &Value) -> Vec<F> {
    let rows = gt["facts"].as_array().map_or(&[][..], Vec::as_slice);
    rows.iter()
        .filter(|f| FACT_KEYS.contains(&f["key"].as_str().unwrap_or("")))
        .map(|f| F {
            key: f["key"].as_str().unwrap_or("").into(),
            period: f["period"].as_str().map(str::to_string),
            column: f["column"].as_str().map(str::to_string),
            number: dec(&f["value"]),
            date: f["value"].as_str().map(str::to_string),
            page: f["page"].as_u64().unwrap_or(0),
            label: f["label"].as_str().unwrap_or("").into(),
        })
        .collect()
}

fn our_facts(out: &Extraction) -> Vec<F> {
    out.facts
        .iter()
        .filter(|f| FACT_KEYS.contains(&f.key.as_str()))
        .map(|f| F {
            key: f.key.clone(),
            period: f.period.map(|p| p.as_str().to_string()),
            column: f.column.clone(),
            number: f.value.number(),
            date: match f.value {
                FactValue::Date(d) => Some(d.to_string()),
                FactValue::Number(_) => None,
            },
            page: u64::from(f.page),
            label: f.label.clone(),
        })
        .collect()
}

/// Result of one file: mismatches, and exact facts out of expected facts.
struct Outcome {
    problems: Vec<String>,
    exact: usize,
    expected: usize,
}

fn compare_facts(out: &Extraction, gt: &Value, only_extras: bool, o: &mut Outcome) {
    let want = expected_facts(gt);
    let mut ours = our_facts(out);
    o.expected += if only_extras { 0 } else { want.len() };
    for w in &want {
        match ours.iter().position(|f| f.same(w)) {
            Some(i) => {
                let f = ours.remove(i);
                if norm(&f.label) == norm(&w.label) {
                    o.exact += usize::from(!only_extras);
                } else {
                    o.problems.push(format!("fact {w:?}: label {:?}", f.label));
                }
            }
            None if !only_extras => o.problems.push(format!("missing fact {w:?}")),
            None => {}
        }
    }
    for f in ours {
        o.problems.push(format!("extra fact {f:?}"));
    }
}

/// A transaction as compared: type, date, amount, precision, components, page, notice date.
type Tx<'a> = (
    &'a str,
    String,
    Decimal,
    &'a str,
    Vec<(String, Decimal)>,
    u32,
    Option<String>,
);

fn compare_transactions(out: &Extraction, gt: &Value, o: &mut Outcome) {
    let want = gt["transactions"].as_array().map_or(&[][..], Vec::as_slice);
    let mut ours: Vec<Tx> = Vec::new();
    for c in &out.capital_calls {
        let comps = c
            .components
            .iter()
            .map(|x| (x.label.clone(), x.amount))
            .collect();
        let nd = c.notice_date.map(|d| d.to_string());
        let p = c.date_precision.as_str();
        ours.push((
            "capital_call",
            c.date.to_string(),
            c.amount,
            p,
            comps,
            c.page,
            nd,
        ));
    }
    for d in &out.distributions {
        let comps = d
            .components
            .iter()
            .map(|x| (x.label.clone(), x.amount))
            .collect();
        let nd = d.notice_date.map(|d| d.to_string());
        let p = d.date_precision.as_str();
        ours.push((
            "distribution",
            d.date.to_string(),
            d.amount,
            p,
            comps,
            d.page,
            nd,
        ));
    }
    if ours.len() != want.len() {
        o.problems.push(format!(
            "transactions: got {}, want {}",
            ours.len(),
            want.len()
        ));
    }
    for w in want {
        let ty = w["type"].as_str().unwrap_or("");
        let date = w["date"].as_str().unwrap_or("");
        let amount = dec(&w["amount"]).unwrap_or_default();
        let Some(i) = ours
            .iter()
            .position(|t| t.0 == ty && t.1 == date && close(t.2, amount))
        else {
            o.problems
                .push(format!("missing transaction {ty} {date} {amount}"));
            continue;
        };
        let t = ours.remove(i);
        let precision = w["date_precision"].as_str().unwrap_or("day");
        if t.3 != precision {
            o.problems
                .push(format!("{ty} {date}: precision {} want {precision}", t.3));
        }
        if w["page"].as_u64() != Some(u64::from(t.5)) {
            o.problems
                .push(format!("{ty} {date}: page {} want {}", t.5, w["page"]));
        }
        if let Some(nd) = w["notice_date"].as_str()
            && t.6.as_deref() != Some(nd)
        {
            o.problems
                .push(format!("{ty} {date}: notice_date {:?} want {nd}", t.6));
        }
        if let Some(comps) = w["components"].as_array() {
            let wc: Vec<(String, Decimal)> = comps
                .iter()
                .map(|c| {
                    (
                        norm(c["label"].as_str().unwrap_or("")),
                        dec(&c["amount"]).unwrap_or_default(),
                    )
                })
                .collect();
            let same = wc.len() == t.4.len()
                && wc
                    .iter()
                    .zip(&t.4)
                    .all(|(a, b)| a.0 == norm(&b.0) && close(a.1, b.1));
            if !same {
                o.problems
                    .push(format!("{ty} {date}: components {:?} want {wc:?}", t.4));
            }
        }
    }
    for t in ours {
        o.problems
            .push(format!("extra transaction {} {} {}", t.0, t.1, t.2));
    }
}

fn compare(out: &Extraction, gt: &Value) -> Outcome {
    let mut o = Outcome {
        problems: Vec::new(),
        exact: 0,
        expected: 0,
    };
    let multi_fund = gt["fund"].is_null() && gt["document_type"] != "financial_statements";
    if !multi_fund {
        let want = gt["investor"]["name"].as_str().map(norm);
        if out.investor.as_deref().map(norm) != want {
            o.problems
                .push(format!("investor {:?} want {want:?}", out.investor));
        }
        if out.document_type.as_str() != gt["document_type"].as_str().unwrap_or("") {
            o.problems.push(format!(
                "document_type {} want {}",
                out.document_type.as_str(),
                gt["document_type"]
            ));
        }
    }
    compare_facts(out, gt, multi_fund, &mut o);
    compare_transactions(out, gt, &mut o);
    o
}

fn lp_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in ["lp_docs", "real"] {
        let dir = data_dir().join(sub);
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
            panic!(
                "cannot list {} (set FUNDLENS_DATA_DIR?): {e}",
                dir.display()
            )
        });
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
            .filter(|p| p.with_extension("json").is_file())
            .collect();
        found.sort();
        out.extend(found);
    }
    out
}

/// Files still short of their JSON, with the number of mismatches allowed. The template's JSON
/// keys one breakdown line ("Management Fees", Total Fund column) as management_fees_period but
/// leaves its sibling "Partnership Expenses" as other; breakdown lines of a notice are
/// components, not facts, so that one fact stays missing.
const KNOWN_GAPS: &[(&str, usize)] = &[("TEMPLATE_GPFundSolutions", 1)];
/// Share of the expected ILPA facts that must come out exactly.
const MIN_EXACT_RATIO: f64 = 0.99;

#[test]
fn every_lp_document_matches_its_json() {
    init_pdfium();
    let files = lp_files();
    assert!(
        files.len() >= 12,
        "expected the LP documents, found {}",
        files.len()
    );
    let (mut exact, mut expected) = (0, 0);
    let mut failed = Vec::new();
    for path in &files {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_string();
        let gt: Value = serde_json::from_str(
            &std::fs::read_to_string(path.with_extension("json")).expect("read json"),
        )
        .expect("parse json");
        let out = extract(path);
        let o = compare(&out, &gt);
        exact += o.exact;
        expected += o.expected;
        let verdict = if o.problems.is_empty() {
            "PASS"
        } else {
            "FAIL"
        };
        println!("{verdict} {name}: facts exact {}/{}", o.exact, o.expected);
        for p in &o.problems {
            println!("    {p}");
        }
        let allowed = KNOWN_GAPS
            .iter()
            .find(|k| name.starts_with(k.0))
            .map_or(0, |k| k.1);
        if o.problems.len() > allowed {
            failed.push(name);
        }
    }
    let ratio = exact as f64 / expected.max(1) as f64;
    println!("facts exact {exact}/{expected} ({ratio:.3})");
    assert!(failed.is_empty(), "files with mismatches: {failed:?}");
    assert!(
        ratio >= MIN_EXACT_RATIO,
        "exact-fact ratio {ratio:.3} below {MIN_EXACT_RATIO}"
    );
}

// ---- Synthetic layouts ----------------------------------------------------------------------

const SIZE: f32 = 10.0;

/// A synthetic line: baseline y, bold, and cells with their left x.
type SynLine<'a> = (f32, bool, &'a [(f32, &'a str)]);

fn page(lines: &[SynLine]) -> Page {
    let mut glyphs = Vec::new();
    for (y, bold, cells) in lines {
        for (x, text) in *cells {
            let mut left = *x;
            for ch in text.chars() {
                if !ch.is_whitespace() {
                    glyphs.push(Glyph {
                        ch,
                        left,
                        bottom: y - 0.2 * SIZE,
                        right: left + SIZE * 0.5,
                        top: y + 0.8 * SIZE,
                        font_size: SIZE,
                        bold: *bold,
                    });
                }
                left += SIZE * 0.5;
            }
        }
    }
    Page {
        number: 1,
        width: 612.0,
        height: 792.0,
        glyphs,
        text: String::new(),
        ocr: None,
    }
}

fn run(lines: &[SynLine]) -> Extraction {
    let mut ex = DocumentExtractor::new();
    ex.add_page(&page(lines));
    ex.finish()
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn notice_breakdown_that_does_not_add_up_warns() {
    let out = run(&[
        (700.0, true, &[(50.0, "Notice of Capital Call")]),
        (680.0, false, &[(50.0, "To: Harbor Pension Plan")]),
        (
            665.0,
            false,
            &[(50.0, "Notice Date:"), (200.0, "March 1, 2024")],
        ),
        (
            650.0,
            false,
            &[(50.0, "Due Date:"), (200.0, "March 15, 2024")],
        ),
        (620.0, true, &[(50.0, "Purpose of Capital Call")]),
        (
            605.0,
            false,
            &[(60.0, "Investment in Apex"), (300.0, "100,000")],
        ),
        (590.0, false, &[(60.0, "Management fee"), (300.0, "20,000")]),
        (
            575.0,
            false,
            &[(60.0, "Total Capital Call"), (300.0, "125,000")],
        ),
    ]);
    assert_eq!(out.investor.as_deref(), Some("Harbor Pension Plan"));
    assert_eq!(out.capital_calls.len(), 1, "{:?}", out.document_type);
    let call = &out.capital_calls[0];
    assert_eq!(call.amount, d("125000"));
    assert_eq!(call.date.to_string(), "2024-03-15");
    assert_eq!(call.components.len(), 2);
    let w = out
        .warnings
        .iter()
        .find(|w| w.message.contains("does not add up"))
        .expect("a warning for the breakdown");
    assert_eq!(w.page, Some(1));
    assert!(w.message.contains("-5000"), "{}", w.message);
}

#[test]
fn rollforward_that_does_not_add_up_names_the_column() {
    let out = run(&[
        (
            700.0,
            true,
            &[(50.0, "Partner's Capital Account Statement")],
        ),
        (
            680.0,
            false,
            &[(50.0, "For the quarter ended June 30, 2024 (in USD)")],
        ),
        (660.0, false, &[(50.0, "Limited Partner: Birch Foundation")]),
        (
            640.0,
            false,
            &[(50.0, "(in USD)"), (300.0, "QTD"), (400.0, "YTD")],
        ),
        (
            625.0,
            false,
            &[
                (50.0, "Beginning capital balance"),
                (290.0, "1,000"),
                (390.0, "900"),
            ],
        ),
        (
            610.0,
            false,
            &[(50.0, "Contributions"), (290.0, "200"), (390.0, "300")],
        ),
        (
            595.0,
            false,
            &[(50.0, "Distributions"), (290.0, "(100)"), (390.0, "(100)")],
        ),
        (
            580.0,
            false,
            &[
                (50.0, "Ending capital balance"),
                (290.0, "1,100"),
                (390.0, "1,150"),
            ],
        ),
    ]);
    assert_eq!(out.investor.as_deref(), Some("Birch Foundation"));
    let warned: Vec<&str> = out
        .warnings
        .iter()
        .filter(|w| w.message.contains("roll-forward"))
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(
        warned[0].contains("'YTD'") && warned[0].contains("-50"),
        "{}",
        warned[0]
    );
    let ytd_nav = out
        .facts
        .iter()
        .find(|f| f.key == "nav" && f.column.as_deref() == Some("YTD"))
        .expect("ending balance fact");
    assert_eq!(ytd_nav.value.number(), Some(d("1150")));
}

#[test]
fn prose_cash_flows_in_a_letter_are_month_dated() {
    let out = run(&[
        (700.0, true, &[(50.0, "Quarterly Letter to Investors")]),
        (
            680.0,
            false,
            &[(
                50.0,
                "A distribution of USD 10.44mm in January 2024 followed the sale of Apex,",
            )],
        ),
        (
            668.0,
            false,
            &[(
                50.0,
                "and a capital call of USD 0.54mm for expenses was made in March 2024.",
            )],
        ),
    ]);
    assert_eq!(out.distributions.len(), 1);
    assert_eq!(out.distributions[0].amount, d("10440000"));
    assert_eq!(out.distributions[0].date.to_string(), "2024-01-01");
    assert_eq!(out.distributions[0].date_precision.as_str(), "month");
    assert_eq!(out.capital_calls.len(), 1);
    assert_eq!(out.capital_calls[0].amount, d("540000"));
    assert_eq!(out.capital_calls[0].origin.as_str(), "prose");
}

#[test]
fn placeholder_notice_gives_no_transaction() {
    let out = run(&[
        (700.0, true, &[(50.0, "Notice of Capital Call")]),
        (680.0, false, &[(50.0, "Date:"), (200.0, "Month XX, 2022")]),
        (
            665.0,
            false,
            &[(50.0, "Due Date:"), (200.0, "Month XX, 2022")],
        ),
        (
            640.0,
            false,
            &[(50.0, "Total Amount Due"), (300.0, "$XX,XXX")],
        ),
    ]);
    assert!(out.capital_calls.is_empty());
    assert!(out.facts.iter().all(|f| f.value.date().is_none()));
}

#[test]
fn investor_report_summary_worded_its_own_way_gives_the_position_facts() {
    let out = run(&[
        (
            720.0,
            true,
            &[(50.0, "Quarterly Investor Report - Q1 2024")],
        ),
        (
            700.0,
            true,
            &[(50.0, "Summit Private Credit Fund III, L.P.")],
        ),
        (680.0, false, &[(50.0, "Investor Summary (USD)")]),
        (
            665.0,
            false,
            &[(50.0, "Commitment"), (300.0, "$451,132,490")],
        ),
        (
            650.0,
            false,
            &[(50.0, "Undrawn commitment"), (300.0, "$251,941,559")],
        ),
        (
            635.0,
            false,
            &[(50.0, "Called capital to date"), (300.0, "$694,043,923")],
        ),
        (
            620.0,
            false,
            &[(50.0, "Distribution to date"), (300.0, "($494,852,992)")],
        ),
    ]);
    let fact = |key: &str| {
        out.facts
            .iter()
            .find(|f| f.key == key)
            .and_then(|f| f.value.number())
    };
    assert_eq!(fact("commitment"), Some(d("451132490")), "{:?}", out.facts);
    assert_eq!(fact("unfunded_commitment"), Some(d("251941559")));
    assert_eq!(fact("contributed_to_date"), Some(d("694043923")));
    assert_eq!(fact("distributed_to_date"), Some(d("494852992")));
}

#[test]
fn a_drawdown_notice_is_dated_by_its_value_date_or_says_it_is_not() {
    let lines = |date_label: &'static str| {
        run(&[
            (720.0, true, &[(50.0, "Drawdown Notice")]),
            (700.0, false, &[(50.0, "Investor: Cedar Hill Endowment")]),
            (685.0, false, &[(50.0, "Notice date: 3 March 2025")]),
            (670.0, false, &[(50.0, date_label)]),
            (640.0, false, &[(50.0, "Description"), (400.0, "Amount")]),
            (
                625.0,
                false,
                &[
                    (50.0, "Investment in Solaris Grid"),
                    (400.0, "1,250,000.00"),
                ],
            ),
            (
                610.0,
                false,
                &[(50.0, "Management fee"), (400.0, "62,500.00")],
            ),
            (
                595.0,
                false,
                &[(50.0, "Amount payable by you"), (400.0, "1,312,500.00")],
            ),
        ])
    };
    let out = lines("Value date: 17 March 2025");
    assert_eq!(out.capital_calls.len(), 1, "{:?}", out.warnings);
    assert_eq!(out.capital_calls[0].date.to_string(), "2025-03-17");
    assert_eq!(
        out.capital_calls[0].notice_date.map(|d| d.to_string()),
        Some("2025-03-03".into())
    );
    assert_eq!(out.capital_calls[0].amount, d("1312500"));

    let undated = lines("Please remit by wire.");
    assert_eq!(undated.capital_calls[0].date.to_string(), "2025-03-03");
    assert!(
        undated
            .warnings
            .iter()
            .any(|w| w.message.contains("no due or payment date")),
        "{:?}",
        undated.warnings
    );
}
