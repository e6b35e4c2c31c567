//! The cues a question is read for: metrics, transaction kind, operation, year, and whether it
//! asks for a definition, a value or a comparison across funds. Each is a keyword family.
use shared::db::transactions::Kind;

use super::{MetricAsk, Op};

/// A question as lower-cased words (see [`super::words`]).
pub(super) struct Text {
    pub(super) words: Vec<String>,
}

impl Text {
    pub(super) fn has(&self, w: &str) -> bool {
        self.words.iter().any(|x| x == w)
    }

    pub(super) fn any(&self, ws: &[&str]) -> bool {
        ws.iter().any(|w| self.has(w))
    }

    /// A word starting with one of the stems ("distribut" finds distributed, distributions…).
    pub(super) fn stem(&self, stems: &[&str]) -> bool {
        self.words
            .iter()
            .any(|x| stems.iter().any(|s| x.starts_with(s)))
    }

    /// Consecutive words, e.g. `&["most", "recent"]`.
    pub(super) fn phrase(&self, p: &[&str]) -> bool {
        self.words
            .windows(p.len())
            .any(|w| w.iter().zip(p).all(|(a, b)| a == b))
    }

    pub(super) fn any_phrase(&self, ps: &[&[&str]]) -> bool {
        ps.iter().any(|p| self.phrase(p))
    }
}

/// The four-digit year a question names, if any (1990–2099).
pub(super) fn year(t: &Text, today_year: i32) -> Option<i32> {
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

pub(super) fn kind(t: &Text) -> Option<Kind> {
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
pub(super) fn explicit_list(t: &Text) -> bool {
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

pub(super) fn op(t: &Text) -> Option<Op> {
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

pub(super) fn metrics(t: &Text) -> Vec<MetricAsk> {
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
pub(super) fn definition_cue(t: &Text) -> bool {
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
pub(super) fn value_cue(t: &Text) -> bool {
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
pub(super) fn across_funds(t: &Text) -> bool {
    t.phrase(&["which", "fund"])
        || t.any(&["funds", "compare", "comparison", "rank", "ranking"])
        || t.phrase(&["each", "fund"])
        || t.phrase(&["every", "fund"])
}
