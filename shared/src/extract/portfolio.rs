//! Tables of many funds (a pension plan's private-equity portfolio): one row per fund, never a fund.
use super::lines::Line;
use crate::domain::{DocumentType, Extraction};

/// Collects candidate portfolio rows page by page.
#[derive(Debug, Default)]
pub struct PortfolioReader {
    rows: usize,
}

impl PortfolioReader {
    pub fn add_page(&mut self, _page: u32, _lines: &[Line]) {}

    /// Fund rows read so far (a signal for the document type).
    pub fn row_count(&self) -> usize {
        self.rows
    }

    /// Adds the rows, the printed totals as facts, and warnings to `out`.
    pub fn finish(self, _doc_type: DocumentType, _out: &mut Extraction) {}
}
