//! Portfolio-table layouts the sample documents do not cover, built from synthetic glyphs.
use std::str::FromStr;

use rust_decimal::Decimal;

use super::PortfolioReader;
use crate::domain::{DocumentType, Extraction, FactValue};
use crate::extract::lines::build_lines;
use crate::pdf::Glyph;

const SIZE: f32 = 10.0;
const ADVANCE: f32 = SIZE * 0.5;

/// Right edges of the figure columns, so that figures print right-aligned under their header.
const VINTAGE: f32 = 270.0;
const COMMIT: f32 = 340.0;
const PAID: f32 = 410.0;
const DIST: f32 = 480.0;
const NAV: f32 = 550.0;
const TVPI: f32 = 600.0;
const IRR: f32 = 650.0;

/// A cell printed with its right edge at `x`.
fn r(x: f32, text: &str) -> (f32, String) {
    (x - text.chars().count() as f32 * ADVANCE, text.to_string())
}

fn l(x: f32, text: &str) -> (f32, String) {
    (x, text.to_string())
}

fn glyphs(y: f32, cells: &[(f32, String)], bold: bool) -> Vec<Glyph> {
    let mut out = Vec::new();
    for (x, text) in cells {
        let mut left = *x;
        for ch in text.chars() {
            if !ch.is_whitespace() {
                out.push(Glyph {
                    ch,
                    left,
                    bottom: y - 0.2 * SIZE,
                    right: left + ADVANCE,
                    top: y + 0.8 * SIZE,
                    font_size: SIZE,
                    bold,
                });
            }
            left += ADVANCE;
        }
    }
    out
}

/// Builds a page from (baseline, cells) lines and feeds it to the reader.
fn page(reader: &mut PortfolioReader, number: u32, lines: &[(f32, Vec<(f32, String)>)]) {
    let mut gs = Vec::new();
    for (y, cells) in lines {
        gs.extend(glyphs(*y, cells, false));
    }
    reader.add_page(number, &build_lines(&gs));
}

/// A fund row with every figure column, 20 points below the one before.
fn fund(y: f32, name: &str, figures: [&str; 7]) -> (f32, Vec<(f32, String)>) {
    let [v, c, p, d, n, t, i] = figures;
    let cells = vec![
        l(50.0, name),
        r(VINTAGE, v),
        r(COMMIT, c),
        r(PAID, p),
        r(DIST, d),
        r(NAV, n),
        r(TVPI, t),
        r(IRR, i),
    ];
    (y, cells.into_iter().filter(|c| !c.1.is_empty()).collect())
}

