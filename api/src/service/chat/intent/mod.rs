//! Deterministic intent routing: keyword families and synonyms map a question to what it asks.
use serde::{Deserialize, Serialize};
use shared::db::transactions::Kind;

mod cues;
pub mod lp;

pub use lp::{LpAsk, NoticeKind, PortfolioAsk};

use cues::{Text, across_funds, definition_cue, explicit_list, kind, metrics, op, value_cue, year};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    Calculation,
    Retrieval,
    Definition,
    /// A calculation or retrieval together with a definition: both are answered.
    Mixed,
    /// The LP's position in a fund: commitment, unfunded, contributed, distributed, recallable.
    Position,
    /// A capital call or distribution notice, or the calls coming due.
    Notice,
    /// Capital account rows by period, the roll-forward, or a reconciliation.
    Statement,
    /// A many-funds portfolio table: filter, sort, top N, totals.
    Portfolio,
    /// Who the fund's general partner is.
    Profile,
}

impl Intent {
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Calculation => "calculation",
            Intent::Retrieval => "retrieval",
            Intent::Definition => "definition",
            Intent::Mixed => "mixed",
            Intent::Position => "position",
            Intent::Notice => "notice",
            Intent::Statement => "statement",
            Intent::Portfolio => "portfolio",
            Intent::Profile => "profile",
        }
    }
}

/// A figure the metrics engine answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricAsk {
    Dpi,
    Tvpi,
    Rvpi,
    Irr,
    Pic,
    NetPic,
    Nav,
    TotalCalled,
    TotalDistributed,
    TotalAdjustments,
    RecallableShare,
    /// "Has the fund returned all capital?": DPI ≥ 1.
    CapitalReturned,
}

/// What a retrieval question does with the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    List,
    Largest,
    Smallest,
    Latest,
    Earliest,
    Count,
    Total,
    /// Per-year totals ("trend", "over time", "by year").
    ByYear,
}

/// Everything the router understood; stored with each answer so follow-ups can inherit it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subject {
    pub intent: Intent,
    #[serde(default)]
    pub metrics: Vec<MetricAsk>,
    #[serde(default, with = "kind_serde")]
    pub kind: Option<Kind>,
    pub op: Option<Op>,
    pub year: Option<i32>,
    /// Distributions flagged recallable only.
    #[serde(default)]
    pub recallable_only: bool,
    /// "Which fund…", "compare the funds": across every fund.
    #[serde(default)]
    pub across_funds: bool,
    /// The question also asks what something means (a definition cue was present).
    #[serde(default)]
    pub explain: bool,
    /// An LP question over notices, statements, positions or portfolio tables.
    #[serde(default)]
    pub lp: Option<LpAsk>,
}

mod kind_serde {
    use serde::{Deserialize, Deserializer, Serializer};
    use shared::db::transactions::Kind;

