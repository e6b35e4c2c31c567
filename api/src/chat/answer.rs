//! Grounded answers without an LLM: sentences built from computed figures, row tables, and
//! quoted passages, each with the sources it stands on.
use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Value, json};
use shared::db::provenance::PageSource;
use shared::db::search::Hit;
use shared::db::transactions::{Kind, Transaction};
use shared::metrics::serde_fmt::round;
use shared::metrics::text::money;
use shared::metrics::{Discrepancy, FundMetrics};

use super::intent::{MetricAsk, Op, Subject};
use super::retrieve::terms;

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

fn discrepancy_note(d: &Discrepancy, fmt: fn(Decimal) -> String) -> String {
    let computed = d
        .computed
        .map(fmt)
        .unwrap_or_else(|| "not computable".into());
    // The stated figure as printed (0.39, not 0.3900): its precision is part of the story.
    let printed = d.reported.normalize().to_string();
    let reported = if fmt(Decimal::ONE).ends_with('%') {
        format!("{printed}%")
    } else if fmt(Decimal::ONE).starts_with('$') {
        fmt(d.reported)
    } else {
        printed
    };
    let mut s = format!(
        " Note: the report states {} (page {}), while the figure computed from its rows is {}.",
        reported,
        d.page.unwrap_or(0),
        computed
    );
    if let Some(cause) = &d.likely_cause {
        s.push(' ');
        s.push_str(cause.trim_end_matches('.'));
        s.push('.');
    }
    s
}

/// The sentence for one metric; `discrepancies` adds the report's disagreeing figure.
fn metric_sentence(m: MetricAsk, f: &FundMetrics, discrepancies: &[Discrepancy]) -> String {
    let find = |keys: &[&str]| {
        discrepancies
            .iter()
            .find(|d| keys.contains(&d.key.as_str()))
    };
    let note = |keys: &[&str], fmt: fn(Decimal) -> String| {
        find(keys)
            .map(|d| discrepancy_note(d, fmt))
            .unwrap_or_default()
    };
    let nav_text = || match (f.nav, f.nav_date) {
        (Some(n), Some(d)) => format!("NAV {} (reported for {d})", usd(n)),
        _ => "no NAV".into(),
    };
    let no_nav = "it needs a NAV, and none is reported on or before that date";
    match m {
        MetricAsk::Dpi => match f.dpi {
            Some(v) => format!(
                "DPI is {} = total distributions {} ÷ paid-in capital {}.{}",
                ratio(v),
                usd(f.total_distributions),
                usd(f.pic),
                note(&["dpi"], ratio)
            ),
            None => "DPI cannot be computed: paid-in capital is zero.".into(),
        },
        MetricAsk::Tvpi => match f.tvpi {
            Some(v) => format!(
                "TVPI is {} = (distributions {} + {}) ÷ paid-in capital {}.{}",
                ratio(v),
                usd(f.total_distributions),
                nav_text(),
                usd(f.pic),
                note(&["tvpi"], ratio)
            ),
            None => format!(
                "TVPI cannot be computed: {no_nav}.{}",
                note(&["tvpi"], ratio)
            ),
        },
        MetricAsk::Rvpi => match f.rvpi {
            Some(v) => format!(
                "RVPI is {} = {} ÷ paid-in capital {}.{}",
                ratio(v),
                nav_text(),
                usd(f.pic),
                note(&["rvpi"], ratio)
            ),
            None => format!("RVPI cannot be computed: {no_nav}."),
        },
        MetricAsk::Irr => match f.irr {
            Some(v) if f.nav.is_some() => format!(
                "IRR is {} (date-aware XIRR, actual/365: capital calls negative, distributions positive, adjustments as printed, and {} as the terminal value).{}",
                pct(v),
                nav_text(),
                note(&["irr_pct", "irr"], pct)
            ),
            Some(v) => format!(
                "IRR is {} — a realized IRR: no NAV is reported, so only the cash flows count (calls negative, distributions positive, adjustments as printed) and unrealized value is left out, which makes it low early in a fund's life.{}",
                pct(v),
                note(&["irr_pct", "irr"], pct)
            ),
            None => {
                let why = f
                    .notes
                    .iter()
                    .find(|n| n.contains("IRR"))
                    .cloned()
                    .unwrap_or_else(|| "the cash flows have no sign change.".into());
                format!("IRR cannot be computed: {why}")
            }
        },
        MetricAsk::Pic => format!(
            "Paid-in capital (PIC) is {} = capital calls {} − adjustments {}; net of recallable distributions ({}) it is {}.{}",
            usd(f.pic),
            usd(f.gross_contributions),
            usd(f.total_adjustments),
            usd(f.recallable_distributions),
            usd(f.net_pic),
            note(&["pic"], usd)
        ),
        MetricAsk::NetPic => format!(
            "Net paid-in capital is {} = PIC {} − recallable distributions {}.",
            usd(f.net_pic),
            usd(f.pic),
            usd(f.recallable_distributions)
        ),
        MetricAsk::Nav => match (f.nav, f.nav_date) {
            (Some(n), Some(d)) => format!(
                "NAV is {} as reported for {d}.{}",
                usd(n),
                note(&["nav"], usd)
            ),
            _ => "No NAV is reported on or before that date.".into(),
        },
        MetricAsk::TotalCalled => format!(
            "Capital calls total {} (gross contributions); after adjustments of {} paid-in capital is {}.{}",
            usd(f.gross_contributions),
            usd(f.total_adjustments),
            usd(f.pic),
            note(&["total_capital_called", "gross_contributions"], usd)
        ),
        MetricAsk::TotalDistributed => format!(
            "Distributions total {}, of which {} recallable.{}",
            usd(f.total_distributions),
            usd(f.recallable_distributions),
            note(&["total_distributions"], usd)
        ),
        MetricAsk::TotalAdjustments => format!(
            "Adjustments total {} (signed as printed); they are subtracted from capital calls {} to give paid-in capital {}.",
            usd(f.total_adjustments),
            usd(f.gross_contributions),
            usd(f.pic)
        ),
        MetricAsk::RecallableShare => {
            let share = if f.total_distributions.is_zero() {
                Decimal::ZERO
            } else {
                f.recallable_distributions / f.total_distributions * Decimal::ONE_HUNDRED
            };
            format!(
                "{} of distributions were recallable: {} of {} distributed.",
                pct(share),
                usd(f.recallable_distributions),
                usd(f.total_distributions)
            )
        }
        MetricAsk::CapitalReturned => {
            let dpi = f.dpi.unwrap_or(Decimal::ZERO);
            let back = if dpi >= Decimal::ONE { "Yes" } else { "No" };
            let rest = if dpi >= Decimal::ONE {
                "DPI is at least 1.0, so every dollar paid in has come back in cash".to_string()
            } else {
                format!(
                    "{} of paid-in capital is still to be returned in cash; all capital is back once DPI reaches 1.0",
                    usd(f.pic - f.total_distributions)
                )
            };
            format!(
                "{back} — LPs have received {} in distributions against {} of paid-in capital (DPI {}); {rest}.",
                usd(f.total_distributions),
                usd(f.pic),
                ratio(dpi)
            )
        }
    }
}

