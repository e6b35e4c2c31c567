//! Whether a detected name reads as a fund's name, and cleaning of "Re:" lines and titles, so
//! that labels, headers and greetings ("CONFIDENTIAL", "IRR", "To: Joe") never become funds.
use crate::domain::DocumentType;

/// Words that make a name a fund's: the vehicle ("Fund", "L.P.") or its usual suffixes.
const FUND_WORDS: &[&str] = &[
    "fund",
    "funds",
    "fonds",
    "l.p.",
    "l.p",
    "lp",
    "partners",
    "partnership",
    "ventures",
    "scsp",
    "sicav",
    "scs",
    "co-invest",
    "co-investment",
];

/// Words that make a fund's name only when a numeral follows ("Capital II", "Investors 3").
const NUMBERED_WORDS: &[&str] = &[
    "capital",
    "investors",
    "equity",
    "growth",
    "buyout",
    "opportunities",
    "credit",
    "holdings",
    "infrastructure",
];

/// Longest name accepted; a longer line is a sentence.
const MAX_WORDS: usize = 12;

fn is_numeral(word: &str) -> bool {
    let w = word.trim_matches(|c: char| matches!(c, ',' | '.' | '(' | ')'));
    !w.is_empty()
        && (w.chars().all(|c| c.is_ascii_digit())
            || w.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L' | 'C')))
}

/// A name printed for a fund: has a fund word, is not a sentence, a placeholder or a figure.
pub fn reads_as_fund_name(name: &str) -> bool {
    let name = name.trim();
    let words: Vec<&str> = name.split_whitespace().collect();
    if words.is_empty() || words.len() > MAX_WORDS {
        return false;
    }
    // Labels ("To: Joe"), amounts, percentages and template placeholders are not names.
    if name.contains(':')
        || name.contains(['$', '€', '£', '%', '<', '>', '"', '“'])
        || name.to_lowercase().contains("xx")
        || !name.chars().next().is_some_and(char::is_alphanumeric)
        || words[0].eq_ignore_ascii_case("dear")
    {
        return false;
    }
    // Running text: several words in lower case that are not connectors.
    let lower_words = words
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_lowercase))
        .filter(|w| !matches!(**w, "of" | "and" | "the" | "de" | "du" | "la" | "for" | "&"))
        .count();
    if lower_words > 1 {
        return false;
    }
    let norm: Vec<String> = words
        .iter()
        .map(|w| {
            w.to_lowercase()
                .trim_matches(|c: char| matches!(c, ',' | '(' | ')' | ';'))
                .to_string()
        })
        .collect();
    if norm.iter().any(|w| FUND_WORDS.contains(&w.as_str())) {
        return true;
    }
    norm.windows(2)
        .zip(words.windows(2))
        .any(|(n, w)| NUMBERED_WORDS.contains(&n[0].as_str()) && is_numeral(w[1]))
}

/// A value printed after a "Fund Name:" label: the label vouches for it, so any short name with
/// letters is accepted, but never a placeholder or an amount.
pub fn plausible_labelled_name(value: &str) -> bool {
    let v = value.trim();
    let words = v.split_whitespace().count();
    (1..=MAX_WORDS).contains(&words)
        && v.chars().any(char::is_alphabetic)
        && !v.contains(['$', '€', '£', '%', '<', '>', ':'])
        && !v.to_lowercase().contains("xx")
}

/// The fund named in a "Re:" or subject line: "Re: Acme Fund IV, L.P. - Capital Call No. 5"
/// gives "Acme Fund IV, L.P.".
pub fn from_subject_line(text: &str) -> Option<String> {
    let t = text.trim();
    let lower = t.to_lowercase();
    let rest = ["re:", "re :", "subject:", "regarding:"]
        .iter()
        .find_map(|p| lower.starts_with(p).then(|| &t[p.len()..]))?;
    let name = strip_notice_tail(rest.trim());
    reads_as_fund_name(&name).then_some(name)
}

