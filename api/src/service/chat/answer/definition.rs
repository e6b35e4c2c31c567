//! Definition answers: the best sentences of the best passages, quoted with their citations.

use shared::db::search::Hit;

use super::{Grounded, Source};
use crate::service::chat::intent::{MetricAsk, Subject};
use crate::service::chat::retrieve::terms;

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
fn units(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for line in text.lines() {
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
    }
    out
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

/// How well one line answers: query terms it holds, plus a bonus when its head (the text
/// before `:` or `=`, i.e. the term being defined) holds every term — the shape of a
/// glossary entry such as "Paid-In Capital (PIC): the cumulative amount…".
fn unit_score(unit: &str, q: &[String]) -> usize {
    if q.is_empty() {
        return 0;
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
    hits * 2 + if defines { 3 } else { 0 }
}

/// A passage's best line: its score, its index, and all lines.
fn best_unit<'a>(content: &'a str, q: &[String]) -> (usize, usize, Vec<&'a str>) {
    let us = units(content);
    let best = (0..us.len())
        .max_by_key(|&i| (unit_score(us[i], q), usize::MAX - i))
        .unwrap_or(0);
    let score = us.get(best).map_or(0, |u| unit_score(u, q));
    (score, best, us)
}

fn query_stems(query: &str) -> Vec<String> {
    terms(query).iter().map(|t| stem(t).to_string()).collect()
}

/// The passage's most relevant stretch: the best-matching line or sentence and the one after.
pub fn best_excerpt(content: &str, query: &str) -> String {
    if content.len() <= 300 {
        return content.trim().to_string();
    }
    let (_, best, us) = best_unit(content, &query_stems(query));
    let end = (best + 2).min(us.len());
    us[best..end].join(" ")
}

/// Passage relevance by its words: the best line's score plus the heading's share.
fn lexical(h: &Hit, q: &[String]) -> usize {
    let heading = h
        .heading
        .as_deref()
        .map(|x| {
            let ws = stems(x);
            q.iter().filter(|t| ws.contains(t)).count()
        })
        .unwrap_or(0);
    best_unit(&h.content, q).0 + heading
}

/// Cosine similarity below which a passage found only by vector search is unrelated (RRF
/// scores are ranks and always rank something first, even for "the weather in Paris").
pub const MIN_SIMILARITY: f64 = 0.3;

fn relevant(h: &Hit) -> bool {
    h.text_match || h.similarity.is_some_and(|s| s >= MIN_SIMILARITY)
}

/// A definition or document-text answer: the best passages quoted with their citations.
/// Search order is refined by the words of the question (a glossary entry for the exact term
/// beats a passage that merely mentions it); a second passage is quoted only if it too holds
/// the question's words.
pub fn definition(query: &str, subject: &Subject, hits: &[Hit], note: Option<&str>) -> Grounded {
    let conventions: Vec<&str> = subject
        .metrics
        .iter()
        .filter_map(|m| convention(*m))
        .collect();
    let q = query_stems(query);
    let mut ranked: Vec<(usize, &Hit)> = hits
        .iter()
        .filter(|h| relevant(h))
        .map(|h| (lexical(h, &q), h))
        .collect();
    // Stable: equal word scores keep the fused search order.
    ranked.sort_by_key(|r| std::cmp::Reverse(r.0));
    let top = ranked.first().map_or(0, |r| r.0);
    let good: Vec<&Hit> = ranked
        .iter()
        .enumerate()
        .filter(|(i, (score, _))| *i == 0 || (*score > 0 && *score * 2 >= top))
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
                best_excerpt(&h.content, query),
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
