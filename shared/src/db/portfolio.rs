//! Questions over many-funds portfolio tables (a pension plan's private-equity holdings):
//! filter by vintage or name, sort by a column, top N, with the count and totals of the match.
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;

use crate::domain::DocumentStatus;

/// A column a portfolio question sorts or sums by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    Commitment,
    Contributed,
    Distributed,
    Nav,
    Tvpi,
    IrrPct,
    VintageYear,
}

impl Column {
    fn sql(self) -> &'static str {
        match self {
            Self::Commitment => "r.commitment",
            Self::Contributed => "r.contributed",
            Self::Distributed => "r.distributed",
            Self::Nav => "r.nav",
            Self::Tvpi => "r.tvpi",
            Self::IrrPct => "r.irr_pct",
            Self::VintageYear => "r.vintage_year",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Commitment => "commitment",
            Self::Contributed => "capital contributed",
            Self::Distributed => "capital distributed",
            Self::Nav => "NAV (fair value)",
            Self::Tvpi => "TVPI",
            Self::IrrPct => "IRR",
            Self::VintageYear => "vintage year",
        }
    }

    pub fn is_money(self) -> bool {
        matches!(
            self,
            Self::Commitment | Self::Contributed | Self::Distributed | Self::Nav
        )
    }
}

/// A document holding portfolio rows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PortfolioDocument {
    pub document_id: i64,
    pub file_name: String,
    pub investor: Option<String>,
    pub rows: i64,
}

/// Whether any portfolio table is stored (a question's table words mean one only then).
pub async fn any(pool: &PgPool) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM portfolio_rows)")
        .fetch_one(pool)
        .await
}

pub async fn documents(pool: &PgPool) -> Result<Vec<PortfolioDocument>, sqlx::Error> {
    sqlx::query_as(
        "SELECT d.id AS document_id, d.file_name, d.investor, count(*) AS rows
         FROM portfolio_rows r JOIN documents d ON d.id = r.document_id
         WHERE d.status = $1 GROUP BY d.id ORDER BY d.id",
    )
    .bind(DocumentStatus::Completed)
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, Default)]
pub struct Query<'a> {
    pub document_id: i64,
    pub vintage: Option<i32>,
    /// Rows whose name contains this (case-insensitive).
    pub name: Option<&'a str>,
    /// The one row printed at this position.
    pub seq: Option<i32>,
    pub sort: Option<Column>,
    pub descending: bool,
    pub limit: i64,
}

/// One row of a many-funds table, in full currency units.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PortfolioItem {
    pub name: String,
    pub vintage_year: Option<i32>,
    #[serde(with = "rust_decimal::serde::float_option")]
    pub commitment: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::float_option")]
    pub contributed: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::float_option")]
    pub distributed: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::float_option")]
    pub nav: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::float_option")]
    pub tvpi: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::float_option")]
    pub irr_pct: Option<Decimal>,
    pub page: i32,
}

/// A row that matched a [`Query`], with the count and totals of the whole match.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Match {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub row: PortfolioItem,
    #[serde(skip)]
    pub source_text: String,
    /// Rows matching the filter (before the limit), and their column totals.
    #[serde(skip)]
    pub matched: i64,
    #[serde(skip)]
    pub sum_commitment: Option<Decimal>,
    #[serde(skip)]
    pub sum_contributed: Option<Decimal>,
    #[serde(skip)]
    pub sum_distributed: Option<Decimal>,
    #[serde(skip)]
    pub sum_nav: Option<Decimal>,
}

impl Match {
    pub fn value(&self, c: Column) -> Option<Decimal> {
        match c {
            Column::Commitment => self.row.commitment,
            Column::Contributed => self.row.contributed,
            Column::Distributed => self.row.distributed,
            Column::Nav => self.row.nav,
            Column::Tvpi => self.row.tvpi,
            Column::IrrPct => self.row.irr_pct,
            Column::VintageYear => self.row.vintage_year.map(Decimal::from),
        }
    }

    pub fn total(&self, c: Column) -> Option<Decimal> {
        match c {
            Column::Commitment => self.sum_commitment,
            Column::Contributed => self.sum_contributed,
            Column::Distributed => self.sum_distributed,
            Column::Nav => self.sum_nav,
            _ => None,
        }
    }
}

/// Each row's position and name, in printed order: enough to find the row a question names
/// without reading every figure.
pub async fn names(pool: &PgPool, document_id: i64) -> Result<Vec<(i32, String)>, sqlx::Error> {
    sqlx::query_as("SELECT seq, name FROM portfolio_rows WHERE document_id = $1 ORDER BY seq")
        .bind(document_id)
        .fetch_all(pool)
        .await
}

/// The matching rows, sorted (blank cells last) and limited; every row carries the count and
/// totals of the whole match, computed before the limit.
pub async fn find(pool: &PgPool, q: &Query<'_>) -> Result<Vec<Match>, sqlx::Error> {
    let order = match q.sort {
        Some(c) => format!(
            "{} {} NULLS LAST, r.seq",
            c.sql(),
            if q.descending { "DESC" } else { "ASC" }
        ),
        None => "r.seq".to_string(),
    };
    let name = q.name.map(|n| {
        format!(
            "%{}%",
            n.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        )
    });
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT r.name, r.vintage_year, r.commitment, r.contributed, r.distributed, r.nav, r.tvpi,
                r.irr_pct, r.page, r.source_text,
                count(*) OVER () AS matched,
                sum(r.commitment) OVER () AS sum_commitment,
                sum(r.contributed) OVER () AS sum_contributed,
                sum(r.distributed) OVER () AS sum_distributed,
                sum(r.nav) OVER () AS sum_nav
         FROM portfolio_rows r
         WHERE r.document_id = $1
           AND ($2::int IS NULL OR r.vintage_year = $2)
           AND ($3::text IS NULL OR r.name ILIKE $3)
           AND ($5::int IS NULL OR r.seq = $5)
         ORDER BY {order}
         LIMIT $4",
    )))
    .bind(q.document_id)
    .bind(q.vintage)
    .bind(name)
    .bind(q.limit)
    .bind(q.seq)
    .fetch_all(pool)
    .await
}
