//! Stores what a worker extracted from a document: pages, text blocks, transactions, stated
//! figures and fund facts, replacing any earlier copy inside one transaction.
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

use crate::db::funds::{self, NewFund};
use crate::db::statements;
use crate::db::transitions::{self, Completion};
use crate::domain::{Component, DocumentStatus, Extraction, ExtractionWarning};

/// Why the result was not stored.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The document was reaped, deleted or finished by someone else meanwhile.
    #[error("this worker no longer owns the document")]
    NotOwner,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Opens the storing transaction once the document is confirmed to still belong to `worker_id`
/// (the row stays locked until commit, so the reaper cannot hand it to another worker halfway).
pub async fn begin_owned<'a>(
    pool: &'a PgPool,
    id: i64,
    worker_id: &str,
) -> Result<Transaction<'a, Postgres>, StoreError> {
    let mut tx = pool.begin().await?;
    let owned: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM documents WHERE id = $1 AND worker_id = $2 AND status = $3 FOR UPDATE",
    )
    .bind(id)
    .bind(worker_id)
    .bind(DocumentStatus::Processing)
    .fetch_optional(&mut *tx)
    .await?;
    if owned.is_none() {
        return Err(StoreError::NotOwner);
    }
    Ok(tx)
}

/// Every table holding rows derived from one document (keyed by `document_id`): what a re-run
/// replaces.
pub const DOCUMENT_TABLES: [&str; 10] = [
    "document_pages",
    "text_blocks",
    "capital_calls",
    "distributions",
    "adjustments",
    "reported_figures",
    "document_facts",
    "document_statement_facts",
    "portfolio_rows",
    "document_chunks",
];

