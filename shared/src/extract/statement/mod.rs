//! Notices, capital account statements and financial statements: labelled facts (multi-column),
//! notice cash flows with their components, cash flows stated in prose, roll-forward checks.
use super::lines::Line;
use crate::domain::{DocumentType, Extraction};

/// Collects labelled figures page by page.
#[derive(Debug, Default)]
pub struct StatementReader {}

impl StatementReader {
    pub fn add_page(&mut self, _page: u32, _lines: &[Line]) {}

    /// Adds facts, the investor, notice and prose transactions and warnings to `out`.
    pub fn finish(self, _doc_type: DocumentType, _out: &mut Extraction) {}
}
