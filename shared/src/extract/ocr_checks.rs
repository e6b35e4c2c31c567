//! Doubts about what OCR read, turned into warnings: a number read with low confidence names the
//! row, fact or figure it ended up in; a line that reads like a transaction but belongs to no
//! table (its header was not read) is named too, so nothing a scan loses goes unsaid.
use crate::domain::{Extraction, ExtractionWarning};
use crate::pdf::Page;

use super::lines::Line;
use super::{amounts, dates};

/// A page whose words OCR read with less confidence than this, on average, is named: clean
/// scans read 80–95, a 72 dpi or speckled one under 60 and loses most of its rows.
const POOR_PAGE_CONFIDENCE: f32 = 70.0;

/// What the OCR'd pages leave to check once the whole document is read.
#[derive(Debug, Default)]
pub(super) struct OcrChecks {
    doubtful: Vec<Doubt>,
    /// Some page was read with low confidence overall.
    poor_page: bool,
}

/// A number read with low confidence, and the text of the line it was read on: a page of dates
/// holds "2023" many times, and only the row that holds this one is in doubt.
#[derive(Debug, Clone)]
struct Doubt {
    page: u32,
    word: String,
    conf: f32,
    line: Option<String>,
}

impl OcrChecks {
    /// Notes the page's doubtful numbers and warns about transaction-like lines outside tables.
    pub(super) fn see_page(
        &mut self,
        page: &Page,
        lines: &[Line],
        in_table: &[bool],
        warnings: &mut Vec<ExtractionWarning>,
    ) {
        let Some(ocr) = &page.ocr else { return };
        let confidence = crate::ocr::page_confidence(&ocr.words);
        if confidence < POOR_PAGE_CONFIDENCE {
            self.poor_page = true;
            warnings.push(ExtractionWarning {
                page: Some(page.number),
                message: format!(
                    "OCR read this page with low confidence overall ({confidence:.0}%): the scan \
                     may be too coarse, blurred or noisy, so rows and figures on it may be \
                     missing or misread; check the page against the document"
                ),
                text: None,
            });
        }
        let pt = 72.0 / ocr.dpi.max(1) as f32;
        self.doubtful.extend(ocr.doubtful.iter().map(|w| {
            // The word's middle in the lines' points (origin at the bottom left).
            let x = (w.left as f32 + w.width as f32 / 2.0) * pt;
            let y = page.height - (w.top as f32 + w.height as f32 / 2.0) * pt;
            let line = lines
                .iter()
                .find(|l| {
                    (l.bottom - 1.0..=l.top + 1.0).contains(&y)
                        && (l.left - 1.0..=l.right + 1.0).contains(&x)
                })
                .map(Line::text);
            Doubt {
                page: page.number,
                word: w.text.clone(),
                conf: w.conf,
                line,
            }
        }));
        for (line, used) in lines.iter().zip(in_table) {
            if *used {
                continue;
            }
            let cells: Vec<String> = line.segments.iter().map(|s| s.text()).collect();
            // A date OCR garbled ("O5/04/2020") still marks a row that was lost.
            let dated = cells
                .iter()
                .any(|c| dates::parse_date(c).is_some() || dates::looks_like_date(&as_digits(c)));
            // An amount, or a sum of money OCR garbled past reading ("$5 33675000").
            let priced = cells.iter().any(|c| {
                let digits = c.chars().filter(char::is_ascii_digit).count();
                dates::parse_date(c).is_none()
                    && (digits >= 3 && amounts::parse_amount(c).is_some()
                        || digits >= 4 && amounts::currency_in(c).is_some())
            });
            // A line of table cells that starts with its date and lost its amount is as much a
            // lost row; a letterhead line ("To: … Date: July 7, 2025") is not.
            let date_first = cells
                .first()
                .is_some_and(|c| dates::parse_date(c).is_some());
            if dated && (priced || date_first && cells.len() >= 3) {
                warnings.push(ExtractionWarning {
                    page: Some(page.number),
                    message:
                        "OCR read a line that looks like a table row (a date and other cells) \
                              but belongs to no table, so it was not stored: its header or its \
                              amount may not have been read; check this line against the document"
                            .into(),
                    text: Some(line.text()),
                });
            }
        }
    }

