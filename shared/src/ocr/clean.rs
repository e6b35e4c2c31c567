//! What OCR adds that the page does not print: specks read as punctuation between cells, a
//! period after a number, a rule read as "_" or "|" stuck to a word. Removing them keeps cells
//! apart and numbers parseable; nothing here changes a digit.
use super::OcrWord;

/// Characters that are specks or table rules when they stand alone or stick to a word.
const NOISE: &[char] = &[
    '_', '~', '=', '|', '©', '®', '°', '«', '»', '"', '\'', '`', '‘', '’', '“', '”', '¢', '§', '*',
];
/// Punctuation a scan leaves after a number, a closing parenthesis or a currency code
/// ("5,904,750." "USD.").
const TRAILING: &[char] = &['.', ',', ';', ':', '_', '~', '=', '|', '\'', '`', '’'];
/// Stuck before a word that starts with a letter (".Management", "—Follow-on", "_Initial").
const LEADING: &[char] = &[
    '.', ',', ';', ':', '_', '~', '=', '|', '\'', '"', '`', '—', '–', '-', '‘', '’', '“',
];
/// What a word with no letter or digit may be made of: a dash for nil, a currency sign, brackets.
const SIGNS: &[char] = &['-', '—', '–', '$', '€', '£', '(', ')', '%', '&', '/', '#'];
/// Below this, even such a word is taken for a speck.
const SPECK_CONFIDENCE: f32 = 80.0;

pub(super) fn clean(words: Vec<OcrWord>) -> Vec<OcrWord> {
    words
        .into_iter()
        .filter_map(|mut w| {
            w.text = clean_text(&w.text)?;
            let has_alnum = w.text.chars().any(char::is_alphanumeric);
            (has_alnum || w.conf >= SPECK_CONFIDENCE && w.text.chars().all(|c| SIGNS.contains(&c)))
                .then_some(w)
        })
        .collect()
}

fn clean_text(text: &str) -> Option<String> {
    let mut t = text.trim();
    if t.chars().all(|c| NOISE.contains(&c)) {
        return None;
    }
    // Specks never start a word; a stray period or dash does only before a letter.
    t = t.trim_start_matches(NOISE);
    let starts_letter = |s: &str| s.chars().next().is_some_and(char::is_alphabetic);
    let stripped = t.trim_start_matches(LEADING);
    if starts_letter(stripped) {
        t = stripped;
    }
    // After a digit or an all-capitals code; a closing parenthesis or percent sign stays.
    let core = t.trim_end_matches(TRAILING);
    let ends_digit = core
        .chars()
        .last()
        .is_some_and(|c| c.is_ascii_digit() || c == ')');
    let code = core.len() == 3 && core.chars().all(|c| c.is_ascii_uppercase());
    if (ends_digit || code) && !core.is_empty() {
        t = core;
    }
    Some(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specks_go_and_numbers_stay_exact() {
        assert_eq!(clean_text("5,904,750."), Some("5,904,750".into()));
        assert_eq!(clean_text("2022."), Some("2022".into()));
        assert_eq!(clean_text("USD."), Some("USD".into()));
        assert_eq!(clean_text("(1,250,000)"), Some("(1,250,000)".into()));
        assert_eq!(clean_text("(1,250,000)."), Some("(1,250,000)".into()));
        assert_eq!(clean_text("-500"), Some("-500".into()));
        assert_eq!(clean_text("—Follow-on"), Some("Follow-on".into()));
        assert_eq!(clean_text(".Management"), Some("Management".into()));
        assert_eq!(clean_text("27;"), Some("27".into()));
        assert_eq!(clean_text("Inc."), Some("Inc.".into()));
        assert_eq!(clean_text("12.5%"), Some("12.5%".into()));
        assert_eq!(clean_text("__"), None);
        assert_eq!(clean_text("|"), None);
        assert_eq!(clean_text("_$1,005,000.00"), Some("$1,005,000.00".into()));
    }

    #[test]
    fn a_lone_dash_stays_only_when_read_with_confidence() {
        let w = |text: &str, conf| OcrWord {
            text: text.into(),
            left: 0,
            top: 0,
            width: 10,
            height: 10,
            conf,
            line: 0,
        };
        let kept = clean(vec![
            w("—", 23.0),
            w("-", 92.0),
            w("=", 99.0),
            w("Call", 40.0),
        ]);
        let texts: Vec<&str> = kept.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["-", "Call"]);
    }
}