/// The keys of the transaction kinds each metric is computed from (for citations).
pub fn kinds_behind(metrics: &[MetricAsk]) -> Vec<&'static str> {
    let mut out = Vec::new();
    for m in metrics {
        let ks: &[&str] = match m {
            MetricAsk::TotalCalled => &["capital_call"],
            MetricAsk::TotalDistributed | MetricAsk::RecallableShare => &["distribution"],
            MetricAsk::TotalAdjustments => &["adjustment"],
            MetricAsk::Pic => &["capital_call", "adjustment"],
            MetricAsk::Nav => &[],
            _ => &["distribution", "capital_call", "adjustment"],
        };
        for k in ks {
            if !out.contains(k) {
                out.push(*k);
            }
        }
    }
    out
}

/// A calculation answer: one sentence per asked metric, the as-of date, and citations.
pub fn calculation(
    fund: &str,
    asked: &[MetricAsk],
    metrics: &FundMetrics,
    discrepancies: &[Discrepancy],
    metrics_json: Value,
    sources: Vec<Source>,
) -> Grounded {
    let Some(as_of) = metrics.as_of else {
        return Grounded::say(format!(
            "{fund} has no processed transactions yet, so there is nothing to compute. Upload its reports first."
        ));
    };
    let mut text = String::new();
    for m in asked {
        text.push_str(&metric_sentence(*m, metrics, discrepancies));
        text.push(' ');
    }
    text.push_str(&format!(
        "({fund}, as of {as_of}; computed from the extracted transactions {})",
        cites(sources.len())
    ));
    Grounded {
        text,
        sources,
        metrics: Some(metrics_json),
        rows: None,
    }
}

fn kind_words(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::CapitalCall => ("capital call", "capital calls"),
        Kind::Distribution => ("distribution", "distributions"),
        Kind::Adjustment => ("adjustment", "adjustments"),
    }
}

fn row_json(t: &Transaction) -> Value {
    json!({
        "date": t.date,
        "type": t.flow_type,
        "amount": t.amount,
        "description": t.description,
        "recallable": t.is_recallable,
        "document": t.document,
        "page": t.page,
    })
}

