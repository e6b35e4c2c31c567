//! `/api/funds`: list, create and read funds.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use shared::db::funds::{self, Fund, NewFund};

use crate::error::{ApiError, Result};
use crate::extractors::{self, Path};
use crate::state::AppState;

pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<Fund>>> {
    Ok(Json(funds::list(&state.db).await?))
}

pub async fn get(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Json<Fund>> {
    funds::get(&state.db, id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("Fund", id))
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
