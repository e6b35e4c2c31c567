//! Turns a PDF's positioned text into transactions, fund facts, stated figures and text blocks.
pub mod amounts;
pub mod classify;
pub mod dates;
pub mod doctype;
pub mod facts;
pub mod fund_name;
pub mod lines;
mod magnitude;
mod ocr_checks;
pub mod portfolio;
pub mod statement;
pub mod tables;
pub mod text_blocks;
mod transactions;

use chrono::NaiveDate;

use crate::domain::{DocumentType, Extraction, ReportedFigure, TextBlockKind};
use crate::pdf::Page;
use lines::Line;
use tables::Columns;
use text_blocks::PageMetrics;
use transactions::OpenTable;

/// Lines above a header that may hold its title; further up is other text.
const TITLE_LOOKBACK: usize = 3;
/// Short lines a page may repeat at its top (fund name, report period) before a continued table.
const RUNNING_HEADER_LINES: usize = 2;

/// A short line left at the bottom of a page, which may title a table on the next page.
#[derive(Debug, Clone)]
struct Carry {
    text: String,
    block: Option<usize>,
}

/// Consumes pages one at a time so memory stays flat on long documents. Between pages it keeps
/// only a table still open at the page end and the short lines that ended the page.
#[derive(Debug, Default)]
pub struct DocumentExtractor {
    out: Extraction,
    open: Option<OpenTable>,
    carry: Vec<Carry>,
    /// The page-1 title, the fund name when no "Fund Name:" label states it.
    first_heading: Option<String>,
    /// Fund names seen on page 1's "Re:" line and title zone.
    fund_cues: fund_name::FundNameCues,
    /// Report-date fallbacks: "as of <date>" in running text, then a "Q2 2025" period.
    phrase_date: Option<NaiveDate>,
    quarter_date: Option<NaiveDate>,
    /// Every closed table's kind, scale and sum, for the magnitude check at the end.
    tables: Vec<magnitude::TableSummary>,
    statement: statement::StatementReader,
    portfolio: portfolio::PortfolioReader,
    type_cues: doctype::TypeCues,
    ocr: ocr_checks::OcrChecks,
}

impl DocumentExtractor {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add_page(&mut self, page: &Page) {
        self.out.page_count = self.out.page_count.max(page.number);
        if page.ocr.is_some() {
            self.out.ocr_pages.push(page.number);
        }
        let lines = lines::build_lines(&page.glyphs);
        let metrics = PageMetrics::of(&lines);
        for (idx, line) in lines.iter().enumerate() {
            let text = line.text();
            self.type_cues.add_line(page.number, idx, &text);
            if page.number == 1 {
                self.fund_cues.see(idx, &text);
            }
        }
        self.statement.add_page(page.number, &lines);
        self.portfolio.add_page(page.number, &lines);
        let n = lines.len();
        let mut in_table = vec![false; n];
        let mut is_title = vec![false; n];
        let mut carry_title: Option<usize> = None;
        let mut last_end = 0usize;
        let mut last_row_line: Option<usize> = None;
        let mut i = 0usize;
        while i < n {
            // Before the page's first table only furniture or a short running header may come
            // for that table to continue one left open on the previous page.
            let at_page_top = last_end == 0 && running_header_only(&lines[..i]);
            if let Some(cols) = Columns::from_header(&lines[i]) {
                let (title, mut scale_text) = self.find_title(&lines, i, last_end, &mut is_title);
                let from_carry = title.is_none() && at_page_top;
                let title = match title {
                    Some(t) => Some(t),
                    None if from_carry => {
                        // A title left at the foot of the previous page brings its unit note
                        // ("(in thousands of USD)") with it: the scale is read wherever the
                        // title was read, or a carried table would come out 1,000x too small.
                        let carried = self.carry_title(&mut carry_title);
                        if carried.is_some() {
                            scale_text = format!("{} {scale_text}", self.carry_text());
                        }
                        carried
                    }
                    None => None,
                };
                let scale_text = format!("{scale_text} {}", lines[i].text());
                let continues = title.is_none()
                    && at_page_top
                    && self
                        .open
                        .as_ref()
                        .is_some_and(|o| o.cols.roles() == cols.roles());
                if continues {
                    if let Some(o) = self.open.as_mut() {
                        o.cols = cols;
                    }
                } else {
                    self.close_table();
                    self.open = Some(OpenTable::start(
                        cols,
                        title.as_deref(),
                        &scale_text,
                        page.number,
                    ));
                }
                in_table[i] = true;
                let end = self.read_rows(&lines, i + 1, page.number, &mut in_table);
                last_row_line = Some(end.saturating_sub(1));
                last_end = end;
                i = end;
                continue;
            }
            if at_page_top
                && let Some(o) = self.open.as_ref()
                && o.accepts(&lines[i])
            {
                let end = self.read_rows(&lines, i, page.number, &mut in_table);
                last_row_line = Some(end.saturating_sub(1));
                last_end = end;
                i = end;
                continue;
            }
            i += 1;
        }
        // A table stays open only if nothing but page furniture follows its last row.
        let open_at_end = last_row_line.is_some_and(|r| {
            lines[r + 1..]
                .iter()
                .all(|l| text_blocks::is_furniture(&l.text()))
        });
        if !open_at_end {
            self.close_table();
        }
        self.ocr
            .see_page(page, &lines, &in_table, &mut self.out.warnings);
        self.page_text(page.number, &lines, &in_table, &is_title, &metrics);
        self.carry = self.trailing_lines(&lines, &in_table);
        if let Some(b) = carry_title.and_then(|b| self.out.text_blocks.get_mut(b)) {
            b.kind = TextBlockKind::TableTitle;
        }
    }

