//! The web console: server-rendered pages for LP analysts, mounted beside `/api` at `/`.
mod assets;
mod charts;
mod chat;
mod documents;
mod format;
mod fund_detail;
mod funds;
mod portfolio;
mod position;
mod upload;

use askama::Template;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::error::ApiError;
use crate::state::AppState;

/// Pages and their assets. Merged into the app router, so `/api`, `/health` and `/ready` stay as they are.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(upload::page))
        .route("/upload", get(upload::page))
        .route("/documents", get(documents::page))
        .route("/documents/{id}/portfolio", get(portfolio::page))
        .route("/funds", get(funds::page))
        .route("/funds/{id}", get(fund_detail::page))
        .route("/chat", get(chat::page))
        .route("/static/{name}", get(assets::serve))
}

/// Everything the pages load comes from this origin; no inline script, so injected markup
/// cannot run even if escaping were ever missed.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Renders a page with the console's security headers.
fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => {
            let mut res = (status, Html(html)).into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CSP),
            );
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "console template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The page could not be rendered; the error has been logged.",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    nav: &'static str,
    heading: String,
    message: String,
    hint: &'static str,
}

/// A page that could not be shown, rendered as HTML (the API's JSON errors are for programs).
#[derive(Debug)]
pub enum PageError {
    NotFound(String),
    /// Anything else a service refused or failed at, shown with its status.
    Service(ApiError),
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::NotFound(m) => Self::NotFound(m),
            other => Self::Service(other),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, heading, message, hint) = match self {
            Self::NotFound(m) => (
                StatusCode::NOT_FOUND,
                "Not found".to_string(),
                m,
                "Check the address, or pick from the lists in the navigation above.",
            ),
            Self::Service(e) => match e.status() {
                StatusCode::SERVICE_UNAVAILABLE => {
                    tracing::warn!(error = %e, "database unavailable");
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        "The database is busy".to_string(),
                        "The database is busy or unavailable right now.".to_string(),
                        "Reload the page in a few seconds.",
                    )
                }
                status if status.is_server_error() => {
                    tracing::error!(error = ?e, "console page failed");
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "Something went wrong".to_string(),
                        "Something went wrong on our side; the error has been logged.".to_string(),
                        "Reload the page; if it keeps failing, tell the Fundlens operators.",
                    )
                }
                status => (
                    status,
                    "This cannot be shown".to_string(),
                    e.to_string(),
                    "Check the address, or pick from the lists in the navigation above.",
                ),
            },
        };
        render(
            status,
            &ErrorPage {
                nav: "",
                heading,
                message,
                hint,
            },
        )
    }
}

type PageResult = Result<Response, PageError>;

/// Parses an id from a path segment; anything else is a 404 page rather than a JSON error.
fn parse_id(raw: &str, what: &str) -> Result<i64, PageError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| PageError::NotFound(format!("There is no {what} with the id \"{raw}\".")))
}

/// An optional positive integer from a query string, where an empty value means "not set"
/// (HTML forms send `fund_id=` for the "all" option).
fn opt_id(raw: Option<&str>) -> Option<i64> {
    raw.and_then(|s| s.trim().parse::<i64>().ok())
        .filter(|v| *v > 0)
}
