//! Uploaded PDFs: written to Postgres or to an S3-compatible bucket (`FILE_STORE`), read back and
//! deleted from wherever their own row says they are.
mod bucket;
pub mod moving;

use sqlx::PgPool;

pub use bucket::Bucket;

use crate::config::{FileStoreKind, FilesConfig};
use crate::db::documents::{self, Deleted, NewUpload, UploadOutcome};
use crate::db::files::{self, NewFile, StoredFile};

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    /// The row names an object the bucket does not have: nothing will bring it back.
    #[error("its file is missing from object storage (bucket {bucket}, object {key})")]
    Missing { bucket: String, key: String },
    /// The bucket did not answer, or refused (credentials, permissions).
    #[error("object storage (bucket {bucket}) failed: {message}")]
    Store { bucket: String, message: String },
    #[error(
        "its file is in object storage (object {0}) but S3_BUCKET is not set on this host, so it cannot be read"
    )]
    NoBucket(String),
}

/// What an upload carries besides its bytes.
pub struct Upload<'a> {
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
    pub upload_fund_id: Option<i64>,
    pub request_id: Option<&'a str>,
}

/// Built once per process; cheap to clone.
#[derive(Clone)]
pub struct FileStore {
    kind: FileStoreKind,
    bucket: Option<Bucket>,
}

impl FileStore {
    pub fn new(config: &FilesConfig) -> Result<Self, FileError> {
        Ok(Self {
            kind: config.store,
            bucket: config.s3.as_ref().map(Bucket::new).transpose()?,
        })
    }

    /// Where new uploads go.
    pub fn kind(&self) -> FileStoreKind {
        self.kind
    }

    pub fn bucket(&self) -> Option<&Bucket> {
        self.bucket.as_ref()
    }

    fn require_bucket(&self, key: &str) -> Result<&Bucket, FileError> {
        self.bucket
            .as_ref()
            .ok_or_else(|| FileError::NoBucket(key.to_string()))
    }

    /// Stores the document row with its file. With S3 the object is written first, so a row never
    /// points at an object that was not written; an object whose row could not be written is
    /// removed again (or, if even that fails, left as an unreferenced object).
    pub async fn upload(&self, pool: &PgPool, u: &Upload<'_>) -> Result<UploadOutcome, FileError> {
        let row = |file| NewUpload {
            file_name: u.file_name,
            sha256: u.sha256,
            size_bytes: u.content.len() as i64,
            file,
            upload_fund_id: u.upload_fund_id,
            request_id: u.request_id,
        };
        let bucket = match (self.kind, &self.bucket) {
            (FileStoreKind::S3, Some(bucket)) => bucket,
            _ => return Ok(documents::insert_upload(pool, &row(NewFile::Bytes(u.content))).await?),
        };
        // A re-upload of the same bytes costs no object write.
        if let Some(id) = documents::find_same(pool, u.sha256, u.upload_fund_id).await? {
            return Ok(UploadOutcome::Duplicate(id));
        }
        let key = Bucket::new_key();
        bucket.put(&key, u.content.to_vec()).await?;
        let outcome = documents::insert_upload(pool, &row(NewFile::Object(&key))).await;
        if !matches!(outcome, Ok(UploadOutcome::Created(_))) {
            bucket.remove_quietly(&key).await;
        }
        Ok(outcome?)
    }

    /// The document's bytes; `None` when the document is gone.
    pub async fn load(&self, pool: &PgPool, id: i64) -> Result<Option<Vec<u8>>, FileError> {
        let Some(stored) = files::load(pool, id).await? else {
            return Ok(None);
        };
        let key = match stored {
            StoredFile::Bytes(b) => return Ok(Some(b)),
            StoredFile::Object(key) => key,
        };
        match self.require_bucket(&key)?.get(&key).await {
            Err(FileError::Missing { .. }) => {
                // A move back to Postgres may have just taken the object away: the row tells.
                match files::load(pool, id).await? {
                    None => Ok(None),
                    Some(StoredFile::Bytes(b)) => Ok(Some(b)),
                    Some(StoredFile::Object(now)) if now != key => {
                        Ok(Some(self.require_bucket(&now)?.get(&now).await?))
                    }
                    Some(StoredFile::Object(_)) => Err(self.missing(&key)),
                }
            }
            other => other.map(Some),
        }
    }

    fn missing(&self, key: &str) -> FileError {
        FileError::Missing {
            bucket: self
                .bucket
                .as_ref()
                .map(|b| b.name().to_string())
                .unwrap_or_default(),
            key: key.to_string(),
        }
    }

    /// Deletes the document with everything extracted from it, then its object. A failed object
    /// delete does not undo the document's: the object is logged as orphaned.
    pub async fn delete(&self, pool: &PgPool, id: i64) -> Result<Option<Deleted>, FileError> {
        let deleted = documents::delete(pool, id).await?;
        if let Some(key) = deleted.as_ref().and_then(|d| d.object_key.as_deref()) {
            match &self.bucket {
                Some(bucket) => bucket.remove_quietly(key).await,
                None => tracing::warn!(
                    document_id = id,
                    key,
                    "document deleted, but its object cannot be removed: S3_BUCKET is not set"
                ),
            }
        }
        Ok(deleted)
    }
}