/// The two-line header of the IRR table: "Fund Name | Vintage | Commitment | Paid-In Capital |
/// Distributions | NAV | TVPI | Net IRR".
fn header(y: f32) -> Vec<(f32, Vec<(f32, String)>)> {
    vec![
        (
            y,
            vec![r(VINTAGE, "Vintage"), r(PAID, "Paid-In"), r(IRR, "Net")],
        ),
        (
            y - 11.0,
            vec![
                l(50.0, "Fund Name"),
                r(VINTAGE, "Year"),
                r(COMMIT, "Commitment"),
                r(PAID, "Capital"),
                r(DIST, "Distributed"),
                r(NAV, "NAV"),
                r(TVPI, "TVPI"),
                r(IRR, "IRR"),
            ],
        ),
    ]
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn finish(reader: PortfolioReader, doc_type: DocumentType) -> Extraction {
    let mut out = Extraction::default();
    reader.finish(doc_type, &mut out);
    out
}

#[test]
fn thousands_table_without_irr_column() {
    let mut reader = PortfolioReader::default();
    let mut lines = vec![(
        720.0,
        vec![l(50.0, "Schedule of Fund Investments (USD in thousands)")],
    )];
    lines.push((
        700.0,
        vec![
            l(50.0, "Fund"),
            r(VINTAGE, "Vintage"),
            r(COMMIT, "Commitment"),
            r(PAID, "Called"),
            r(DIST, "Distributed"),
            r(NAV, "Fair Value"),
            r(TVPI, "MOIC"),
        ],
    ));
    lines.push(fund(
        680.0,
        "Alpha Partners III",
        ["2016", "25,000", "24,100", "30,250", "12,000", "1.75x", ""],
    ));
    lines.push(fund(
        660.0,
        "Beta Growth Fund",
        ["2019", "10,000", "6,500", "-", "(1,200)", "0.18x", ""],
    ));
    lines.push(fund(
        640.0,
        "Gamma Credit",
        ["2021", "5,000", "", "", "", "n/a", ""],
    ));
    lines.push(fund(
        620.0,
        "Total",
        ["", "40,000", "30,600", "30,250", "10,800", "1.34x", ""],
    ));
    page(&mut reader, 1, &lines);
    assert_eq!(reader.row_count(), 3);
    let out = finish(reader, DocumentType::PortfolioPerformance);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let beta = &out.portfolio[1];
    assert_eq!(beta.name, "Beta Growth Fund");
    assert_eq!(beta.vintage_year, Some(2019));
    assert_eq!(beta.commitment, Some(d("10000000")));
    assert_eq!(beta.distributed, Some(Decimal::ZERO));
    assert_eq!(beta.nav, Some(d("-1200000")));
    assert_eq!(beta.tvpi, Some(d("0.18")));
    assert_eq!(beta.irr_pct, None);
    let gamma = &out.portfolio[2];
    assert_eq!((gamma.contributed, gamma.tvpi), (None, None));
    let commitment = out.facts.iter().find(|f| f.key == "commitment").unwrap();
    assert_eq!(commitment.value, FactValue::Number(d("40000000")));
    assert_eq!(commitment.label, "Total");
    assert_eq!(commitment.column.as_deref(), Some("Commitment"));
    assert!(out.facts.iter().all(|f| f.key != "irr_pct"));
}

#[test]
fn wrapped_names_join_their_row() {
    let mut reader = PortfolioReader::default();
    let mut lines = vec![(740.0, vec![l(50.0, "($ in millions)")])];
    lines.extend(header(720.0));
    lines.push(fund(
        690.0,
        "Advent Latin American Private",
        ["2015", "$75.0", "$66.2", "$15.0", "$74.7", "1.36x", "12.9%"],
    ));
    lines.push((679.0, vec![l(50.0, "Equity Fund VI")]));
    lines.push(fund(
        660.0,
        "Apax IX",
        [
            "2016", "$250.0", "$248.9", "$80.1", "$417.8", "2.11x", "33.3%",
        ],
    ));
    // A name set over two lines with its figures on the second.
    lines.push((640.0, vec![l(50.0, "Blackstone Capital")]));
    lines.push(fund(
        629.0,
        "Partners VIII",
        ["2020", "$500.0", "$53.9", "$0.0", "$61.5", "1.14x", "NM"],
    ));
    lines.push(fund(
        609.0,
        "* Vector Capital IV",
        ["2007", "$50.0", "$52.4", "$107.5", "$0.0", "2.14x", "14.4%"],
    ));
    page(&mut reader, 1, &lines);
    let out = finish(reader, DocumentType::PortfolioPerformance);
    let names: Vec<&str> = out.portfolio.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Advent Latin American Private Equity Fund VI",
            "Apax IX",
            "Blackstone Capital Partners VIII",
            "Vector Capital IV",
        ]
    );
    assert_eq!(out.portfolio[0].commitment, Some(d("75000000")));
    assert_eq!(out.portfolio[2].irr_pct, None);
    assert!(out.portfolio[2].source_text.contains("Blackstone Capital"));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}

