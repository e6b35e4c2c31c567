//! Notice questions: how much a call asks and when it is due, what a distribution pays and what
//! it is made of, the recallable part, and the calls coming due. A notice number that two funds
//! use is asked back.
use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde_json::{Value, json};
use shared::db::notices::{self, NoticeFlow};
use shared::domain::ComponentKind;

use super::{Ask, cite, long_date};
use crate::error::Result;
use crate::service::chat::answer::{Grounded, Source, usd};
use crate::service::chat::intent::NoticeKind;
use crate::service::chat::retrieve::FundChoice;

pub struct NoticeQuestion<'a> {
    pub kind: Option<NoticeKind>,
    pub number: Option<u32>,
    pub parts: &'a [ComponentKind],
    pub breakdown: bool,
    pub recallable: bool,
}

fn source(n: &NoticeFlow) -> Source {
    Source {
        document_id: n.document_id,
        file_name: n.file_name.clone(),
        page: n.page,
        heading: Some(n.reference.clone().unwrap_or_else(|| noun(n).to_string())),
        content: n.source_text.clone(),
        score: None,
    }
}

fn noun(n: &NoticeFlow) -> &'static str {
    if n.is_call() {
        "capital call notice"
    } else {
        "distribution notice"
    }
}

fn of_kind(n: &NoticeFlow, kind: Option<NoticeKind>) -> bool {
    match kind {
        Some(NoticeKind::Call) => n.is_call(),
        Some(NoticeKind::Distribution) => !n.is_call(),
        None => true,
    }
}

fn row(n: &NoticeFlow) -> Value {
    json!({
        "fund": n.fund_name, "fund_id": n.fund_id, "type": n.kind, "reference": n.reference,
        "date": n.date, "notice_date": n.notice_date, "amount": n.amount.to_string(),
        "recallable_amount": n.recallable_amount.map(|v| v.to_string()),
        "components": n.components.0, "document_id": n.document_id, "page": n.page,
    })
}

/// "$2,292,045.69 due February 28, 2024 (notice dated February 8, 2024)".
fn headline(n: &NoticeFlow, today: chrono::NaiveDate) -> String {
    let when = if n.is_call() { "due" } else { "paid" };
    let relative = if n.is_call() {
        let days = (n.date - today).num_days();
        match days {
            d if d > 0 => format!(", {d} days from today"),
            0 => ", today".to_string(),
            d => format!("; that due date passed {} days ago", -d),
        }
    } else {
        String::new()
    };
    format!(
        "{} {when} {}{}{relative}",
        usd(n.amount),
        long_date(n.date),
        n.notice_date
            .map(|d| format!(" (notice dated {})", long_date(d)))
            .unwrap_or_default()
    )
}