/// Cuts what follows the fund's name on a subject or title line: " - Capital Call No. 5",
/// "- Net Distribution #1", " – Quarterly Report".
pub fn strip_notice_tail(text: &str) -> String {
    let mut cut = text.len();
    for sep in [" - ", " – ", " — ", "- ", "– ", "— "] {
        if let Some(i) = text.find(sep) {
            // "L.P.- Net Distribution" has no space before the dash; the name ends before it.
            cut = cut.min(i);
        }
    }
    text[..cut]
        .trim()
        .trim_end_matches([',', ';'])
        .trim()
        .to_string()
}

/// Lines at the top of page 1 searched for a fund's name (letterhead, title, addressee, subject).
const TITLE_ZONE_LINES: usize = 16;

/// The first "Re:" line and the first title-zone line of page 1 that name a fund.
#[derive(Debug, Default)]
pub struct FundNameCues {
    subject: Option<String>,
    title_zone: Option<String>,
}

impl FundNameCues {
    /// Looks at one line of page 1; `index` is its position on the page.
    pub fn see(&mut self, index: usize, text: &str) {
        if self.subject.is_none() {
            self.subject = from_subject_line(text);
        }
        if self.title_zone.is_none() && index < TITLE_ZONE_LINES {
            let name = strip_notice_tail(text);
            if reads_as_fund_name(&name) {
                self.title_zone = Some(name);
            }
        }
    }

    /// Picks the fund name: a "Fund Name:" label, else a "Re:" line, else the page-1 heading,
    /// else a title-zone line, each only if it reads as a fund's name. Returns the name and, when
    /// there is none, the heading that did not read as one (it may still match a fund that
    /// exists, never create one). Documents about many funds name none.
    pub fn settle(
        &mut self,
        labelled: Option<String>,
        heading: Option<String>,
        doc_type: DocumentType,
    ) -> (Option<String>, Option<String>) {
        let labelled = labelled.filter(|n| plausible_labelled_name(n));
        let heading_fund = heading
            .as_deref()
            .map(strip_notice_tail)
            .filter(|h| reads_as_fund_name(h));
        let chosen = labelled
            .or(self.subject.take())
            .or(heading_fund)
            .or(self.title_zone.take());
        match chosen {
            _ if doc_type.is_multi_fund() => (None, None),
            Some(name) => (Some(name), None),
            None => (None, heading),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fund_names() {
        for name in [
            "Brackenridge Growth Fund IV, L.P.",
            "Nexus VI, L.P.",
            "Level Structured Capital II (GP), L.P.",
            "Summit Capital Partners II",
            "Pioneer AI Ventures",
            "Atlas Fintech Fund",
            "Summit Buyout Fund IV B0107",
            "Acme Capital III",
            "Orchard Growth Equity 2",
        ] {
            assert!(reads_as_fund_name(name), "{name}");
        }
    }

    #[test]
    fn junk_is_not_a_fund() {
        for name in [
            "CONFIDENTIAL",
            "IRR",
            "1",
            "To: Joe",
            "Private Equity",
            "Brackenridge Investment Advisors",
            "Modified fund name",
            "2000 Riverside Capital Appreciation Fund $50.0 $45.7",
            "Your portion of the call is $XX,XXX",
            "Capital Notice #1",
            "The Fund invests in early-stage enterprise software and data infrastructure",
            "Dear Limited Partner,",
            "Dear Limited Partners,",
        ] {
            assert!(!reads_as_fund_name(name), "{name}");
        }
    }

    #[test]
    fn subject_lines() {
        assert_eq!(
            from_subject_line("Re: Brackenridge Growth Fund IV, L.P. - Capital Call No. 5")
                .as_deref(),
            Some("Brackenridge Growth Fund IV, L.P.")
        );
        assert_eq!(
            from_subject_line("RE: Level Structured Capital II (GP), L.P.- Net Distribution #1")
                .as_deref(),
            Some("Level Structured Capital II (GP), L.P.")
        );
        assert_eq!(
            from_subject_line(
                "RE: Capital Notice #1 – Investment, Management Fees and Partnership Expenses"
            ),
            None
        );
    }
}
