//! Cells read as what their column holds: money, multiples, IRRs, vintage years, fund names
//! and total labels.
use rust_decimal::Decimal;

use super::cells::is_symbol_marker;
use super::roles::Role;
use crate::extract::amounts::{parse_amount, parse_multiple, parse_percent};

/// Printed instead of a figure: not meaningful, not available, nothing.
pub fn is_blank_token(text: &str) -> bool {
    let t = text.trim().to_lowercase();
    matches!(
        t.as_str(),
        "nm" | "n/m"
            | "n.m."
            | "n.m"
            | "nmf"
            | "n/a"
            | "na"
            | "n.a."
            | "n.a"
            | "–"
            | "—"
            | "-"
            | "--"
            | "−"
    )
}

fn is_dash(text: &str) -> bool {
    matches!(text.trim(), "-" | "–" | "—" | "--" | "−")
}

/// A figure as printed, read for its column.
#[derive(Debug, Clone, PartialEq)]
pub enum Figure {
    /// Blank, "NM", "n/a".
    Missing,
    Value {
        value: Decimal,
        decimals: u32,
    },
    /// Printed, but not a figure.
    Unreadable,
}

pub fn read_figure(role: Role, text: Option<&str>) -> Figure {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Figure::Missing;
    };
    // In money columns a dash is the accounting zero; in ratio columns it means "none".
    if role.is_money() && is_dash(text) {
        return Figure::Value {
            value: Decimal::ZERO,
            decimals: 0,
        };
    }
    if is_blank_token(text) {
        return Figure::Missing;
    }
    let value = match role {
        Role::Tvpi | Role::Dpi => parse_multiple(text),
        Role::Irr => parse_percent(text).or_else(|| {
            let bare = text.trim_end_matches('%').trim_end();
            parse_amount(bare)
                .filter(|a| a.currency.is_none())
                .map(|a| a.value)
        }),
        _ => parse_amount(text).map(|a| a.value),
    };
    match value {
        // "($0.0)" is a zero, whatever its sign.
        Some(v) => Figure::Value {
            value: if v.is_zero() { Decimal::ZERO } else { v },
            decimals: decimals_of(text),
        },
        None => Figure::Unreadable,
    }
}

fn decimals_of(text: &str) -> u32 {
    text.split_once('.').map_or(0, |(_, f)| {
        f.chars().take_while(char::is_ascii_digit).count() as u32
    })
}

/// A vintage year cell.
pub fn read_year(text: &str) -> Option<i32> {
    let t = text.trim();
    if t.len() != 4 || !t.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    t.parse().ok().filter(|y| (1950..=2100).contains(y))
}

/// A row label that closes a group or the table ("Total", "Subtotal", "Buyout Total").
pub fn is_total_label(text: &str) -> bool {
    let t = text
        .trim()
        .trim_end_matches([':', '.'])
        .trim()
        .to_lowercase();
    let first = t.split_whitespace().next().unwrap_or("");
    let last = t.split_whitespace().last().unwrap_or("");
    matches!(
        first,
        "total" | "totals" | "total:" | "totals:" | "subtotal" | "sub-total"
    ) || t.starts_with("sub total")
        || t.starts_with("grand total")
        || matches!(last, "total" | "totals" | "subtotal")
}

/// A fund name cleaned of footnote markers and unusual hyphens.
pub fn clean_name(raw: &str) -> String {
    let t = raw
        .trim()
        .trim_start_matches(|c: char| is_symbol_marker(&c.to_string()) || c.is_whitespace())
        .trim_end_matches(|c: char| matches!(c, '*' | '†' | '‡' | '§' | '^') || c.is_whitespace());
    let t: String = t
        .chars()
        .map(|c| {
            if matches!(c, '\u{2010}' | '\u{2011}') {
                '-'
            } else {
                c
            }
        })
        .collect();
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `next` continues a name that ended with `name`: a name cut after a comma, "&" or
/// "of", or a line that starts in lower case or holds only a legal form or a fund number.
pub fn reads_on(name: &str, next: &str) -> bool {
    let last = name.split_whitespace().last().unwrap_or("").to_lowercase();
    let first = next.split_whitespace().next().unwrap_or("");
    let cut_short = name.ends_with([',', '&', '-', '/', '('])
        || matches!(last.as_str(), "of" | "and" | "the" | "for" | "de" | "&");
    let tail = first.chars().next().is_some_and(char::is_lowercase)
        || next.split_whitespace().all(|w| {
            let w = w.trim_matches(|c: char| matches!(c, ',' | '.' | '(' | ')'));
            matches!(
                w.to_lowercase().as_str(),
                "l.p" | "lp" | "ltd" | "inc" | "llc" | "scsp" | "s.c.a" | "fund"
            ) || (!w.is_empty() && w.chars().all(|c| matches!(c, 'I' | 'V' | 'X')))
        });
    cut_short || tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn v(s: &str, decimals: u32) -> Figure {
        Figure::Value {
            value: Decimal::from_str(s).unwrap(),
            decimals,
        }
    }

    #[test]
    fn figures_by_column() {
        assert_eq!(read_figure(Role::Commitment, Some("$50.0")), v("50.0", 1));
        assert_eq!(read_figure(Role::Nav, Some("($0.0)")), v("0", 1));
        assert_eq!(read_figure(Role::Nav, Some("($1.1)")), v("-1.1", 1));
        assert_eq!(read_figure(Role::Nav, Some("-")), v("0", 0));
        assert_eq!(read_figure(Role::Tvpi, Some("1.80x")), v("1.80", 2));
        assert_eq!(read_figure(Role::Irr, Some("19.1%")), v("19.1", 1));
        assert_eq!(read_figure(Role::Irr, Some("(2.8)%")), v("-2.8", 1));
        assert_eq!(read_figure(Role::Irr, Some("NM")), Figure::Missing);
        assert_eq!(read_figure(Role::Irr, Some("-")), Figure::Missing);
        assert_eq!(read_figure(Role::Irr, None), Figure::Missing);
        assert_eq!(
            read_figure(Role::Commitment, Some("abc")),
            Figure::Unreadable
        );
    }

    #[test]
    fn labels_and_names() {
        for t in [
            "Total",
            "Totals: Total",
            "Subtotal",
            "Buyout Total",
            "Total Private Equity",
        ] {
            assert!(is_total_label(t), "{t}");
        }
        for t in ["TotalEnergies Ventures", "Apax IX", "Subtotalis Capital"] {
            assert!(!is_total_label(t), "{t}");
        }
        assert_eq!(clean_name("* Apax Europe VII"), "Apax Europe VII");
        assert_eq!(clean_name("#  USV\u{2010}2021"), "USV-2021");
        assert_eq!(read_year("2019"), Some(2019));
        assert_eq!(read_year("Totals:"), None);
    }
}
