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
            // A dated line of table cells whose amount OCR lost is as much a lost row.
            if dated && (priced || cells.len() >= 3) {
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

    /// Warns on every row, fact and stated figure whose printed text holds a doubtful number.
    pub(super) fn finish(&self, out: &mut Extraction) {
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
