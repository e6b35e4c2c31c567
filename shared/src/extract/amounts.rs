//! Money, ratio and percentage parsing, currency detection and "(in thousands)" unit notes.
use rust_decimal::Decimal;

/// A parsed amount, signed as printed, before any unit scaling.
#[derive(Debug, Clone, PartialEq)]
pub struct Amount {
    pub value: Decimal,
    pub currency: Option<&'static str>,
}

const CURRENCY_WORDS: &[(&str, &str)] = &[
    ("USD", "USD"),
    ("US$", "USD"),
    ("EUR", "EUR"),
    ("GBP", "GBP"),
    ("CHF", "CHF"),
    ("JPY", "JPY"),
    ("CAD", "CAD"),
    ("AUD", "AUD"),
    ("$", "USD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("¥", "JPY"),
];

fn is_minus(c: char) -> bool {
    matches!(c, '-' | '−' | '–' | '—' | '‒')
}

/// Parses a money cell: `$1,234`, `$1,234.56`, `USD 1,234`, `1,234.00`, `(1,234)`, `-$1,234`,
/// `$-1,234`, `USD -1,234`, `1,234 USD`. Returns None if anything else is in the cell, so that
/// text which merely contains a number is never read as an amount.
pub fn parse_amount(text: &str) -> Option<Amount> {
    let mut s = text.trim();
    let mut negative = false;
    let mut currency = None;
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    }
    // Sign and currency marker may come in either order, before or after the number.
    for _ in 0..3 {
        if let Some(c) = s.chars().next()
            && is_minus(c)
        {
            negative = !negative;
            s = s[c.len_utf8()..].trim_start();
            continue;
        }
        if let Some(c) = s.chars().next()
            && c == '+'
        {
            s = s[1..].trim_start();
            continue;
        }
        if let Some((word, code)) = CURRENCY_WORDS.iter().find(|(w, _)| s.starts_with(w)) {
            currency = Some(*code);
            s = s[word.len()..].trim_start();
            continue;
        }
        if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
            negative = !negative;
            s = inner.trim();
            continue;
        }
        break;
    }
    for (word, code) in CURRENCY_WORDS {
        if let Some(rest) = s.strip_suffix(word) {
            currency = currency.or(Some(*code));
            s = rest.trim_end();
            break;
        }
    }
    let value = parse_number(s)?;
    Some(Amount {
        value: if negative { -value } else { value },
        currency,
    })
}

/// A plain number with optional thousands separators (commas, or thin/normal spaces in
/// groups of three) and an optional decimal point.
pub fn parse_number(s: &str) -> Option<Decimal> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let (int_part, frac_part) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    if let Some(f) = frac_part
        && (f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let groups: Vec<&str> = int_part
        .split([',', ' ', '\u{2009}', '\u{202f}', '\u{a0}'])
        .collect();
    if groups
        .iter()
        .any(|g| g.is_empty() || !g.chars().all(|c| c.is_ascii_digit()))
    {
        // "0.5" has int part "0"; ".5" has an empty int part, which is fine on its own.
        if !(int_part.is_empty() && frac_part.is_some()) {
            return None;
        }
    }
    if groups.len() > 1 && (groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3)) {
        return None;
    }
    let mut digits: String = groups.concat();
    if digits.is_empty() {
        digits.push('0');
    }
    if let Some(f) = frac_part {
        digits.push('.');
        digits.push_str(f);
    }
    digits.parse::<Decimal>().ok()
}

/// How many digits an amount prints after its decimal point ("$1,234.50" has 2, "1,234" none).
pub fn printed_decimals(text: &str) -> usize {
    let Some((_, frac)) = text.rsplit_once('.') else {
        return 0;
    };
    frac.chars().take_while(char::is_ascii_digit).count()
}

/// No sum of money in a report has more decimals than this; a number that does was misread
/// (OCR taking thousands commas for points: "$1.58100000" for "$158,100.00").
pub const MAX_MONEY_DECIMALS: usize = 4;

/// A ratio like `0.60x`, `1.2 x` or `1.45`.
pub fn parse_multiple(text: &str) -> Option<Decimal> {
    let s = text.trim();
    let s = s
        .strip_suffix(['x', 'X', '×'])
        .map(str::trim_end)
        .unwrap_or(s);
    parse_signed_number(s)
}

