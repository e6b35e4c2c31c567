//! Definition answers: the best sentences of the best passages, quoted with their citations.

use shared::db::search::Hit;

use super::{Grounded, Source};
use crate::service::chat::intent::{MetricAsk, Subject};
use crate::service::chat::retrieve::terms;
use crate::service::chat::sentences::SentenceScores;

/// Short definitions under the project's conventions, added when a definition question names
/// a metric so the answer states exactly how Fundlens computes it.
fn convention(m: MetricAsk) -> Option<&'static str> {
    Some(match m {
        MetricAsk::Dpi => "DPI (distributions to paid-in) = total distributions ÷ paid-in capital",
        MetricAsk::Tvpi => {
            "TVPI (total value to paid-in) = (total distributions + NAV) ÷ paid-in capital"
        }
        MetricAsk::Rvpi => "RVPI (residual value to paid-in) = NAV ÷ paid-in capital",
        MetricAsk::Irr => {
            "IRR = the annualised, date-aware internal rate of return (XIRR) of calls, distributions, adjustments and the latest NAV"
        }
        MetricAsk::Pic | MetricAsk::NetPic => {
            "Paid-in capital (PIC) = capital contributed by LPs through capital calls, less adjustments; net PIC also deducts recallable distributions"
        }
        MetricAsk::Nav => "NAV = the net asset value of the LPs' remaining interest, as reported",
        _ => return None,
    })
}

/// Lines, then sentences within lines: definitions are often bullet lines without full stops.
pub fn units(text: &str) -> Vec<&str> {
    text.lines().flat_map(line_units).collect()
}

/// The sentences of one line.
fn line_units(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let end = matches!(b, b'.' | b'?' | b'!')
            && bytes.get(i + 1).is_some_and(|n| n.is_ascii_whitespace())
            // "3. Paid-In Capital": a numbered heading, not a sentence end.
            && !line[start..i].trim().chars().all(|c| c.is_ascii_digit());
        if end {
            let s = line[start..=i].trim();
            if !s.is_empty() {
                out.push(s);
            }
            start = i + 1;
        }
    }
    let tail = line[start..].trim();
    if !tail.is_empty() {
        out.push(tail);
    }
    out
}

/// The opening sentence of the paragraph (line) holding unit `index`, when that is not the unit
/// itself: a paragraph's first sentence usually states what the rest of it details.
fn paragraph_opening(content: &str, index: usize) -> Option<&str> {
    let mut first = 0;
    for line in content.lines() {
        let us = line_units(line);
        if index < first + us.len() {
            return (index > first).then(|| us[0]);
        }
        first += us.len();
    }
    None
}

/// Crude stemming so "invests" matches "invest" and "distributions" matches "distribution".
fn stem(w: &str) -> &str {
    for suffix in ["ing", "ed", "es", "s"] {
        if w.len() > suffix.len() + 3
            && let Some(s) = w.strip_suffix(suffix)
        {
            return s;
        }
    }
    w
}

fn stems(text: &str) -> Vec<String> {
    crate::service::chat::intent::words(text)
        .iter()
        .map(|w| stem(w).to_string())
        .collect()
}

/// How well one line answers by its words: query terms it holds, and whether its head (the
/// text before `:` or `=`, i.e. the term being defined) holds every term — the shape of a
/// glossary entry such as "Paid-In Capital (PIC): the cumulative amount…".
fn word_match(unit: &str, q: &[String]) -> (usize, bool) {
    if q.is_empty() {
        return (0, false);
    }
    let ws = stems(unit);
    let hits = q.iter().filter(|t| ws.contains(t)).count();
    let head_end = unit.find([':', '=']).unwrap_or(0);
    let head = stems(&unit[..head_end]);
    // The head must start with a term ("DPI (…):", "3. Paid-In Capital:"), not merely
    // mention it ("Impact on DPI:").
    let first = head.iter().find(|w| !w.chars().all(|c| c.is_ascii_digit()));
    let defines = head_end > 0
        && head.len() <= 12
        && first.is_some_and(|w| q.contains(w))
        && q.iter().all(|t| head.contains(t));
    (hits, defines)
}

/// Weight of a glossary-shaped line and of each question word, next to a cosine similarity:
/// meaning decides, and the words break near ties (the term being defined, an exact name).
const DEFINES_BONUS: f32 = 0.1;
const WORD_BONUS: f32 = 0.02;

/// How well one line answers. With sentence embeddings, its similarity to the question plus
/// small word bonuses; without, the words alone (two per term, three for a glossary head).
fn unit_score(unit: &str, q: &[String], sem: Option<&SentenceScores>) -> f32 {
    let (hits, defines) = word_match(unit, q);
    match sem {
        Some(sem) => {
            sem.get(unit).copied().unwrap_or(0.0)
                + WORD_BONUS * hits as f32
                + if defines { DEFINES_BONUS } else { 0.0 }
        }
        None => (hits * 2 + if defines { 3 } else { 0 }) as f32,
    }
}

/// A passage's best line: its score, its index, and all lines. Ties go to the earlier line.
fn best_unit<'a>(
    content: &'a str,
    q: &[String],
    sem: Option<&SentenceScores>,
) -> (f32, usize, Vec<&'a str>) {
    let us = units(content);
    let mut best = (f32::MIN, 0);
    for (i, u) in us.iter().enumerate() {
        let s = unit_score(u, q, sem);
        if s > best.0 {
            best = (s, i);
        }
    }
    (best.0.max(0.0), best.1, us)
}

fn query_stems(query: &str) -> Vec<String> {
    terms(query).iter().map(|t| stem(t).to_string()).collect()
}

