//! `/api/funds`: list, create and read funds, each with its metrics.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::db::funds::Fund;

use crate::error::{ApiError, Result};
use crate::extractors::{self, Path};
use crate::service::funds::FundDraft;
use crate::service::metrics::MetricsBody;
use crate::state::AppState;

/// A fund with its current metrics (as of its latest data).
#[derive(Serialize)]
pub struct FundWithMetrics<'a> {
    #[serde(flatten)]
    fund: &'a Fund,
    metrics: MetricsBody<'a>,
}

pub async fn list(State(state): State<AppState>) -> Result<Json<Value>> {
    let all = state.funds.list_with_metrics().await?;
    let items: Vec<FundWithMetrics> = all
        .iter()
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
    let (fund, snap) = state.funds.with_metrics(id, None).await?;
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
    let fund = state
        .funds
        .create(FundDraft {
            name: body.name,
            gp_name: body.gp_name,
            fund_type: body.fund_type,
            vintage_year: body.vintage_year,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(fund)))
}
