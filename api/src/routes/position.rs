//! `GET /api/funds/{id}/position?as_of=`: the LP's commitment, contributed, distributed,
//! unfunded, recallable and NAV, stated or derived, with sources and discrepancies.
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use shared::db::{funds, statements};
use shared::metrics::position::{self, Position};

use crate::error::{ApiError, Result};
use crate::extractors::{Path, Query};
use crate::routes::metrics::parse_as_of;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct PositionQuery {
    as_of: Option<String>,
}

pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<PositionQuery>,
) -> Result<Json<Position>> {
    let as_of = parse_as_of(q.as_of.as_deref())?;
    Ok(Json(load(&state, id, as_of).await?))
}

/// The fund's position (also drawn on the console's fund page).
pub async fn load(state: &AppState, id: i64, as_of: Option<chrono::NaiveDate>) -> Result<Position> {
    if !funds::exists(&state.db, id).await? {
        return Err(ApiError::not_found("Fund", id));
    }
    let (facts, flows) = statements::position_inputs(&state.db, id, as_of).await?;
    Ok(position::position(&facts, &flows))
}