/// The passage's most relevant stretch: the sentence that answers first, then the one after it
/// and, when the answer sits inside a paragraph, the paragraph's opening sentence for context.
pub fn best_excerpt(content: &str, query: &str, sem: Option<&SentenceScores>) -> String {
    let (_, best, us) = best_unit(content, &query_stems(query), sem);
    if content.len() <= 300 && best == 0 {
        return content.trim().to_string();
    }
    let end = (best + 2).min(us.len());
    let mut text = us[best..end].join(" ");
    if let Some(opening) = paragraph_opening(content, best)
        && !us[best..end].contains(&opening)
    {
        text.push_str(" … ");
        text.push_str(opening);
    }
    text
}

/// Passage relevance: its best line's score plus the heading's share (a heading word counts
/// like a word of the line).
fn passage_score(h: &Hit, q: &[String], sem: Option<&SentenceScores>) -> f32 {
    let heading = h
        .heading
        .as_deref()
        .map(|x| {
            let ws = stems(x);
            q.iter().filter(|t| ws.contains(t)).count()
        })
        .unwrap_or(0) as f32;
    let per_word = if sem.is_some() { WORD_BONUS } else { 1.0 };
    best_unit(&h.content, q, sem).0 + heading * per_word
}

/// Cosine similarity below which a passage found only by vector search is unrelated (RRF
/// scores are ranks and always rank something first, even for "the weather in Paris").
pub const MIN_SIMILARITY: f64 = 0.3;

pub fn relevant(h: &Hit) -> bool {
    h.text_match || h.similarity.is_some_and(|s| s >= MIN_SIMILARITY)
}

/// A definition or document-text answer: the best passages quoted with their citations, each
/// from the sentence that answers. Search order is refined by the sentences' similarity to the
/// question (`sem`, when the embedder is there) and by its words (a glossary entry for the exact
/// term beats a passage that merely mentions it); a second passage is quoted only if it answers
/// nearly as well. The project's metric conventions come after the quoted text.
pub fn definition(
    query: &str,
    subject: &Subject,
    hits: &[Hit],
    sem: Option<&SentenceScores>,
    note: Option<&str>,
) -> Grounded {
    let conventions: Vec<&str> = subject
        .metrics
        .iter()
        .filter_map(|m| convention(*m))
        .collect();
    let q = query_stems(query);
    let mut ranked: Vec<(f32, &Hit)> = hits
        .iter()
        .filter(|h| relevant(h))
        .map(|h| (passage_score(h, &q, sem), h))
        .collect();
    // Stable: equal scores keep the fused search order.
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let top = ranked.first().map_or(0.0, |r| r.0);
    // Words: a second passage needs half the first's score; meaning: nearly the same score.
    let second = if sem.is_some() { top - 0.08 } else { top / 2.0 };
    let good: Vec<&Hit> = ranked
        .iter()
        .enumerate()
        .filter(|(i, (score, _))| *i == 0 || (*score > 0.0 && *score >= second))
        .map(|(_, (_, h))| *h)
        .take(2)
        .collect();
    let mut text = String::new();
    if good.is_empty() {
        text.push_str("I could not find a passage about that in the uploaded documents.");
    } else {
        for (i, h) in good.iter().enumerate() {
            let place = match &h.heading {
                Some(head) => format!("{}, page {}, “{head}”", h.file_name, h.page),
                None => format!("{}, page {}", h.file_name, h.page),
            };
            if i > 0 {
                text.push_str("\n\n");
            }
            text.push_str(&format!(
                "{}{place}: “{}” [{}]",
                if i == 0 { "From " } else { "Also, from " },
                best_excerpt(&h.content, query, sem),
                i + 1
            ));
        }
    }
    if !conventions.is_empty() {
        text.push_str(&format!("\n\nIn Fundlens: {}.", conventions.join("; ")));
    }
    if let Some(n) = note {
        text.push_str(&format!("\n\n({n})"));
    }
    Grounded {
        text,
        sources: good.iter().map(|h| Source::from(*h)).collect(),
        metrics: None,
        rows: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FOCUS: &str = "The Fund invests in healthcare services and medical technology. \
        The investment thesis centers on companies with durable unit economics, recurring revenue \
        and a clear path to profitability. The Fund targets 9 platform investments with follow-on \
        reserves of roughly 34% of committed capital.";

    #[test]
    fn the_sentence_that_answers_comes_first() {
        let q = "What is the fund's investment focus?";
        // Words alone pick the sentence that repeats "investment"…
        assert!(best_excerpt(FOCUS, q, None).starts_with("The investment thesis"));
        // …the sentences' meaning (cosines measured with all-MiniLM-L6-v2) picks the answer.
        let sem: SentenceScores = [
            ("The Fund invests in healthcare services and medical technology.", 0.757),
            ("The investment thesis centers on companies with durable unit economics, recurring revenue and a clear path to profitability.", 0.366),
            ("The Fund targets 9 platform investments with follow-on reserves of roughly 34% of committed capital.", 0.586),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let e = best_excerpt(FOCUS, q, Some(&sem));
        assert!(e.starts_with("The Fund invests in healthcare"), "{e}");
    }

    #[test]
    fn a_sentence_inside_a_paragraph_comes_with_its_opening() {
        let e = best_excerpt(FOCUS, "How many platform investments are targeted?", None);
        assert!(e.starts_with("The Fund targets 9 platform"), "{e}");
        assert!(
            e.ends_with("… The Fund invests in healthcare services and medical technology."),
            "{e}"
        );
    }
}
