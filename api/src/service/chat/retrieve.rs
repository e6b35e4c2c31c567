//! Reads what an answer stands on: the fund meant, its transactions, and passages found by
//! hybrid search.
use shared::db::search::{self, Hit, SearchQuery};
use shared::db::transactions::{self, Filter, Kind, Sort, Transaction};
use shared::domain::DocumentStatus;
use sqlx::PgPool;

use super::intent::words;
use crate::error::{ApiError, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FundRow {
    pub id: i64,
    pub name: String,
    pub has_data: bool,
}

/// Which fund a question is about.
#[derive(Debug, Clone)]
pub enum FundChoice {
    One(FundRow),
    /// Several funds have data and nothing says which: the user must pick.
    Ambiguous(Vec<FundRow>),
    /// No fund has any processed report yet.
    NoFunds,
}

pub async fn funds(db: &PgPool) -> Result<Vec<FundRow>> {
    Ok(sqlx::query_as(
        "SELECT f.id, f.name,
                EXISTS (SELECT 1 FROM documents d
                        WHERE d.fund_id = f.id AND d.status = $1) AS has_data
         FROM funds f ORDER BY f.name",
    )
    .bind(DocumentStatus::Completed)
    .fetch_all(db)
    .await?)
}

/// Legal-form words that end a fund's registered name; people leave them out when they ask.
const LEGAL_FORM: &[&str] = &[
    "l", "p", "lp", "llc", "ltd", "limited", "inc", "scsp", "sca", "scs", "sicav",
];

/// The words a question must contain to name the fund: its name without the legal form.
fn name_words(name: &str) -> Vec<String> {
    let mut w = words(name);
    while w.len() > 1 && w.last().is_some_and(|x| LEGAL_FORM.contains(&x.as_str())) {
        w.pop();
    }
    w
}

/// The fund whose name the question contains, as whole words (the legal form may be left
/// out); the longest name wins so that "Fund II" is not taken for "Fund I".
pub fn named_in(query: &str, funds: &[FundRow]) -> Option<FundRow> {
    let q = format!(" {} ", words(query).join(" "));
    funds
        .iter()
        .filter(|f| {
            let name = name_words(&f.name).join(" ");
            !name.is_empty() && q.contains(&format!(" {name} "))
        })
        .max_by_key(|f| f.name.len())
        .cloned()
}

/// The question without the name of the fund it names, so that the fund's own words
/// ("Capital", "Credit", "Distribution Partners") are not read as what it asks.
pub fn without_fund_name(query: &str, funds: &[FundRow]) -> String {
    let q = words(query);
    let Some(f) = named_in(query, funds) else {
        return query.to_string();
    };
    let name = name_words(&f.name);
    let mut out: Vec<&str> = Vec::with_capacity(q.len());
    let mut i = 0;
    while i < q.len() {
        if q[i..].starts_with(&name) {
            out.push("fund");
            i += name.len();
            while q.get(i).is_some_and(|w| LEGAL_FORM.contains(&w.as_str())) {
                i += 1;
            }
        } else {
            out.push(&q[i]);
            i += 1;
        }
    }
    // Keep the question mark: some cues read the question's shape.
    out.join(" ")
        + if query.trim_end().ends_with('?') {
            "?"
        } else {
            ""
        }
}

/// `fund_id` parameter, else a fund named in the question, else the conversation's fund, else
/// the only fund with data.
pub fn resolve(
    all: &[FundRow],
    param: Option<i64>,
    query: &str,
    conversation: Option<i64>,
) -> Result<FundChoice> {
    if let Some(id) = param {
        return all
            .iter()
            .find(|f| f.id == id)
            .cloned()
            .map(FundChoice::One)
            .ok_or_else(|| ApiError::not_found("Fund", id));
    }
    if let Some(f) = named_in(query, all) {
        return Ok(FundChoice::One(f));
    }
    if let Some(f) = conversation.and_then(|id| all.iter().find(|f| f.id == id)) {
        return Ok(FundChoice::One(f.clone()));
    }
    let with_data: Vec<FundRow> = all.iter().filter(|f| f.has_data).cloned().collect();
    Ok(match with_data.len() {
        0 => FundChoice::NoFunds,
        1 => FundChoice::One(with_data[0].clone()),
        _ => FundChoice::Ambiguous(with_data),
    })
}

/// Every transaction of `kind` in the fund (and year), oldest first. Funds have dozens of rows,
/// so the row operations (largest, latest, per year…) run in memory on one read.
pub async fn transactions(
    db: &PgPool,
    fund_id: i64,
    kind: Option<Kind>,
    year: Option<i32>,
) -> Result<Vec<Transaction>> {
    let filter = Filter {
        fund_id,
        kind,
        year,
        sort: Sort::DateAsc,
        limit: None,
        offset: 0,
    };
    Ok(transactions::list(db, &filter).await?.0)
}

/// Words that carry no search meaning; dropping them turns a question into an OR of its terms
/// (websearch_to_tsquery alone would AND every word and miss most passages).
const STOP: &[&str] = &[
    "a",
    "about",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "by",
    "can",
    "could",
    "define",
    "definition",
    "describe",
    "did",
    "do",
    "does",
    "explain",
    "for",
    "from",
    "give",
    "has",
    "have",
    "how",
    "i",
    "in",
    "is",
    "it",
    "its",
    "me",
    "mean",
    "meaning",
    "means",
    "of",
    "on",
    "or",
    "our",
    "please",
    "show",
    "tell",
    "than",
    "that",
    "the",
    "their",
    "there",
    "this",
    "to",
    "us",
    "was",
    "we",
    "what",
    "when",
    "where",
    "which",
    "who",
    "why",
    "will",
    "with",
    "would",
    "you",
    "fund",
    "fund's",
];

/// The question's content words, for full-text search and for picking sentences.
pub fn terms(query: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in words(query) {
        if w.len() > 1 && !STOP.contains(&w.as_str()) && !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

pub async fn passages(
    db: &PgPool,
    fund_id: Option<i64>,
    query: &str,
    embedding: Option<&[f32]>,
    limit: i64,
) -> Result<Vec<Hit>> {
    let text = terms(query).join(" or ");
    Ok(search::hybrid(
        db,
        &SearchQuery {
            fund_id,
            embedding,
            text: &text,
            per_search: 20,
            limit,
        },
    )
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(id: i64, name: &str) -> FundRow {
        FundRow {
            id,
            name: name.into(),
            has_data: true,
        }
    }

    #[test]
    fn fund_names_match_whole_words_and_the_longest_wins() {
        let all = [f(1, "Alpha Growth Fund I"), f(2, "Alpha Growth Fund II")];
        assert_eq!(
            named_in("DPI of alpha growth fund ii?", &all).unwrap().id,
            2
        );
        assert_eq!(named_in("DPI of Alpha  Growth Fund I", &all).unwrap().id, 1);
        assert!(named_in("DPI of Alpha Growth", &all).is_none());
        let lp = [f(3, "Level Structured Capital II (GP), L.P.")];
        assert_eq!(
            named_in("unfunded in Level Structured Capital II (GP)?", &lp)
                .unwrap()
                .id,
            3
        );
        assert_eq!(
            without_fund_name("What did Level Structured Capital II (GP), L.P. call?", &lp),
            "what did fund call?"
        );
    }

    #[test]
    fn resolution_order_and_ambiguity() {
        let all = [f(1, "Beta"), f(2, "Gamma")];
        assert!(matches!(
            resolve(&all, Some(9), "x", None),
            Err(ApiError::NotFound(_))
        ));
        assert!(
            matches!(resolve(&all, None, "dpi of gamma", Some(1)), Ok(FundChoice::One(f)) if f.id == 2)
        );
        assert!(matches!(resolve(&all, None, "dpi", Some(1)), Ok(FundChoice::One(f)) if f.id == 1));
        assert!(
            matches!(resolve(&all, None, "dpi", None), Ok(FundChoice::Ambiguous(v)) if v.len() == 2)
        );
        assert_eq!(
            terms("What does Paid-In Capital mean?"),
            vec!["paid", "capital"]
        );
    }
}
