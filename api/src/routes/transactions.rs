//! `GET /api/funds/{id}/transactions`: a fund's calls, distributions and adjustments, paged.
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};
use shared::db::transactions::{Filter, Sort};

use crate::error::{ApiError, Result};
use crate::extractors::{Paging, Path, Query, pages};
use crate::params;
use crate::state::AppState;

pub const MAX_LIMIT: i64 = 1000;

#[derive(Debug, Deserialize)]
pub struct TransactionsQuery {
    #[serde(rename = "type")]
    kind: Option<String>,
    year: Option<i32>,
    sort: Option<String>,
    // Not `#[serde(flatten)]`: query strings lose their number types through flatten.
    page: Option<i64>,
    limit: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<TransactionsQuery>,
) -> Result<Json<Value>> {
    let (page, limit, offset) = Paging {
        page: q.page,
        limit: q.limit,
    }
    .resolve(100, MAX_LIMIT)?;
    let kind = q
        .kind
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(params::kind)
        .transpose()?;
    let sort = match q.sort.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => s
            .parse::<Sort>()
            .map_err(|e| ApiError::BadRequest(e.to_string()))?,
        None => Sort::default(),
    };
    if let Some(y) = q.year
        && !(1900..=2200).contains(&y)
    {
        return Err(ApiError::BadRequest(
            "`year` must be a year such as 2024.".into(),
        ));
    }
    let (items, total) = state
        .transactions
        .page(&Filter {
            fund_id: id,
            kind,
            year: q.year,
            sort,
            limit: Some(limit),
            offset,
        })
        .await?;
    Ok(Json(
        json!({ "items": items, "total": total, "page": page, "pages": pages(total, limit) }),
    ))
}
