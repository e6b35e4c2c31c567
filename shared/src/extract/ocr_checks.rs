//! Doubts about what OCR read, turned into warnings: a number read with low confidence names the
//! row, fact or figure it ended up in; a line that reads like a transaction but belongs to no
//! table (its header was not read) is named too, so nothing a scan loses goes unsaid.
use crate::domain::{Extraction, ExtractionWarning};
use crate::pdf::Page;

use super::lines::Line;
use super::{amounts, dates};

/// What the OCR'd pages leave to check once the whole document is read.
#[derive(Debug, Default)]
pub(super) struct OcrChecks {
    /// (page, word, confidence) of numbers read with low confidence.
    doubtful: Vec<(u32, String, f32)>,
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
        self.doubtful.extend(
            ocr.doubtful
                .iter()
                .map(|w| (page.number, w.text.clone(), w.conf)),
        );
        for (line, used) in lines.iter().zip(in_table) {
            if *used {
                continue;
            }
            let cells: Vec<String> = line.segments.iter().map(|s| s.text()).collect();
            let dated = cells.iter().any(|c| dates::parse_date(c).is_some());
            let priced = cells.iter().any(|c| {
                c.chars().filter(char::is_ascii_digit).count() >= 3
                    && amounts::parse_amount(c).is_some()
                    && dates::parse_date(c).is_none()
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
            doubt_fund_name(out);
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
        for (page, text) in sources {
            let doubts: Vec<String> = self
                .doubtful
                .iter()
                .filter(|(p, word, _)| *p == page && text.split_whitespace().any(|t| t == word))
                .map(|(_, word, conf)| format!("\"{word}\" at {conf:.0}%"))
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

/// A fund name read by OCR with characters no fund's name has ("Capital I] (GP)") may link the
/// document to a fund that exists, as any unplaceable heading does, but never creates one.
fn doubt_fund_name(out: &mut Extraction) {
    let Some(name) = out.fund.name.as_deref() else {
        return;
    };
    let odd = |c: char| !(c.is_alphanumeric() || c.is_whitespace() || ",.&'()-/+:".contains(c));
    if !name.chars().any(odd) {
        return;
    }
    out.warnings.push(ExtractionWarning {
        page: out.ocr_pages.first().copied(),
        message: "OCR read the fund name with characters a fund's name does not have, so no fund \
                  is created from it; link the document to its fund by hand if none matches"
            .into(),
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
    }
}
