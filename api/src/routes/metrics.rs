//! Fund metrics: values, per-metric breakdowns, reconciliation and side-by-side comparison.
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};
use shared::metrics::{Metric, breakdown};

use crate::error::{ApiError, Result};
use crate::extractors::{Path, Query};
use crate::fund_ids::{self, MAX_COMPARE};
use crate::params;
use crate::service::metrics::MetricsBody;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct AsOfQuery {
    as_of: Option<String>,
}

/// `GET /api/funds/{id}/metrics?as_of=`
pub async fn fund_metrics(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<AsOfQuery>,
) -> Result<Json<Value>> {
    let as_of = params::as_of(q.as_of.as_deref())?;
    let snap = state.metrics.snapshot(id, as_of).await?;
    let mut body = serde_json::to_value(MetricsBody::from(&*snap))
        .map_err(|e| ApiError::Internal(e.into()))?;
    body["fund_id"] = json!(id);
    Ok(Json(body))
}

#[derive(Debug, Deserialize)]
pub struct BreakdownQuery {
    metric: Option<String>,
    as_of: Option<String>,
}

/// `GET /api/metrics/funds/{id}/metrics`: the breakdown's first URL, moved beside the fund's
/// other metrics; a 308 keeps the method and the query.
pub async fn breakdown_moved(
    Path(id): Path<i64>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> axum::response::Redirect {
    let query = query.map(|q| format!("?{q}")).unwrap_or_default();
    axum::response::Redirect::permanent(&format!("/api/funds/{id}/metrics/breakdown{query}"))
}

/// `GET /api/funds/{id}/metrics/breakdown?metric=dpi|irr|pic|tvpi|rvpi|all&as_of=`
pub async fn fund_breakdown(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<BreakdownQuery>,
) -> Result<Json<Value>> {
    let selection = Metric::parse_selection(q.metric.as_deref().unwrap_or("all")).map_err(|e| {
        ApiError::BadRequest(format!(
            "Unknown metric {:?}: use one of pic, dpi, tvpi, rvpi, irr, all.",
            e.0
        ))
    })?;
    let as_of = params::as_of(q.as_of.as_deref())?;
    let snap = state.metrics.snapshot(id, as_of).await?;
    let explained = breakdown(&snap.input, &selection, as_of);
    // Through each breakdown's own serialization, so the values are JSON numbers like theirs.
    let metrics =
        serde_json::to_value(&explained.metrics).map_err(|e| ApiError::Internal(e.into()))?;
    let values: serde_json::Map<String, Value> = metrics
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| Some((m["metric"].as_str()?.to_string(), m["value"].clone())))
        .collect();
    Ok(Json(json!({
        "fund_id": id,
        "as_of": explained.as_of,
        "as_of_defaulted": explained.as_of_defaulted,
        "values": values,
        "metrics": metrics,
        "notes": explained.notes,
        "discrepancies": snap.reconciliation.discrepancies,
    })))
}

/// `GET /api/funds/{id}/reconciliation`
pub async fn reconciliation(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let snap = state.metrics.snapshot(id, None).await?;
    let r = &snap.reconciliation;
    Ok(Json(json!({
        "fund_id": id,
        "consistent": r.discrepancies.is_empty(),
        "checks": r.checks,
        "discrepancies": r.discrepancies,
        "notes": r.notes,
    })))
}

#[derive(Debug, Deserialize)]
pub struct CompareQuery {
    ids: Option<String>,
    as_of: Option<String>,
}

fn parse_ids(raw: Option<&str>) -> Result<Vec<i64>> {
    let raw = raw.map(str::trim).unwrap_or_default();
    if raw.is_empty() {
        return Err(ApiError::BadRequest(
            "Give the funds to compare as `ids`, e.g. ?ids=1,2,3.".into(),
        ));
    }
    let parsed = fund_ids::parse([raw]);
    if let Some(bad) = parsed.rejected.first() {
        return Err(ApiError::BadRequest(format!(
            "`ids` must be positive integers separated by commas (e.g. 1,2,3); {bad:?} is not one."
        )));
    }
    if parsed.ids.len() > MAX_COMPARE {
        return Err(ApiError::BadRequest(format!(
            "Compare at most {MAX_COMPARE} funds at a time; {} were given.",
            parsed.ids.len()
        )));
    }
    Ok(parsed.ids)
}

/// `GET /api/funds/compare?ids=1,2,3&as_of=`: the funds in the order asked.
pub async fn compare(
    State(state): State<AppState>,
    Query(q): Query<CompareQuery>,
) -> Result<Json<Value>> {
    let ids = parse_ids(q.ids.as_deref())?;
    let as_of = params::as_of(q.as_of.as_deref())?;
    let out: Vec<Value> = state
        .funds
        .compare(&ids, as_of)
        .await?
        .iter()
        .map(|(fund, snap)| {
            json!({
                "id": fund.id,
                "name": fund.name,
                "vintage_year": fund.vintage_year,
                "metrics": MetricsBody::from(&**snap),
            })
        })
        .collect();
    Ok(Json(json!({ "as_of": as_of, "funds": out })))
}
