//! What an LP asks once notices, statements and portfolio tables come in: the position
//! (commitment, unfunded, contributed…), a notice (amount due, date, breakdown), calls coming
//! due, capital account rows by period, the roll-forward, a reconciliation, or a portfolio
//! table filter. Keyword families, as for the metric questions.
use serde::{Deserialize, Serialize};
use shared::db::portfolio::Column;
use shared::domain::ComponentKind;

use super::cues::Text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    Call,
    Distribution,
}

/// What a portfolio-table question filters, sorts and sums.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PortfolioAsk {
    pub vintage: Option<i32>,
    pub sort: Option<Column>,
    pub descending: bool,
    /// How many rows were asked for ("top 5"); one for "which fund has the highest".
    pub top: Option<usize>,
    pub count: bool,
    pub total: Option<Column>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "ask", rename_all = "snake_case")]
pub enum LpAsk {
    /// Position keys from `shared::metrics::position::POSITION_KEYS`; empty = all of them.
    Position {
        keys: Vec<String>,
    },
    /// One notice: by its number, else the latest of its kind.
    Notice {
        kind: Option<NoticeKind>,
        number: Option<u32>,
        /// Breakdown lines asked about; empty = the amount and date (and the whole breakdown
        /// when `breakdown`).
        parts: Vec<ComponentKind>,
        breakdown: bool,
        recallable: bool,
    },
    /// Calls due within `days` of today (or overdue ones).
    Upcoming {
        days: i64,
        overdue: bool,
    },
    /// Capital account rows (`*_period`, `beginning_nav`, `nav`) for a period, or all periods.
    Statement {
        keys: Vec<String>,
        period: Option<String>,
    },
    RollForward,
    Reconcile,
    Portfolio(PortfolioAsk),
    /// Who the fund's general partner is.
    GeneralPartner,
}

fn period(t: &Text) -> Option<String> {
    let p = if t.any(&["qtd", "quarter", "quarterly"]) || t.phrase(&["three", "months"]) {
        "qtd"
    } else if t.any(&["ytd"]) || t.phrase(&["year", "to", "date"]) || t.phrase(&["this", "year"]) {
        "ytd"
    } else if t.any(&["itd", "inception", "lifetime", "cumulative"])
        || t.phrase(&["life", "of", "the", "fund"])
    {
        "itd"
    } else {
        return None;
    };
    Some(p.to_string())
}

/// "Capital Call No. 7", "call #7", "distribution number 3", "notice 12".
fn notice_number(t: &Text) -> Option<(Option<NoticeKind>, u32)> {
    let w = &t.words;
    for i in 0..w.len() {
        let kind = match w[i].as_str() {
            "call" | "drawdown" | "calls" => Some(NoticeKind::Call),
            "distribution" => Some(NoticeKind::Distribution),
            "notice" => None,
            _ => continue,
        };
        let mut j = i + 1;
        if w.get(j).is_some_and(|x| x == "notice") {
            j += 1;
        }
        if w.get(j)
            .is_some_and(|x| matches!(x.as_str(), "no" | "number" | "nr" | "num"))
        {
            j += 1;
        }
        if let Some(n) = w
            .get(j)
            .filter(|x| x.len() <= 3)
            .and_then(|x| x.parse::<u32>().ok())
        {
            return Some((kind, n));
        }
    }
    None
}

fn component_parts(t: &Text) -> Vec<ComponentKind> {
    let mut out = Vec::new();
    let mut add = |hit: bool, k: ComponentKind| {
        if hit && !out.contains(&k) {
            out.push(k);
        }
    };
    add(
        t.phrase(&["return", "of", "capital"]) || t.phrase(&["returned", "capital"]),
        ComponentKind::ReturnOfCapital,
    );
    add(
        t.stem(&["gain"]) && !t.has("unrealized"),
        ComponentKind::RealizedGain,
    );
    add(
        t.any(&["dividend", "dividends", "income"]),
        ComponentKind::Income,
    );
    add(
        t.stem(&["withh"]) || t.any(&["tax", "taxes"]),
        ComponentKind::WithholdingTax,
    );
    add(
        t.phrase(&["carried", "interest"]) || t.any(&["carry"]),
        ComponentKind::CarriedInterest,
    );
    add(
        t.stem(&["offset"]) && t.stem(&["fee"]),
        ComponentKind::FeeOffset,
    );
    add(
        t.phrase(&["management", "fee"]) || t.phrase(&["management", "fees"]),
        ComponentKind::ManagementFee,
    );
    add(t.stem(&["expense"]), ComponentKind::Expenses);
    add(t.stem(&["investment"]), ComponentKind::Investment);
    out
}

