//! `/api/documents`: upload (store + enqueue, answer 202 at once), status, list, read, delete, retry.
use std::time::Duration;

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use shared::db::documents::{self, ListFilter, NewUpload, UploadOutcome};
use shared::db::{funds, transitions};
use shared::domain::DocumentStatus;

use crate::error::{ApiError, Result};
use crate::extractors::{Paging, Path, Query, pages};
use crate::state::AppState;

/// A Redis that does not answer within this must not hold the upload: the document is stored
/// and the reaper enqueues it later.
const ENQUEUE_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Serialize)]
pub struct UploadResponse {
    document_id: i64,
    job_id: Option<String>,
    status: DocumentStatus,
    status_url: String,
    duplicate: bool,
    message: String,
}

struct UploadForm {
    file_name: String,
    content: Vec<u8>,
    fund_id: Option<i64>,
}

pub async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<UploadResponse>)> {
    let multipart = multipart.map_err(|e| {
        ApiError::UnsupportedMediaType(format!(
            "Send the PDF as multipart/form-data with a `file` field ({}).",
            e.body_text()
        ))
    })?;
    let form = read_form(multipart, state.config.max_upload_bytes).await?;
    if form.content.is_empty() {
        return Err(ApiError::BadRequest("The uploaded file is empty.".into()));
    }
    if !shared::pdf::looks_like_pdf(&form.content) {
        return Err(ApiError::UnsupportedMediaType(
            "The file is not a PDF (it does not start with the %PDF- signature). Upload a PDF report.".into(),
        ));
    }
    if let Some(fid) = form.fund_id
        && !funds::exists(&state.db, fid).await?
    {
        return Err(ApiError::NotFound(format!(
            "Fund {fid} does not exist. Create it first, or upload without fund_id to detect the fund from the document."
        )));
    }
    let sha = hex::encode(Sha256::digest(&form.content));
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let outcome = documents::insert_upload(
        &state.db,
        &NewUpload {
            file_name: &form.file_name,
            sha256: &sha,
            content: &form.content,
            upload_fund_id: form.fund_id,
            request_id: request_id.as_deref(),
        },
    )
    .await?;
    let id = match outcome {
        UploadOutcome::Duplicate(id) => {
            let doc = documents::get(&state.db, id)
                .await?
                .ok_or_else(|| ApiError::not_found("Document", id))?;
            return Ok((
                StatusCode::OK,
                Json(UploadResponse {
                    document_id: id,
                    job_id: doc.job_id,
                    status: doc.status,
                    status_url: format!("/api/documents/{id}/status"),
                    duplicate: true,
                    message: format!(
                        "This file was already uploaded as document {id}; nothing new was stored."
                    ),
                }),
            ));
        }
        UploadOutcome::Created(id) => id,
    };
    let job_id = match tokio::time::timeout(ENQUEUE_TIMEOUT, state.queue.enqueue(id, request_id))
        .await
    {
        Ok(Ok(job)) => {
            documents::set_job(&state.db, id, &job).await?;
            Some(job)
        }
        Ok(Err(e)) => {
            tracing::warn!(document_id = id, error = %e, "enqueue failed; the reaper will enqueue it");
            None
        }
        Err(_) => {
            tracing::warn!(
                document_id = id,
                "enqueue timed out; the reaper will enqueue it"
            );
            None
        }
    };
    let message = if job_id.is_some() {
        "Accepted; the document is queued for processing.".to_string()
    } else {
        "Accepted and stored; the job queue is unavailable, so processing starts as soon as it returns.".to_string()
    };
    Ok((
        StatusCode::ACCEPTED,
        Json(UploadResponse {
            document_id: id,
            job_id,
            status: DocumentStatus::Queued,
            status_url: format!("/api/documents/{id}/status"),
            duplicate: false,
            message,
        }),
    ))
}

/// A body that stopped arriving (the body read timeout fired somewhere below multipart parsing)
/// is the client's delay, `408`; anything else wrong with the form is `400`.
fn unreadable(e: axum::extract::multipart::MultipartError) -> ApiError {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(c) = cause {
        if c.is::<tower_http::timeout::TimeoutError>() {
            return ApiError::RequestTimeout(
                "The upload stalled: no data arrived for several seconds. Send the file again."
                    .into(),
            );
        }
        cause = c.source();
    }
    ApiError::BadRequest(format!("The upload could not be read: {}.", e.body_text()))
}

