//! Number formatting for formulas and explanations people read.
use rust_decimal::Decimal;

use super::serde_fmt::round;

/// `-1234567.891` → `-1,234,567.89`; whole amounts drop the cents, as reports print them.
pub fn money(v: Decimal) -> String {
    let v = round(v, 2);
    let s = if v.fract().is_zero() {
        v.trunc().abs().to_string()
    } else {
        format!("{:.2}", v.abs())
    };
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if v.is_sign_negative() && !v.is_zero() {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn groups_thousands() {
        let m = |s: &str| money(Decimal::from_str(s).unwrap());
        assert_eq!(m("11950000"), "11,950,000");
        assert_eq!(m("-450000.5"), "-450,000.50");
        assert_eq!(m("999"), "999");
        assert_eq!(m("0"), "0");
        assert_eq!(m("1234.567"), "1,234.57");
    }
}