    pub fn finish(mut self) -> Extraction {
        self.close_table();
        magnitude::check(&self.tables, &mut self.out);
        let shape = doctype::ExtractedShape {
            table_rows: self.out.capital_calls.len()
                + self.out.distributions.len()
                + self.out.adjustments.len(),
            portfolio_rows: self.portfolio.row_count(),
        };
        let (doc_type, evidence) = self.type_cues.decide(&shape);
        self.out.document_type = doc_type;
        self.out.type_evidence = evidence;
        self.settle_fund_name(doc_type);
        self.statement.finish(doc_type, &mut self.out);
        self.portfolio.finish(doc_type, &mut self.out);

        if self.out.fund.report_date.is_none() {
            self.out.fund.report_date = self.phrase_date.or(self.quarter_date);
        }
        self.ocr.finish(&mut self.out);
        self.out
    }

    /// Settles the fund name (see `FundNameCues::settle`); a heading that cannot name a fund is
    /// kept apart to match existing funds only.
    fn settle_fund_name(&mut self, doc_type: DocumentType) {
        let labelled = self.out.fund.name.take();
        let heading = self.first_heading.take();
        let (name, unplaced) = self.fund_cues.settle(labelled, heading, doc_type);
        self.out.fund.name = name;
        self.out.unplaced_fund_name = unplaced;
    }

    /// Looks up to TITLE_LOOKBACK lines above the header (not into an earlier table) for a line
    /// naming the table. Returns the title and the text to search for a unit note.
    fn find_title(
        &self,
        lines: &[Line],
        header: usize,
        floor: usize,
        is_title: &mut [bool],
    ) -> (Option<String>, String) {
        let mut scale_text = String::new();
        let lowest = header.saturating_sub(TITLE_LOOKBACK).max(floor);
        for j in (lowest..header).rev() {
            let text = lines[j].text();
            if text.split_whitespace().count() > 14 {
                break;
            }
            scale_text.push_str(&text);
            scale_text.push(' ');
            if classify::kind_from_title(&text).is_some() {
                is_title[j] = true;
                // A unit note set on its own line just above the title belongs to it too.
                if let Some(above) = j.checked_sub(1).filter(|&a| a >= floor) {
                    let note = lines[above].text();
                    if note.split_whitespace().count() <= 8 && amounts::unit_scale(&note).is_some()
                    {
                        scale_text.push_str(&note);
                    }
                }
                return (Some(text), scale_text);
            }
        }
        (None, scale_text)
    }

    /// Uses the last classifying line of the previous page as the title.
    fn carry_title(&mut self, block: &mut Option<usize>) -> Option<String> {
        let c = self
            .carry
            .iter()
            .rev()
            .find(|c| classify::kind_from_title(&c.text).is_some())?;
        *block = c.block;
        Some(c.text.clone())
    }

    /// Every carried line from the title on, where a unit note may sit next to the title.
    fn carry_text(&self) -> String {
        let from = self
            .carry
            .iter()
            .rposition(|c| classify::kind_from_title(&c.text).is_some())
            .unwrap_or(0);
        let texts: Vec<&str> = self.carry[from..].iter().map(|c| c.text.as_str()).collect();
        texts.join(" ")
    }

    /// Reads table rows from `start` until a line that does not belong; returns the end index.
    fn read_rows(
        &mut self,
        lines: &[Line],
        start: usize,
        page: u32,
        in_table: &mut [bool],
    ) -> usize {
        let mut k = start;
        let mut prev: Option<&Line> = start.checked_sub(1).map(|p| &lines[p]);
        while k < lines.len() {
            let line = &lines[k];
            let Some(open) = self.open.as_mut() else {
                break;
            };
            if let Some(p) = prev {
                // A wide vertical gap ends the table even if the next line happens to align.
                if p.bottom - line.top > 2.5 * line.font_size.max(p.font_size) {
                    break;
                }
            }
            let tight = prev.is_some_and(|p| p.bottom - line.top < 0.8 * line.font_size);
            if !open.take_line(line, page, tight, &mut self.out) {
                break;
            }
            in_table[k] = true;
            prev = Some(line);
            k += 1;
        }
        k
    }