pub async fn answer(
    a: &Ask<'_>,
    q: &NoticeQuestion<'_>,
) -> Result<Option<(Grounded, Option<i64>)>> {
    let fund = a.fund();
    let scope: Option<Vec<i64>> = match (fund, q.number) {
        (Some(f), _) => Some(vec![f.id]),
        // A notice number without a fund: look in every fund, and ask if several have it.
        (None, Some(_)) => None,
        (None, None) => {
            return Ok(Some((a.fund_or_ask().err().unwrap_or_default(), None)));
        }
    };
    let all = notices::of_funds(&a.chat.db, scope.as_deref()).await?;
    let mut found: Vec<&NoticeFlow> = all.iter().filter(|n| of_kind(n, q.kind)).collect();
    if let Some(num) = q.number {
        found.retain(|n| n.number() == Some(num));
        let funds: BTreeSet<(&str, i64)> = found
            .iter()
            .map(|n| (n.fund_name.as_str(), n.fund_id))
            .collect();
        if funds.len() > 1 {
            let names: Vec<&str> = funds.iter().map(|f| f.0).collect();
            let what = found[0]
                .reference
                .clone()
                .unwrap_or_else(|| format!("Notice No. {num}"));
            return Ok(Some((
                Grounded::say(format!(
                    "{what} exists in {} funds: {}. Which fund do you mean? Name it (or pick it in the fund picker) and ask again.",
                    names.len(),
                    names.join(" and ")
                )),
                None,
            )));
        }
    }
    let Some(n) = found
        .iter()
        .max_by_key(|n| (n.notice_date.unwrap_or(n.date), n.date))
        .copied()
    else {
        let whose = fund.map_or("any fund".to_string(), |f| f.name.clone());
        let what = match (q.number, q.kind) {
            (Some(num), Some(NoticeKind::Distribution)) => format!("Distribution No. {num}"),
            (Some(num), _) => format!("Capital Call No. {num}"),
            (None, Some(NoticeKind::Distribution)) => "distribution notice".to_string(),
            (None, _) => "capital call notice".to_string(),
        };
        if q.number.is_none() && fund.is_some() {
            // No notice for this fund: a table or text may still answer it.
            return Ok(None);
        }
        return Ok(Some((
            Grounded::say(format!("No processed {what} was found for {whose}.")),
            fund.map(|f| f.id),
        )));
    };
    let mut sources = Vec::new();
    let c = cite(&mut sources, source(n));
    let title = n
        .reference
        .clone()
        .unwrap_or_else(|| format!("The latest {}", noun(n)));
    let mut text = format!(
        "{title} from {}: {} [{c}].",
        n.fund_name,
        headline(n, a.today)
    );
    let components = &n.components.0;
    for part in q.parts {
        let lines: Vec<&shared::domain::Component> =
            components.iter().filter(|x| x.kind() == *part).collect();
        if lines.is_empty() {
            text.push_str(&format!(
                "\nThe notice shows no {} line{}.",
                part.label(),
                if components.is_empty() {
                    " (it prints no breakdown)"
                } else {
                    ""
                }
            ));
            continue;
        }
        let sum: Decimal = lines.iter().map(|x| x.amount).sum();
        let detail: Vec<String> = lines
            .iter()
            .map(|x| format!("{} {}", x.label, usd(x.amount)))
            .collect();
        text.push_str(&format!(
            "\n{}: {} ({}) [{c}].",
            capitalised(part.label()),
            usd(sum),
            detail.join("; ")
        ));
    }
    if q.breakdown || (q.parts.is_empty() && !q.recallable && !components.is_empty()) {
        if components.is_empty() {
            text.push_str("\nThe notice prints no breakdown of the amount.");
        } else {
            let detail: Vec<String> = components
                .iter()
                .map(|x| format!("{} {}", x.label, usd(x.amount)))
                .collect();
            text.push_str(&format!("\nBreakdown: {} [{c}].", detail.join("; ")));
        }
    }
    if q.recallable || (!n.is_call() && n.recallable_amount.is_some()) {
        match n.recallable_amount {
            Some(r) => text.push_str(&format!(
                "\nRecallable portion: {} of the {} may be called again [{c}].",
                usd(r),
                usd(n.amount)
            )),
            None => text.push_str("\nThe notice states no recallable amount."),
        }
    }
    Ok(Some((
        Grounded {
            text,
            sources,
            metrics: None,
            rows: Some(vec![row(n)]),
        },
        Some(n.fund_id),
    )))
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Calls due within `days` from today, or past their due date; one fund or all of them.
pub async fn upcoming(
    a: &Ask<'_>,
    days: i64,
    overdue: bool,
) -> Result<Option<(Grounded, Option<i64>)>> {
    let fund = match a.choice {
        FundChoice::One(f) if a.named || !a.subject.across_funds => Some(f),
        _ => None,
    };
    let scope = fund.map(|f| vec![f.id]);
    let calls: Vec<NoticeFlow> = notices::of_funds(&a.chat.db, scope.as_deref())
        .await?
        .into_iter()
        .filter(NoticeFlow::is_call)
        .collect();
    let until = a.today + chrono::Duration::days(days);
    let hits: Vec<&NoticeFlow> = calls
        .iter()
        .filter(|n| {
            if overdue {
                n.date < a.today
            } else {
                n.date >= a.today && n.date <= until
            }
        })
        .collect();
    let whose = fund.map_or("any fund".to_string(), |f| f.name.clone());
    let mut sources = Vec::new();
    let text = if hits.is_empty() {
        let window = if overdue {
            format!("past its due date as of {}", long_date(a.today))
        } else {
            format!(
                "due between {} and {}",
                long_date(a.today),
                long_date(until)
            )
        };
        let mut t = format!("No capital call of {whose} is {window}.");
        if let Some(last) = calls.iter().max_by_key(|n| n.date) {
            let c = cite(&mut sources, source(last));
            t.push_str(&format!(
                " The most recent call on file is {} from {}: {} [{c}].",
                last.reference.as_deref().unwrap_or("a capital call"),
                last.fund_name,
                headline(last, a.today)
            ));
        }
        t
    } else {
        let lines: Vec<String> = hits
            .iter()
            .map(|n| {
                let c = cite(&mut sources, source(n));
                format!(
                    "{} — {}: {} [{c}]",
                    n.fund_name,
                    n.reference.as_deref().unwrap_or("capital call"),
                    headline(n, a.today)
                )
            })
            .collect();
        let total: Decimal = hits.iter().map(|n| n.amount).sum();
        let head = if overdue {
            "Calls past their due date (paid or not: the notices do not say)".to_string()
        } else {
            format!("Calls due in the next {days} days")
        };
        format!(
            "{head}, {} in all: {}.\n- {}",
            hits.len(),
            usd(total),
            lines.join("\n- ")
        )
    };
    Ok(Some((
        Grounded {
            text,
            sources,
            metrics: None,
            rows: Some(hits.iter().map(|n| row(n)).collect()),
        },
        fund.map(|f| f.id),
    )))
}
