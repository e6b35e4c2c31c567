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
    let currency = |w: &str| matches!(w, "$" | "usd" | "us$" | "eur" | "€" | "£" | "gbp");
    let million = |w: &str| matches!(w, "m" | "mm" | "mn" | "mil" | "millions" | "million");
    let thousand = |w: &str| matches!(w, "k" | "000" | "'000" | "000's" | "thousands");
    let billion = |w: &str| matches!(w, "bn" | "b" | "billions" | "billion");
    let glued = |w: &str, unit: &dyn Fn(&str) -> bool| {
        ["$", "usd", "us$", "eur", "€", "£", "gbp"]
            .iter()
            .any(|c| w.strip_prefix(c).is_some_and(|rest| unit(rest)))
    };
    let pairs = words.windows(2).map(|p| (p[0], p[1]));
    let mut found = None;
    for (a, b) in pairs {
        if currency(a) && million(b) {
            found = Some(1_000_000);
        } else if currency(a) && thousand(b) {
            found = Some(1_000);
        } else if currency(a) && billion(b) {
            found = Some(1_000_000_000);
        }
        if found.is_some() {
            break;
        }
    }
    if found.is_none() {
        for w in &words {
            if glued(w, &million) || *w == "millions" {
                found = Some(1_000_000);
            } else if glued(w, &thousand) {
                found = Some(1_000);
            } else if glued(w, &billion) || *w == "billions" {
                found = Some(1_000_000_000);
            }
            if found.is_some() {
                break;
            }
        }
    }
    found.map(Decimal::from)
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