#[test]
fn subtotal_that_does_not_add_up_is_reported() {
    let mut reader = PortfolioReader::default();
    let mut lines = vec![(740.0, vec![l(50.0, "($ millions)")])];
    lines.extend(header(720.0));
    lines.push((690.0, vec![l(50.0, "Buyout")]));
    lines.push(fund(
        670.0,
        "Fund A",
        [
            "2010", "$100.0", "$90.0", "$120.0", "$10.0", "1.44x", "9.0%",
        ],
    ));
    lines.push(fund(
        650.0,
        "Fund B",
        ["2012", "$50.0", "$45.0", "$20.0", "$40.0", "1.33x", "7.5%"],
    ));
    lines.push(fund(
        630.0,
        "Total Buyout",
        ["", "$150.0", "$135.0", "$140.0", "$50.0", "1.41x", "8.6%"],
    ));
    lines.push((610.0, vec![l(50.0, "Venture Capital")]));
    lines.push(fund(
        590.0,
        "Fund C",
        ["2015", "$20.0", "$18.0", "$5.0", "$30.0", "1.94x", "15.0%"],
    ));
    lines.push(fund(
        570.0,
        "Fund D",
        ["2018", "$30.0", "$12.0", "$0.0", "$15.0", "1.25x", "NM"],
    ));
    // 20.0 + 30.0 is 50.0, not 55.0.
    lines.push(fund(
        550.0,
        "Total Venture Capital",
        ["", "$55.0", "$30.0", "$5.0", "$45.0", "1.67x", "12.0%"],
    ));
    lines.push(fund(
        530.0,
        "Total Portfolio",
        ["", "$200.0", "$165.0", "$145.0", "$95.0", "1.45x", "9.1%"],
    ));
    page(&mut reader, 3, &lines);
    assert_eq!(reader.row_count(), 4);
    let out = finish(reader, DocumentType::PortfolioPerformance);
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    let w = &out.warnings[0];
    assert_eq!(w.page, Some(3));
    assert!(w.message.contains("Total Venture Capital"), "{}", w.message);
    assert!(w.message.contains("Commitment"), "{}", w.message);
    assert!(w.text.as_deref().unwrap_or("").contains("$55.0"));
    let facts: Vec<(&str, FactValue)> = out
        .facts
        .iter()
        .map(|f| (f.key.as_str(), f.value.clone()))
        .collect();
    assert!(facts.contains(&("commitment", FactValue::Number(d("200000000")))));
    assert!(facts.contains(&("irr_pct", FactValue::Number(d("9.1")))));
    assert!(out.facts.iter().all(|f| f.label == "Total Portfolio"));
}

#[test]
fn rows_continue_on_a_page_without_header() {
    let mut reader = PortfolioReader::default();
    let mut first = vec![(740.0, vec![l(50.0, "($ in millions)")])];
    first.extend(header(720.0));
    for k in 0..4 {
        let name = format!("Fund {k}");
        first.push(fund(
            690.0 - 20.0 * k as f32,
            &name,
            ["2010", "$10.0", "$9.0", "$8.0", "$7.0", "1.67x", "8.0%"],
        ));
    }
    page(&mut reader, 1, &first);
    let second = vec![
        (
            760.0,
            vec![l(250.0, "Private Equity Portfolio (continued)")],
        ),
        fund(
            730.0,
            "Fund 4",
            ["2011", "$10.0", "$9.0", "$8.0", "$7.0", "1.67x", "8.0%"],
        ),
        fund(
            710.0,
            "Total",
            ["", "$50.0", "$45.0", "$40.0", "$35.0", "1.67x", "8.0%"],
        ),
    ];
    page(&mut reader, 2, &second);
    assert_eq!(reader.row_count(), 5);
    let out = finish(reader, DocumentType::PortfolioPerformance);
    assert_eq!(out.portfolio[4].page, 2);
    assert_eq!(out.portfolio[4].commitment, Some(d("10000000")));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert!(out.facts.iter().any(|f| f.key == "nav" && f.page == 2));
}

