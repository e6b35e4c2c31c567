//! Fund metrics: values, per-metric breakdowns, reconciliation and side-by-side comparison.
use std::collections::BTreeSet;

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shared::db::funds;
use shared::metrics::{Discrepancy, FundMetrics, Metric, breakdown};

use crate::error::{ApiError, Result};
use crate::extractors::{Path, Query};
use crate::fund_ids::{self, MAX_COMPARE};
use crate::metrics_cache::FundSnapshot;
use crate::state::AppState;

/// The metrics object of every response: the engine's figures plus the reconciliation's
/// disagreements (which do not depend on `as_of`: each stated figure is checked at its own date).
#[derive(Serialize)]
pub struct MetricsBody<'a> {
    #[serde(flatten)]
    pub metrics: &'a FundMetrics,
    pub discrepancies: &'a [Discrepancy],
}

impl<'a> From<&'a FundSnapshot> for MetricsBody<'a> {
    fn from(s: &'a FundSnapshot) -> Self {
        Self {
            metrics: &s.metrics,
            discrepancies: &s.reconciliation.discrepancies,
        }
    }
}

/// Parses an optional `as_of` query value with a message a person can act on.
pub fn parse_as_of(raw: Option<&str>) -> Result<Option<NaiveDate>> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| {
            ApiError::BadRequest(format!(
                "`as_of` must be a calendar date written YYYY-MM-DD (e.g. 2024-12-31), not {raw:?}."
            ))
        })
}

pub async fn snapshot(
    state: &AppState,
    fund_id: i64,
    as_of: Option<NaiveDate>,
) -> Result<std::sync::Arc<FundSnapshot>> {
    state
        .metrics
        .for_fund(&state.db, fund_id, as_of)
        .await?
        .ok_or_else(|| ApiError::not_found("Fund", fund_id))
}

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
    let as_of = parse_as_of(q.as_of.as_deref())?;
    let snap = snapshot(&state, id, as_of).await?;
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
    let as_of = parse_as_of(q.as_of.as_deref())?;
    let snap = snapshot(&state, id, as_of).await?;
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
    let snap = snapshot(&state, id, None).await?;
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
    let as_of = parse_as_of(q.as_of.as_deref())?;
    let found = funds::get_many(&state.db, &ids).await?;
    let known: BTreeSet<i64> = found.iter().map(|f| f.id).collect();
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !known.contains(id))
        .map(i64::to_string)
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::NotFound(if missing.len() == 1 {
            format!("Fund {} does not exist.", missing[0])
        } else {
            format!("Funds {} do not exist.", missing.join(", "))
        }));
    }
    let mut out = Vec::with_capacity(ids.len());
    for id in &ids {
        let Some(fund) = found.iter().find(|f| f.id == *id) else {
            continue;
        };
        let snap = state
            .metrics
            .at_version(&state.db, fund.id, fund.data_version, as_of)
            .await?;
        out.push(json!({
            "id": fund.id,
            "name": fund.name,
            "vintage_year": fund.vintage_year,
            "metrics": MetricsBody::from(&*snap),
        }));
    }
    Ok(Json(json!({ "as_of": as_of, "funds": out })))
}
