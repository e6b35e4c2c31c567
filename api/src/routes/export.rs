//! Downloads: the fund as an Excel workbook (transactions plus live metric formulas) and each
//! transaction type as CSV.
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, Worksheet, XlsxError};
use shared::db::transactions::{Kind, Transaction};
use shared::metrics::FundMetrics;

use crate::error::{ApiError, Result};
use crate::extractors::Path;
use crate::params;
use crate::state::AppState;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const MONEY: &str = "#,##0.00";

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("building the export failed: {e}"))
}

fn download(content_type: &'static str, file_name: String, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /api/funds/{id}/export/{type}.csv`
pub async fn csv(
    State(state): State<AppState>,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response> {
    let Some(kind) = file.strip_suffix(".csv") else {
        return Err(ApiError::NotFound(
            "Exports are capital_calls.csv, distributions.csv, adjustments.csv and export.xlsx."
                .into(),
        ));
    };
    let kind = params::kind(kind)?;
    state.funds.require(id).await?;
    let rows = state.transactions.all_of(id, kind).await?;
    let body = shared::telemetry::spawn_blocking(move || write_csv(kind, &rows))
        .await
        .map_err(internal)?
        .map_err(internal)?;
    Ok(download(
        "text/csv; charset=utf-8",
        format!("fund-{id}-{}.csv", kind.plural()),
        body,
    ))
}

fn extra_header(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::CapitalCall => Some("call_number"),
        Kind::Distribution => Some("is_recallable"),
        Kind::Adjustment => None,
    }
}

fn extra_value(t: &Transaction) -> Option<String> {
    match (&t.call_number, t.is_recallable) {
        (Some(n), _) => Some(n.clone().unwrap_or_default()),
        (None, Some(r)) => Some(r.to_string()),
        (None, None) => None,
    }
}

fn write_csv(kind: Kind, rows: &[Transaction]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["id", "date", "amount", "type", "description"];
    header.extend(extra_header(kind));
    header.extend(["document_id", "document", "page"]);
    w.write_record(&header)?;
    for t in rows {
        let mut rec = vec![
            t.id.to_string(),
            t.date.to_string(),
            t.amount.normalize().to_string(),
            t.flow_type.clone().unwrap_or_default(),
            t.description.clone().unwrap_or_default(),
        ];
        rec.extend(extra_value(t));
        rec.extend([
            t.document_id.to_string(),
            t.document.clone().unwrap_or_default(),
            t.page.to_string(),
        ]);
        w.write_record(&rec)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// `GET /api/funds/{id}/export.xlsx`
pub async fn xlsx(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Response> {
    // As of the latest data, so every transaction on the sheets counts and the formulas on the
    // Metrics sheet agree with the engine.
    let snap = state.metrics.snapshot(id, None).await?;
    let mut sheets = Vec::with_capacity(Kind::ALL.len());
    for kind in Kind::ALL {
        sheets.push((kind, state.transactions.all_of(id, kind).await?));
    }
    let body = shared::telemetry::spawn_blocking(move || build_workbook(&sheets, &snap.metrics))
        .await
        .map_err(internal)?
        .map_err(internal)?;
    Ok(download(XLSX, format!("fund-{id}.xlsx"), body))
}

pub fn sheet_name(kind: Kind) -> &'static str {
    match kind {
        Kind::CapitalCall => "Capital Calls",
        Kind::Distribution => "Distributions",
        Kind::Adjustment => "Adjustments",
    }
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(
        u16::try_from(d.year()).unwrap_or(1900),
        d.month() as u8,
        d.day() as u8,
    )
}

fn num(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

fn build_workbook(
    sheets: &[(Kind, Vec<Transaction>)],
    m: &FundMetrics,
) -> Result<Vec<u8>, XlsxError> {
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let money = Format::new().set_num_format(MONEY);
    let mut wb = Workbook::new();
    for (kind, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(*kind))?;
        write_transactions(ws, *kind, rows, &bold, &date, &money)?;
    }
    let count = |k: Kind| {
        sheets
            .iter()
            .find(|(kind, _)| *kind == k)
            .map_or(0, |(_, rows)| rows.len())
    };
    let ws = wb.add_worksheet();
    ws.set_name("Metrics")?;
    write_metrics(ws, m, &count, &bold, &date, &money)?;
    wb.save_to_buffer()
}

fn write_transactions(
    ws: &mut Worksheet,
    kind: Kind,
    rows: &[Transaction],
    bold: &Format,
    date: &Format,
    money: &Format,
) -> Result<(), XlsxError> {
    // Column B holds the amount on every sheet: the Metrics formulas rely on it.
    let mut header = vec!["Date", "Amount", "Type", "Description"];
    header.extend(match kind {
        Kind::CapitalCall => Some("Call Number"),
        Kind::Distribution => Some("Recallable"),
        Kind::Adjustment => None,
    });
    header.extend(["Document", "Document ID", "Page"]);
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, bold)?;
    }
    for (i, t) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_datetime_with_format(r, 0, &excel_date(t.date)?, date)?;
        ws.write_number_with_format(r, 1, num(t.amount), money)?;
        ws.write_string(r, 2, t.flow_type.as_deref().unwrap_or_default())?;
        ws.write_string(r, 3, t.description.as_deref().unwrap_or_default())?;
        let mut c = 4;
        if let Some(n) = &t.call_number {
            ws.write_string(r, c, n.as_deref().unwrap_or_default())?;
            c += 1;
        }
        if let Some(rec) = t.is_recallable {
            ws.write_boolean(r, c, rec)?;
            c += 1;
        }
        ws.write_string(r, c, t.document.as_deref().unwrap_or_default())?;
        ws.write_number(r, c + 1, t.document_id as f64)?;
        ws.write_number(r, c + 2, f64::from(t.page))?;
    }
    ws.set_column_width(0, 12)?;
    ws.set_column_width(1, 16)?;
    ws.set_column_width(2, 24)?;
    ws.set_column_width(3, 36)?;
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// `SUM` over a sheet's amount column, or 0 for an empty sheet.
fn sum_of(kind: Kind, n: usize) -> String {
    if n == 0 {
        "0".into()
    } else {
        format!("SUM('{}'!B2:B{})", sheet_name(kind), n + 1)
    }
}

/// (row, label, formula without '=', engine value, number format, explanation).
type MetricRow<'a> = (
    u32,
    &'a str,
    Option<String>,
    Option<Decimal>,
    &'a Format,
    &'a str,
);

