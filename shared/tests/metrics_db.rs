//! Loads a fund from Postgres and computes its metrics, including as-of filtering.
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use shared::db::metrics::load_inputs;
use shared::domain::DocumentStatus;
use shared::metrics::{CashFlow, compute, reconcile, xirr};
use sqlx::PgPool;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

async fn document(pool: &PgPool, fund: i64, name: &str, report_date: &str) -> i64 {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO documents (fund_id, file_name, sha256, size_bytes, status)
         VALUES ($1, $2, $3, 1000, $4) RETURNING id",
    )
    .bind(fund)
    .bind(name)
    .bind(format!("{name}-sha"))
    .bind(DocumentStatus::Completed)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO document_facts (document_id, report_date) VALUES ($1, $2)")
        .bind(id)
        .bind(d(report_date))
        .execute(pool)
        .await
        .unwrap();
    id
}

async fn flow(pool: &PgPool, table: &str, fund: i64, doc: i64, date: &str, amount: &str) {
    // Static statements per table: sqlx refuses SQL assembled at run time.
    let sql = match table {
        "capital_calls" => {
            "INSERT INTO capital_calls (fund_id, document_id, page, date, amount, source_text)
             VALUES ($1, $2, 2, $3, $4, 'row')"
        }
        "distributions" => {
            "INSERT INTO distributions (fund_id, document_id, page, date, amount, source_text)
             VALUES ($1, $2, 2, $3, $4, 'row')"
        }
        _ => {
            "INSERT INTO adjustments (fund_id, document_id, page, date, amount, source_text)
             VALUES ($1, $2, 2, $3, $4, 'row')"
        }
    };
    sqlx::query(sql)
        .bind(fund)
        .bind(doc)
        .bind(d(date))
        .bind(dec(amount))
        .execute(pool)
        .await
        .unwrap();
}

