//! A fund's transactions: filtered pages for the API and chat, every row of a kind for exports.
use shared::db::funds;
use shared::db::transactions::{self, Filter, Kind, Transaction};
use sqlx::PgPool;

use crate::error::{ApiError, Result};

#[derive(Clone)]
pub struct TransactionService {
    db: PgPool,
}

impl TransactionService {
    pub fn new(db: PgPool) -> Self {
        Self { db }
    }

    /// One page of the fund's transactions and the total matching; 404 for an unknown fund.
    #[tracing::instrument(skip_all, fields(fund_id = f.fund_id, kind = ?f.kind, year = ?f.year))]
    pub async fn page(&self, f: &Filter) -> Result<(Vec<Transaction>, i64)> {
        if !funds::exists(&self.db, f.fund_id).await? {
            return Err(ApiError::not_found("Fund", f.fund_id));
        }
        Ok(transactions::list(&self.db, f).await?)
    }

    /// Every transaction of one kind, oldest first (exports and chat); the fund must exist.
    #[tracing::instrument(skip_all, fields(fund_id, kind = kind.as_str()))]
    pub async fn all_of(&self, fund_id: i64, kind: Kind) -> Result<Vec<Transaction>> {
        Ok(transactions::all_of(&self.db, fund_id, kind).await?)
    }
}