    fn close_table(&mut self) {
        if let Some(t) = self.open.take() {
            self.tables.push(t.summary());
            t.close(&mut self.out);
        }
    }

    /// Text blocks, fund facts and stated figures from the lines outside tables.
    fn page_text(
        &mut self,
        page: u32,
        lines: &[Line],
        in_table: &[bool],
        is_title: &[bool],
        metrics: &PageMetrics,
    ) {
        let mut outside: Vec<&Line> = Vec::new();
        let mut titles: Vec<bool> = Vec::new();
        for (idx, line) in lines.iter().enumerate() {
            if in_table[idx] {
                continue;
            }
            if page == 1 && outside.is_empty() {
                self.first_heading = title_line(line, metrics);
            }
            outside.push(line);
            titles.push(is_title[idx]);
            self.read_facts(page, line);
        }
        let blocks = text_blocks::build(page, &outside, &titles, metrics);
        self.out.text_blocks.extend(blocks);
    }

    fn read_facts(&mut self, page: u32, line: &Line) {
        let text = line.text();
        if self.phrase_date.is_none() {
            self.phrase_date = facts::phrase_date(&text);
        }
        if self.quarter_date.is_none() {
            self.quarter_date = facts::quarter_end(&text);
        }
        if self.out.fund.currency.is_none() {
            self.out.fund.currency = amounts::currency_in(&text).map(str::to_string);
        }
        let cells: Vec<String> = line.segments.iter().map(|s| s.text()).collect();
        for pair in facts::pairs(&cells) {
            facts::apply_fact(&mut self.out.fund, &pair);
            if let Some((key, value)) = facts::reported_figure(&pair) {
                let figure = ReportedFigure {
                    key: key.to_string(),
                    value,
                    page,
                    source_text: text.clone(),
                };
                self.add_reported(figure, &pair.label);
            }
        }
    }

    /// Keeps the first statement of each figure, except that a net figure replaces a gross one.
    fn add_reported(&mut self, figure: ReportedFigure, label: &str) {
        let is_gross = |s: &str| s.to_lowercase().contains("gross");
        match self.out.reported.iter_mut().find(|r| r.key == figure.key) {
            None => self.out.reported.push(figure),
            Some(old) if is_gross(&old.source_text) && !is_gross(label) => *old = figure,
            Some(_) => {}
        }
    }

    /// The last short lines of the page after any table, with the text blocks they became.
    fn trailing_lines(&self, lines: &[Line], in_table: &[bool]) -> Vec<Carry> {
        let mut out = Vec::new();
        for (idx, line) in lines.iter().enumerate().rev() {
            if in_table[idx] || out.len() >= 2 {
                break;
            }
            let text = line.text();
            if text_blocks::is_furniture(&text) {
                continue;
            }
            let block = self.out.text_blocks.iter().rposition(|b| b.text == text);
            out.push(Carry { text, block });
        }
        out.reverse();
        out
    }

    #[cfg(test)]
    fn warnings(&self) -> &[crate::domain::ExtractionWarning] {
        &self.out.warnings
    }
}

/// The first line of a document when it is set larger than the body, like a report's title;
/// numbered section headings are not titles.
fn title_line(line: &Line, metrics: &PageMetrics) -> Option<String> {
    let text = line.text();
    let numbered = text.chars().next().is_some_and(|c| c.is_ascii_digit());
    (line.font_size > metrics.body_size * 1.12 && metrics.is_heading(line) && !numbered)
        .then_some(text)
}

/// Lines that can precede a continued table: page furniture or up to RUNNING_HEADER_LINES short
/// lines that name no table.
fn running_header_only(lines: &[Line]) -> bool {
    let mut content = 0;
    for l in lines {
        let text = l.text();
        if text_blocks::is_furniture(&text) {
            continue;
        }
        content += 1;
        if content > RUNNING_HEADER_LINES
            || text.split_whitespace().count() > 14
            || classify::kind_from_title(&text).is_some()
        {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_pages_give_nothing() {
        let mut x = DocumentExtractor::new();
        x.add_page(&Page {
            number: 1,
            width: 612.0,
            height: 792.0,
            glyphs: vec![],
            text: String::new(),
            ocr: None,
        });
        assert!(x.warnings().is_empty());
        let out = x.finish();
        assert_eq!(out.page_count, 1);
        assert!(out.capital_calls.is_empty());
        assert!(out.text_blocks.is_empty());
    }
}
