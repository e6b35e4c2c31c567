//! What one document states: its facts, its cash flows with components, its portfolio rows
//! (JSON, CSV, Excel), and linking an unlinked document to the fund a person chooses.
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::Workbook;
use serde::Deserialize;
use serde_json::{Value, json};
use shared::db::statements::PortfolioItem;

use crate::error::{ApiError, Result};
use crate::extractors::{self, Path, Query};
use crate::state::AppState;

/// Every column of a portfolio row, in export order.
const PORTFOLIO_COLUMNS: [&str; 9] = [
    "name",
    "vintage_year",
    "commitment",
    "contributed",
    "distributed",
    "nav",
    "tvpi",
    "irr_pct",
    "page",
];

/// `GET /api/documents/{id}`: the document with its type, investor and stated facts.
pub async fn get(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Json<Value>> {
    let doc = state.documents.get(id).await?;
    let facts: Vec<Value> = state
        .documents
        .facts(id)
        .await?
        .into_iter()
        .map(|f| {
            json!({ "key": f.key, "label": f.label, "value": f.value(), "period": f.period,
                    "column": f.column, "page": f.page, "source_text": f.source_text, "ocr": f.ocr })
        })
        .collect();
    let mut body = serde_json::to_value(&doc).map_err(anyhow::Error::from)?;
    body["facts"] = Value::Array(facts);
    Ok(Json(body))
}

/// `GET /api/documents/{id}/transactions`: the cash flows this document states.
pub async fn transactions(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let items = state.documents.transactions(id).await?;
    Ok(Json(json!({ "items": items })))
}

#[derive(Debug, Deserialize)]
pub struct PortfolioQuery {
    vintage: Option<i32>,
}

/// `GET /api/documents/{id}/portfolio?vintage=`: rows of a many-funds table.
pub async fn portfolio(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<PortfolioQuery>,
) -> Result<Json<Value>> {
    let items = state.documents.portfolio(id, q.vintage).await?;
    Ok(Json(json!({ "items": items, "total": items.len() })))
}

/// `GET /api/documents/{id}/portfolio.csv` and `.xlsx`.
pub async fn portfolio_export(
    State(state): State<AppState>,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response> {
    let format = match file.as_str() {
        "portfolio.csv" => "csv",
        "portfolio.xlsx" => "xlsx",
        _ => {
            return Err(ApiError::NotFound(
                "A document's portfolio downloads are portfolio.csv and portfolio.xlsx.".into(),
            ));
        }
    };
    let rows = state.documents.portfolio(id, None).await?;
    let body = shared::telemetry::spawn_blocking(move || match format {
        "csv" => portfolio_csv(&rows).map_err(|e| e.to_string()),
        _ => portfolio_xlsx(&rows).map_err(|e| e.to_string()),
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("export task failed: {e}")))?
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("building the export failed: {e}")))?;
    let content_type = match format {
        "csv" => "text/csv; charset=utf-8",
        _ => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"document-{id}-{file}\""),
            ),
        ],
        body,
    )
        .into_response())
}

fn cells(r: &PortfolioItem) -> [Option<String>; 9] {
    let d = |v: Option<Decimal>| v.map(|x| x.normalize().to_string());
    [
        Some(r.name.clone()),
        r.vintage_year.map(|v| v.to_string()),
        d(r.commitment),
        d(r.contributed),
        d(r.distributed),
        d(r.nav),
        d(r.tvpi),
        d(r.irr_pct),
        Some(r.page.to_string()),
    ]
}

fn portfolio_csv(rows: &[PortfolioItem]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(PORTFOLIO_COLUMNS)?;
    for r in rows {
        w.write_record(cells(r).map(Option::unwrap_or_default))?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

fn portfolio_xlsx(rows: &[PortfolioItem]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Portfolio")?;
    for (c, name) in PORTFOLIO_COLUMNS.iter().enumerate() {
        sheet.write_string(0, c as u16, *name)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, &r.name)?;
        let numbers = [
            r.vintage_year.map(Decimal::from),
            r.commitment,
            r.contributed,
            r.distributed,
            r.nav,
            r.tvpi,
            r.irr_pct,
            Some(Decimal::from(r.page)),
        ];
        for (c, v) in numbers.iter().enumerate() {
            if let Some(v) = v.and_then(|v| v.to_f64()) {
                sheet.write_number(row, c as u16 + 1, v)?;
            }
        }
    }
    book.save_to_buffer()
}

#[derive(Debug, Deserialize)]
pub struct LinkBody {
    fund_id: i64,
}

/// `POST /api/documents/{id}/fund {"fund_id": 3}`: links a processed document, and what was
/// extracted from it, to a fund a person chose (documents whose fund could not be identified).
pub async fn link_fund(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    extractors::Json(body): extractors::Json<LinkBody>,
) -> Result<Json<Value>> {
    let doc = state.documents.link_fund(id, body.fund_id).await?;
    Ok(Json(
        serde_json::to_value(&doc).map_err(anyhow::Error::from)?,
    ))
}
