//! Layout variations the sample PDFs do not cover, built as synthetic positioned-glyph pages.
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use shared::domain::{Extraction, TextBlockKind};
use shared::extract::DocumentExtractor;
use shared::pdf::{Glyph, Page};

const SIZE: f32 = 10.0;

/// One printed line: its baseline and the cells with their left x.
struct L<'a> {
    y: f32,
    bold: bool,
    size: f32,
    cells: Vec<(f32, &'a str)>,
}

fn l(y: f32, cells: &[(f32, &'static str)]) -> L<'static> {
    L {
        y,
        bold: false,
        size: SIZE,
        cells: cells.to_vec(),
    }
}

fn heading(y: f32, text: &'static str) -> L<'static> {
    L {
        y,
        bold: true,
        size: 12.0,
        cells: vec![(50.0, text)],
    }
}

fn page(number: u32, lines: &[L]) -> Page {
    let mut glyphs = Vec::new();
    for line in lines {
        let advance = line.size * 0.5;
        for (x, text) in &line.cells {
            let mut left = *x;
            for ch in text.chars() {
                if !ch.is_whitespace() {
                    glyphs.push(Glyph {
                        ch,
                        left,
                        bottom: line.y - 0.2 * line.size,
                        right: left + advance,
                        top: line.y + 0.8 * line.size,
                        font_size: line.size,
                        bold: line.bold,
                    });
                }
                left += advance;
            }
        }
    }
    Page {
        number,
        width: 612.0,
        height: 792.0,
        glyphs,
        text: String::new(),
        ocr: None,
    }
}

fn run(pages: &[Page]) -> Extraction {
    let mut ex = DocumentExtractor::new();
    for p in pages {
        ex.add_page(p);
    }
    ex.finish()
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

fn date(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).expect("date")
}

#[test]
fn table_continues_without_repeated_header_and_title_carries_over() {
    let p1 = page(
        1,
        &[
            heading(700.0, "Capital Calls"),
            l(
                680.0,
                &[
                    (50.0, "Date"),
                    (150.0, "Call Number"),
                    (260.0, "Amount"),
                    (360.0, "Description"),
                ],
            ),
            l(
                665.0,
                &[
                    (50.0, "2024-01-15"),
                    (150.0, "Call 1"),
                    (260.0, "$1,000"),
                    (360.0, "Initial"),
                ],
            ),
            l(
                650.0,
                &[
                    (50.0, "2024-02-15"),
                    (150.0, "Call 2"),
                    (260.0, "$2,000"),
                    (360.0, "Fees"),
                ],
            ),
            l(40.0, &[(300.0, "Page 1 of 2")]),
        ],
    );
    let p2 = page(
        2,
        &[
            l(
                740.0,
                &[
                    (50.0, "2024-03-15"),
                    (150.0, "Call 3"),
                    (260.0, "$3,000"),
                    (360.0, "Follow-on"),
                ],
            ),
            heading(700.0, "Fund Distributions"),
        ],
    );
    let p3 = page(
        3,
        &[
            l(
                740.0,
                &[
                    (50.0, "Date"),
                    (150.0, "Amount"),
                    (260.0, "Recallable"),
                    (360.0, "Description"),
                ],
            ),
            l(
                725.0,
                &[
                    (50.0, "Jan 5, 2025"),
                    (150.0, "USD 500"),
                    (260.0, "Yes"),
                    (360.0, "Exit"),
                ],
            ),
        ],
    );
    let out = run(&[p1, p2, p3]);
    assert_eq!(out.capital_calls.len(), 3, "{:#?}", out);
    assert_eq!(out.capital_calls[2].amount, d("3000"));
    assert_eq!(out.capital_calls[2].page, 2);
    assert_eq!(out.distributions.len(), 1);
    assert!(out.distributions[0].is_recallable);
    assert_eq!(out.distributions[0].date, date(2025, 1, 5));
    let title = out
        .text_blocks
        .iter()
        .find(|b| b.text == "Fund Distributions")
        .expect("title block");
    assert_eq!(title.kind, TextBlockKind::TableTitle);
    assert!(out.text_blocks.iter().all(|b| !b.text.contains("Page 1")));
}

#[test]
fn column_order_types_units_and_amount_forms() {
    let p = page(
        1,
        &[
            heading(700.0, "Contributions Called"),
            l(685.0, &[(50.0, "($ in thousands)")]),
            l(
                670.0,
                &[
                    (50.0, "Amount"),
                    (150.0, "#"),
                    (200.0, "Call Type"),
                    (330.0, "Value Date"),
                    (430.0, "Purpose"),
                ],
            ),
            l(
                655.0,
                &[
                    (50.0, "(1,234)"),
                    (150.0, "1"),
                    (200.0, "Investment"),
                    (330.0, "01/15/2024"),
                    (430.0, "Deal A"),
                ],
            ),
            l(
                640.0,
                &[
                    (50.0, "-$1,234"),
                    (150.0, "2"),
                    (200.0, "Management Fee"),
                    (330.0, "15-Jan-2024"),
                    (430.0, "Fee"),
                ],
            ),
            l(
                625.0,
                &[
                    (50.0, "1,234.50"),
                    (150.0, "3"),
                    (200.0, "Investment"),
                    (330.0, "January 15, 2024"),
                    (430.0, "Deal B"),
                ],
            ),
        ],
    );
    let out = run(&[p]);
    let calls = &out.capital_calls;
    assert_eq!(calls.len(), 3, "{out:#?}");
    assert_eq!(calls[0].amount, d("-1234000"));
    assert_eq!(calls[1].amount, d("-1234000"));
    assert_eq!(calls[2].amount, d("1234500"));
    assert_eq!(calls[0].call_number.as_deref(), Some("Call 1"));
    assert_eq!(calls[1].call_type.as_deref(), Some("Management Fee"));
    assert!(calls.iter().all(|c| c.date == date(2024, 1, 15)));
    assert_eq!(calls[2].description.as_deref(), Some("Deal B"));
}

#[test]
fn totals_mismatch_and_unreadable_rows_are_reported() {
    let p = page(
        1,
        &[
            heading(700.0, "Capital Account Adjustments"),
            l(
                680.0,
                &[
                    (50.0, "Date"),
                    (150.0, "Type"),
                    (300.0, "Amount"),
                    (400.0, "Description"),
                ],
            ),
            l(
                665.0,
                &[
                    (50.0, "2024-01-15"),
                    (150.0, "Rebalance"),
                    (300.0, "(100)"),
                    (400.0, "Clawback"),
                ],
            ),
            l(
                650.0,
                &[
                    (50.0, "2024-13-45"),
                    (150.0, "Rebalance"),
                    (300.0, "200"),
                    (400.0, "Refund"),
                ],
            ),
            l(
                635.0,
                &[
                    (50.0, "2024-03-15"),
                    (150.0, "Rebalance"),
                    (300.0, "n/a"),
                    (400.0, "Refund"),
                ],
            ),
            l(620.0, &[(50.0, "Total"), (300.0, "(50)")]),
            heading(580.0, "Portfolio Commentary"),
        ],
    );
    let out = run(&[p]);
    assert_eq!(out.adjustments.len(), 1, "{out:#?}");
    assert_eq!(out.adjustments[0].amount, d("-100"));
    let texts: Vec<&str> = out
        .warnings
        .iter()
        .filter_map(|w| w.text.as_deref())
        .collect();
    assert!(
        texts.iter().any(|t| t.contains("2024-13-45")),
        "{:#?}",
        out.warnings
    );
    assert!(
        texts.iter().any(|t| t.contains("n/a")),
        "{:#?}",
        out.warnings
    );
    assert!(
        out.warnings
            .iter()
            .any(|w| w.message.contains("totals row")),
        "{:#?}",
        out.warnings
    );
    assert!(out.warnings.iter().all(|w| w.page == Some(1)));
}

#[test]
fn wrapped_description_joins_its_row() {
    let p = page(
        1,
        &[
            heading(700.0, "Distributions"),
            l(
                680.0,
                &[
                    (50.0, "Date"),
                    (150.0, "Type"),
                    (300.0, "Amount"),
                    (400.0, "Description"),
                ],
            ),
            l(
                665.0,
                &[
                    (50.0, "2024-01-15"),
                    (150.0, "Return of Capital"),
                    (300.0, "$100"),
                    (400.0, "Partial exit of"),
                ],
            ),
            l(654.0, &[(400.0, "Acme Corp")]),
            l(
                640.0,
                &[
                    (50.0, "2024-02-15"),
                    (150.0, "Income"),
                    (300.0, "$50"),
                    (400.0, "Dividend"),
                ],
            ),
        ],
    );
    let out = run(&[p]);
    assert_eq!(out.distributions.len(), 2, "{out:#?}");
    assert_eq!(
        out.distributions[0].description.as_deref(),
        Some("Partial exit of Acme Corp")
    );
    assert!(!out.distributions[0].is_recallable);
}

#[test]
fn paragraphs_join_wrapped_lines_and_facts_are_read() {
    let long1 =
        "The Fund invests in healthcare services and medical technology across North America and";
    let long2 = "Europe, with a focus on recurring revenue.";
    let p = page(
        1,
        &[
            L {
                y: 740.0,
                bold: true,
                size: 16.0,
                cells: vec![(50.0, "Example Growth Fund II")],
            },
            l(720.0, &[(50.0, "Fund Name: Example Growth Fund II")]),
            l(
                705.0,
                &[(50.0, "Manager:"), (200.0, "Example Partners LLC")],
            ),
            l(690.0, &[(50.0, "Vintage Year: 2021")]),
            l(675.0, &[(50.0, "Total Commitments: USD 250 million")]),
            l(660.0, &[(50.0, "As of: 30 September 2024")]),
            heading(630.0, "Investment Strategy"),
            l(612.0, &[(50.0, long1)]),
            l(600.0, &[(50.0, long2)]),
            heading(570.0, "Performance"),
            l(552.0, &[(50.0, "Net Asset Value: $12,500,000")]),
            l(540.0, &[(50.0, "TVPI: 1.25x")]),
            l(528.0, &[(50.0, "Net IRR: (2.5%)")]),
        ],
    );
    let out = run(&[p]);
    let f = &out.fund;
    assert_eq!(f.name.as_deref(), Some("Example Growth Fund II"));
    assert_eq!(f.gp_name.as_deref(), Some("Example Partners LLC"));
    assert_eq!(f.vintage_year, Some(2021));
    assert_eq!(f.fund_size, Some(d("250000000")));
    assert_eq!(f.report_date, Some(date(2024, 9, 30)));
    assert_eq!(f.nav, Some(d("12500000")));
    let para = out
        .text_blocks
        .iter()
        .find(|b| b.text.starts_with("The Fund invests"))
        .expect("paragraph");
    assert_eq!(para.text, format!("{long1} {long2}"));
    assert_eq!(para.kind, TextBlockKind::Paragraph);
    let heading = out
        .text_blocks
        .iter()
        .find(|b| b.text == "Investment Strategy")
        .expect("heading");
    assert_eq!(heading.kind, TextBlockKind::Heading);
    let irr = out
        .reported
        .iter()
        .find(|r| r.key == "irr_pct")
        .expect("irr");
    assert_eq!(irr.value, d("-2.5"));
    assert!(
        out.reported
            .iter()
            .any(|r| r.key == "tvpi" && r.value == d("1.25"))
    );
}

#[test]
fn garbage_glyphs_do_not_panic() {
    let mut glyphs = Vec::new();
    for (i, v) in [f32::NAN, f32::INFINITY, -1e30, 0.0, 1e30]
        .iter()
        .enumerate()
    {
        glyphs.push(Glyph {
            ch: 'x',
            left: *v,
            bottom: *v,
            right: 0.0,
            top: *v,
            font_size: *v,
            bold: i % 2 == 0,
        });
    }
    let p = Page {
        number: 1,
        width: 0.0,
        height: 0.0,
        glyphs,
        text: String::new(),
        ocr: None,
    };
    let out = run(&[p]);
    assert!(out.capital_calls.is_empty());
}

#[test]
fn running_header_does_not_break_a_continued_table() {
    let header = [
        (50.0, "Date"),
        (150.0, "Type"),
        (300.0, "Amount"),
        (400.0, "Description"),
    ];
    let p1 = page(
        1,
        &[
            heading(700.0, "Rebalancing Adjustments"),
            l(680.0, &header),
            l(
                665.0,
                &[
                    (50.0, "2024-01-15"),
                    (150.0, "Rebalance"),
                    (300.0, "(100)"),
                    (400.0, "Clawback"),
                ],
            ),
        ],
    );
    let p2 = page(
        2,
        &[
            l(
                760.0,
                &[(50.0, "Example Fund II - Quarterly Report Q2 2025")],
            ),
            l(740.0, &header),
            l(
                725.0,
                &[
                    (50.0, "2024-02-15"),
                    (150.0, "True-up"),
                    (300.0, "300"),
                    (400.0, "Fee"),
                ],
            ),
            l(710.0, &[(300.0, "200"), (400.0, "Total")]),
        ],
    );
    let out = run(&[p1, p2]);
    assert_eq!(out.adjustments.len(), 2, "{out:#?}");
    assert_eq!(out.adjustments[1].amount, d("300"));
    assert!(out.warnings.is_empty(), "{:#?}", out.warnings);
}