    /// Warns on every row, fact and stated figure whose printed text holds a doubtful number,
    /// and keeps a fund name OCR garbled from creating a fund.
    pub(super) fn finish(&self, out: &mut Extraction) {
        if !out.ocr_pages.is_empty() {
            doubt_fund_name(out, self.poor_page);
        }
        if self.doubtful.is_empty() {
            return;
        }
        let mut sources: Vec<(u32, String)> = Vec::new();
        sources.extend(
            out.capital_calls
                .iter()
                .map(|r| (r.page, r.source_text.clone())),
        );
        sources.extend(
            out.distributions
                .iter()
                .map(|r| (r.page, r.source_text.clone())),
        );
        sources.extend(
            out.adjustments
                .iter()
                .map(|r| (r.page, r.source_text.clone())),
        );
        sources.extend(out.facts.iter().map(|f| (f.page, f.source_text.clone())));
        sources.extend(out.reported.iter().map(|f| (f.page, f.source_text.clone())));
        // A doubt belongs to the rows built from its line; one whose line no row or figure came
        // from (a fact labelled in other words) falls back to any that prints the number, unless
        // a warning already quotes its line (a row skipped for its unreadable amount).
        let holds = |d: &Doubt, page: u32, text: &str| {
            d.page == page && text.split_whitespace().any(|t| t == d.word)
        };
        let on_its_line = |d: &Doubt, page: u32, text: &str| {
            holds(d, page, text)
                && d.line
                    .as_deref()
                    .is_some_and(|l| text.contains(l) || l.contains(text))
        };
        let placed: Vec<bool> = self
            .doubtful
            .iter()
            .map(|d| {
                sources.iter().any(|(p, t)| on_its_line(d, *p, t))
                    || out.warnings.iter().any(|w| {
                        w.page == Some(d.page)
                            && d.line.is_some()
                            && w.text.as_deref() == d.line.as_deref()
                    })
            })
            .collect();
        for (page, text) in sources {
            let doubts: Vec<String> = self
                .doubtful
                .iter()
                .zip(&placed)
                .filter(|(d, placed)| {
                    if **placed {
                        on_its_line(d, page, &text)
                    } else {
                        holds(d, page, &text)
                    }
                })
                .map(|(d, _)| format!("\"{}\" at {:.0}%", d.word, d.conf))
                .collect();
            if doubts.is_empty() {
                continue;
            }
            let warning = ExtractionWarning {
                page: Some(page),
                message: format!(
                    "OCR read {} with low confidence; check this line against the document",
                    doubts.join(", ")
                ),
                text: Some(text),
            };
            if !out.warnings.contains(&warning) {
                out.warnings.push(warning);
            }
        }
    }
}

/// The letters OCR gives for digits (O, o, I, l) read as the digits, to recognise a garbled
/// date; never used for a value.
fn as_digits(cell: &str) -> String {
    cell.chars()
        .map(|c| match c {
            'O' | 'o' => '0',
            'I' | 'l' => '1',
            c => c,
        })
        .collect()
}

