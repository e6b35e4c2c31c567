//! `/api/documents`: upload (store + enqueue, answer 202 at once), status, list, read, delete, retry.
use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::db::documents::ListFilter;
use shared::domain::DocumentStatus;

use crate::error::{ApiError, Result};
use crate::extractors::{Paging, Path, Query, pages};
use crate::state::AppState;

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
    let form = read_form(multipart, state.documents.max_upload_bytes()).await?;
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let stored = state
        .documents
        .upload(&form.file_name, &form.content, form.fund_id, request_id)
        .await?;
    let id = stored.document_id;
    let (code, message) = if stored.duplicate {
        (
            StatusCode::OK,
            format!("This file was already uploaded as document {id}; nothing new was stored."),
        )
    } else if stored.job_id.is_some() {
        (
            StatusCode::ACCEPTED,
            "Accepted; the document is queued for processing.".to_string(),
        )
    } else {
        (
            StatusCode::ACCEPTED,
            "Accepted and stored; the job queue is unavailable, so processing starts as soon as it returns.".to_string(),
        )
    };
    Ok((
        code,
        Json(UploadResponse {
            document_id: id,
            job_id: stored.job_id,
            status: stored.status,
            status_url: format!("/api/documents/{id}/status"),
            duplicate: stored.duplicate,
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
    let d = state.documents.get(id).await?;
    Ok(Json(json!({
        "document_id": d.id,
        "status": d.status,
        "stage": d.stage,
        "progress": { "pages_done": d.progress_done, "pages_total": d.progress_total },
        "attempts": d.attempts,
        "max_attempts": state.documents.max_attempts(),
        "error": d.error,
        "warnings": d.warnings,
        "fund_id": d.fund_id,
        "document_type": d.document_type,
        "type_evidence": d.type_evidence,
        "investor": d.investor,
        "page_count": d.page_count,
        "ocr_pages": d.ocr_pages,
        "counts": d.counts,
        "timings": d.timings,
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
    let (items, total) = state
        .documents
        .list(&ListFilter {
            fund_id: q.fund_id,
            status,
            limit,
            offset,
        })
        .await?;
    Ok(Json(
        json!({ "items": items, "total": total, "page": page, "pages": pages(total, limit) }),
    ))
}

pub async fn delete(State(state): State<AppState>, Path(id): Path<i64>) -> Result<StatusCode> {
    state.documents.delete(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Re-processes a failed or completed document from its stored file.
pub async fn retry(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<serde_json::Value>)> {
    let job_id = state.documents.retry(id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({
            "document_id": id,
            "job_id": job_id,
            "status": DocumentStatus::Queued,
            "status_url": format!("/api/documents/{id}/status"),
        })),
    ))
}
