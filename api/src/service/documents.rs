//! Documents: store an upload and enqueue its job, read, list, delete and retry them, and what
//! each one states (facts, cash flows, portfolio rows), including linking it to a fund.
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use shared::config::Config;
use shared::db::documents::{self, Document, ListFilter, UploadOutcome};
use shared::db::statements::{self, DocumentTransaction, FactRow, PortfolioItem};
use shared::db::{funds, transitions};
use shared::domain::DocumentStatus;
use shared::files::{FileStore, Upload};
use shared::jobs::JobQueue;
use sqlx::PgPool;

use crate::error::{ApiError, Result};

/// A Redis that does not answer within this must not hold the request: the document is stored
/// and the reaper enqueues it later.
const ENQUEUE_TIMEOUT: Duration = Duration::from_secs(2);

/// What an upload became: a new queued document, or the one already holding the same bytes
/// (with its current status and job).
pub struct Stored {
    pub document_id: i64,
    pub status: DocumentStatus,
    pub job_id: Option<String>,
    pub duplicate: bool,
}

#[derive(Clone)]
pub struct DocumentService {
    db: PgPool,
    queue: JobQueue,
    files: FileStore,
    config: Arc<Config>,
}

impl DocumentService {
    pub fn new(db: PgPool, queue: JobQueue, files: FileStore, config: Arc<Config>) -> Self {
        Self {
            db,
            queue,
            files,
            config,
        }
    }

    pub fn max_upload_bytes(&self) -> usize {
        self.config.max_upload_bytes
    }

    pub fn max_attempts(&self) -> i32 {
        self.config.max_attempts
    }

    /// Validates and stores a file, then enqueues its job; a duplicate returns the original.
    #[tracing::instrument(skip_all, fields(bytes = content.len(), fund_id = ?fund_id, document_id))]
    pub async fn upload(
        &self,
        file_name: &str,
        content: &[u8],
        fund_id: Option<i64>,
        request_id: Option<String>,
    ) -> Result<Stored> {
        if content.is_empty() {
            return Err(ApiError::BadRequest("The uploaded file is empty.".into()));
        }
        if !shared::pdf::looks_like_pdf(content) {
            return Err(ApiError::UnsupportedMediaType(
                "The file is not a PDF (it does not start with the %PDF- signature). Upload a PDF report.".into(),
            ));
        }
        if let Some(fid) = fund_id
            && !funds::exists(&self.db, fid).await?
        {
            return Err(ApiError::NotFound(format!(
                "Fund {fid} does not exist. Create it first, or upload without fund_id to detect the fund from the document."
            )));
        }
        let sha = hex::encode(Sha256::digest(content));
        let outcome = self
            .files
            .upload(
                &self.db,
                &Upload {
                    file_name,
                    sha256: &sha,
                    content,
                    upload_fund_id: fund_id,
                    request_id: request_id.as_deref(),
                },
            )
            .await?;
        match outcome {
            UploadOutcome::Duplicate(id) => {
                tracing::Span::current().record("document_id", id);
                let original = self.get(id).await?;
                Ok(Stored {
                    document_id: id,
                    status: original.status,
                    job_id: original.job_id,
                    duplicate: true,
                })
            }
            // The state this upload created: a fast worker may have claimed it already.
            UploadOutcome::Created(id) => {
                tracing::Span::current().record("document_id", id);
                Ok(Stored {
                    document_id: id,
                    status: DocumentStatus::Queued,
                    job_id: self.enqueue(id, request_id).await?,
                    duplicate: false,
                })
            }
        }
    }

    /// Enqueues the document's job and records its id. Redis being down or slow is not an error
    /// here: the document stays queued in Postgres and the reaper enqueues it when Redis returns.
    async fn enqueue(&self, id: i64, request_id: Option<String>) -> Result<Option<String>> {
        match tokio::time::timeout(ENQUEUE_TIMEOUT, self.queue.enqueue(id, request_id)).await {
            Ok(Ok(job)) => {
                documents::set_job(&self.db, id, &job).await?;
                Ok(Some(job))
            }
            Ok(Err(e)) => {
                tracing::warn!(document_id = id, error = %e, "enqueue failed; the reaper will enqueue it");
                Ok(None)
            }
            Err(_) => {
                tracing::warn!(
                    document_id = id,
                    "enqueue timed out; the reaper will enqueue it"
                );
                Ok(None)
            }
        }
    }

    #[tracing::instrument(skip_all, fields(document_id = id))]
    pub async fn get(&self, id: i64) -> Result<Document> {
        documents::get(&self.db, id)
            .await?
            .ok_or_else(|| ApiError::not_found("Document", id))
    }

    #[tracing::instrument(skip_all)]
    pub async fn list(&self, filter: &ListFilter) -> Result<(Vec<Document>, i64)> {
        Ok(documents::list(&self.db, filter).await?)
    }

    #[tracing::instrument(skip_all, fields(document_id = id))]
    pub async fn delete(&self, id: i64) -> Result<()> {
        match self.files.delete(&self.db, id).await? {
            Some(_) => Ok(()),
            None => Err(ApiError::not_found("Document", id)),
        }
    }

    /// Re-processes a failed or completed document from its stored file.
    #[tracing::instrument(skip_all, fields(document_id = id))]
    pub async fn retry(&self, id: i64) -> Result<Option<String>> {
        if !transitions::failed_or_completed_to_queued(&self.db, id).await? {
            let d = self.get(id).await?;
            return Err(ApiError::Conflict(format!(
                "Document {id} is {} already; only failed or completed documents can be processed again.",
                d.status
            )));
        }
        self.enqueue(id, None).await
    }

    /// The document's stated facts, in reading order.
    pub async fn facts(&self, id: i64) -> Result<Vec<FactRow>> {
        Ok(statements::facts_of(&self.db, id).await?)
    }

    /// The cash flows this document states, with their components.
    #[tracing::instrument(skip_all, fields(document_id = id))]
    pub async fn transactions(&self, id: i64) -> Result<Vec<DocumentTransaction>> {
        self.get(id).await?;
        Ok(statements::transactions_of(&self.db, id).await?)
    }

    /// Rows of the document's many-funds tables, optionally of one vintage.
    #[tracing::instrument(skip_all, fields(document_id = id))]
    pub async fn portfolio(&self, id: i64, vintage: Option<i32>) -> Result<Vec<PortfolioItem>> {
        self.get(id).await?;
        Ok(statements::portfolio_of(&self.db, id, vintage).await?)
    }

    /// Links a completed document, and what was extracted from it, to a fund a person chose.
    #[tracing::instrument(skip_all, fields(document_id = id, fund_id))]
    pub async fn link_fund(&self, id: i64, fund_id: i64) -> Result<Document> {
        let doc = self.get(id).await?;
        if !funds::exists(&self.db, fund_id).await? {
            return Err(ApiError::not_found("Fund", fund_id));
        }
        if !statements::link_fund(&self.db, id, fund_id).await? {
            return Err(ApiError::Conflict(format!(
                "Document {id} is {}; only a completed document can be linked to a fund.",
                doc.status
            )));
        }
        self.get(id).await
    }
}
