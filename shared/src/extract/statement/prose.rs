//! Figures stated in sentences: a notice's breakdown ("applied as follows: X of 33,277; …")
//! and dated cash flows in a letter ("A distribution of USD 10.44mm in January 2024").
use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::keys::Flow;
use crate::domain::DatePrecision;
use crate::extract::{amounts, dates, facts};

/// Phrases that introduce a list of breakdown items.
const BREAKDOWN_CUES: &[&str] = &[
    "as follows:",
    "made up of",
    "consists of",
    "comprised of",
    "composed of",
    "comprises",
    "broken down as",
];

/// The items of a breakdown sentence, each "label of amount", separated by semicolons.
pub fn breakdown(text: &str) -> Vec<(String, Decimal)> {
    let lower = text.to_lowercase();
    let Some((at, cue)) = BREAKDOWN_CUES
        .iter()
        .filter_map(|c| lower.find(c).map(|i| (i, c.len())))
        .min_by_key(|x| x.0)
    else {
        return Vec::new();
    };
    let rest = &text[at + cue..];
    // The list ends with the sentence: a full stop after an amount or a closing parenthesis.
    let end = rest
        .match_indices(". ")
        .map(|(i, _)| i)
        .find(|&i| rest[..i].ends_with(|c: char| c.is_ascii_digit() || c == ')'))
        .unwrap_or(rest.len());
    let mut out = Vec::new();
    for item in rest[..end].split(';') {
        let item = item.trim().trim_end_matches('.').trim();
        let item = item.strip_prefix("and ").unwrap_or(item).trim();
        let Some(cut) = item.rfind(" of ") else {
            continue;
        };
        let (label, amount) = (item[..cut].trim(), item[cut + 4..].trim());
        if let Some(a) = amounts::parse_amount(amount).filter(|_| !label.is_empty()) {
            out.push((label.to_string(), a.value));
        }
    }
    out
}

/// A cash flow between the fund and its investors stated in a sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct ProseFlow {
    pub flow: Flow,
    pub amount: Decimal,
    pub date: NaiveDate,
    pub precision: DatePrecision,
    pub sentence: String,
}

const MENTIONS: &[(&str, Flow)] = &[
    ("distribution of ", Flow::Distribution),
    ("capital call of ", Flow::Call),
    ("drawdown of ", Flow::Call),
    ("capital contribution of ", Flow::Call),
];

/// Sentences about other money than the investors' own cash flows, or about plans.
const NOT_LP_FLOW: &[&str] = &[
    "aggregate",
    "portfolio compan",
    "revenue",
    "ebitda",
    "since inception",
    "to date",
    "cumulative",
    "expect",
    "anticipate",
    "will be",
    "intend",
    "plan to",
    "may ",
    "dividend recap",
];

fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices(". ") {
        let before = &text[start..i];
        let last = before.split_whitespace().last().unwrap_or("");
        // "U.S." or "No." do not end a sentence.
        if last.len() <= 3 || last.contains('.') {
            continue;
        }
        out.push(&text[start..=i]);
        start = i + 2;
    }
    out.push(&text[start..]);
    out
}

fn money_after(text: &str) -> Option<Decimal> {
    let words: Vec<&str> = text.split_whitespace().take(3).collect();
    (1..=words.len()).rev().find_map(|n| {
        let s = words[..n].join(" ");
        let s = s.trim_end_matches([',', '.', ';', ')']);
        facts::parse_money(s).filter(|v| *v > Decimal::ZERO)
    })
}

/// The first date phrase in `text`: "in January 2024" (month) or "on 15 January 2024" (day).
fn date_in(text: &str) -> Option<(NaiveDate, DatePrecision)> {
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_end_matches([',', '.', ';', ')']))
        .collect();
    for i in 0..words.len() {
        for n in [3, 2] {
            let Some(span) = words.get(i..i + n) else {
                continue;
            };
            let s = span.join(" ");
            if let Some(d) = dates::parse_date(&s) {
                return Some((d, DatePrecision::Day));
            }
            if n == 2
                && let Some(d) = dates::parse_month_year(&s)
            {
                return Some((d, DatePrecision::Month));
            }
        }
    }
    None
}

/// Dated cash flows stated in running text. Conservative: one money amount right after the
/// mention and a date in the same sentence, and nothing in the sentence that points to another
/// party's money or to the future.
pub fn cash_flows(text: &str) -> Vec<ProseFlow> {
    let mut out = Vec::new();
    for sentence in sentences(text) {
        let lower = sentence.to_lowercase();
        if NOT_LP_FLOW.iter().any(|w| lower.contains(w)) {
            continue;
        }
        let mut found: Vec<(usize, usize, Flow)> = Vec::new();
        for (cue, flow) in MENTIONS {
            for (i, _) in lower.match_indices(cue) {
                found.push((i, i + cue.len(), *flow));
            }
        }
        found.sort_by_key(|f| f.0);
        for (n, &(start, after, flow)) in found.iter().enumerate() {
            let Some(amount) = money_after(&sentence[after..]) else {
                continue;
            };
            let until = found.get(n + 1).map_or(sentence.len(), |f| f.0);
            let before_from = if n == 0 { 0 } else { found[n - 1].1 };
            let date = date_in(&sentence[after..until])
                .or_else(|| date_in(&sentence[before_from..start]).filter(|_| n == 0));
            if let Some((date, precision)) = date {
                out.push(ProseFlow {
                    flow,
                    amount,
                    date,
                    precision,
                    sentence: sentence.trim().to_string(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn breakdown_items_with_negative_offsets() {
        let text = "Your share of this capital call will be applied as follows: follow-on \
                    investment in Bluefin Robotics of 33,277; management fees (Q3 2025) of 37,500; \
                    fund expenses of 4,085; and management fee offset of (15,497). Wire follows.";
        let items = breakdown(text);
        assert_eq!(items.len(), 4);
        assert_eq!(
            items[1],
            ("management fees (Q3 2025)".to_string(), d("37500"))
        );
        assert_eq!(items[3], ("management fee offset".to_string(), d("-15497")));
    }

    #[test]
    fn month_dated_flows_from_a_letter() {
        let text = "A distribution of USD 10.44mm in January 2024 followed the sale of Apex, \
                    and a capital call of USD 0.54mm for expenses was made in March 2024.";
        let flows = cash_flows(text);
        assert_eq!(flows.len(), 2);
        assert_eq!(flows[0].flow, Flow::Distribution);
        assert_eq!(flows[0].amount, d("10440000"));
        assert_eq!(flows[0].date, NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
        assert_eq!(flows[0].precision, DatePrecision::Month);
        assert_eq!(flows[1].flow, Flow::Call);
        assert_eq!(flows[1].amount, d("540000"));
        assert_eq!(flows[1].date, NaiveDate::from_ymd_opt(2024, 3, 1).unwrap());
    }

    #[test]
    fn no_flow_from_aggregates_plans_or_undated_sentences() {
        let texts = [
            "The Fund made distributions in the aggregate amount of $1.6bn in June 2023.",
            "We expect a distribution of USD 5.0mm in July 2024.",
            "Revenue grew after a distribution of USD 3mm in May 2024 to the portfolio company.",
            "A distribution of USD 2.1mm was made to investors.",
        ];
        for t in texts {
            assert!(cash_flows(t).is_empty(), "{t}");
        }
    }
}
