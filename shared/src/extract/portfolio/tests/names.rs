//! Fund names that wrap, group headings, footers and unreadable cells.
use super::*;

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