fn write_metrics(
    ws: &mut Worksheet,
    m: &FundMetrics,
    count: &dyn Fn(Kind) -> usize,
    bold: &Format,
    date: &Format,
    money: &Format,
) -> Result<(), XlsxError> {
    let ratio = Format::new().set_num_format("0.0000");
    let pct = Format::new().set_num_format("0.00");
    ws.write_string_with_format(0, 0, "Metric", bold)?;
    ws.write_string_with_format(0, 1, "Value", bold)?;
    ws.write_string_with_format(0, 2, "How it is computed", bold)?;
    ws.write_string(1, 0, "As of")?;
    if let Some(d) = m.as_of {
        ws.write_datetime_with_format(1, 1, &excel_date(d)?, date)?;
    }
    let n_dist = count(Kind::Distribution);
    let recallable = if n_dist == 0 {
        "0".to_string()
    } else {
        format!(
            "SUMIF('Distributions'!E2:E{0},TRUE,'Distributions'!B2:B{0})",
            n_dist + 1
        )
    };
    // (row, label, formula without '=', engine value, format, explanation); rows are 0-based
    // here and 1-based inside formulas: PIC sits in B5, distributions in B6, NAV in B9.
    let rows: [MetricRow; 11] = [
        (
            2,
            "Gross contributions",
            Some(sum_of(Kind::CapitalCall, count(Kind::CapitalCall))),
            Some(m.gross_contributions),
            money,
            "Σ capital calls",
        ),
        (
            3,
            "Total adjustments",
            Some(sum_of(Kind::Adjustment, count(Kind::Adjustment))),
            Some(m.total_adjustments),
            money,
            "Σ adjustments, signed as printed",
        ),
        (
            4,
            "PIC (paid-in capital)",
            Some("B3-B4".into()),
            Some(m.pic),
            money,
            "Gross contributions − adjustments",
        ),
        (
            5,
            "Total distributions",
            Some(sum_of(Kind::Distribution, n_dist)),
            Some(m.total_distributions),
            money,
            "Σ distributions",
        ),
        (
            6,
            "Recallable distributions",
            Some(recallable),
            Some(m.recallable_distributions),
            money,
            "Σ recallable distributions",
        ),
        (
            7,
            "Net PIC",
            Some("B5-B7".into()),
            Some(m.net_pic),
            money,
            "PIC − recallable distributions",
        ),
        (
            8,
            "NAV",
            None,
            m.nav,
            money,
            "Latest reported NAV on or before the date",
        ),
        (
            9,
            "DPI",
            Some("B6/B5".into()),
            m.dpi,
            &ratio,
            "Distributions / PIC",
        ),
        (
            10,
            "TVPI",
            Some("(B6+B9)/B5".into()),
            m.tvpi,
            &ratio,
            "(Distributions + NAV) / PIC",
        ),
        (
            11,
            "RVPI",
            Some("B9/B5".into()),
            m.rvpi,
            &ratio,
            "NAV / PIC",
        ),
        (
            12,
            "IRR (%)",
            None,
            m.irr,
            &pct,
            "XIRR of calls (−), distributions (+), adjustments and NAV",
        ),
    ];
    for (r, label, formula, value, fmt, how) in rows {
        ws.write_string(r, 0, label)?;
        ws.write_string(r, 2, how)?;
        match (value, formula) {
            // The cached result lets readers that do not recalculate see the engine's figure.
            (Some(v), Some(f)) => {
                let f = Formula::new(format!("={f}")).set_result(num(v).to_string());
                ws.write_formula_with_format(r, 1, f, fmt)?;
            }
            (Some(v), None) => {
                ws.write_number_with_format(r, 1, num(v), fmt)?;
            }
            (None, _) => {
                ws.write_string(r, 1, "n/a")?;
            }
        }
    }
    for (i, note) in m.notes.iter().enumerate() {
        ws.write_string(14 + i as u32, 0, note)?;
    }
    ws.set_column_width(0, 26)?;
    ws.set_column_width(1, 18)?;
    ws.set_column_width(2, 56)?;
    Ok(())
}