/// Capital account rows a question names.
fn statement_keys(t: &Text) -> Vec<String> {
    let mut out: Vec<&str> = Vec::new();
    if t.phrase(&["management", "fee"]) || t.phrase(&["management", "fees"]) {
        out.push("management_fees_period");
    }
    if t.stem(&["expense"]) {
        out.push("expenses_period");
    }
    if t.has("unrealized") {
        out.push("unrealized_gain_period");
    } else if t.stem(&["gain"]) {
        out.push("realized_gain_period");
    }
    if t.phrase(&["carried", "interest"])
        || t.any(&["carry"])
        || t.phrase(&["incentive", "allocation"])
    {
        out.push("carried_interest_period");
    }
    let balance = t.stem(&["balance"]) || t.phrase(&["capital", "account"]);
    if balance && t.any(&["beginning", "opening", "starting", "start"]) {
        out.push("beginning_nav");
    } else if balance && !out.is_empty() {
        // "management fees in our capital account": the row, not the balance.
    } else if balance {
        out.push("nav");
    }
    out.into_iter().map(str::to_string).collect()
}

fn position_keys(t: &Text) -> Vec<String> {
    let mut out: Vec<&str> = Vec::new();
    let remaining = t.any(&["unfunded", "uncalled", "undrawn", "unused"])
        || t.phrase(&["dry", "powder"])
        || (t.any(&["remaining", "outstanding", "left", "open"]) && t.stem(&["commit"]))
        || t.phrase(&["left", "to", "call"])
        || t.phrase(&["yet", "to", "be", "called"])
        || t.phrase(&["not", "yet", "called"]);
    let so_far = t.phrase(&["so", "far"])
        || t.phrase(&["to", "date"])
        || t.any(&["cumulative", "cumulatively", "total", "overall"])
        || t.phrase(&["since", "inception"]);
    let put_in = t.stem(&["contribut"])
        || t.phrase(&["paid", "in"])
        || t.phrase(&["put", "in"])
        || t.phrase(&["put", "into"])
        || t.any(&["funded", "invested", "drawn"]);
    // "How much of our commitment has been drawn so far" asks what was drawn, not the commitment.
    if remaining {
        out.push("unfunded_commitment");
    } else if t.stem(&["commitment", "committed"]) && !(put_in && so_far) {
        out.push("commitment");
    }
    if put_in && so_far {
        out.push("contributed_to_date");
    }
    let got_back = t.any(&["received", "receive", "gotten", "got"])
        || t.phrase(&["paid", "out"])
        || t.phrase(&["paid", "back"])
        || (t.stem(&["distribut"]) && !t.stem(&["recall"]));
    if got_back && so_far {
        out.push("distributed_to_date");
    }
    let recall_balance = t.stem(&["recall"])
        && (so_far
            || t.phrase(&["called", "back"])
            || t.phrase(&["called", "again"])
            || t.any(&["balance", "could", "can"]));
    if recall_balance || t.phrase(&["called", "back"]) || t.phrase(&["re", "called"]) {
        out.push("recallable_to_date");
    }
    out.into_iter().map(str::to_string).collect()
}

fn portfolio(t: &Text, year: Option<i32>) -> Option<PortfolioAsk> {
    let table = t.any(&[
        "vintage",
        "vintages",
        "table",
        "pension",
        "plan",
        "partnerships",
    ]) || (t.stem(&["portfolio"]) && (t.has("funds") || t.phrase(&["which", "fund"])));
    if !table {
        return None;
    }
    let sort = if t.any(&["tvpi", "moic", "multiple", "multiples"]) {
        Some(Column::Tvpi)
    } else if t.any(&["irr", "irrs", "return", "returns"]) {
        Some(Column::IrrPct)
    } else if t.stem(&["commit"]) {
        Some(Column::Commitment)
    } else if t.stem(&["contribut"]) || t.phrase(&["paid", "in"]) {
        Some(Column::Contributed)
    } else if t.stem(&["distribut"]) {
        Some(Column::Distributed)
    } else if t.any(&["nav", "value", "valuation"]) {
        Some(Column::Nav)
    } else {
        None
    };
    let low = t.any(&["lowest", "worst", "smallest", "least", "bottom", "weakest"]);
    let ranked = low
        || t.any(&[
            "highest",
            "best",
            "top",
            "largest",
            "biggest",
            "most",
            "strongest",
            "rank",
            "sort",
        ]);
    let count = t.phrase(&["how", "many"]) || t.any(&["count", "number"]);
    let total = (t.any(&["total", "sum", "combined", "aggregate", "overall"]) && !ranked)
        .then_some(sort)
        .flatten()
        .filter(|c| c.is_money());
    let top = t
        .words
        .windows(2)
        .find(|w| matches!(w[0].as_str(), "top" | "bottom" | "best" | "worst"))
        .and_then(|w| w[1].parse::<usize>().ok())
        .or_else(|| {
            // "which 2015 vintage fund has the highest TVPI": one fund, not a list.
            (ranked && t.any(&["which", "what"]) && t.has("fund") && !t.has("funds")).then_some(1)
        });
    Some(PortfolioAsk {
        vintage: year,
        sort: if ranked || total.is_none() {
            sort
        } else {
            None
        },
        descending: !low,
        top: if ranked { top.or(Some(5)) } else { None },
        count,
        total,
    })
}

