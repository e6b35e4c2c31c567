//! `document_chunks`: a document's retrieval chunks with their embeddings, replaced as a whole.
use pgvector::Vector;

use crate::chunk::Chunk;
use crate::embed::EMBEDDING_DIM;

#[derive(Debug, thiserror::Error)]
pub enum ChunkStoreError {
    #[error("{chunks} chunks but {embeddings} embeddings")]
    CountMismatch { chunks: usize, embeddings: usize },
    #[error("embedding of chunk {index} has {len} dimensions, expected {EMBEDDING_DIM}")]
    WrongDimension { index: usize, len: usize },
    #[error("chunk {index} does not fit the table's INT columns")]
    OutOfRange { index: usize },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Width of the `document_chunks.embedding` column as the database has it (`vector(n)` → n), so a
/// process can check at start-up that its embeddings fit before any document fails on them.
pub async fn embedding_width(pool: &sqlx::PgPool) -> sqlx::Result<i32> {
    // pgvector keeps the dimension in the column's type modifier.
    sqlx::query_scalar(
        "SELECT atttypmod FROM pg_attribute
         WHERE attrelid = 'document_chunks'::regclass AND attname = 'embedding'",
    )
    .fetch_one(pool)
    .await
}

/// Column arrays for one `UNNEST` insert: one round trip however many chunks a document has.
#[derive(Default)]
struct Columns {
    index: Vec<i32>,
    page_start: Vec<i32>,
    page_end: Vec<i32>,
    heading: Vec<Option<String>>,
    content: Vec<String>,
    token_count: Vec<i32>,
    embedding: Vec<Vector>,
}

fn columns(chunks: &[Chunk], embeddings: &[Vec<f32>]) -> Result<Columns, ChunkStoreError> {
    if chunks.len() != embeddings.len() {
        return Err(ChunkStoreError::CountMismatch {
            chunks: chunks.len(),
            embeddings: embeddings.len(),
        });
    }
    let mut cols = Columns::default();
    for (index, (chunk, embedding)) in chunks.iter().zip(embeddings).enumerate() {
        if embedding.len() != EMBEDDING_DIM {
            return Err(ChunkStoreError::WrongDimension {
                index,
                len: embedding.len(),
            });
        }
        let int = |v: u32| i32::try_from(v).map_err(|_| ChunkStoreError::OutOfRange { index });
        cols.index.push(int(chunk.index)?);
        cols.page_start.push(int(chunk.page_start)?);
        cols.page_end.push(int(chunk.page_end)?);
        cols.token_count.push(int(chunk.token_count)?);
        cols.heading.push(chunk.heading.clone());
        cols.content.push(chunk.content.clone());
        cols.embedding.push(Vector::from(embedding.clone()));
    }
    Ok(cols)
}

/// Replaces every chunk of `document_id` with `chunks` (`embeddings[i]` belongs to `chunks[i]`).
/// Run it inside the caller's transaction so readers never see a document with half its chunks.
pub async fn replace_chunks(
    tx: &mut sqlx::PgConnection,
    document_id: i64,
    fund_id: Option<i64>,
    chunks: &[Chunk],
    embeddings: &[Vec<f32>],
) -> Result<(), ChunkStoreError> {
    // Validate before deleting, so bad input leaves the stored chunks untouched.
    let cols = columns(chunks, embeddings)?;
    sqlx::query("DELETE FROM document_chunks WHERE document_id = $1")
        .bind(document_id)
        .execute(&mut *tx)
        .await?;
    if cols.index.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO document_chunks
             (document_id, fund_id, chunk_index, page_start, page_end, heading, content,
              token_count, embedding)
         SELECT $1, $2, t.*
         FROM UNNEST($3::int[], $4::int[], $5::int[], $6::text[], $7::text[], $8::int[],
                     $9::vector[]) AS t",
    )
    .bind(document_id)
    .bind(fund_id)
    .bind(&cols.index)
    .bind(&cols.page_start)
    .bind(&cols.page_end)
    .bind(&cols.heading)
    .bind(&cols.content)
    .bind(&cols.token_count)
    .bind(&cols.embedding)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(index: u32) -> Chunk {
        Chunk {
            index,
            page_start: 1,
            page_end: 1,
            heading: None,
            content: "text".into(),
            token_count: 2,
        }
    }

    #[test]
    fn rejects_mismatched_input_before_touching_the_database() {
        assert!(matches!(
            columns(&[chunk(0)], &[]),
            Err(ChunkStoreError::CountMismatch {
                chunks: 1,
                embeddings: 0
            })
        ));
        assert!(matches!(
            columns(&[chunk(0)], &[vec![0.0; 3]]),
            Err(ChunkStoreError::WrongDimension { index: 0, len: 3 })
        ));
        assert!(matches!(
            columns(&[chunk(u32::MAX)], &[vec![0.0; EMBEDDING_DIM]]),
            Err(ChunkStoreError::OutOfRange { index: 0 })
        ));
        assert!(columns(&[chunk(0)], &[vec![0.0; EMBEDDING_DIM]]).is_ok());
    }
}
