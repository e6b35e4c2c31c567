//! The API's one error type: every failure becomes `{"detail": "..."}` with the right status;
//! internals are logged, never sent to clients.
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub type Result<T, E = ApiError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    RequestTimeout(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("database error")]
    Db(#[from] sqlx::Error),
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl From<shared::files::FileError> for ApiError {
    fn from(e: shared::files::FileError) -> Self {
        use shared::files::FileError;
        match e {
            FileError::Db(e) => Self::Db(e),
            FileError::Store { .. } => {
                tracing::warn!(error = %e, "object storage unavailable");
                Self::Unavailable(
                    "File storage is unavailable right now, so nothing was stored; please retry in a few seconds."
                        .into(),
                )
            }
            other => Self::Internal(anyhow::Error::new(other)),
        }
    }
}

impl ApiError {
    pub fn not_found(what: &str, id: i64) -> Self {
        Self::NotFound(format!("{what} {id} does not exist."))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Db(e) if shared::db::pool::is_unavailable(e) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Db(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let detail = match &self {
            Self::Db(e) if status == StatusCode::SERVICE_UNAVAILABLE => {
                tracing::warn!(error = %e, "database unavailable");
                "The database is busy or unavailable right now; please retry in a few seconds."
                    .to_string()
            }
            Self::Db(e) => {
                tracing::error!(error = %e, "database error");
                "Something went wrong on our side; the error has been logged.".to_string()
            }
            Self::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                "Something went wrong on our side; the error has been logged.".to_string()
            }
            other => other.to_string(),
        };
        let mut res = (status, Json(serde_json::json!({ "detail": detail }))).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("2"),
            );
        }
        res
    }
}