/// Replaces the document's extracted data, links it to its fund and marks it completed.
/// Returns the fund id the document ended up with.
pub async fn store(
    tx: &mut PgConnection,
    id: i64,
    upload_fund_id: Option<i64>,
    pages: &[String],
    ex: &Extraction,
) -> Result<Option<i64>, sqlx::Error> {
    let mut warnings = ex.warnings.clone();
    let fund_id = resolve_fund(tx, id, upload_fund_id, ex, &mut warnings).await?;

    for table in DOCUMENT_TABLES {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE document_id = $1"
        )))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }

    let numbers: Vec<i32> = (1..=pages.len() as i32).collect();
    sqlx::query(
        "INSERT INTO document_pages (document_id, page_number, text)
         SELECT $1, * FROM UNNEST($2::int[], $3::text[])",
    )
    .bind(id)
    .bind(&numbers)
    .bind(pages)
    .execute(&mut *tx)
    .await?;

    let b = &ex.text_blocks;
    sqlx::query(
        "INSERT INTO text_blocks (document_id, page, seq, kind, text)
         SELECT $1, * FROM UNNEST($2::int[], $3::int[], $4::text[], $5::text[])",
    )
    .bind(id)
    .bind(b.iter().map(|t| t.page as i32).collect::<Vec<_>>())
    .bind((0..b.len() as i32).collect::<Vec<_>>())
    .bind(b.iter().map(|t| t.kind.as_str()).collect::<Vec<_>>())
    .bind(b.iter().map(|t| t.text.as_str()).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;

    let c = &ex.capital_calls;
    sqlx::query(
        "INSERT INTO capital_calls (fund_id, document_id, page, date, amount, call_type, description, call_number, source_text,
                                    notice_date, date_precision, origin, components, reference)
         SELECT $1, $2, * FROM UNNEST($3::int[], $4::date[], $5::numeric[], $6::text[], $7::text[], $8::text[], $9::text[],
                                      $10::date[], $11::text[], $12::text[], $13::jsonb[], $14::text[])",
    )
    .bind(fund_id)
    .bind(id)
    .bind(c.iter().map(|r| r.page as i32).collect::<Vec<_>>())
    .bind(c.iter().map(|r| r.date).collect::<Vec<NaiveDate>>())
    .bind(c.iter().map(|r| r.amount).collect::<Vec<Decimal>>())
    .bind(c.iter().map(|r| r.call_type.clone()).collect::<Vec<_>>())
    .bind(c.iter().map(|r| r.description.clone()).collect::<Vec<_>>())
    .bind(c.iter().map(|r| r.call_number.clone()).collect::<Vec<_>>())
    .bind(c.iter().map(|r| r.source_text.clone()).collect::<Vec<_>>())
    .bind(c.iter().map(|r| r.notice_date).collect::<Vec<_>>())
    .bind(c.iter().map(|r| r.date_precision.as_str()).collect::<Vec<_>>())
    .bind(c.iter().map(|r| r.origin.as_str()).collect::<Vec<_>>())
    .bind(c.iter().map(|r| components_json(&r.components)).collect::<Vec<_>>())
    .bind(c.iter().map(|r| r.reference.clone()).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;

    let d = &ex.distributions;
    sqlx::query(
        "INSERT INTO distributions (fund_id, document_id, page, date, amount, distribution_type, is_recallable, description, source_text,
                                    notice_date, date_precision, origin, components, recallable_amount, reference)
         SELECT $1, $2, * FROM UNNEST($3::int[], $4::date[], $5::numeric[], $6::text[], $7::bool[], $8::text[], $9::text[],
                                      $10::date[], $11::text[], $12::text[], $13::jsonb[], $14::numeric[], $15::text[])",
    )
    .bind(fund_id)
    .bind(id)
    .bind(d.iter().map(|r| r.page as i32).collect::<Vec<_>>())
    .bind(d.iter().map(|r| r.date).collect::<Vec<NaiveDate>>())
    .bind(d.iter().map(|r| r.amount).collect::<Vec<Decimal>>())
    .bind(d.iter().map(|r| r.distribution_type.clone()).collect::<Vec<_>>())
    .bind(d.iter().map(|r| r.is_recallable).collect::<Vec<_>>())
    .bind(d.iter().map(|r| r.description.clone()).collect::<Vec<_>>())
    .bind(d.iter().map(|r| r.source_text.clone()).collect::<Vec<_>>())
    .bind(d.iter().map(|r| r.notice_date).collect::<Vec<_>>())
    .bind(d.iter().map(|r| r.date_precision.as_str()).collect::<Vec<_>>())
    .bind(d.iter().map(|r| r.origin.as_str()).collect::<Vec<_>>())
    .bind(d.iter().map(|r| components_json(&r.components)).collect::<Vec<_>>())
    .bind(d.iter().map(|r| r.recallable_amount).collect::<Vec<_>>())
    .bind(d.iter().map(|r| r.reference.clone()).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;

    let a = &ex.adjustments;
    sqlx::query(
        "INSERT INTO adjustments (fund_id, document_id, page, date, amount, adjustment_type, description, source_text,
                                  date_precision, origin)
         SELECT $1, $2, * FROM UNNEST($3::int[], $4::date[], $5::numeric[], $6::text[], $7::text[], $8::text[],
                                      $9::text[], $10::text[])",
    )
    .bind(fund_id)
    .bind(id)
    .bind(a.iter().map(|r| r.page as i32).collect::<Vec<_>>())
    .bind(a.iter().map(|r| r.date).collect::<Vec<NaiveDate>>())
    .bind(a.iter().map(|r| r.amount).collect::<Vec<Decimal>>())
    .bind(a.iter().map(|r| r.adjustment_type.clone()).collect::<Vec<_>>())
    .bind(a.iter().map(|r| r.description.clone()).collect::<Vec<_>>())
    .bind(a.iter().map(|r| r.source_text.clone()).collect::<Vec<_>>())
    .bind(a.iter().map(|r| r.date_precision.as_str()).collect::<Vec<_>>())
    .bind(a.iter().map(|r| r.origin.as_str()).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;

    statements::store(tx, id, ex).await?;
    if let Some(fund) = fund_id {
        statements::mark_duplicates(tx, id, fund).await?;
    }

    // The NAV stated among the fund facts counts as a reported figure at the report date, so
    // metrics can find "the latest NAV on or before" any date.
    let mut reported = ex.reported.clone();
    if let (Some(nav), false) = (ex.fund.nav, reported.iter().any(|r| r.key == "nav")) {
        reported.push(crate::domain::ReportedFigure {
            key: "nav".into(),
            value: nav,
            page: 1,
            source_text: format!("NAV {nav}"),
        });
    }
    // Multiples and IRR a notice or statement states for the LP are reconciled against the
    // computed metrics like a report's own performance summary.
    for f in &ex.facts {
        let key = f.key.as_str();
        let lp_column = f.column.as_deref().is_none_or(|c| {
            let c = c.to_lowercase();
            !(c.contains("total") || c.contains("fund"))
        });
        if matches!(key, "dpi" | "tvpi" | "irr_pct")
            && lp_column
            && !reported.iter().any(|r| r.key == key)
            && let Some(value) = f.value.number()
        {
            reported.push(crate::domain::ReportedFigure {
                key: key.into(),
                value,
                page: f.page,
                source_text: f.source_text.clone(),
            });
        }
    }
    sqlx::query(
        "INSERT INTO reported_figures (fund_id, document_id, key, value, as_of, page, source_text)
         SELECT $1, $2, k, v, $3, p, s FROM UNNEST($4::text[], $5::numeric[], $6::int[], $7::text[]) AS t(k, v, p, s)",
    )
    .bind(fund_id)
    .bind(id)
    .bind(ex.fund.report_date)
    .bind(reported.iter().map(|r| r.key.clone()).collect::<Vec<_>>())
    .bind(reported.iter().map(|r| r.value).collect::<Vec<Decimal>>())
    .bind(reported.iter().map(|r| r.page as i32).collect::<Vec<_>>())
    .bind(reported.iter().map(|r| r.source_text.clone()).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;

    let f = &ex.fund;
    sqlx::query(
        "INSERT INTO document_facts (document_id, fund_name, gp_name, vintage_year, fund_size, report_date, nav, currency)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(&f.name)
    .bind(&f.gp_name)
    .bind(f.vintage_year)
    .bind(f.fund_size)
    .bind(f.report_date)
    .bind(f.nav)
    .bind(&f.currency)
    .execute(&mut *tx)
    .await?;

    let completion = Completion {
        fund_id,
        page_count: pages.len() as i32,
        warnings: serde_json::to_value(&warnings).unwrap_or_default(),
        document_type: ex.document_type.as_str(),
        type_evidence: serde_json::to_value(&ex.type_evidence).unwrap_or_default(),
        investor: ex.investor.as_deref(),
        ocr_pages: ex.ocr_pages.iter().map(|&p| p as i32).collect(),
    };
    if !transitions::processing_to_completed(tx, id, &completion).await? {
        // `begin_owned` locked the row as processing, so only a caller that skipped it gets here.
        return Err(sqlx::Error::RowNotFound);
    }
    Ok(fund_id)
}

/// The uploader's fund wins; otherwise the fund printed in the document, created if new.
async fn resolve_fund(
    tx: &mut PgConnection,
    id: i64,
    upload_fund_id: Option<i64>,
    ex: &Extraction,
    warnings: &mut Vec<ExtractionWarning>,
) -> Result<Option<i64>, sqlx::Error> {
    let facts = NewFund {
        name: ex.fund.name.clone().unwrap_or_default(),
        gp_name: ex.fund.gp_name.clone(),
        fund_type: None,
        vintage_year: ex.fund.vintage_year,
        fund_size: ex.fund.fund_size,
        currency: ex.fund.currency.clone(),
    };
    match (upload_fund_id, ex.fund.name.as_deref()) {
        (Some(fid), printed) => {
            if let Some(name) = printed
                && !funds::name_key_matches(tx, fid, name).await?
            {
                warnings.push(ExtractionWarning {
                    page: None,
                    message: format!(
                        "The document names the fund \"{name}\", but it was uploaded for another fund; it stays with the fund it was uploaded for."
                    ),
                    text: None,
                });
            }
            funds::fill_missing_facts(tx, fid, &facts).await?;
            Ok(Some(fid))
        }
        (None, Some(name)) if !name.trim().is_empty() => {
            Ok(Some(funds::find_or_create(tx, &facts).await?))
        }
        // About many funds (a portfolio table, a program review): linked to none, by design.
        (None, _) if ex.document_type.is_multi_fund() => Ok(None),
        (None, _) => {
            // A heading that does not read as a fund's name may still name a fund that exists.
            if let Some(heading) = ex.unplaced_fund_name.as_deref()
                && let Some(fid) = funds::find_by_name(tx, heading).await?
            {
                return Ok(Some(fid));
            }
            let seen = ex
                .unplaced_fund_name
                .as_deref()
                .map(|h| format!(" (its heading \"{h}\" does not read as a fund's name)"))
                .unwrap_or_default();
            warnings.push(ExtractionWarning {
                page: None,
                message: format!(
                    "No fund could be identified in this document{seen}, so it is linked to no fund: choose its fund on the Documents page or with POST /api/documents/{id}/fund."
                ),
                text: ex.unplaced_fund_name.clone(),
            });
            Ok(None)
        }
    }
}

fn components_json(c: &[Component]) -> serde_json::Value {
    serde_json::to_value(c).unwrap_or_default()
}
