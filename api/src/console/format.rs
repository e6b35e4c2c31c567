//! How numbers and dates read on the pages: grouped money, multiples with an x, percents, a dash for unknown.
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use shared::metrics::text::money as group;

pub const NONE: &str = "—";

pub fn money(v: Decimal) -> String {
    group(v)
}

pub fn money_opt(v: Option<Decimal>) -> String {
    v.map(money).unwrap_or_else(|| NONE.into())
}

/// Two decimals, as LP reports print multiples.
pub fn multiple(v: Option<Decimal>) -> String {
    v.map(|v| format!("{:.2}x", v.round_dp(2)))
        .unwrap_or_else(|| NONE.into())
}

pub fn percent(v: Option<Decimal>) -> String {
    v.map(|v| format!("{:.2}%", v.round_dp(2)))
        .unwrap_or_else(|| NONE.into())
}

pub fn timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

pub fn bytes(n: i64) -> String {
    match n {
        n if n >= 1024 * 1024 => format!("{:.1} MB", n as f64 / (1024.0 * 1024.0)),
        n if n >= 1024 => format!("{} KB", n / 1024),
        n => format!("{n} B"),
    }
}

/// A value by the unit reconciliation uses for its key.
pub fn figure(key: &str, v: Decimal) -> String {
    match key {
        "dpi" | "tvpi" | "rvpi" => format!("{}x", v.round_dp(4).normalize()),
        "irr" | "irr_pct" => format!("{}%", v.round_dp(2).normalize()),
        _ => money(v),
    }
}

/// Plural-aware counts: "1 capital call", "3 distributions".
pub fn count(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn reads_like_a_report() {
        assert_eq!(money_opt(Some(d("11950000"))), "11,950,000");
        assert_eq!(money_opt(None), "—");
        assert_eq!(multiple(Some(d("0.35505"))), "0.36x");
        assert_eq!(percent(Some(d("-12.345678"))), "-12.35%");
        assert_eq!(figure("dpi", d("0.3550")), "0.355x");
        assert_eq!(figure("irr_pct", d("12.50")), "12.5%");
        assert_eq!(bytes(2048), "2 KB");
        assert_eq!(count(1, "call", "calls"), "1 call");
    }
}
