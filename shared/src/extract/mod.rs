//! Turns a PDF's positioned text into transactions, fund facts, stated figures and text blocks.
use crate::domain::Extraction;
use crate::pdf::Page;

/// Consumes pages one at a time so memory stays flat on long documents.
#[derive(Debug, Default)]
pub struct DocumentExtractor {
    out: Extraction,
}

impl DocumentExtractor {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add_page(&mut self, page: &Page) {
        self.out.page_count = self.out.page_count.max(page.number);
    }

    pub fn finish(self) -> Extraction {
        self.out
    }
}