/// A fund name read by OCR with characters no fund's name has ("Capital I] (GP)"), a numeral
/// half letter, half digit ("Fund V1"), or from a document with a page OCR read poorly overall
/// ("BeaconVentures Fundvw") may link the document to a fund that exists, as any unplaceable
/// heading does, but never creates one. (A word's own confidence is no guide: Tesseract reads
/// a right "III" or "VI" at under 80.)
fn doubt_fund_name(out: &mut Extraction, poor_page: bool) {
    let Some(name) = out.fund.name.as_deref() else {
        return;
    };
    let odd = |c: char| !(c.is_alphanumeric() || c.is_whitespace() || ",.&'()-/+:".contains(c));
    let mixed_numeral = |t: &str| {
        t.chars().all(|c| "IVXL1l".contains(c))
            && t.chars().any(|c| "1l".contains(c))
            && t.chars().any(|c| "IVXL".contains(c))
    };
    let why = if name.chars().any(odd) {
        "with characters a fund's name does not have"
    } else if name.split_whitespace().any(mixed_numeral) {
        "with a numeral that mixes letters and digits"
    } else if poor_page {
        "from a document it read with low confidence"
    } else {
        return;
    };
    out.warnings.push(ExtractionWarning {
        page: out.ocr_pages.first().copied(),
        message: format!(
            "OCR read the fund name {why}, so no fund is created from it; link the document \
             to its fund by hand if none matches"
        ),
        text: Some(name.to_string()),
    });
    out.unplaced_fund_name = out.fund.name.take();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_garbled_fund_name_creates_no_fund() {
        let mut out = Extraction {
            ocr_pages: vec![1],
            ..Default::default()
        };
        out.fund.name = Some("Level Structured Capital I] (GP) L.P.".into());
        OcrChecks::default().finish(&mut out);
        assert_eq!(out.fund.name, None);
        assert_eq!(
            out.unplaced_fund_name.as_deref(),
            Some("Level Structured Capital I] (GP) L.P.")
        );
        assert_eq!(out.warnings.len(), 1);

        out.fund.name = Some("Brackenridge Growth Fund IV, L.P.".into());
        out.warnings.clear();
        OcrChecks::default().finish(&mut out);
        assert!(out.fund.name.is_some() && out.warnings.is_empty());

        out.fund.name = Some("Beacon Ventures Fund V1".into());
        OcrChecks::default().finish(&mut out);
        assert_eq!(
            out.unplaced_fund_name.as_deref(),
            Some("Beacon Ventures Fund V1")
        );
        assert!(out.warnings[0].message.contains("mixes letters and digits"));

        out.fund.name = Some("BeaconVentures Fundvw".into());
        out.warnings.clear();
        let poor = OcrChecks {
            poor_page: true,
            ..Default::default()
        };
        poor.finish(&mut out);
        assert!(out.fund.name.is_none());
        assert!(out.warnings[0].message.contains("read with low confidence"));
    }

    fn call(text: &str) -> crate::domain::CapitalCall {
        crate::domain::CapitalCall {
            page: 2,
            source_text: text.into(),
            ..Default::default()
        }
    }

    fn doubt(word: &str, line: Option<&str>) -> Doubt {
        Doubt {
            page: 2,
            word: word.into(),
            conf: 10.0,
            line: line.map(str::to_string),
        }
    }

    #[test]
    fn a_doubtful_year_names_only_the_row_it_was_read_on() {
        const FEB: &str = "Feb 4 2023 Call 21 USD 1,810,000 Bridge Financing";
        const MAR: &str = "Mar 5 2023 Call 27 USD 3,228,000 Management Fee";
        const SKIPPED: &str = "Jan 1 2023 Call 20 7USD 4,607,000 Add-on";
        let mut out = Extraction {
            capital_calls: vec![call(FEB), call(MAR)],
            warnings: vec![ExtractionWarning {
                page: Some(2),
                message: "a row was skipped".into(),
                text: Some(SKIPPED.into()),
            }],
            ..Default::default()
        };
        let checks = OcrChecks {
            poor_page: false,
            doubtful: vec![doubt("2023", Some(MAR)), doubt("2023", Some(SKIPPED))],
        };
        checks.finish(&mut out);
        let named: Vec<&str> = out.warnings[1..]
            .iter()
            .filter_map(|w| w.text.as_deref())
            .collect();
        assert_eq!(named, [MAR]);
    }

    #[test]
    fn a_doubt_whose_line_gave_no_row_falls_back_to_the_rows_that_print_it() {
        let mut out = Extraction {
            capital_calls: vec![call("Total Commitment: 30,000,000")],
            ..Default::default()
        };
        let checks = OcrChecks {
            poor_page: false,
            doubtful: vec![doubt("30,000,000", Some("Commitment 30,000,000 USD"))],
        };
        checks.finish(&mut out);
        assert_eq!(out.warnings.len(), 1);
        assert!(out.warnings[0].message.contains("\"30,000,000\" at 10%"));
    }
}