async fn read_form(mut multipart: Multipart, max_bytes: usize) -> Result<UploadForm> {
    let too_large = || {
        ApiError::PayloadTooLarge(format!(
            "The file is larger than the {} MB limit.",
            max_bytes / (1024 * 1024)
        ))
    };
    let mut file = None;
    let mut fund_id = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(e) => return Err(unreadable(e)),
        };
        match field.name().unwrap_or_default() {
            "file" => {
                let name = display_name(field.file_name().unwrap_or("document.pdf"));
                let mut field = field;
                let mut content = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            if content.len() + chunk.len() > max_bytes {
                                return Err(too_large());
                            }
                            content.extend_from_slice(&chunk);
                        }
                        Ok(None) => break,
                        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                            return Err(too_large());
                        }
                        Err(e) => return Err(unreadable(e)),
                    }
                }
                if file.replace((name, content)).is_some() {
                    return Err(ApiError::BadRequest("Send one `file` per upload.".into()));
                }
            }
            "fund_id" => {
                let text = field
                    .text()
                    .await
                    .map_err(|e| ApiError::BadRequest(e.body_text()))?;
                let text = text.trim();
                if !text.is_empty() {
                    let id = text
                        .parse::<i64>()
                        .ok()
                        .filter(|id| *id > 0)
                        .ok_or_else(|| {
                            ApiError::Unprocessable(format!(
                                "`fund_id` must be a positive integer, not {text:?}."
                            ))
                        })?;
                    fund_id = Some(id);
                }
            }
            other => {
                return Err(ApiError::BadRequest(format!(
                    "Unexpected form field {other:?}: send `file` (the PDF) and optionally `fund_id`."
                )));
            }
        }
    }
    let (file_name, content) = file.ok_or_else(|| {
        ApiError::Unprocessable("The form has no `file` field: attach the PDF as `file`.".into())
    })?;
    Ok(UploadForm {
        file_name,
        content,
        fund_id,
    })
}

/// The client's file name is only ever shown, never used on disk: keep its last path segment,
/// printable characters only, bounded length.
fn display_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let clean: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    let clean = clean.trim().trim_start_matches('.').to_string();
    if clean.is_empty() {
        "document.pdf".into()
    } else {
        clean
    }
}

pub async fn status(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>> {
    let d = documents::get(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("Document", id))?;
    Ok(Json(json!({
        "document_id": d.id,
        "status": d.status,
        "stage": d.stage,
        "progress": { "pages_done": d.progress_done, "pages_total": d.progress_total },
        "attempts": d.attempts,
        "max_attempts": state.config.max_attempts,
        "error": d.error,
        "warnings": d.warnings,
        "fund_id": d.fund_id,
        "document_type": d.document_type,
        "type_evidence": d.type_evidence,
        "investor": d.investor,
        "page_count": d.page_count,
        "counts": d.counts,
        "job_id": d.job_id,
        "uploaded_at": d.uploaded_at,
        "started_at": d.started_at,
        "completed_at": d.completed_at,
        "updated_at": d.updated_at,
    })))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    fund_id: Option<i64>,
    status: Option<String>,
    // Not `#[serde(flatten)]`: query strings lose their number types through flatten.
    page: Option<i64>,
    limit: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Json<serde_json::Value>> {
    let (page, limit, offset) = Paging {
        page: q.page,
        limit: q.limit,
    }
    .resolve(50, 500)?;
    let status = q
        .status
        .as_deref()
        .map(str::parse::<DocumentStatus>)
        .transpose()
        .map_err(ApiError::BadRequest)?;
    let (items, total) = documents::list(
        &state.db,
        &ListFilter {
            fund_id: q.fund_id,
            status,
            limit,
            offset,
        },
    )
    .await?;
    Ok(Json(
        json!({ "items": items, "total": total, "page": page, "pages": pages(total, limit) }),
    ))
}

pub async fn delete(State(state): State<AppState>, Path(id): Path<i64>) -> Result<StatusCode> {
    match documents::delete(&state.db, id).await? {
        Some(_) => Ok(StatusCode::NO_CONTENT),
        None => Err(ApiError::not_found("Document", id)),
    }
}

/// Re-processes a failed document from its stored file.
pub async fn retry(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<serde_json::Value>)> {
    if !transitions::failed_or_completed_to_queued(&state.db, id).await? {
        return match documents::get(&state.db, id).await? {
            None => Err(ApiError::not_found("Document", id)),
            Some(d) => Err(ApiError::Conflict(format!(
                "Document {id} is {} already; only failed or completed documents can be processed again.",
                d.status
            ))),
        };
    }
    let job_id = match tokio::time::timeout(ENQUEUE_TIMEOUT, state.queue.enqueue(id, None)).await {
        Ok(Ok(job)) => {
            documents::set_job(&state.db, id, &job).await?;
            Some(job)
        }
        _ => None,
    };
    Ok((
        StatusCode::ACCEPTED,
        Json(
            json!({ "document_id": id, "job_id": job_id, "status": DocumentStatus::Queued,
        "status_url": format!("/api/documents/{id}/status") }),
        ),
    ))
}
