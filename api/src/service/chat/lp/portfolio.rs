//! Portfolio-table questions ("which 2015 vintage funds have the highest TVPI?", "total
//! commitment to 2012 funds", "the IRR of fund X"), answered by SQL over the stored rows with
//! the rows as a table. Several tables and no hint which: ask.
use rust_decimal::Decimal;
use shared::db::portfolio::{self, Column, Match, PortfolioDocument, Query};

use super::{Ask, cite};
use crate::error::Result;
use crate::service::chat::answer::{Grounded, Source, usd};
use crate::service::chat::intent::{PortfolioAsk, words};

fn cell(c: Column, v: Option<Decimal>) -> String {
    match v {
        None => "blank".to_string(),
        Some(v) if c.is_money() => usd(v),
        Some(v) if c == Column::Tvpi => format!("{}x", v.normalize()),
        Some(v) if c == Column::IrrPct => format!("{}%", v.normalize()),
        Some(v) => v.normalize().to_string(),
    }
}

fn describe(m: &Match) -> String {
    let cols = [
        Column::VintageYear,
        Column::Commitment,
        Column::Contributed,
        Column::Distributed,
        Column::Nav,
        Column::Tvpi,
        Column::IrrPct,
    ];
    let parts: Vec<String> = cols
        .iter()
        .filter(|c| m.value(**c).is_some())
        .map(|c| format!("{} {}", c.label(), cell(*c, m.value(*c))))
        .collect();
    format!("{}: {}", m.row.name, parts.join(", "))
}

fn page_source(doc: &PortfolioDocument, m: &Match) -> Source {
    Source {
        document_id: doc.document_id,
        file_name: doc.file_name.clone(),
        page: m.row.page,
        heading: Some("Portfolio table".into()),
        content: m.source_text.clone(),
        score: None,
    }
}

/// The table the question means: the only one, or the one whose file name or investor the
/// question names. `Err` asks back.
fn choose<'d>(
    query: &str,
    docs: &'d [PortfolioDocument],
) -> std::result::Result<&'d PortfolioDocument, String> {
    if docs.len() == 1 {
        return Ok(&docs[0]);
    }
    let q = words(query);
    let named: Vec<&PortfolioDocument> = docs
        .iter()
        .filter(|d| {
            let mut ws = words(&d.file_name.replace(['_', '-'], " "));
            ws.extend(words(d.investor.as_deref().unwrap_or("")));
            ws.iter()
                .filter(|w| w.len() >= 4 && w.chars().any(|c| c.is_alphabetic()))
                .any(|w| {
                    q.contains(w)
                        && !matches!(
                            w.as_str(),
                            "fund" | "funds" | "private" | "equity" | "portfolio" | "table"
                        )
                })
        })
        .collect();
    match named.as_slice() {
        [one] => Ok(one),
        _ => Err(format!(
            "Several portfolio tables are stored ({}). Which one do you mean? Name its plan or file and ask again.",
            docs.iter()
                .map(|d| d.investor.clone().unwrap_or_else(|| d.file_name.clone()))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// A row whose whole name the question contains (the longest such name).
async fn named_row(a: &Ask<'_>, doc: &PortfolioDocument) -> Result<Option<Match>> {
    let q = format!(" {} ", words(a.query).join(" "));
    let Some((seq, _)) = portfolio::names(&a.chat.db, doc.document_id)
        .await?
        .into_iter()
        .filter(|(_, name)| {
            let n = words(name).join(" ");
            n.len() >= 6 && q.contains(&format!(" {n} "))
        })
        .max_by_key(|(_, name)| name.len())
    else {
        return Ok(None);
    };
    let found = portfolio::find(
        &a.chat.db,
        &Query {
            document_id: doc.document_id,
            seq: Some(seq),
            limit: 1,
            ..Default::default()
        },
    )
    .await?;
    Ok(found.into_iter().next())
}

pub async fn answer(a: &Ask<'_>, p: &PortfolioAsk) -> Result<Option<(Grounded, Option<i64>)>> {
    let docs = portfolio::documents(&a.chat.db).await?;
    if docs.is_empty() {
        return Ok(None);
    }
    let doc = match choose(a.query, &docs) {
        Ok(d) => d,
        Err(ask) => return Ok(Some((Grounded::say(ask), None))),
    };
    let mut sources = Vec::new();
    // A ranking, count or total is about many rows, never the one a name picks.
    let about_many = p.top.is_some() || p.count || p.total.is_some();
    let named = if about_many {
        None
    } else {
        named_row(a, doc).await?
    };
    if let Some(m) = named {
        let n = cite(&mut sources, page_source(doc, &m));
        let text = format!("In {}: {} [{n}].", doc.file_name, describe(&m));
        return Ok(Some((
            Grounded {
                text,
                sources,
                metrics: None,
                rows: Some(vec![serde_json::to_value(&m).unwrap_or_default()]),
            },
            None,
        )));
    }
    let limit = p
        .top
        .unwrap_or(if p.count || p.total.is_some() { 10 } else { 25 }) as i64;
    let found = portfolio::find(
        &a.chat.db,
        &Query {
            document_id: doc.document_id,
            vintage: p.vintage,
            name: None,
            seq: None,
            sort: p.sort,
            descending: p.descending,
            limit,
        },
    )
    .await?;
    let scope = match p.vintage {
        Some(y) => format!("vintage {y} funds"),
        None => "funds".to_string(),
    };
    let Some(first) = found.first() else {
        return Ok(Some((
            Grounded::say(format!(
                "The portfolio table in {} has no {scope}.",
                doc.file_name
            )),
            None,
        )));
    };
    let matched = first.matched;
    let mut parts = Vec::new();
    if p.count {
        parts.push(format!(
            "{matched} {scope} are listed in {}.",
            doc.file_name
        ));
    }
    if let Some(c) = p.total {
        parts.push(format!(
            "Total {} of the {matched} {scope}: {} (sum of the rows as printed).",
            c.label(),
            cell(c, first.total(c))
        ));
    }
    let listed: Vec<String> = found
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let n = cite(&mut sources, page_source(doc, m));
            format!("{}. {} [{n}]", i + 1, describe(m))
        })
        .collect();
    match (p.sort, p.top) {
        (Some(c), Some(1)) => parts.insert(
            0,
            format!(
                "{} has the {} {} among the {matched} {scope} in {}: {}.",
                first.row.name,
                if p.descending { "highest" } else { "lowest" },
                c.label(),
                doc.file_name,
                cell(c, first.value(c))
            ),
        ),
        (Some(c), _) => parts.push(format!(
            "{} {scope} by {} ({} of {matched}):",
            if p.descending { "Top" } else { "Bottom" },
            c.label(),
            found.len()
        )),
        (None, _) if parts.is_empty() => parts.push(format!(
            "{} of the {matched} {scope} in {}:",
            found.len(),
            doc.file_name
        )),
        _ => {}
    }
    let text = format!("{}\n{}", parts.join(" "), listed.join("\n"));
    Ok(Some((
        Grounded {
            text,
            sources,
            metrics: None,
            rows: Some(
                found
                    .iter()
                    .map(|m| serde_json::to_value(m).unwrap_or_default())
                    .collect(),
            ),
        },
        None,
    )))
}
