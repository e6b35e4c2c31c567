//! Document type from its wording (titles weigh most) and from what was extracted, with evidence.
use crate::domain::DocumentType;

/// Lines at the top of page 1 that count as the document's title zone.
const TITLE_ZONE_LINES: usize = 16;
/// Pages whose text is searched for cues; later pages are appendices and boilerplate.
const CUE_PAGES: u32 = 3;
/// Weight of a cue found in the title zone against one found in body text.
const TITLE_WEIGHT: u32 = 4;
/// Rows of a many-funds table above which the document is a portfolio table.
const PORTFOLIO_MIN_ROWS: usize = 10;

/// Phrases that name a kind of document, in lower case. A phrase counts once per line.
const CUES: &[(DocumentType, &[&str])] = &[
    (
        DocumentType::CapitalCallNotice,
        &[
            "notice of capital call",
            "capital call notice",
            "capital notice",
            "call notice",
            "drawdown notice",
            "notice of drawdown",
            "contribution notice",
            "notice of contribution",
            "hereby calls capital",
            "your portion of the call",
            "your share of this capital call",
            "capital call no",
            "capital call #",
            "drawdown request",
        ],
    ),
    (
        DocumentType::DistributionNotice,
        &[
            "notice of distribution",
            "distribution notice",
            "net distribution #",
            "distribution no.",
            "distribution #",
            "notify you of a distribution",
            "your share of the distribution",
            "distributable proceeds",
        ],
    ),
    (
        DocumentType::CapitalAccountStatement,
        &[
            "capital account statement",
            "partner's capital account",
            "partners' capital account",
            "statement of partner's capital",
            "investor capital account",
            "capital account summary",
            "statement of capital account",
            "capital roll-forward",
            "capital account activity",
        ],
    ),
    (
        DocumentType::FinancialStatements,
        &[
            "financial statements",
            "statement of assets, liabilities",
            "statements of assets, liabilities",
            "statement of financial condition",
            "statement of operations",
            "statements of operations",
            "schedule of investments",
            "statement of cash flows",
            "notes to financial statements",
            "balance sheet",
        ],
    ),
    (
        DocumentType::ProgramReview,
        &[
            "program review",
            "annual program",
            "investment committee",
            "program update",
            "asset allocation",
            "strategic plan",
            "board of trustees",
        ],
    ),
    (
        DocumentType::PortfolioPerformance,
        &[
            "private equity portfolio",
            "portfolio performance",
            "partnership performance",
            "fund performance summary",
            "investment performance by fund",
        ],
    ),
    (
        DocumentType::QuarterlyReport,
        &[
            "quarterly report",
            "report to limited partners",
            "investor report",
            "quarterly update",
            "letter to investors",
            "quarterly letter",
            "annual report",
        ],
    ),
];

/// Cue hits gathered page by page.
#[derive(Debug, Default)]
pub struct TypeCues {
    scores: Vec<(DocumentType, u32, String)>,
}

impl TypeCues {
    /// Looks for cues in one line; `index` is the line's position on its page.
    pub fn add_line(&mut self, page: u32, index: usize, text: &str) {
        if page > CUE_PAGES {
            return;
        }
        let lower = text.to_lowercase();
        let in_title = page == 1 && index < TITLE_ZONE_LINES;
        for (kind, phrases) in CUES {
            if let Some(p) = phrases.iter().find(|p| lower.contains(*p)) {
                let weight = if in_title { TITLE_WEIGHT } else { 1 };
                let place = if in_title {
                    "title".to_string()
                } else {
                    format!("page {page}")
                };
                self.scores
                    .push((*kind, weight, format!("\"{p}\" ({place}: {})", clip(text))));
            }
        }
    }

    /// Decides the type from the cues and from what the tables gave.
    pub fn decide(&self, facts: &ExtractedShape) -> (DocumentType, Vec<String>) {
        let mut totals: Vec<(DocumentType, u32, Vec<String>)> = Vec::new();
        let mut add = |kind: DocumentType, weight: u32, why: String| match totals
            .iter_mut()
            .find(|t| t.0 == kind)
        {
            Some(t) => {
                t.1 += weight;
                if t.2.len() < 4 {
                    t.2.push(why);
                }
            }
            None => totals.push((kind, weight, vec![why])),
        };
        for (kind, weight, why) in &self.scores {
            add(*kind, *weight, why.clone());
        }
        if facts.portfolio_rows >= PORTFOLIO_MIN_ROWS {
            add(
                DocumentType::PortfolioPerformance,
                3 * TITLE_WEIGHT,
                format!("a table of {} funds", facts.portfolio_rows),
            );
        }
        if facts.table_rows > 0 {
            add(
                DocumentType::QuarterlyReport,
                TITLE_WEIGHT + 1,
                format!(
                    "{} rows in capital call, distribution or adjustment tables",
                    facts.table_rows
                ),
            );
        }
        // Highest score wins; on a tie the more specific type (earlier in CUES) wins.
        let order = |k: DocumentType| CUES.iter().position(|c| c.0 == k).unwrap_or(usize::MAX);
        totals.sort_by(|a, b| b.1.cmp(&a.1).then(order(a.0).cmp(&order(b.0))));
        match totals.into_iter().next() {
            Some((kind, _, why)) => (kind, why),
            None => (
                DocumentType::Other,
                vec!["no wording or table of a known kind of LP document".to_string()],
            ),
        }
    }
}

/// What extraction found, as far as the type depends on it.
#[derive(Debug, Default, Clone, Copy)]
pub struct ExtractedShape {
    /// Rows of call, distribution and adjustment tables.
    pub table_rows: usize,
    pub portfolio_rows: usize,
}

fn clip(text: &str) -> String {
    let t = text.trim();
    match t.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(lines: &[(u32, &str)], shape: ExtractedShape) -> DocumentType {
        let mut c = TypeCues::default();
        for (i, (page, text)) in lines.iter().enumerate() {
            c.add_line(*page, i, text);
        }
        c.decide(&shape).0
    }

    #[test]
    fn titles_decide() {
        let none = ExtractedShape::default();
        assert_eq!(
            decide(&[(1, "Notice of Capital Call")], none),
            DocumentType::CapitalCallNotice
        );
        assert_eq!(
            decide(&[(1, "Distribution Notice")], none),
            DocumentType::DistributionNotice
        );
        assert_eq!(
            decide(&[(1, "Partner's Capital Account Statement")], none),
            DocumentType::CapitalAccountStatement
        );
        assert_eq!(
            decide(&[(1, "Unaudited Financial Statements")], none),
            DocumentType::FinancialStatements
        );
        assert_eq!(
            decide(&[(1, "Annual Program Review")], none),
            DocumentType::ProgramReview
        );
        assert_eq!(decide(&[(1, "Hello")], none), DocumentType::Other);
    }

    #[test]
    fn tables_make_a_quarterly_report_unless_the_title_says_otherwise() {
        let tables = ExtractedShape {
            table_rows: 12,
            portfolio_rows: 0,
        };
        assert_eq!(
            decide(
                &[(1, "Summit Fund IV"), (1, "Portfolio Commentary")],
                tables
            ),
            DocumentType::QuarterlyReport
        );
        let many = ExtractedShape {
            table_rows: 0,
            portfolio_rows: 120,
        };
        assert_eq!(
            decide(&[(1, "Vintage Year Partnership")], many),
            DocumentType::PortfolioPerformance
        );
    }
}
