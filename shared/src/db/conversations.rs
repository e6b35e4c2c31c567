//! Chat conversations and their messages; the assistant's structured answer rides in `payload`.
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::PgPool;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Conversation {
    pub id: i64,
    pub fund_id: Option<i64>,
    pub title: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Message {
    pub id: i64,
    pub role: String,
    pub content: String,
    pub intent: Option<String>,
    pub payload: Option<Value>,
    pub created_at: DateTime<Utc>,
}

/// What a follow-up needs from the conversation: its fund and the previous answer's payload.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Context {
    pub fund_id: Option<i64>,
    pub last_payload: Option<Value>,
}

pub async fn create(pool: &PgPool, fund_id: Option<i64>) -> Result<Conversation, sqlx::Error> {
    sqlx::query_as(
        "INSERT INTO conversations (fund_id) VALUES ($1)
         RETURNING id, fund_id, title, created_at, updated_at",
    )
    .bind(fund_id)
    .fetch_one(pool)
    .await
}

pub async fn get(pool: &PgPool, id: i64) -> Result<Option<Conversation>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, fund_id, title, created_at, updated_at FROM conversations WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Most recently active first; `fund_id` narrows to one fund's conversations.
pub async fn list(
    pool: &PgPool,
    fund_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Conversation>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, fund_id, title, created_at, updated_at FROM conversations
         WHERE $1::bigint IS NULL OR fund_id = $1
         ORDER BY updated_at DESC, id DESC LIMIT $2",
    )
    .bind(fund_id)
    .bind(limit)
    .fetch_all(pool)
    .await
}

pub async fn messages(pool: &PgPool, id: i64) -> Result<Vec<Message>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, role, content, intent, payload, created_at FROM messages
         WHERE conversation_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(pool)
    .await
}

/// The conversation's fund and last answer in one round trip; `None` if it does not exist.
pub async fn context(pool: &PgPool, id: i64) -> Result<Option<Context>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.fund_id,
                (SELECT m.payload FROM messages m
                 WHERE m.conversation_id = c.id AND m.role = 'assistant'
                 ORDER BY m.id DESC LIMIT 1) AS last_payload
         FROM conversations c WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Stores one question and its answer, and moves the conversation to the answer's fund; the
/// first question becomes the title. One statement, so a turn is never stored by halves.
pub async fn record_turn(
    pool: &PgPool,
    id: i64,
    fund_id: Option<i64>,
    question: &str,
    answer: &str,
    intent: &str,
    payload: &Value,
) -> Result<(), sqlx::Error> {
    let title: String = question.chars().take(80).collect();
    sqlx::query(
        "WITH c AS (
             UPDATE conversations
             SET updated_at = now(), title = COALESCE(title, $5),
                 fund_id = COALESCE($6, fund_id)
             WHERE id = $1
         )
         INSERT INTO messages (conversation_id, role, content, intent, payload)
         VALUES ($1, 'user', $2, NULL, NULL), ($1, 'assistant', $3, $4, $7)",
    )
    .bind(id)
    .bind(question)
    .bind(answer)
    .bind(intent)
    .bind(title)
    .bind(fund_id)
    .bind(payload)
    .execute(pool)
    .await?;
    Ok(())
}
