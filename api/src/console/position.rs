//! The LP position as the fund page shows it: each figure with its document and page, or the
//! formula it was derived by, and the discrepancies as sentences.
use shared::metrics::position::Position;

use super::format;

/// One line of the LP position: figure, value, and where it comes from.
pub struct PositionRow {
    pub label: &'static str,
    pub value: String,
    pub source: String,
}

/// The LP position rows (stated figures with their document and page, derived ones with their
/// formula) and its discrepancies as sentences.
pub fn view(p: &Position) -> (Vec<PositionRow>, Vec<String>) {
    let labels = [
        ("commitment", "Commitment", p.commitment),
        (
            "contributed_to_date",
            "Contributed to date",
            p.contributed_to_date,
        ),
        (
            "distributed_to_date",
            "Distributed to date",
            p.distributed_to_date,
        ),
        (
            "unfunded_commitment",
            "Unfunded commitment",
            p.unfunded_commitment,
        ),
        (
            "recallable_to_date",
            "Recallable to date",
            p.recallable_to_date,
        ),
        ("nav", "NAV", p.nav),
    ];
    let rows = labels
        .into_iter()
        .filter_map(|(key, label, value)| {
            let value = value?;
            let source = p
                .sources
                .iter()
                .find(|s| s.key == key)
                .map(|s| match (&s.formula, &s.file_name) {
                    (Some(f), _) => format!("derived: {f}"),
                    (None, Some(file)) => format!(
                        "{file}, page {}{}",
                        s.page.unwrap_or_default(),
                        s.column
                            .as_deref()
                            .map(|c| format!(" ({c})"))
                            .unwrap_or_default()
                    ),
                    _ => String::new(),
                })
                .unwrap_or_default();
            Some(PositionRow {
                label,
                value: format::money(value),
                source,
            })
        })
        .collect();
    let notes = p
        .discrepancies
        .iter()
        .map(|d| d.explanation.clone())
        .collect();
    (rows, notes)
}
