//! Portfolio page: the rows of a many-funds table a document holds, sortable and filtered by
//! vintage, with CSV and Excel downloads.
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use shared::db::statements::PortfolioItem;

use super::format;
use super::{PageResult, opt_id, parse_id, render};
use crate::state::AppState;

/// Columns a person may sort by: (query value, heading).
const SORTS: [(&str, &str); 8] = [
    ("name", "Fund"),
    ("vintage", "Vintage"),
    ("commitment", "Commitment"),
    ("contributed", "Contributed"),
    ("distributed", "Distributed"),
    ("nav", "NAV"),
    ("tvpi", "TVPI"),
    ("irr", "IRR"),
];

#[derive(Debug, Default, Deserialize)]
pub struct Params {
    vintage: Option<String>,
    sort: Option<String>,
}

struct Row {
    name: String,
    vintage: String,
    commitment: String,
    contributed: String,
    distributed: String,
    nav: String,
    tvpi: String,
    irr: String,
    page: i32,
}

#[derive(Template)]
#[template(path = "portfolio.html")]
struct PortfolioPage {
    nav: &'static str,
    id: i64,
    file_name: String,
    rows: Vec<Row>,
    vintages: Vec<i32>,
    vintage: Option<i64>,
    sort: String,
    sorts: [(&'static str, &'static str); 8],
}

fn sort_rows(rows: &mut [PortfolioItem], key: &str) {
    // Unknown values sort last whatever the column.
    let num = |v: Option<rust_decimal::Decimal>| (v.is_none(), std::cmp::Reverse(v));
    match key {
        "vintage" => rows.sort_by_key(|r| (r.vintage_year.is_none(), r.vintage_year)),
        "commitment" => rows.sort_by_key(|r| num(r.commitment)),
        "contributed" => rows.sort_by_key(|r| num(r.contributed)),
        "distributed" => rows.sort_by_key(|r| num(r.distributed)),
        "nav" => rows.sort_by_key(|r| num(r.nav)),
        "tvpi" => rows.sort_by_key(|r| num(r.tvpi)),
        "irr" => rows.sort_by_key(|r| num(r.irr_pct)),
        _ => rows.sort_by_key(|r| r.name.to_lowercase()),
    }
}

pub async fn page(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Query(p): Query<Params>,
) -> PageResult {
    let id = parse_id(&raw, "document")?;
    let doc = state.documents.get(id).await?;
    let all = state.documents.portfolio(id, None).await?;
    let mut vintages: Vec<i32> = all.iter().filter_map(|r| r.vintage_year).collect();
    vintages.sort_unstable();
    vintages.dedup();
    let vintage = opt_id(p.vintage.as_deref());
    let mut rows: Vec<PortfolioItem> = all
        .into_iter()
        .filter(|r| vintage.is_none_or(|v| r.vintage_year.map(i64::from) == Some(v)))
        .collect();
    let sort = p
        .sort
        .filter(|s| SORTS.iter().any(|(k, _)| k == s))
        .unwrap_or_else(|| "name".into());
    sort_rows(&mut rows, &sort);
    let rows = rows
        .into_iter()
        .map(|r| Row {
            vintage: r
                .vintage_year
                .map_or(format::NONE.into(), |v| v.to_string()),
            commitment: format::money_opt(r.commitment),
            contributed: format::money_opt(r.contributed),
            distributed: format::money_opt(r.distributed),
            nav: format::money_opt(r.nav),
            tvpi: format::multiple(r.tvpi),
            irr: format::percent(r.irr_pct),
            page: r.page,
            name: r.name,
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &PortfolioPage {
            nav: "documents",
            id,
            file_name: doc.file_name,
            rows,
            vintages,
            vintage,
            sort,
            sorts: SORTS,
        },
    ))
}
