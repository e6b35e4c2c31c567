//! Token estimates, sentence boundaries and word windows: the only places chunking looks inside text.

/// WordPiece splits English prose into about 1.3 tokens per word; close enough to size chunks
/// without loading the tokenizer into every caller.
pub fn estimate_tokens(text: &str) -> usize {
    let words = text.split_whitespace().count();
    (words * 13).div_ceil(10)
}

/// Whitespace runs (PDF line breaks included) become single spaces.
pub(crate) fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `word` is only a figure: an amount, date, percentage, multiple or count such as
/// `$29,939,000`, `(1,250)`, `06/30/2025`, `10.0%` or `1.34x`. Words that mix digits into a name
/// (`Q2`, `Fund-3`, `2020s`) are not.
pub(crate) fn is_numeral(word: &str) -> bool {
    let core = word.trim_matches(|c: char| !c.is_alphanumeric());
    let core = core
        .strip_suffix(['x', 'X'])
        .filter(|rest| rest.ends_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(core);
    core.contains(|c: char| c.is_ascii_digit()) && !core.contains(char::is_alphabetic)
}

/// `text` without its figures, line by line: what the embedding model is given. WordPiece cuts
/// `$29,939,000` into seven tokens that carry no meaning a cosine can use, while full-text search,
/// which keeps every figure, matches them exactly.
pub(crate) fn without_numerals(text: &str) -> String {
    text.lines()
        .map(|line| {
            line.split_whitespace()
                .filter(|w| !is_numeral(w))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Words that end in a period without ending a sentence.
const ABBREVIATIONS: &[&str] = &[
    "e.g.", "i.e.", "etc.", "vs.", "approx.", "no.", "nos.", "inc.", "ltd.", "co.", "corp.",
    "llc.", "l.p.", "lp.", "u.s.", "mr.", "mrs.", "ms.", "dr.", "st.", "jan.", "feb.", "mar.",
    "apr.", "jun.", "jul.", "aug.", "sep.", "sept.", "oct.", "nov.", "dec.", "fig.", "p.", "pp.",
    "cf.", "al.",
];

fn ends_sentence(word: &str) -> bool {
    let core = word.trim_end_matches(['"', '\'', ')', ']', '”', '’']);
    if !core.ends_with(['.', '!', '?']) {
        return false;
    }
    if core.ends_with(['!', '?']) {
        return true;
    }
    let lower = core.to_lowercase();
    let lower = lower.trim_start_matches(['"', '\'', '(', '[', '“', '‘']);
    // A single letter before the period is an initial ("J. Smith"), not the end of a sentence.
    let initial = lower.chars().count() == 2 && lower.starts_with(char::is_alphabetic);
    !initial && !ABBREVIATIONS.contains(&lower)
}

fn starts_sentence(word: &str) -> bool {
    word.trim_start_matches(['"', '\'', '(', '[', '“', '‘'])
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

/// Splits normalised text into sentences; never inside a word, and rejoining them with single
/// spaces gives the input back.
pub(crate) fn sentences(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..words.len() {
        let next = words.get(i + 1);
        if next.is_none_or(|n| ends_sentence(words[i]) && starts_sentence(n)) {
            out.push(words[start..=i].join(" "));
            start = i + 1;
        }
    }
    out
}

/// Cuts a sentence with no usable punctuation into runs of whole words of at most `max_tokens`
/// estimated tokens (at least one word each, so a single enormous "word" is kept whole).
pub(crate) fn word_windows(text: &str, max_tokens: usize) -> Vec<String> {
    let max_words = (max_tokens * 10 / 13).max(1);
    let words: Vec<&str> = text.split_whitespace().collect();
    words.chunks(max_words).map(|w| w.join(" ")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_tokens_from_words() {
        assert_eq!(estimate_tokens(""), 0);
        assert_eq!(estimate_tokens("one"), 2);
        assert_eq!(
            estimate_tokens("one two three four five six seven eight nine ten"),
            13
        );
    }

    #[test]
    fn splits_sentences_but_not_abbreviations_decimals_or_initials() {
        let text = "DPI was 1.25x at Dec. 31, 2024. Fees (e.g. management fees) are charged by J. Smith & Co. Ltd. quarterly! Is it recallable? Yes.";
        assert_eq!(
            sentences(text),
            vec![
                "DPI was 1.25x at Dec. 31, 2024.",
                "Fees (e.g. management fees) are charged by J. Smith & Co. Ltd. quarterly!",
                "Is it recallable?",
                "Yes.",
            ]
        );
    }

    #[test]
    fn lowercase_after_period_does_not_start_a_sentence() {
        assert_eq!(
            sentences("See note 3. below for details."),
            vec!["See note 3. below for details."]
        );
    }

    #[test]
    fn sentences_round_trip() {
        let text = "A b. C d! \"E f.\" G h";
        assert_eq!(sentences(text).join(" "), text);
        assert!(sentences("").is_empty());
    }

    #[test]
    fn word_windows_keep_words_whole() {
        let text = "alpha beta gamma delta epsilon";
        let windows = word_windows(text, 3);
        assert_eq!(windows, vec!["alpha beta", "gamma delta", "epsilon"]);
        assert_eq!(
            word_windows("supercalifragilistic", 1),
            vec!["supercalifragilistic"]
        );
    }
}
