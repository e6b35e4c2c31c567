//! "Who is the general partner?": the GP a fund's documents name, cited to the page that prints
//! it; a fund whose documents name none is left to the text search.
use shared::db::funds;

use super::{Ask, cite};
use crate::error::Result;
use crate::service::chat::answer::{Grounded, Source};

pub async fn general_partner(a: &Ask<'_>) -> Result<Option<(Grounded, Option<i64>)>> {
    let fund = match a.fund_or_ask() {
        Ok(f) => f,
        Err(g) => return Ok(Some((g, None))),
    };
    let Some(gp) = funds::gp_named(&a.chat.db, fund.id).await? else {
        return Ok(None);
    };
    let mut sources = Vec::new();
    let n = cite(
        &mut sources,
        Source {
            document_id: gp.document_id,
            file_name: gp.file_name.clone(),
            page: gp.page,
            heading: Some("General partner".into()),
            content: gp.content,
            score: None,
        },
    );
    Ok(Some((
        Grounded {
            text: format!(
                "The general partner of {} is {}, as named in {}, page {} [{n}].",
                fund.name, gp.gp_name, gp.file_name, gp.page
            ),
            sources,
            metrics: None,
            rows: None,
        },
        Some(fund.id),
    )))
}