/// A percentage like `12.5%`, `-3.1 %` or `(3.1%)`.
pub fn parse_percent(text: &str) -> Option<Decimal> {
    let s = text.trim();
    let (neg, s) = match s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        Some(inner) => (true, inner.trim()),
        None => (false, s),
    };
    let s = s.strip_suffix('%')?.trim_end();
    let v = parse_signed_number(s)?;
    Some(if neg { -v } else { v })
}

fn parse_signed_number(s: &str) -> Option<Decimal> {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if is_minus(c) => parse_number(chars.as_str()).map(|v| -v),
        Some('+') => parse_number(chars.as_str()),
        _ => parse_number(s),
    }
}

/// Scale from a unit note such as "(in thousands of USD)", "USD 000s", "($ in millions)".
/// Returns None when the text states no unit.
pub fn unit_scale(text: &str) -> Option<Decimal> {
    let t = text.to_lowercase();
    if t.contains("thousand") || t.contains("000s") || t.contains("000's") || t.contains("(000)") {
        return Some(Decimal::from(1000));
    }
    if t.contains("in millions") || t.contains("millions of") || t.contains("(mm)") {
        return Some(Decimal::from(1_000_000));
    }
    None
}

/// The currency a text names, if any (a symbol or an ISO code as a whole word).
pub fn currency_in(text: &str) -> Option<&'static str> {
    for (word, code) in CURRENCY_WORDS {
        let is_code = word.chars().all(|c| c.is_ascii_uppercase());
        if is_code {
            let found = text
                .split(|c: char| !c.is_ascii_alphabetic())
                .any(|w| w == *word);
            if found {
                return Some(code);
            }
        } else if text.contains(word) {
            return Some(code);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn amounts_in_every_printed_form() {
        let cases = [
            ("$1,234", "1234"),
            ("$1,234.56", "1234.56"),
            ("USD 1,234", "1234"),
            ("1,234.00", "1234.00"),
            ("(1,234)", "-1234"),
            ("-$1,234", "-1234"),
            ("$-1,234", "-1234"),
            ("USD -315,400", "-315400"),
            ("($71,000)", "-71000"),
            ("−16,737", "-16737"),
            ("684", "684"),
            ("1,234 USD", "1234"),
            ("€ 12.5", "12.5"),
            ("+75,145", "75145"),
        ];
        for (text, want) in cases {
            let got = parse_amount(text).map(|a| a.value);
            assert_eq!(got, Some(d(want)), "{text}");
        }
    }

    #[test]
    fn rejects_text_that_is_not_an_amount() {
        for text in [
            "Call 1",
            "1,23",
            "12,3456",
            "Q4 2024",
            "$",
            "",
            "abc",
            "1.2.3",
            "2024-01-15",
        ] {
            assert_eq!(parse_amount(text), None, "{text}");
        }
    }

    #[test]
    fn currency_of_amounts() {
        assert_eq!(parse_amount("$5").unwrap().currency, Some("USD"));
        assert_eq!(parse_amount("EUR 5").unwrap().currency, Some("EUR"));
        assert_eq!(parse_amount("5").unwrap().currency, None);
        assert_eq!(currency_in("(in thousands of USD)"), Some("USD"));
        assert_eq!(currency_in("USDC token"), None);
    }

    #[test]
    fn ratios_and_percentages() {
        assert_eq!(parse_multiple("0.60x"), Some(d("0.60")));
        assert_eq!(parse_multiple("1.45"), Some(d("1.45")));
        assert_eq!(parse_percent("12.5%"), Some(d("12.5")));
        assert_eq!(parse_percent("-3.1 %"), Some(d("-3.1")));
        assert_eq!(parse_percent("(3.1%)"), Some(d("-3.1")));
        assert_eq!(parse_percent("12.5"), None);
    }

    #[test]
    fn unit_notes_scale_amounts() {
        assert_eq!(
            unit_scale("Drawdowns (in thousands of USD)"),
            Some(d("1000"))
        );
        assert_eq!(unit_scale("Amount ($000s)"), Some(d("1000")));
        assert_eq!(unit_scale("($ in millions)"), Some(d("1000000")));
        assert_eq!(unit_scale("Capital Calls"), None);
    }
}
