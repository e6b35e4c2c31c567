//! Loads one fund's flows, NAVs and stated figures into a `MetricsInput`.
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgPool;

use crate::metrics::{Flow, MetricsInput, NavPoint, ReportedFigureRow};

type FlowRow = (
    i64,
    NaiveDate,
    Decimal,
    Option<String>,
    Option<String>,
    i64,
    i32,
    bool,
);

fn flow(r: FlowRow) -> Flow {
    Flow {
        id: Some(r.0),
        date: r.1,
        amount: r.2,
        flow_type: r.3,
        description: r.4,
        document_id: Some(r.5),
        page: Some(r.6),
        is_recallable: r.7,
    }
}

/// Reads everything the metrics engine needs for `fund_id`. Stated figures without their own
/// `as_of` take the report date of their document, since that is the date they speak for.
/// NAVs come from `reported_figures` rows keyed `nav`, and from a document's facts when that
/// document has no such row.
pub async fn load_inputs(pool: &PgPool, fund_id: i64) -> Result<MetricsInput, sqlx::Error> {
    let calls = sqlx::query_as::<_, FlowRow>(
        "SELECT id, date, amount, call_type, description, document_id, page, false
         FROM capital_calls WHERE fund_id = $1 AND duplicate_of IS NULL ORDER BY date, id",
    )
    .bind(fund_id)
    .fetch_all(pool)
    .await?;
    let distributions = sqlx::query_as::<_, FlowRow>(
        "SELECT id, date, amount, distribution_type, description, document_id, page, is_recallable
         FROM distributions WHERE fund_id = $1 AND duplicate_of IS NULL ORDER BY date, id",
    )
    .bind(fund_id)
    .fetch_all(pool)
    .await?;
    let adjustments = sqlx::query_as::<_, FlowRow>(
        "SELECT id, date, amount, adjustment_type, description, document_id, page, false
         FROM adjustments WHERE fund_id = $1 ORDER BY date, id",
    )
    .bind(fund_id)
    .fetch_all(pool)
    .await?;
    let reported =
        sqlx::query_as::<_, (i64, String, Decimal, Option<NaiveDate>, i64, i32, String)>(
            "SELECT rf.id, rf.key, rf.value, COALESCE(rf.as_of, df.report_date), rf.document_id,
                rf.page, rf.source_text
         FROM reported_figures rf
         LEFT JOIN document_facts df ON df.document_id = rf.document_id
         WHERE rf.fund_id = $1 ORDER BY rf.document_id, rf.id",
        )
        .bind(fund_id)
        .fetch_all(pool)
        .await?;
    let fact_navs = sqlx::query_as::<_, (i64, NaiveDate, Decimal)>(
        "SELECT df.document_id, df.report_date, df.nav
         FROM document_facts df JOIN documents d ON d.id = df.document_id
         WHERE d.fund_id = $1 AND df.nav IS NOT NULL AND df.report_date IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM reported_figures rf
                           WHERE rf.document_id = df.document_id AND rf.key = 'nav')
         ORDER BY df.document_id",
    )
    .bind(fund_id)
    .fetch_all(pool)
    .await?;

    let mut input = MetricsInput {
        calls: calls.into_iter().map(flow).collect(),
        distributions: distributions.into_iter().map(flow).collect(),
        adjustments: adjustments.into_iter().map(flow).collect(),
        ..Default::default()
    };
    for (id, key, value, as_of, document_id, page, source_text) in reported {
        if key == "nav" {
            match as_of {
                Some(date) => input.navs.push(NavPoint {
                    date,
                    value,
                    document_id: Some(document_id),
                    page: Some(page),
                }),
                None => input.warnings.push(format!(
                    "A NAV of {value} (document {document_id}, page {page}) has no date and was not used."
                )),
            }
        }
        input.reported.push(ReportedFigureRow {
            id: Some(id),
            key,
            value,
            as_of,
            document_id: Some(document_id),
            page: Some(page),
            source_text: Some(source_text),
        });
    }
    input.navs.extend(
        fact_navs
            .into_iter()
            .map(|(document_id, date, value)| NavPoint {
                date,
                value,
                document_id: Some(document_id),
                page: None,
            }),
    );
    Ok(input)
}
