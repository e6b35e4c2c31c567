//! Whether a page's own text layer can be trusted, or the page must be read from its image.
//! Scanners leave pages with no text, with only a stamp or page number, or with an invisible
//! layer of broken characters; any of these means OCR.

/// Fewer letters and digits than this is a page number or a stamp, not the page's content.
const MIN_ALNUM: usize = 30;

pub fn usable(text: &str) -> bool {
    let alnum = text.chars().filter(|c| c.is_alphanumeric()).count();
    if alnum < MIN_ALNUM {
        return false;
    }
    let visible = text.chars().filter(|c| !c.is_whitespace()).count();
    let broken = text
        .chars()
        .filter(|c| *c == '\u{FFFD}' || c.is_control() && !c.is_whitespace() || is_private_use(*c))
        .count();
    if broken * 10 > visible {
        return false;
    }
    // Text a font without a Unicode map produces: "tokens" with no vowel and no digit.
    let tokens: Vec<&str> = text
        .split_whitespace()
        .filter(|t| t.chars().count() >= 3)
        .collect();
    let wordlike = tokens.iter().filter(|t| wordlike(t)).count();
    tokens.len() < 10 || wordlike * 2 >= tokens.len()
}

fn is_private_use(c: char) -> bool {
    matches!(c as u32, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD)
}

fn wordlike(token: &str) -> bool {
    token.chars().any(|c| c.is_ascii_digit())
        || token.chars().any(|c| "aeiouyAEIOUY".contains(c))
        || !token.is_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_pages_are_usable_and_scans_are_not() {
        let report = "Capital Contributions\nDate Call Amount\nMarch 30, 2021 Call 1 1,640,500 Fund Expenses";
        assert!(usable(report));
        assert!(!usable(""));
        assert!(!usable("Page 2 of 5"));
        assert!(!usable(&"\u{FFFD}\u{FFFD} ab".repeat(40)));
        let unmapped = "Xkrt Bpqz Wvcd Jkmn Prst Qwrt Zxcv Bnmk Lkjh Gfds Mnbv Cxzl Tvbn Rwqk";
        assert!(!usable(unmapped));
    }
}
