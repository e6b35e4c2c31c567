//! The `document_files` rows: each document's file, as bytes in the row or as a key in the bucket.
use sqlx::{PgConnection, PgPool};

/// Where a new upload's file goes, decided by `FILE_STORE`.
pub enum NewFile<'a> {
    Bytes(&'a [u8]),
    Object(&'a str),
}

/// Where a stored file is, as its row says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredFile {
    Bytes(Vec<u8>),
    Object(String),
}

pub(crate) async fn insert(
    conn: &mut PgConnection,
    id: i64,
    file: &NewFile<'_>,
) -> Result<(), sqlx::Error> {
    let (bytes, key) = match file {
        NewFile::Bytes(b) => (Some(*b), None),
        NewFile::Object(k) => (None, Some(*k)),
    };
    sqlx::query("INSERT INTO document_files (document_id, content, object_key) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(bytes)
        .bind(key)
        .execute(conn)
        .await
        .map(|_| ())
}

/// `None` when the document (and so its file) is gone.
pub async fn load(pool: &PgPool, id: i64) -> Result<Option<StoredFile>, sqlx::Error> {
    let row: Option<(Option<Vec<u8>>, Option<String>)> =
        sqlx::query_as("SELECT content, object_key FROM document_files WHERE document_id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    Ok(row.and_then(|(bytes, key)| match (bytes, key) {
        (Some(b), _) => Some(StoredFile::Bytes(b)),
        (None, Some(k)) => Some(StoredFile::Object(k)),
        (None, None) => None,
    }))
}

/// The next `limit` documents after `after` whose file is in Postgres (`in_bucket` false) or in
/// the bucket (`in_bucket` true), in id order, so a move can resume where it stopped.
pub async fn ids_stored(
    pool: &PgPool,
    in_bucket: bool,
    after: i64,
    limit: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT document_id FROM document_files
         WHERE (object_key IS NOT NULL) = $1 AND document_id > $2
         ORDER BY document_id LIMIT $3",
    )
    .bind(in_bucket)
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Points the row at `key` and drops its bytes; false when the row was deleted or moved meanwhile.
pub async fn bytes_to_object(pool: &PgPool, id: i64, key: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE document_files SET object_key = $2, content = NULL
         WHERE document_id = $1 AND content IS NOT NULL",
    )
    .bind(id)
    .bind(key)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Puts the bytes back into the row that points at `key`; false when it no longer does.
pub async fn object_to_bytes(
    pool: &PgPool,
    id: i64,
    key: &str,
    bytes: &[u8],
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE document_files SET content = $3, object_key = NULL
         WHERE document_id = $1 AND object_key = $2",
    )
    .bind(id)
    .bind(key)
    .bind(bytes)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How many files are in Postgres and how many in the bucket.
pub async fn counts(pool: &PgPool) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE object_key IS NULL), count(*) FILTER (WHERE object_key IS NOT NULL)
         FROM document_files",
    )
    .fetch_one(pool)
    .await
}
