//! Documents page: every upload with its status, fund, what was extracted and any warnings;
//! filters by fund and status, delete and retry through the JSON API.
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use shared::db::documents::{Document, ListFilter};
use shared::db::funds::Fund;
use shared::domain::{DocumentStatus, DocumentType};

use super::format::{self, count};
use super::{PageResult, opt_id, render};
use crate::state::AppState;

const PAGE_SIZE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct Params {
    fund_id: Option<String>,
    status: Option<String>,
    page: Option<String>,
}

struct Row {
    id: i64,
    file_name: String,
    size: String,
    fund: Option<(i64, String)>,
    status: DocumentStatus,
    /// Failed: offer to process it again.
    retryable: bool,
    /// "extracting · page 3 of 12" while processing.
    progress: String,
    attempts: i32,
    pages: String,
    extracted: Vec<String>,
    warnings: Vec<String>,
    error: Option<String>,
    uploaded: String,
    /// "capital call notice", "quarterly report" … once processed.
    doc_type: Option<String>,
    investor: Option<String>,
    /// A completed document that names no fund it could be linked to (offer to link it).
    needs_fund: bool,
    portfolio_rows: i64,
}

impl Row {
    fn from(d: Document) -> Self {
        let c = &d.counts;
        let completed = d.status == DocumentStatus::Completed;
        let extracted = if completed {
            vec![
                count(c.capital_calls, "capital call", "capital calls"),
                count(c.distributions, "distribution", "distributions"),
                count(c.adjustments, "adjustment", "adjustments"),
                count(c.reported_figures, "stated figure", "stated figures"),
                count(c.facts, "labelled fact", "labelled facts"),
                count(c.portfolio_rows, "portfolio row", "portfolio rows"),
                count(c.chunks, "text chunk", "text chunks"),
            ]
        } else {
            Vec::new()
        };
        let progress = match (d.status, d.stage, d.progress_total) {
            (DocumentStatus::Processing, Some(stage), Some(total)) => {
                format!("{stage} · page {} of {total}", d.progress_done)
            }
            (DocumentStatus::Processing, Some(stage), None) => stage.to_string(),
            _ => String::new(),
        };
        let warnings = d
            .warnings
            .as_array()
            .map(|ws| {
                ws.iter()
                    .filter_map(|w| w.get("message").and_then(|m| m.as_str()).map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let doc_type = d.document_type.as_deref().map(|t| t.replace('_', " "));
        let multi_fund = d
            .document_type
            .as_deref()
            .and_then(|t| t.parse::<DocumentType>().ok())
            .is_some_and(DocumentType::is_multi_fund);
        Row {
            needs_fund: completed && d.fund_id.is_none() && !multi_fund,
            retryable: d.status == DocumentStatus::Failed,
            portfolio_rows: c.portfolio_rows,
            doc_type,
            investor: d.investor.clone(),
            id: d.id,
            size: format::bytes(d.size_bytes),
            fund: d.fund_id.zip(d.fund_name),
            progress,
            attempts: d.attempts,
            pages: d
                .page_count
                .map(|p| p.to_string())
                .unwrap_or_else(|| format::NONE.into()),
            extracted,
            warnings,
            error: d.error,
            uploaded: format::timestamp(d.uploaded_at),
            file_name: d.file_name,
            status: d.status,
        }
    }
}

#[derive(Template)]
#[template(path = "documents.html")]
struct DocumentsPage {
    nav: &'static str,
    rows: Vec<Row>,
    funds: Vec<Fund>,
    statuses: [DocumentStatus; 4],
    fund_id: Option<i64>,
    status: String,
    total: i64,
    page: i64,
    pages: i64,
    /// Query string of the current filters, for the paging links.
    filter_query: String,
    filtered: bool,
}

pub async fn page(State(state): State<AppState>, Query(p): Query<Params>) -> PageResult {
    let fund_id = opt_id(p.fund_id.as_deref());
    // An unknown status is ignored rather than refused: the filter form only offers valid ones.
    let status = p.status.and_then(|s| s.parse::<DocumentStatus>().ok());
    let page = opt_id(p.page.as_deref()).unwrap_or(1).min(1_000_000);
    let (docs, total) = state
        .documents
        .list(&ListFilter {
            fund_id,
            status,
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
        })
        .await?;
    let mut filter_query = String::new();
    if let Some(f) = fund_id {
        filter_query.push_str(&format!("fund_id={f}&"));
    }
    if let Some(s) = status {
        filter_query.push_str(&format!("status={s}&"));
    }
    Ok(render(
        StatusCode::OK,
        &DocumentsPage {
            nav: "documents",
            rows: docs.into_iter().map(Row::from).collect(),
            funds: state.funds.list().await?,
            statuses: DocumentStatus::ALL,
            filtered: fund_id.is_some() || status.is_some(),
            fund_id,
            status: status
                .map(DocumentStatus::as_str)
                .unwrap_or_default()
                .into(),
            total,
            page,
            pages: crate::extractors::pages(total, PAGE_SIZE),
            filter_query,
        },
    ))
}
