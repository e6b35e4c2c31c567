//! Query and JSON extractors whose rejections speak the API's `{"detail": ...}` format.
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};

use crate::error::ApiError;

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::BadRequest(format!("Invalid query parameters: {}.", r.body_text()))
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::BadRequest(format!(
            "Invalid path: {}. Ids are positive integers.",
            r.body_text()
        ))
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType(
                "Send a JSON body with Content-Type: application/json.".into(),
            ),
            JsonRejection::JsonDataError(e) => {
                ApiError::Unprocessable(format!("Invalid request body: {}.", e.body_text()))
            }
            JsonRejection::JsonSyntaxError(e) => {
                ApiError::BadRequest(format!("The body is not valid JSON: {}.", e.body_text()))
            }
            other if other.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::PayloadTooLarge("The request body is larger than the 1 MB limit.".into())
            }
            other => ApiError::BadRequest(format!("Invalid request body: {}.", other.body_text())),
        }
    }
}

/// `page` (from 1) and `limit` query parameters, checked and clamped.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: Option<i64>,
    pub limit: Option<i64>,
}

impl Paging {
    /// Returns (page, limit, offset) or a 400 for out-of-range values.
    pub fn resolve(&self, default_limit: i64, max_limit: i64) -> Result<(i64, i64, i64), ApiError> {
        let page = self.page.unwrap_or(1);
        let limit = self.limit.unwrap_or(default_limit);
        if !(1..=1_000_000).contains(&page) {
            return Err(ApiError::BadRequest(
                "`page` must be between 1 and 1000000.".into(),
            ));
        }
        if !(1..=max_limit).contains(&limit) {
            return Err(ApiError::BadRequest(format!(
                "`limit` must be between 1 and {max_limit}."
            )));
        }
        Ok((page, limit, (page - 1) * limit))
    }
}

pub fn pages(total: i64, limit: i64) -> i64 {
    if total == 0 {
        0
    } else {
        (total + limit - 1) / limit
    }
}