    pub fn serialize<S: Serializer>(k: &Option<Kind>, s: S) -> Result<S::Ok, S::Error> {
        match k {
            Some(k) => s.serialize_some(k.as_str()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Kind>, D::Error> {
        Ok(Option::<String>::deserialize(d)?.and_then(|s| s.parse().ok()))
    }
}

/// Lower-cased words; hyphens and apostrophes split words ("paid-in" → "paid", "in"), `%`
/// becomes the word "percent".
pub fn words(query: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for ch in query.chars() {
        if ch.is_alphanumeric() {
            cur.extend(ch.to_lowercase());
        } else {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            if ch == '%' {
                out.push("percent".into());
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// that names no subject of its own ("and in 2023?", "what about TVPI?") inherits it.
/// Routes a question. `previous` is the last answer's subject in the conversation: a question
/// that names no subject of its own ("and in 2023?", "what about TVPI?") inherits it.
pub fn route(query: &str, previous: Option<&Subject>, today_year: i32) -> Subject {
    route_with(query, previous, today_year, true)
}

/// Contributed or distributed to date alone is a fund metric (paid-in, total distributed): the
/// calculation answers it, citing the balances the documents state beside it, so one question
/// never gets two different kinds of answer.
fn balances_as_metrics(
    ask: Option<LpAsk>,
    mut metrics: Vec<MetricAsk>,
) -> (Option<LpAsk>, Vec<MetricAsk>) {
    let Some(LpAsk::Position { keys }) = &ask else {
        return (ask, metrics);
    };
    let as_metric = |k: &str| match k {
        "contributed_to_date" => Some(MetricAsk::Pic),
        "distributed_to_date" => Some(MetricAsk::TotalDistributed),
        _ => None,
    };
    if keys.is_empty() || keys.iter().any(|k| as_metric(k).is_none()) {
        return (ask, metrics);
    }
    for m in keys.iter().filter_map(|k| as_metric(k)) {
        if !metrics.contains(&m) {
            metrics.push(m);
        }
    }
    (None, metrics)
}

/// As [`route`]; `tables` is false when no portfolio table is stored, so table words ("show
/// the calls as a table") keep their ordinary meaning.
pub fn route_with(
    query: &str,
    previous: Option<&Subject>,
    today_year: i32,
    tables: bool,
) -> Subject {
    let t = Text {
        words: words(query),
    };
    let metrics = metrics(&t);
    let kind = kind(&t);
    let op = op(&t);
    let year = year(&t, today_year);
    let recallable_only = kind == Some(Kind::Distribution)
        && t.stem(&["recall", "recycl"])
        && !metrics.contains(&MetricAsk::RecallableShare);
    let definition = definition_cue(&t);
    let across = across_funds(&t);
    let (lp_ask, metrics) =
        balances_as_metrics(lp::detect(&t, year, !metrics.is_empty(), tables), metrics);
    if let Some(ask) = lp_ask
        && (!definition || value_cue(&t))
    {
        let intent = match &ask {
            LpAsk::Position { .. } => Intent::Position,
            LpAsk::Notice { .. } | LpAsk::Upcoming { .. } => Intent::Notice,
            LpAsk::Statement { .. } | LpAsk::RollForward | LpAsk::Reconcile => Intent::Statement,
            LpAsk::Portfolio(_) => Intent::Portfolio,
            LpAsk::GeneralPartner => Intent::Profile,
        };
        return Subject {
            intent,
            metrics,
            kind,
            op,
            year,
            recallable_only: false,
            across_funds: across,
            explain: false,
            lp: Some(ask),
        };
    }

    // Transactions with a row operation (or a year) are retrieval, unless the metric family
    // already answers them as a fund total ("how much has been distributed in total").
    let specific = matches!(
        op,
        Some(Op::Largest | Op::Smallest | Op::Latest | Op::Earliest | Op::Count | Op::ByYear)
    );
    // A kind with nothing else asked ("tell me about the recallable distributions") lists them.
    let bare = metrics.is_empty() && !definition;
    let rows_wanted =
        kind.is_some() && (year.is_some() || specific || op == Some(Op::List) || bare);
    let metric_totals_only = metrics.iter().all(|m| {
        matches!(
            m,
            MetricAsk::TotalCalled | MetricAsk::TotalDistributed | MetricAsk::TotalAdjustments
        )
    });
    let (calc, retrieval) = if rows_wanted && metric_totals_only {
        (false, true)
    } else {
        // A ratio question that mentions a kind ("% of distributions recallable") lists rows
        // only when asked to show them.
        (
            !metrics.is_empty(),
            rows_wanted && (explicit_list(&t) || specific || year.is_some()),
        )
    };

    let intent = match (calc || retrieval, definition) {
        (true, true) if value_cue(&t) => Intent::Mixed,
        (true, true) => Intent::Definition,
        (true, false) if calc && retrieval => Intent::Mixed,
        (true, false) if calc => Intent::Calculation,
        (true, false) => Intent::Retrieval,
        (false, _) => Intent::Definition,
    };
    let mut subject = Subject {
        intent,
        metrics: if calc || intent == Intent::Definition {
            metrics
        } else {
            Vec::new()
        },
        kind,
        op: if retrieval { op.or(Some(Op::List)) } else { op },
        year,
        recallable_only,
        across_funds: across,
        explain: definition,
        lp: None,
    };

    // A follow-up names only a year, an operation or a metric: keep the rest of the last subject.
    if let Some(prev) = previous
        && !definition
        && t.words.len() <= 8
    {
        let names_nothing = subject.metrics.is_empty() && kind.is_none();
        let follow_cue = t.any(&["and", "what", "how", "about", "then", "same", "also"]);
        if names_nothing && (year.is_some() || (op.is_some() && follow_cue)) {
            if matches!(prev.intent, Intent::Retrieval | Intent::Mixed) && prev.kind.is_some() {
                subject.intent = Intent::Retrieval;
                subject.kind = prev.kind;
                subject.recallable_only = prev.recallable_only;
                subject.metrics = Vec::new();
                subject.op = match op {
                    Some(Op::List) | None => prev.op,
                    other => other,
                };
                subject.year = year.or(prev.year);
            } else if prev.intent == Intent::Calculation && year.is_some() {
                subject.intent = Intent::Calculation;
                subject.metrics = prev.metrics.clone();
                subject.year = year;
            }
        } else if !subject.metrics.is_empty()
            && kind.is_none()
            && year.is_none()
            && prev.intent == Intent::Calculation
        {
            // "what about TVPI?" keeps the date of the previous calculation.
            subject.year = prev.year;
        }
    }
    subject
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(q: &str) -> Subject {
        route(q, None, 2026)
    }

    #[test]
    fn the_specification_questions_route_as_documented() {
        let s = r("What is the current DPI?");
        assert_eq!(
            (s.intent, s.metrics.as_slice()),
            (Intent::Calculation, &[MetricAsk::Dpi][..])
        );
        let s = r("Has the fund returned all invested capital to LPs?");
        assert_eq!(s.metrics, vec![MetricAsk::CapitalReturned]);
        assert_eq!(
            r("What does Paid-In Capital mean?").intent,
            Intent::Definition
        );
        let s = r("Show me all capital calls in 2024");
        assert_eq!(
            (s.intent, s.kind, s.op, s.year),
            (
                Intent::Retrieval,
                Some(Kind::CapitalCall),
                Some(Op::List),
                Some(2024)
            )
        );
        let s = r("What was the largest distribution?");
        assert_eq!((s.intent, s.op), (Intent::Retrieval, Some(Op::Largest)));
        let s = r("List all adjustments");
        assert_eq!((s.kind, s.op), (Some(Kind::Adjustment), Some(Op::List)));
        let s = r("What percentage of distributions were recallable?");
        assert_eq!(
            (s.intent, s.metrics.as_slice()),
            (Intent::Calculation, &[MetricAsk::RecallableShare][..])
        );
        let s = r("Explain the trend in capital calls over time");
        assert_eq!((s.intent, s.op), (Intent::Retrieval, Some(Op::ByYear)));
    }

    #[test]
    fn synonyms_and_rephrasings_route_by_meaning() {
        let s = r("How much has been distributed in total?");
        assert_eq!(
            (s.intent, s.metrics.as_slice()),
            (Intent::Calculation, &[MetricAsk::TotalDistributed][..])
        );
        assert_eq!(
            r("What is the total paid-in capital?").metrics,
            vec![MetricAsk::Pic]
        );
        assert_eq!(
            r("Give me the internal rate of return").metrics,
            vec![MetricAsk::Irr]
        );
        assert_eq!(
            r("Have LPs gotten all their money back?").metrics,
            vec![MetricAsk::CapitalReturned]
        );
        assert_eq!(
            r("Has the fund broken even for investors?").metrics,
            vec![MetricAsk::CapitalReturned]
        );
        let s = r("When was the most recent distribution and how much was it?");
        assert_eq!((s.intent, s.op), (Intent::Retrieval, Some(Op::Latest)));
        let s = r("Which drawdowns happened in 2023?");
        assert_eq!((s.kind, s.year), (Some(Kind::CapitalCall), Some(2023)));
        let s = r("How many payouts were there?");
        assert_eq!((s.kind, s.op), (Some(Kind::Distribution), Some(Op::Count)));
        let s = r("Break down contributions per year");
        assert_eq!((s.kind, s.op), (Some(Kind::CapitalCall), Some(Op::ByYear)));
        assert_eq!(r("Define TVPI").intent, Intent::Definition);
        assert_eq!(
            r("What sectors or companies does the fund invest in?").intent,
            Intent::Definition
        );
        assert_eq!(
            r("Explain the difference between TVPI and RVPI.").intent,
            Intent::Definition
        );
        assert_eq!(
            r("What share of the payouts can be recalled?").metrics,
            vec![MetricAsk::RecallableShare]
        );
        assert_eq!(
            r("What percentage of distributions were recallable?").intent,
            Intent::Calculation
        );
        assert_eq!(
            r("Show the adjustments and how they change PIC.").intent,
            Intent::Mixed
        );
        assert_eq!(
            r("How much paid-in capital (PIC) has been called so far?").metrics,
            vec![MetricAsk::Pic]
        );
        assert!(r("Which fund has the highest IRR?").across_funds);
    }

    #[test]
    fn across_funds_needs_more_than_two_metrics_side_by_side() {
        assert!(!r("Show DPI versus TVPI").across_funds);
        let s = r("Tell me about the recallable distributions");
        assert_eq!((s.intent, s.recallable_only), (Intent::Retrieval, true));
        let s = r("What was the total amount called in 2023?");
        assert_eq!((s.intent, s.op), (Intent::Retrieval, Some(Op::Total)));
        assert_eq!(
            r("What does a capital call mean?").intent,
            Intent::Definition
        );
        assert!(r("Compare the funds by DPI.").across_funds);
        let s = r("What distributions were made last year?");
        assert_eq!((s.intent, s.year), (Intent::Retrieval, Some(2025)));
    }

    #[test]
    fn follow_ups_inherit_the_previous_subject() {
        let first = r("Show me all capital calls in 2024");
        let next = route("and in 2023?", Some(&first), 2026);
        assert_eq!(
            (next.intent, next.kind, next.year),
            (Intent::Retrieval, Some(Kind::CapitalCall), Some(2023))
        );
        let calc = r("What is the DPI?");
        let next = route("what about TVPI?", Some(&calc), 2026);
        assert_eq!(
            (next.intent, next.metrics.as_slice()),
            (Intent::Calculation, &[MetricAsk::Tvpi][..])
        );
    }
}