fn brief(t: &Transaction) -> String {
    let what = [t.flow_type.as_deref(), t.description.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    if what.is_empty() {
        format!("{} on {}", usd(t.amount), t.date)
    } else {
        format!("{} on {} ({what})", usd(t.amount), t.date)
    }
}

/// A retrieval answer over rows already filtered by fund, kind and year.
pub fn retrieval(
    fund: &str,
    subject: &Subject,
    kind: Kind,
    rows: &[Transaction],
    sources: Vec<Source>,
) -> Grounded {
    let (one, many) = kind_words(kind);
    let many = if subject.recallable_only {
        format!("recallable {many}")
    } else {
        many.to_string()
    };
    let when = subject.year.map(|y| format!(" in {y}")).unwrap_or_default();
    let c = cites(sources.len());
    if rows.is_empty() {
        return Grounded::say(format!("{fund} has no {many} recorded{when}."));
    }
    let total: Decimal = rows.iter().map(|t| t.amount).sum();
    let pick = |t: &Transaction, label: &str| Grounded {
        text: format!(
            "The {label} {one}{when} was {} {c}. It is one of {} {many}{when} totalling {}.",
            brief(t),
            rows.len(),
            usd(total)
        ),
        sources: sources.clone(),
        metrics: None,
        rows: Some(vec![row_json(t)]),
    };
    let by_amount = |t: &&Transaction| t.amount;
    match subject.op.unwrap_or(Op::List) {
        Op::Largest => pick(
            rows.iter().max_by_key(by_amount).unwrap_or(&rows[0]),
            "largest",
        ),
        Op::Smallest => pick(
            rows.iter().min_by_key(by_amount).unwrap_or(&rows[0]),
            "smallest",
        ),
        // Rows are in date order; among same-day rows the last read is the latest.
        Op::Latest => pick(&rows[rows.len() - 1], "most recent"),
        Op::Earliest => pick(&rows[0], "first"),
        Op::ByYear => by_year(fund, &many, rows, sources),
        op => {
            let lead = match op {
                Op::Count => format!(
                    "{fund} has {} {many}{when}, totalling {}",
                    rows.len(),
                    usd(total)
                ),
                _ => format!("{} {many}{when}, totalling {}", rows.len(), usd(total)),
            };
            let shown: Vec<String> = rows.iter().take(12).map(brief).collect();
            let more = if rows.len() > shown.len() {
                format!("; and {} more (see the table)", rows.len() - shown.len())
            } else {
                String::new()
            };
            Grounded {
                text: format!("{lead} {c}: {}{more}.", shown.join("; ")),
                sources,
                metrics: None,
                rows: Some(rows.iter().map(row_json).collect()),
            }
        }
    }
}

/// Per-year totals and how they changed: the answer to "the trend over time".
fn by_year(fund: &str, many: &str, rows: &[Transaction], sources: Vec<Source>) -> Grounded {
    let mut years: BTreeMap<i32, (usize, Decimal)> = BTreeMap::new();
    for t in rows {
        let e = years.entry(t.date.year()).or_default();
        e.0 += 1;
        e.1 += t.amount;
    }
    let mut table = Vec::new();
    let mut parts = Vec::new();
    let mut prev: Option<Decimal> = None;
    for (year, (count, total)) in &years {
        let change = prev
            .filter(|p| !p.is_zero())
            .map(|p| round((*total - p) / p * Decimal::ONE_HUNDRED, 1));
        table.push(json!({ "year": year, "count": count, "total": total, "change_pct": change }));
        parts.push(format!("{year}: {} ({count})", usd(*total)));
        prev = Some(*total);
    }
    let (first, last) = (years.iter().next(), years.iter().next_back());
    let trend = match (first, last) {
        (Some((fy, (_, ft))), Some((ly, (_, lt)))) if fy != ly => {
            let dir = if lt > ft {
                "rose"
            } else if lt < ft {
                "fell"
            } else {
                "held steady"
            };
            let peak = years
                .iter()
                .max_by_key(|(_, (_, t))| *t)
                .map(|(y, (_, t))| format!(" The peak year was {y} with {}.", usd(*t)))
                .unwrap_or_default();
            format!(
                " Yearly {many} {dir} from {} in {fy} to {} in {ly}.{peak}",
                usd(*ft),
                usd(*lt)
            )
        }
        _ => " All of them fall in one year.".into(),
    };
    let total: Decimal = rows.iter().map(|t| t.amount).sum();
    Grounded {
        text: format!(
            "{fund}'s {many} per year: {} — {} in all over {} {many}.{trend} {}",
            parts.join("; "),
            usd(total),
            rows.len(),
            cites(sources.len())
        ),
        sources,
        metrics: None,
        rows: Some(table),
    }
}

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
    super::intent::words(text)
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

/// As-of date for a calculation that names a year: that year's last day.
pub fn year_end(year: Option<i32>) -> Option<NaiveDate> {
    year.and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31))
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
        let e = best_excerpt(text, "What does DPI mean?");
        assert!(e.starts_with("DPI measures"), "{e}");
        assert_eq!(usd(Decimal::new(-45000050, 2)), "-$450,000.50");
    }
}
