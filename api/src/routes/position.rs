//! `GET /api/funds/{id}/position?as_of=`: the LP's commitment, contributed, distributed,
//! unfunded, recallable and NAV, stated or derived, with sources and discrepancies.
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use shared::metrics::position::Position;

use crate::error::Result;
use crate::extractors::{Path, Query};
use crate::params;
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
    let as_of = params::as_of(q.as_of.as_deref())?;
    Ok(Json(state.positions.of_fund(id, as_of).await?))
}
