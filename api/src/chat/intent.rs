//! Deterministic intent routing: keyword families and synonyms map a question to what it asks.
use serde::{Deserialize, Serialize};
use shared::db::transactions::Kind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    Calculation,
    Retrieval,
    Definition,
    /// A calculation or retrieval together with a definition: both are answered.
    Mixed,
}

impl Intent {
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Calculation => "calculation",
            Intent::Retrieval => "retrieval",
            Intent::Definition => "definition",
            Intent::Mixed => "mixed",
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

struct Text {
    words: Vec<String>,
}

impl Text {
    fn has(&self, w: &str) -> bool {
        self.words.iter().any(|x| x == w)
    }

    fn any(&self, ws: &[&str]) -> bool {
        ws.iter().any(|w| self.has(w))
    }

    /// A word starting with one of the stems ("distribut" finds distributed, distributions…).
    fn stem(&self, stems: &[&str]) -> bool {
        self.words
            .iter()
            .any(|x| stems.iter().any(|s| x.starts_with(s)))
    }

    /// Consecutive words, e.g. `&["most", "recent"]`.
    fn phrase(&self, p: &[&str]) -> bool {
        self.words
            .windows(p.len())
            .any(|w| w.iter().zip(p).all(|(a, b)| a == b))
    }

    fn any_phrase(&self, ps: &[&[&str]]) -> bool {
        ps.iter().any(|p| self.phrase(p))
    }
}

/// The four-digit year a question names, if any (1990–2099).
fn year(t: &Text, today_year: i32) -> Option<i32> {
    if t.phrase(&["last", "year"]) || t.phrase(&["previous", "year"]) {
        return Some(today_year - 1);
    }
    if t.phrase(&["this", "year"]) || t.phrase(&["current", "year"]) {
        return Some(today_year);
    }
    t.words.iter().find_map(|w| {
        let w = w.strip_prefix("fy").unwrap_or(w);
        (w.len() == 4)
            .then(|| w.parse::<i32>().ok())
            .flatten()
            .filter(|y| (1990..=2099).contains(y))
    })
}

fn kind(t: &Text) -> Option<Kind> {
    if t.stem(&["distribut", "payout", "proceed"]) || t.any(&["paid", "returned"]) && t.has("out") {
        return Some(Kind::Distribution);
    }
    if t.stem(&[
        "adjust",
        "correction",
        "rebalanc",
        "clawback",
        "restatement",
    ]) {
        return Some(Kind::Adjustment);
    }
    let call = t.any(&["call", "calls", "called", "drawdown", "drawdowns", "drawn"])
        || t.stem(&["contribution"]);
    call.then_some(Kind::CapitalCall)
}

/// Words that ask for rows to be shown, as opposed to "what"/"were" that any question has.
fn explicit_list(t: &Text) -> bool {
    t.any(&[
        "list",
        "show",
        "display",
        "table",
        "all",
        "every",
        "itemize",
        "itemise",
        "enumerate",
    ])
}

fn op(t: &Text) -> Option<Op> {
    if t.any(&[
        "trend", "trends", "pattern", "yearly", "annually", "evolve", "evolved",
    ]) || t.any_phrase(&[
        &["over", "time"],
        &["by", "year"],
        &["per", "year"],
        &["each", "year"],
        &["every", "year"],
        &["year", "by", "year"],
        &["year", "over", "year"],
        &["over", "the", "years"],
        &["by", "years"],
    ]) {
        return Some(Op::ByYear);
    }
    if t.any(&["latest", "newest", "recent", "recently"])
        || t.has("last") && !t.phrase(&["last", "year"])
    {
        return Some(Op::Latest);
    }
    if t.any(&["first", "earliest", "oldest", "initial"]) {
        return Some(Op::Earliest);
    }
    if t.any(&[
        "largest", "biggest", "highest", "maximum", "max", "greatest", "top", "most", "larger",
    ]) {
        return Some(Op::Largest);
    }
    if t.any(&["smallest", "lowest", "minimum", "min", "least", "smaller"]) {
        return Some(Op::Smallest);
    }
    if t.phrase(&["how", "many"]) || t.any(&["count", "number"]) {
        return Some(Op::Count);
    }
    if t.any(&["total", "sum", "totals", "altogether", "overall"]) || t.phrase(&["how", "much"]) {
        return Some(Op::Total);
    }
    if t.any(&[
        "list", "show", "all", "which", "display", "give", "what", "table", "every", "each",
        "were", "made", "any",
    ]) {
        return Some(Op::List);
    }
    None
}

fn metrics(t: &Text) -> Vec<MetricAsk> {
    use MetricAsk::*;
    let mut out: Vec<MetricAsk> = Vec::new();
    fn add(out: &mut Vec<MetricAsk>, m: MetricAsk) {
        if !out.contains(&m) {
            out.push(m);
        }
    }
    // "distributions to paid-in" and "total value to paid-in" name ratios, not PIC itself.
    let ratio_phrase = t.phrase(&["to", "paid"]);
    let paid_in = (t.phrase(&["paid", "in"]) && !ratio_phrase) || t.any(&["paidin", "pic"]);
    if t.has("dpi")
        || t.phrase(&["distributions", "to", "paid"])
        || t.phrase(&["distributed", "to", "paid"])
        || t.any_phrase(&[
            &["cash", "on", "cash"],
            &["realized", "multiple"],
            &["realised", "multiple"],
        ])
    {
        add(&mut out, Dpi);
    }
    if t.any(&["tvpi", "moic"])
        || t.phrase(&["total", "value"])
        || t.has("multiple") && out.is_empty() && !t.any(&["realized", "realised"])
    {
        add(&mut out, Tvpi);
    }
    if t.has("rvpi") || t.phrase(&["residual", "value"]) {
        add(&mut out, Rvpi);
    }
    if t.any(&["irr", "xirr", "annualized", "annualised", "yield"])
        || t.phrase(&["rate", "of", "return"])
    {
        add(&mut out, Irr);
    }
    let got_back = t.any(&["got", "gotten", "get", "received", "recouped", "recovered"])
        && t.any(&["back", "all", "recouped", "recovered"]);
    let returned_all = (t.stem(&["return", "repaid", "paid"]) || got_back)
        && t.any(&[
            "all",
            "back",
            "full",
            "fully",
            "entire",
            "whole",
            "everything",
        ])
        && t.stem(&["capital", "money", "invest", "contribut", "commitment"])
        || t.any_phrase(&[&["break", "even"], &["broken", "even"], &["broke", "even"]])
        || t.phrase(&["paid", "back"]);
    if returned_all {
        add(&mut out, CapitalReturned);
    } else if t.phrase(&["net", "paid"]) || t.phrase(&["net", "pic"]) {
        add(&mut out, NetPic);
    } else if paid_in
        || t.phrase(&["invested", "capital"])
        || t.phrase(&["contributed", "capital"])
        || t.phrase(&["capital", "contributed"])
    {
        add(&mut out, Pic);
    }
    if t.has("nav") || t.phrase(&["net", "asset"]) || t.phrase(&["portfolio", "value"]) {
        add(&mut out, Nav);
    }
    let share = t.any(&[
        "percent",
        "percentage",
        "share",
        "proportion",
        "fraction",
        "portion",
        "ratio",
        "pct",
    ]) || t.phrase(&["how", "much"]);
    if t.stem(&["recall", "recycl"]) && share {
        add(&mut out, RecallableShare);
    }
    let total = t.any(&[
        "total",
        "sum",
        "overall",
        "altogether",
        "cumulative",
        "aggregate",
    ]) || t.phrase(&["how", "much"])
        || t.phrase(&["so", "far"])
        || t.phrase(&["to", "date"]);
    if total && !out.contains(&RecallableShare) && !paid_in {
        match kind(t) {
            Some(Kind::Distribution) => add(&mut out, TotalDistributed),
            Some(Kind::CapitalCall) => add(&mut out, TotalCalled),
            Some(Kind::Adjustment) => add(&mut out, TotalAdjustments),
            None => {}
        }
    }
    if out.is_empty()
        && (t.any(&[
            "performance",
            "performing",
            "metrics",
            "returns",
            "multiples",
        ]) || t.phrase(&["how", "is", "the", "fund", "doing"])
            || t.phrase(&["how", "the", "fund", "is", "doing"]))
    {
        out.extend([Dpi, Tvpi, Irr]);
    }
    out
}

/// Words that ask what something means rather than what its value is.
fn definition_cue(t: &Text) -> bool {
    let strong = t.any(&[
        "mean",
        "means",
        "meaning",
        "define",
        "defined",
        "definition",
        "definitions",
        "glossary",
        "concept",
        "terminology",
        "formula",
        "interpret",
        "interpreted",
        "explanation",
    ]) || t.any_phrase(&[
        &["stand", "for"],
        &["stands", "for"],
        &["difference", "between"],
        &["differ", "from"],
        &["what", "is", "meant"],
    ]);
    let how_computed = t.any(&["calculated", "computed", "measured", "derived"])
        && t.any_phrase(&[
            &["how", "is"],
            &["how", "are"],
            &["how", "do"],
            &["how", "does"],
        ]);
    let what_is_a = t.any_phrase(&[
        &["what", "is", "a"],
        &["what", "is", "an"],
        &["what", "are"],
    ]);
    let for_the_fund = t.any(&[
        "current",
        "currently",
        "our",
        "this",
        "total",
        "latest",
        "now",
    ]);
    strong || ((how_computed || what_is_a) && !for_the_fund)
}

/// Cues that the value for the fund is wanted, not (only) the concept.
fn value_cue(t: &Text) -> bool {
    t.any(&[
        "current",
        "currently",
        "our",
        "this",
        "fund's",
        "value",
        "level",
        "now",
        "today",
        "latest",
        "compute",
        "calculate",
        "actual",
    ]) || t.phrase(&["how", "much"])
}

/// Across every fund: "which fund…", "the funds", "each fund", "compare/rank" — but not
/// "DPI versus TVPI", which compares metrics of one fund.
fn across_funds(t: &Text) -> bool {
    t.phrase(&["which", "fund"])
        || t.any(&["funds", "compare", "comparison", "rank", "ranking"])
        || t.phrase(&["each", "fund"])
        || t.phrase(&["every", "fund"])
}

/// Routes a question. `previous` is the last answer's subject in the conversation: a question
/// that names no subject of its own ("and in 2023?", "what about TVPI?") inherits it.
pub fn route(query: &str, previous: Option<&Subject>, today_year: i32) -> Subject {
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
