//! Query values shared by several routes (`as_of`, a transaction type), parsed with messages a
//! person can act on.
use chrono::NaiveDate;
use shared::db::transactions::{Kind, UnknownKind};

use crate::error::{ApiError, Result};

/// An optional `as_of` date; empty means "as of the latest data".
pub fn as_of(raw: Option<&str>) -> Result<Option<NaiveDate>> {
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

/// A transaction type as the API names it (`capital_calls`, `distributions`, `adjustments`).
pub fn kind(raw: &str) -> Result<Kind> {
    raw.trim()
        .parse()
        .map_err(|e: UnknownKind| ApiError::BadRequest(e.to_string()))
}
