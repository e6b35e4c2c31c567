//! `/api/chat`: questions (JSON or Server-Sent Events) and conversations.
use std::convert::Infallible;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::{self, Stream};
use serde::Deserialize;
use serde_json::{Value, json};
use shared::db::conversations::Conversation;

use crate::error::{ApiError, Result};
use crate::extractors::{self, Path, Query};
use crate::service::chat::{QueryRequest, QueryResponse};
use crate::state::AppState;

/// Conversations listed at once; the console shows the most recent.
const LIST_LIMIT: i64 = 100;

/// `POST /api/chat/query {query, fund_id?, conversation_id?}`
pub async fn query(
    State(state): State<AppState>,
    extractors::Json(req): extractors::Json<QueryRequest>,
) -> Result<Json<QueryResponse>> {
    Ok(Json(state.chat.ask(req).await?))
}

/// Splits an answer into word-sized pieces that keep their spacing, so concatenating the
/// `token` events gives back the answer exactly.
fn pieces(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for ch in text.chars() {
        if ch.is_whitespace() && !cur.trim().is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(ch);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `POST /api/chat/query/stream`: the same answer as Server-Sent Events — `token` events
/// (`{"text": …}`), then one `sources` event with the whole response, then `done`. The answer
/// is complete (and, with an LLM, checked) before the first token leaves, so a rejected LLM
/// answer is never half-streamed; errors before that are ordinary JSON errors.
pub async fn query_stream(
    State(state): State<AppState>,
    extractors::Json(req): extractors::Json<QueryRequest>,
) -> Result<Sse<impl Stream<Item = std::result::Result<Event, Infallible>>>> {
    let res = state.chat.ask(req).await?;
    let mut events: Vec<Event> = pieces(&res.answer)
        .into_iter()
        .map(|p| {
            Event::default()
                .event("token")
                .data(json!({ "text": p }).to_string())
        })
        .collect();
    let body = serde_json::to_string(&res).map_err(|e| ApiError::Internal(e.into()))?;
    events.push(Event::default().event("sources").data(body));
    events.push(Event::default().event("done").data("{}"));
    Ok(Sse::new(stream::iter(events.into_iter().map(Ok))).keep_alive(KeepAlive::default()))
}

#[derive(Debug, Deserialize)]
pub struct NewConversation {
    fund_id: Option<i64>,
}

/// `POST /api/chat/conversations {fund_id?}`
pub async fn create_conversation(
    State(state): State<AppState>,
    extractors::Json(body): extractors::Json<NewConversation>,
) -> Result<(StatusCode, Json<Conversation>)> {
    let c = state.chat.start_conversation(body.fund_id).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// `GET /api/chat/conversations/{id}` with its messages, oldest first.
pub async fn get_conversation(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let (c, messages) = state.chat.conversation(id).await?;
    let mut body = serde_json::to_value(c).map_err(|e| ApiError::Internal(e.into()))?;
    body["messages"] = serde_json::to_value(messages).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(Json(body))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    fund_id: Option<i64>,
}

/// `GET /api/chat/conversations?fund_id=`: most recently active first.
pub async fn list_conversations(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>> {
    let items = state.chat.conversations(q.fund_id, LIST_LIMIT).await?;
    Ok(Json(json!({ "items": items })))
}

#[cfg(test)]
mod tests {
    #[test]
    fn pieces_rebuild_the_answer() {
        let text = "DPI is 0.3598 [1].\n\nFrom x: “y”";
        assert_eq!(super::pieces(text).concat(), text);
        assert!(super::pieces(text).len() > 4);
    }
}
