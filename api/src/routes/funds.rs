//! `/api/funds`: list, create and read funds, each with its metrics.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::db::funds::{self, Fund, NewFund};

use crate::error::{ApiError, Result};
use crate::extractors::{self, Path};
use crate::routes::metrics::MetricsBody;
use crate::state::AppState;

/// A fund with its current metrics (as of its latest data).
#[derive(Serialize)]
pub struct FundWithMetrics<'a> {
    #[serde(flatten)]
    fund: &'a Fund,
    metrics: MetricsBody<'a>,
}

/// The versions come with the list, so a warm cache answers with this one query.
pub async fn list(State(state): State<AppState>) -> Result<Json<Value>> {
    let all = funds::list(&state.db).await?;
    let mut snaps = Vec::with_capacity(all.len());
    for f in &all {
        snaps.push(
            state
                .metrics
                .at_version(&state.db, f.id, f.data_version, None)
                .await?,
        );
    }
    let items: Vec<FundWithMetrics> = all
        .iter()
        .zip(&snaps)
        .map(|(fund, s)| FundWithMetrics {
            fund,
            metrics: MetricsBody::from(&**s),
        })
        .collect();
    Ok(Json(
        serde_json::to_value(items).map_err(|e| ApiError::Internal(e.into()))?,
    ))
}

pub async fn get(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Json<Value>> {
    let fund = funds::get(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("Fund", id))?;
    let snap = state
        .metrics
        .at_version(&state.db, fund.id, fund.data_version, None)
        .await?;
    let body = FundWithMetrics {
        fund: &fund,
        metrics: MetricsBody::from(&*snap),
    };
    Ok(Json(
        serde_json::to_value(body).map_err(|e| ApiError::Internal(e.into()))?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateFund {
    name: String,
    gp_name: Option<String>,
    fund_type: Option<String>,
    vintage_year: Option<i32>,
}

pub async fn create(
    State(state): State<AppState>,
    extractors::Json(body): extractors::Json<CreateFund>,
) -> Result<(StatusCode, Json<Fund>)> {
    let name = body.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.len() > 200 {
        return Err(ApiError::Unprocessable(
            "`name` must be 1 to 200 characters.".into(),
        ));
    }
    if let Some(y) = body.vintage_year
        && !(1900..=2200).contains(&y)
    {
        return Err(ApiError::Unprocessable(
            "`vintage_year` must be a year such as 2021.".into(),
        ));
    }
    let new = NewFund {
        name: name.clone(),
        gp_name: body
            .gp_name
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        fund_type: body
            .fund_type
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        vintage_year: body.vintage_year,
        ..Default::default()
    };
    match funds::create(&state.db, &new).await? {
        Some(fund) => Ok((StatusCode::CREATED, Json(fund))),
        None => Err(ApiError::Conflict(format!(
            "A fund named \"{name}\" already exists."
        ))),
    }
}