#[test]
fn single_fund_tables_are_not_portfolio_tables() {
    let mut reader = PortfolioReader::default();
    let lines = vec![
        (
            700.0,
            vec![
                l(50.0, "Date"),
                l(150.0, "Call Number"),
                r(400.0, "Amount"),
                l(450.0, "Description"),
            ],
        ),
        (
            680.0,
            vec![
                l(50.0, "2024-01-15"),
                l(150.0, "1"),
                r(400.0, "$250,000"),
                l(450.0, "Investment"),
            ],
        ),
        (
            660.0,
            vec![
                l(50.0, "2024-03-15"),
                l(150.0, "2"),
                r(400.0, "$100,000"),
                l(450.0, "Fees"),
            ],
        ),
    ];
    page(&mut reader, 1, &lines);
    assert_eq!(reader.row_count(), 0);

    // A fund's own report listing three funds it co-invests with: too few for its type.
    let mut reader = PortfolioReader::default();
    let mut lines = header(720.0);
    for k in 0..3 {
        let name = format!("Fund {k}");
        lines.push(fund(
            690.0 - 20.0 * k as f32,
            &name,
            ["2010", "$10.0", "$9.0", "$8.0", "$7.0", "1.67x", "8.0%"],
        ));
    }
    page(&mut reader, 1, &lines);
    assert_eq!(reader.row_count(), 3);
    let out = finish(reader, DocumentType::QuarterlyReport);
    assert!(out.portfolio.is_empty());
    assert!(out.facts.is_empty());
}

#[test]
fn unreadable_cells_are_warned_not_dropped() {
    let mut reader = PortfolioReader::default();
    let mut lines = header(720.0);
    lines.push(fund(
        690.0,
        "Fund A",
        ["2010", "$10.0", "$9.0", "$8.0", "$7.0", "1.67x", "8.0%"],
    ));
    lines.push(fund(
        670.0,
        "Fund B",
        ["2011", "$10.0", "tbd", "$8.0", "$7.0", "1.67x", "8.0%"],
    ));
    lines.push(fund(
        650.0,
        "Fund C",
        ["2012", "$10.0", "$9.0", "$8.0", "$7.0", "1.67x", "8.0%"],
    ));
    page(&mut reader, 2, &lines);
    let out = finish(reader, DocumentType::PortfolioPerformance);
    assert_eq!(out.portfolio.len(), 3);
    assert_eq!(out.portfolio[1].contributed, None);
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    assert_eq!(out.warnings[0].page, Some(2));
    assert!(out.warnings[0].message.contains("tbd"));
}

#[test]
fn dense_rows_join_names_by_their_wording_and_footers_are_not_funds() {
    let mut reader = PortfolioReader::default();
    let mut lines = vec![(740.0, vec![l(50.0, "($ in millions)")])];
    lines.extend(header(720.0));
    let figures = ["2019", "$10.0", "$9.0", "$8.0", "$7.0", "1.67x", "8.0%"];
    lines.push(fund(696.0, "Fund A", figures));
    lines.push(fund(
        684.0,
        "Hellman & Friedman Capital Partners X,",
        figures,
    ));
    lines.push((672.0, vec![l(50.0, "L.P.")]));
    lines.push(fund(660.0, "Fund B", figures));
    lines.push((648.0, vec![l(50.0, "Growth Equity")]));
    lines.push(fund(636.0, "Fund C", figures));
    lines.push((624.0, vec![l(50.0, "Confidential"), r(NAV, "3")]));
    page(&mut reader, 1, &lines);
    let out = finish(reader, DocumentType::PortfolioPerformance);
    let names: Vec<&str> = out.portfolio.iter().map(|r| r.name.as_str()).collect();
    // "L.P." reads on only by its wording; "Growth Equity" is a group heading.
    assert_eq!(
        names,
        [
            "Fund A",
            "Hellman & Friedman Capital Partners X, L.P.",
            "Fund B",
            "Fund C"
        ]
    );
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}
