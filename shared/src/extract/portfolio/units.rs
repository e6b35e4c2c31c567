//! The unit a portfolio table prints its money in: "($ in millions)", "USD m", "$000s".
use rust_decimal::Decimal;

use crate::extract::amounts::unit_scale;

/// Unit notes are short; a long line naming millions is prose about something else.
pub const MAX_NOTE_WORDS: usize = 15;

/// Scale from a unit note, including the short forms pension tables use ("$M", "USD mm").
pub fn table_scale(text: &str) -> Option<Decimal> {
    if let Some(s) = unit_scale(text) {
        return Some(s);
    }
    let t = text.to_lowercase();
    let words: Vec<&str> = t
        .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',' | ';' | ':' | '['))
        .filter(|w| !w.is_empty())
        .collect();
    // "$ m", "USD mm": a currency followed by a unit.
    let paired = words
        .windows(2)
        .filter(|p| CURRENCIES.contains(&p[0]))
        .find_map(|p| unit_of(p[1]));
    // "$M", "USDm", "€m": glued; "millions" alone is a unit too.
    let glued = || {
        words.iter().find_map(|w| {
            CURRENCIES
                .iter()
                .find_map(|c| w.strip_prefix(c).and_then(unit_of))
                .or_else(|| {
                    matches!(*w, "millions" | "billions")
                        .then(|| unit_of(w))
                        .flatten()
                })
        })
    };
    paired.or_else(glued).map(Decimal::from)
}

const CURRENCIES: &[&str] = &["$", "usd", "us$", "eur", "€", "£", "gbp"];

fn unit_of(w: &str) -> Option<u64> {
    match w {
        "m" | "mm" | "mn" | "mil" | "million" | "millions" => Some(1_000_000),
        "k" | "000" | "'000" | "000s" | "000's" | "thousands" => Some(1_000),
        "bn" | "b" | "billion" | "billions" => Some(1_000_000_000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_notes_of_portfolio_tables() {
        let m = Some(Decimal::from(1_000_000));
        let k = Some(Decimal::from(1_000));
        for (text, want) in [
            ("($ in millions)", m),
            ("($ millions)", m),
            ("USD m", m),
            ("Commitment ($M)", m),
            ("(USD mm)", m),
            ("in thousands", k),
            ("($000s)", k),
            ("$000", k),
            ("Amounts in $ billions", Some(Decimal::from(1_000_000_000))),
            ("Capital Commitment", None),
            ("Fund III", None),
        ] {
            assert_eq!(table_scale(text), want, "{text}");
        }
    }
}
