//! Upload page: drop PDFs, pick a fund or let the worker detect it, watch each file get processed.
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use shared::db::funds::Fund;

use super::{PageResult, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "upload.html")]
struct UploadPage {
    nav: &'static str,
    funds: Vec<Fund>,
    max_upload_mb: usize,
}

pub async fn page(State(state): State<AppState>) -> PageResult {
    Ok(render(
        StatusCode::OK,
        &UploadPage {
            nav: "upload",
            funds: state.funds.list().await?,
            max_upload_mb: state.documents.max_upload_bytes() / (1024 * 1024),
        },
    ))
}
