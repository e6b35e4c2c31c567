//! Whole tables: units, missing columns, subtotals, continuation pages, tables that are not portfolios.
use super::*;

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
