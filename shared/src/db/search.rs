//! Hybrid search over `document_chunks`: pgvector cosine and Postgres full text, fused by RRF.
use pgvector::Vector;
use serde::Serialize;
use sqlx::PgPool;

use crate::domain::DocumentStatus;

/// The usual reciprocal-rank-fusion constant: damps the weight of the very top ranks so that a
/// chunk found by both searches beats one found first by only one of them.
pub const RRF_K: f64 = 60.0;

/// One retrieved chunk with its provenance and fused score.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Hit {
    pub chunk_id: i64,
    pub document_id: i64,
    pub file_name: String,
    pub page: i32,
    pub heading: Option<String>,
    pub content: String,
    pub score: f64,
    /// Cosine similarity to the question (`None` without an embedding).
    pub similarity: Option<f64>,
    /// Whether full-text search found it (shares a word stem with the question).
    pub text_match: bool,
}

#[derive(Debug, Clone)]
pub struct SearchQuery<'a> {
    /// `None`: every document; otherwise the fund's documents and those of no fund (glossaries).
    pub fund_id: Option<i64>,
    /// The question's embedding; `None` searches full text only.
    pub embedding: Option<&'a [f32]>,
    /// Text for `websearch_to_tsquery` (the caller joins terms with `or` for recall).
    pub text: &'a str,
    /// Candidates taken from each search before fusion.
    pub per_search: i64,
    pub limit: i64,
}

/// Top chunks by RRF over the two rankings. Only completed documents count, and the fund filter
/// uses the document's current fund, so a re-linked document is found under its new fund.
pub async fn hybrid(pool: &PgPool, q: &SearchQuery<'_>) -> Result<Vec<Hit>, sqlx::Error> {
    let embedding = q.embedding.map(|e| Vector::from(e.to_vec()));
    sqlx::query_as(
        "WITH scope AS (
             SELECT c.id, c.document_id, d.file_name, c.page_start, c.heading, c.content,
                    c.embedding, c.tsv
             FROM document_chunks c
             JOIN documents d ON d.id = c.document_id AND d.status = $7
             WHERE $1::bigint IS NULL OR d.fund_id = $1 OR d.fund_id IS NULL
         ),
         vec AS (
             SELECT id, row_number() OVER (ORDER BY embedding <=> $2::vector, id) AS r
             FROM scope
             WHERE $2::vector IS NOT NULL AND embedding IS NOT NULL
             ORDER BY embedding <=> $2::vector, id
             LIMIT $4
         ),
         fts AS (
             SELECT id, row_number() OVER (ORDER BY ts_rank(tsv, q) DESC, id) AS r
             FROM scope, websearch_to_tsquery('english', $3) q
             WHERE tsv @@ q
             ORDER BY ts_rank(tsv, q) DESC, id
             LIMIT $4
         )
         SELECT s.id AS chunk_id, s.document_id, s.file_name, s.page_start AS page, s.heading,
                s.content,
                (COALESCE(1.0 / ($6 + vec.r), 0) + COALESCE(1.0 / ($6 + fts.r), 0))::float8 AS score,
                (1 - (s.embedding <=> $2::vector))::float8 AS similarity,
                fts.id IS NOT NULL AS text_match
         FROM scope s
         LEFT JOIN vec ON vec.id = s.id
         LEFT JOIN fts ON fts.id = s.id
         WHERE vec.id IS NOT NULL OR fts.id IS NOT NULL
         ORDER BY score DESC, s.id
         LIMIT $5",
    )
    .bind(q.fund_id)
    .bind(embedding)
    .bind(q.text)
    .bind(q.per_search)
    .bind(q.limit)
    .bind(RRF_K)
    .bind(DocumentStatus::Completed)
    .fetch_all(pool)
    .await
}
