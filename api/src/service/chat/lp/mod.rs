//! Answers to LP questions over notices, statements, positions and portfolio tables. Every
//! number comes from a stored fact, transaction or portfolio row and cites its document page;
//! an ambiguous fund or notice number is asked back, never guessed.
mod notices;
mod portfolio;
pub mod position;
mod profile;
mod statement;

use chrono::NaiveDate;
use shared::db::fund_facts::StatedRow;

use super::answer::{Grounded, Source};
use super::intent::{LpAsk, Subject};
use super::retrieve::{FundChoice, FundRow};
use super::{ChatService, pick_a_fund};
use crate::error::Result;

/// What an LP answer needs besides the question.
pub struct Ask<'a> {
    pub chat: &'a ChatService,
    pub query: &'a str,
    pub subject: &'a Subject,
    pub choice: &'a FundChoice,
    pub all: &'a [FundRow],
    /// True when the question names a fund.
    pub named: bool,
    pub today: NaiveDate,
}

impl Ask<'_> {
    fn fund(&self) -> Option<&FundRow> {
        match self.choice {
            FundChoice::One(f) => Some(f),
            _ => None,
        }
    }

    /// The fund, or the answer that asks which one.
    fn fund_or_ask(&self) -> std::result::Result<&FundRow, Grounded> {
        match self.choice {
            FundChoice::One(f) => Ok(f),
            FundChoice::Ambiguous(v) => Err(pick_a_fund(v)),
            FundChoice::NoFunds => Err(Grounded::say(super::NO_FUNDS)),
        }
    }
}

/// The answer and the fund it is about; `None` when the stored data cannot answer it (the
/// caller then searches the documents' text).
pub async fn answer(a: &Ask<'_>) -> Result<Option<(Grounded, Option<i64>)>> {
    let Some(ask) = &a.subject.lp else {
        return Ok(None);
    };
    match ask {
        LpAsk::Position { keys } => position::answer(a, keys).await,
        LpAsk::Notice {
            kind,
            number,
            parts,
            breakdown,
            recallable,
        } => {
            notices::answer(
                a,
                &notices::NoticeQuestion {
                    kind: *kind,
                    number: *number,
                    parts,
                    breakdown: *breakdown,
                    recallable: *recallable,
                },
            )
            .await
        }
        LpAsk::Upcoming { days, overdue } => notices::upcoming(a, *days, *overdue).await,
        LpAsk::Statement { keys, period } => statement::rows(a, keys, period.as_deref()).await,
        LpAsk::RollForward => statement::roll_forward(a).await,
        LpAsk::Reconcile => statement::reconcile(a).await,
        LpAsk::Portfolio(p) => portfolio::answer(a, p).await,
        LpAsk::GeneralPartner => profile::general_partner(a).await,
    }
}

pub(crate) fn long_date(d: NaiveDate) -> String {
    d.format("%B %-d, %Y").to_string()
}

/// A stated figure as a citation.
fn fact_source(f: &StatedRow) -> Source {
    Source {
        document_id: f.document_id,
        file_name: f.file_name.clone(),
        page: f.page,
        heading: Some(f.label.clone()),
        content: f.source_text.clone(),
        score: None,
    }
}

/// Adds `s` unless the same page of the same document is already cited; returns its number.
fn cite(sources: &mut Vec<Source>, s: Source) -> usize {
    if let Some(i) = sources
        .iter()
        .position(|x| x.document_id == s.document_id && x.page == s.page)
    {
        return i + 1;
    }
    sources.push(s);
    sources.len()
}
