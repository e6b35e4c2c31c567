//! Chat page: the shell (fund picker, question box, history sidebar); the browser talks to
//! `/api/chat/*` itself so answers stream in without a page load.
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use shared::db::funds::Fund;

use super::{PageResult, opt_id, render};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct Params {
    fund_id: Option<String>,
}

#[derive(Template)]
#[template(path = "chat.html")]
struct ChatPage {
    nav: &'static str,
    funds: Vec<Fund>,
    fund_id: Option<i64>,
}

pub async fn page(State(state): State<AppState>, Query(p): Query<Params>) -> PageResult {
    Ok(render(
        StatusCode::OK,
        &ChatPage {
            nav: "chat",
            funds: state.funds.list().await?,
            fund_id: opt_id(p.fund_id.as_deref()),
        },
    ))
}