/// The LP question asked, if any. `metrics_found` says the metric router already recognised a
/// fund metric: then only the strong LP cues (unfunded, commitment, a notice) take over.
pub(super) fn detect(
    t: &Text,
    year: Option<i32>,
    metrics_found: bool,
    tables: bool,
) -> Option<LpAsk> {
    if let Some(p) = portfolio(t, year).filter(|_| tables) {
        return Some(LpAsk::Portfolio(p));
    }
    if (t.phrase(&["general", "partner"]) || t.any(&["gp", "sponsor"]))
        && t.any(&["who", "which", "name", "named"])
    {
        return Some(LpAsk::GeneralPartner);
    }
    if t.phrase(&["roll", "forward"]) || t.any(&["rollforward", "rolls"]) {
        return Some(LpAsk::RollForward);
    }
    if t.any(&[
        "agree",
        "agrees",
        "reconcile",
        "reconciles",
        "reconciliation",
        "consistent",
    ]) || t.stem(&["discrepanc", "mismatch"])
        || (t.any(&["does", "do", "did"])
            && (t.phrase(&["add", "up"]) || t.phrase(&["adds", "up"]) || t.phrase(&["tie", "out"])))
    {
        return Some(LpAsk::Reconcile);
    }
    let days = t
        .words
        .windows(3)
        .find(|w| w[0] == "next" && matches!(w[2].as_str(), "days" | "weeks" | "months"))
        .and_then(|w| {
            let n: i64 = w[1].parse().ok()?;
            Some(match w[2].as_str() {
                "weeks" => n * 7,
                "months" => n * 30,
                _ => n,
            })
        });
    let overdue = t.any(&["overdue", "late", "unpaid"]) || t.phrase(&["past", "due"]);
    if days.is_some() || overdue || t.any(&["upcoming"]) || t.phrase(&["coming", "due"]) {
        return Some(LpAsk::Upcoming {
            days: days.unwrap_or(30),
            overdue,
        });
    }

    let number = notice_number(t);
    let call = t.stem(&["call", "drawdown", "capital"]) && !t.stem(&["distribut"]);
    let dist = t.stem(&["distribut", "payout"]);
    let parts = component_parts(t);
    let latest = t.any(&["last", "latest", "recent", "newest", "this", "current"]);
    let owe = t.any(&["owe", "due", "wire", "remit"])
        || t.phrase(&["have", "to", "fund"])
        || t.phrase(&["need", "to", "fund"])
        || t.phrase(&["have", "to", "pay"]);
    let purpose = t.stem(&["call"]) && t.any(&["for", "purpose", "why", "reason"]) && !dist;
    let breakdown = purpose
        || t.any(&[
            "breakdown",
            "components",
            "consist",
            "consists",
            "composed",
            "itemised",
            "itemized",
        ])
        || t.phrase(&["made", "up"])
        || t.phrase(&["broken", "down"])
        || t.phrase(&["split", "into"]);
    let recallable = t.stem(&["recall"]) && dist && latest && !t.has("distributions");
    let notice_kind = if dist {
        Some(NoticeKind::Distribution)
    } else if call {
        Some(NoticeKind::Call)
    } else {
        None
    };
    let statement = statement_keys(t);
    let about_notice = number.is_some()
        || t.stem(&["notice"])
        || (call && owe)
        || (notice_kind.is_some() && (breakdown || recallable))
        || (notice_kind.is_some() && latest && !parts.is_empty());
    if about_notice {
        return Some(LpAsk::Notice {
            kind: number.and_then(|n| n.0).or(notice_kind),
            number: number.map(|n| n.1),
            parts,
            breakdown,
            recallable,
        });
    }
    if !statement.is_empty() {
        return Some(LpAsk::Statement {
            keys: statement,
            period: period(t),
        });
    }
    let keys = position_keys(t);
    let strong = keys.iter().any(|k| {
        matches!(
            k.as_str(),
            "unfunded_commitment" | "commitment" | "recallable_to_date"
        )
    });
    if !keys.is_empty() && (!metrics_found || strong) {
        return Some(LpAsk::Position { keys });
    }
    // "What's the whole position worth relative to what we put in?" is a multiple.
    let ratio = t.any(&["relative", "ratio", "multiple", "times", "versus", "vs"]);
    if t.any(&["position", "exposure"]) && !metrics_found && !ratio {
        return Some(LpAsk::Position { keys: Vec::new() });
    }
    None
}

#[cfg(test)]
#[path = "lp_tests.rs"]
mod tests;
