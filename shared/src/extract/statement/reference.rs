//! The notice's own number ("Capital Call No. 5", "Distribution Notice #7", "Drawdown Number 12"),
//! so an LP can ask about a notice by the number printed on it.
use super::keys::Flow;

/// Words that name the flow before its number; a distribution notice that mentions a netted
/// "Call No. 13" must not take that call's number as its own.
fn names_flow(flow: Flow, word: &str) -> bool {
    match flow {
        Flow::Call => matches!(word, "call" | "drawdown" | "contribution"),
        Flow::Distribution => matches!(word, "distribution"),
    }
}

fn is_marker(word: &str) -> bool {
    matches!(word, "no" | "number" | "nr" | "#" | "num")
}

/// A run of digits, optionally written with a leading `#` ("#7").
fn digits(word: &str) -> Option<u32> {
    let w = word.strip_prefix('#').unwrap_or(word);
    (!w.is_empty() && w.len() <= 4 && w.bytes().all(|b| b.is_ascii_digit()))
        .then(|| w.parse().ok())
        .flatten()
}

fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | '(' | ')' | '-' | '–'))
        .map(|w| {
            w.trim_matches(|c: char| c == '.' || c == ';')
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// The number after "<flow word> [notice] No./Number/#", else after "Notice No.", in the first
/// text that has one.
pub fn find<'a>(flow: Flow, texts: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut fallback = None;
    for text in texts {
        let t = tokens(text);
        for i in 0..t.len() {
            let mut j = i + 1;
            let flow_word = names_flow(flow, &t[i]);
            if !flow_word && t[i] != "notice" {
                continue;
            }
            if flow_word && t.get(j).is_some_and(|w| w == "notice") {
                j += 1;
            }
            let n = match t.get(j) {
                Some(w) if is_marker(w) => t.get(j + 1).and_then(|w| digits(w)),
                Some(w) if w.starts_with('#') => digits(w),
                _ => None,
            };
            if let Some(n) = n {
                if flow_word {
                    return Some(label(flow, n));
                }
                fallback = fallback.or(Some(label(flow, n)));
            }
        }
    }
    fallback
}

fn label(flow: Flow, n: u32) -> String {
    match flow {
        Flow::Call => format!("Capital Call No. {n}"),
        Flow::Distribution => format!("Distribution No. {n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_after_the_flow_word() {
        assert_eq!(
            find(
                Flow::Call,
                ["Re: Brackenridge Fund IV - Capital Call No. 5"]
            )
            .as_deref(),
            Some("Capital Call No. 5")
        );
        assert_eq!(
            find(Flow::Call, ["Drawdown Notice Number 12 (the \"Notice\")"]).as_deref(),
            Some("Capital Call No. 12")
        );
        assert_eq!(
            find(Flow::Distribution, ["Distribution Notice #7"]).as_deref(),
            Some("Distribution No. 7")
        );
        assert_eq!(
            find(Flow::Call, ["RE: Capital Notice #1 - Investment"]).as_deref(),
            Some("Capital Call No. 1")
        );
    }

    #[test]
    fn another_flows_number_is_not_the_notices_own() {
        assert_eq!(
            find(Flow::Distribution, ["Capital call netted (Call No. 13)"]),
            None
        );
        assert_eq!(find(Flow::Call, ["Call us at No. 5 Main Street"]), None);
        assert_eq!(find(Flow::Call, ["Total Capital Call 2,292,045.69"]), None);
    }
}
