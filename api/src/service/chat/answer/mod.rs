//! Grounded answers without an LLM: sentences built from computed figures, row tables, and
//! quoted passages, each with the sources it stands on.

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;
use shared::db::provenance::PageSource;
use shared::db::search::Hit;
use shared::metrics::serde_fmt::round;
use shared::metrics::text::money;

mod calculation;
mod definition;
mod retrieval;

pub use calculation::{calculation, kinds_behind};
pub use definition::{MIN_SIMILARITY, best_excerpt, definition, relevant, units};
pub use retrieval::{retrieval, year_end};

/// One cited passage: a chunk found by search, or a page of transaction rows.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Source {
    pub document_id: i64,
    pub file_name: String,
    pub page: i32,
    pub heading: Option<String>,
    pub content: String,
    pub score: Option<f64>,
}

impl From<&Hit> for Source {
    fn from(h: &Hit) -> Self {
        Self {
            document_id: h.document_id,
            file_name: h.file_name.clone(),
            page: h.page,
            heading: h.heading.clone(),
            content: h.content.clone(),
            score: Some(h.score),
        }
    }
}

pub fn page_source(p: &PageSource, heading: &str) -> Source {
    Source {
        document_id: p.document_id,
        file_name: p.file_name.clone(),
        page: p.page,
        heading: Some(heading.to_string()),
        content: p.content.clone(),
        score: None,
    }
}

/// What the grounded answer consists of, before it is stored or rewritten.
#[derive(Debug, Clone, Default)]
pub struct Grounded {
    pub text: String,
    pub sources: Vec<Source>,
    pub metrics: Option<Value>,
    pub rows: Option<Vec<Value>>,
}

impl Grounded {
    pub fn say(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Default::default()
        }
    }

    /// Appends another part (e.g. the definition of a mixed question) with its sources.
    pub fn join(mut self, other: Grounded) -> Self {
        if !other.text.is_empty() {
            let offset = self.sources.len();
            let text = renumber(&other.text, offset);
            self.text = format!("{}\n\n{}", self.text.trim_end(), text);
        }
        self.sources.extend(other.sources);
        self.metrics = self.metrics.or(other.metrics);
        self.rows = self.rows.or(other.rows);
        self
    }
}

/// Shifts citation markers `[n]` by `offset` so joined parts keep pointing at their sources.
fn renumber(text: &str, offset: usize) -> String {
    if offset == 0 {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('[') {
        out.push_str(&rest[..start]);
        let tail = &rest[start + 1..];
        match tail
            .find(']')
            .map(|end| (end, tail[..end].parse::<usize>()))
        {
            Some((end, Ok(n))) => {
                out.push_str(&format!("[{}]", n + offset));
                rest = &tail[end + 1..];
            }
            _ => {
                out.push('[');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

pub fn usd(v: Decimal) -> String {
    let s = money(v);
    match s.strip_prefix('-') {
        Some(abs) => format!("-${abs}"),
        None => format!("${s}"),
    }
}

fn ratio(v: Decimal) -> String {
    format!("{:.4}", round(v, 4))
}

fn pct(v: Decimal) -> String {
    format!("{:.2}%", round(v, 2))
}

/// `[1]`, `[1][2]`… for the first `n` sources.
pub fn cites(n: usize) -> String {
    (1..=n.min(3)).map(|i| format!("[{i}]")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_parts_keep_their_citations() {
        assert_eq!(renumber("a [1] b [2] [x]", 2), "a [3] b [4] [x]");
        let a = Grounded {
            text: "A [1]".into(),
            sources: vec![Source {
                document_id: 1,
                file_name: "a".into(),
                page: 1,
                heading: None,
                content: "x".into(),
                score: None,
            }],
            ..Default::default()
        };
        let b = Grounded {
            text: "B [1]".into(),
            sources: a.sources.clone(),
            ..Default::default()
        };
        let j = a.join(b);
        assert_eq!(j.text, "A [1]\n\nB [2]");
        assert_eq!(j.sources.len(), 2);
    }

    #[test]
    fn excerpts_pick_the_matching_sentence() {
        let text = "Intro sentence here about nothing at all, just filler words to make it long enough. \
            Another filler sentence that is long and says nothing useful to anyone reading it. \
            DPI measures distributions relative to paid-in capital. It is a realized multiple. \
            A closing sentence that again is only filler for the test of excerpt selection here.";
        let e = best_excerpt(text, "What does DPI mean?", None);
        assert!(e.starts_with("DPI measures"), "{e}");
        assert_eq!(usd(Decimal::new(-45000050, 2)), "-$450,000.50");
    }
}
