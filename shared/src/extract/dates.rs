//! Date parsing for the formats fund reports print: ISO, US numeric, month names, day-month-year.
use chrono::NaiveDate;

const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
];

/// A month name, full or abbreviated to at least three letters ("Sept" and "Sep." too).
fn month(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .find(|(name, _)| name.starts_with(&w))
        .map(|(_, m)| *m)
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn year(s: &str) -> Option<i32> {
    let y = num(s)? as i32;
    match s.len() {
        4 => Some(y),
        // Two-digit years in fund reports are this century.
        2 => Some(2000 + y),
        _ => None,
    }
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Parses a whole cell as a date: `2024-01-15`, `2024/01/15`, `01/15/2024`, `15/01/2024` (when the
/// first number cannot be a month), `January 15, 2024`, `Jan 15, 2024`, `15 Jan 2024`,
/// `15-Jan-2024`, `15-Jan-24`. Returns None for anything else.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    if t.is_empty() || t.len() > 40 {
        return None;
    }
    // Numeric forms: exactly three numeric parts split by one separator kind.
    for sep in ['-', '/', '.'] {
        let parts: Vec<&str> = t.split(sep).collect();
        if parts.len() == 3 && parts.iter().all(|p| num(p).is_some()) {
            let (a, b, c) = (parts[0], parts[1], parts[2]);
            if a.len() == 4 {
                return ymd(year(a)?, num(b)?, num(c)?);
            }
            let (x, y_, yr) = (num(a)?, num(b)?, year(c)?);
            // US order unless the first number cannot be a month (or the separator is a dot,
            // which is European).
            return if sep == '.' || x > 12 {
                ymd(yr, y_, x)
            } else {
                ymd(yr, x, y_)
            };
        }
        if parts.len() == 3 && sep != '.' {
            // 15-Jan-2024
            if let (Some(d), Some(m), Some(y)) = (num(parts[0]), month(parts[1]), year(parts[2])) {
                return ymd(y, m, d);
            }
        }
    }
    // Word forms: "January 15, 2024", "Jan. 15 2024", "15 January 2024", and "Jan15, 2024" as a
    // scan reads it (a letter followed by a digit starts a new word; "15th" stays whole).
    let words: Vec<&str> = t
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .flat_map(split_month_day)
        .collect();
    if words.len() == 3 {
        if let (Some(m), Some(d), Some(y)) = (
            month(words[0]),
            num(words[1].trim_end_matches(['s', 't', 'n', 'd', 'r', 'h'])),
            year(words[2]),
        ) {
            return ymd(y, m, d);
        }
        if let (Some(d), Some(m), Some(y)) = (
            num(words[0].trim_end_matches(['s', 't', 'n', 'd', 'r', 'h'])),
            month(words[1]),
            year(words[2]),
        ) {
            return ymd(y, m, d);
        }
    }
    None
}

fn split_month_day(word: &str) -> Vec<&str> {
    match word.char_indices().find(|&(i, c)| {
        c.is_ascii_digit() && i > 0 && word[..i].chars().all(|c| c.is_alphabetic() || c == '.')
    }) {
        Some((i, _)) => vec![&word[..i], &word[i..]],
        None => vec![word],
    }
}

/// A month and a four-digit year ("January 2024", "Sept. 2023"): the first of that month.
pub fn parse_month_year(text: &str) -> Option<NaiveDate> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    match words.as_slice() {
        [m, y] if y.len() == 4 => ymd(year(y)?, month(m)?, 1),
        _ => None,
    }
}

/// True when the text reads like the start of a date, for recognising rows whose date is
/// misprinted (so they are reported rather than ignored).
pub fn looks_like_date(text: &str) -> bool {
    let t = text.trim();
    let first = t.split([' ', '-', '/', ',', '.']).next().unwrap_or("");
    let digits = t.chars().filter(char::is_ascii_digit).count();
    (digits >= 4
        && (month(first).is_some() || t.chars().next().is_some_and(|c| c.is_ascii_digit())))
        && t.len() <= 25
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_and_year() {
        assert_eq!(parse_month_year("January 2024"), d(2024, 1, 1));
        assert_eq!(parse_month_year("Sept. 2023"), d(2023, 9, 1));
        assert_eq!(parse_month_year("January 15"), None);
    }

    fn d(y: i32, m: u32, dd: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, dd)
    }

    #[test]
    fn every_listed_format() {
        assert_eq!(parse_date("2024-01-15"), d(2024, 1, 15));
        assert_eq!(parse_date("01/15/2024"), d(2024, 1, 15));
        assert_eq!(parse_date("January 15, 2024"), d(2024, 1, 15));
        assert_eq!(parse_date("Jan 15, 2024"), d(2024, 1, 15));
        assert_eq!(parse_date("15-Jan-2024"), d(2024, 1, 15));
        assert_eq!(parse_date("2024/01/15"), d(2024, 1, 15));
        assert_eq!(parse_date("15/01/2024"), d(2024, 1, 15));
        assert_eq!(parse_date("15 January 2024"), d(2024, 1, 15));
        assert_eq!(parse_date("Sept. 3, 2024"), d(2024, 9, 3));
        assert_eq!(parse_date("15-Jan-24"), d(2024, 1, 15));
        assert_eq!(parse_date("15.01.2024"), d(2024, 1, 15));
        assert_eq!(parse_date("June 1st, 2023"), d(2023, 6, 1));
        // As scans read them.
        assert_eq!(parse_date("Jan1,2023"), d(2023, 1, 1));
        assert_eq!(parse_date("Sep 27,2022"), d(2022, 9, 27));
    }

    #[test]
    fn rejects_non_dates() {
        for t in [
            "2024-02-30",
            "13/13/2024",
            "Call 1",
            "",
            "Q4 2024",
            "$1,234",
            "May",
            "2024",
        ] {
            assert_eq!(parse_date(t), None, "{t}");
        }
    }

    #[test]
    fn date_like_text() {
        assert!(looks_like_date("2024-02-30"));
        assert!(looks_like_date("Febr 30, 2024"));
        assert!(!looks_like_date("Total"));
        assert!(!looks_like_date("Call 12"));
    }
}