async fn figure(pool: &PgPool, fund: i64, doc: i64, key: &str, value: &str, as_of: Option<&str>) {
    sqlx::query(
        "INSERT INTO reported_figures (fund_id, document_id, key, value, as_of, page, source_text)
         VALUES ($1, $2, $3, $4, $5, 1, $3 || ' ' || $4::text)",
    )
    .bind(fund)
    .bind(doc)
    .bind(key)
    .bind(dec(value))
    .bind(as_of.map(d))
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn loads_and_computes_with_as_of(pool: PgPool) {
    let fund: i64 =
        sqlx::query_scalar("INSERT INTO funds (name) VALUES ('Test Fund I') RETURNING id")
            .fetch_one(&pool)
            .await
            .unwrap();
    let other: i64 =
        sqlx::query_scalar("INSERT INTO funds (name) VALUES ('Other Fund') RETURNING id")
            .fetch_one(&pool)
            .await
            .unwrap();
    let q4 = document(&pool, fund, "q4-2023.pdf", "2023-12-31").await;
    let q2 = document(&pool, fund, "q2-2024.pdf", "2024-06-30").await;
    let stray = document(&pool, other, "other.pdf", "2024-06-30").await;

    flow(&pool, "capital_calls", fund, q4, "2023-01-15", "1000000").await;
    flow(&pool, "capital_calls", fund, q4, "2023-06-30", "500000.50").await;
    flow(&pool, "capital_calls", fund, q2, "2024-03-31", "500000").await;
    flow(
        &pool,
        "capital_calls",
        other,
        stray,
        "2024-01-01",
        "9999999",
    )
    .await;
    flow(&pool, "distributions", fund, q4, "2023-12-15", "300000").await;
    flow(&pool, "distributions", fund, q2, "2024-06-15", "200000").await;
    sqlx::query("UPDATE distributions SET is_recallable = true WHERE date = '2023-12-15'")
        .execute(&pool)
        .await
        .unwrap();
    flow(&pool, "adjustments", fund, q2, "2024-02-01", "-50000").await;
    figure(&pool, fund, q4, "nav", "1400000", Some("2023-12-31")).await;
    // No as_of of its own: dated by its document's report date.
    figure(&pool, fund, q2, "nav", "2100000", None).await;
    figure(&pool, fund, q4, "pic", "1500000.50", None).await;
    // Calls + adjustments, the common misstatement.
    figure(&pool, fund, q2, "pic", "1950000.50", None).await;

    let input = load_inputs(&pool, fund).await.unwrap();
    assert_eq!(input.calls.len(), 3);
    assert_eq!(input.distributions.len(), 2);
    assert_eq!(input.adjustments.len(), 1);
    assert_eq!(input.navs.len(), 2);
    assert_eq!(input.reported.len(), 4);
    assert!(
        input
            .calls
            .iter()
            .all(|c| c.document_id.is_some() && c.page == Some(2))
    );
    assert_eq!(input.calls[1].amount, dec("500000.50"));

    // Latest data: 2024-06-30 (the second NAV's date).
    let m = compute(&input, None);
    assert_eq!(m.as_of, Some(d("2024-06-30")));
    assert!(m.as_of_defaulted);
    assert_eq!(m.gross_contributions, dec("2000000.50"));
    assert_eq!(m.pic, dec("2050000.50"));
    assert_eq!(m.net_pic, dec("1750000.50"));
    assert_eq!(m.nav, Some(dec("2100000")));
    assert_eq!(m.dpi.unwrap().round_dp(4), dec("0.2439"));
    assert_eq!(m.tvpi.unwrap().round_dp(4), dec("1.2683"));
    let expected_irr = xirr(&[
        CashFlow {
            date: d("2023-01-15"),
            amount: dec("-1000000"),
        },
        CashFlow {
            date: d("2023-06-30"),
            amount: dec("-500000.50"),
        },
        CashFlow {
            date: d("2023-12-15"),
            amount: dec("300000"),
        },
        CashFlow {
            date: d("2024-02-01"),
            amount: dec("-50000"),
        },
        CashFlow {
            date: d("2024-03-31"),
            amount: dec("-500000"),
        },
        CashFlow {
            date: d("2024-06-15"),
            amount: dec("200000"),
        },
        CashFlow {
            date: d("2024-06-30"),
            amount: dec("2100000"),
        },
    ])
    .unwrap();
    let irr: f64 = m.irr.unwrap().to_string().parse().unwrap();
    assert!((irr - expected_irr * 100.0).abs() < 1e-6);

    // As of the first report: later flows and the later NAV drop out.
    let q4m = compute(&input, Some(d("2023-12-31")));
    assert!(!q4m.as_of_defaulted);
    assert_eq!(q4m.pic, dec("1500000.50"));
    assert_eq!(q4m.total_distributions, dec("300000"));
    assert_eq!(q4m.recallable_distributions, dec("300000"));
    assert_eq!(q4m.nav, Some(dec("1400000")));
    assert_eq!(q4m.rvpi.unwrap().round_dp(4), dec("0.9333"));
    assert!(
        q4m.notes.iter().any(|n| n.contains("3 transaction(s)")),
        "{:?}",
        q4m.notes
    );

    // Between reports: the latest NAV on or before the date is used.
    let mid = compute(&input, Some(d("2024-03-01")));
    assert_eq!(mid.nav, Some(dec("1400000")));
    assert_eq!(mid.nav_date, Some(d("2023-12-31")));
    assert_eq!(mid.pic, dec("1550000.50"));

    // Before any NAV: no TVPI/RVPI, realized IRR only (here no sign change at all yet).
    let early = compute(&input, Some(d("2023-07-01")));
    assert_eq!(early.nav, None);
    assert_eq!(early.tvpi, None);
    assert_eq!(early.irr, None);
    assert!(
        early.notes.iter().any(|n| n.contains("never change sign")),
        "{:?}",
        early.notes
    );

    // Each stated figure is checked as of its own report date.
    let r = reconcile(&input);
    assert_eq!(r.checks.len(), 4);
    assert_eq!(r.discrepancies.len(), 1, "{:#?}", r.discrepancies);
    let pic = &r.discrepancies[0];
    assert_eq!(pic.key, "pic");
    assert_eq!(pic.document_id, Some(q2));
    assert_eq!(pic.as_of, Some(d("2024-06-30")));
    assert!(
        pic.likely_cause
            .as_deref()
            .unwrap()
            .contains("calls + adjustments")
    );
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn empty_fund_has_no_metrics_and_no_panic(pool: PgPool) {
    let fund: i64 = sqlx::query_scalar("INSERT INTO funds (name) VALUES ('Empty') RETURNING id")
        .fetch_one(&pool)
        .await
        .unwrap();
    let m = compute(&load_inputs(&pool, fund).await.unwrap(), None);
    assert_eq!(m.as_of, None);
    assert_eq!(m.pic, Decimal::ZERO);
    assert_eq!((m.dpi, m.tvpi, m.irr), (None, None, None));
    assert!(!m.notes.is_empty());
}
