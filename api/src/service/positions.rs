//! The LP's position in a fund (commitment, contributed, distributed, unfunded, recallable,
//! NAV), stated or derived from the statements and flows.
use chrono::NaiveDate;
use shared::db::{funds, statements};
use shared::metrics::position::{self, Position};
use sqlx::PgPool;

use crate::error::{ApiError, Result};

#[derive(Clone)]
pub struct PositionService {
    db: PgPool,
}

impl PositionService {
    pub fn new(db: PgPool) -> Self {
        Self { db }
    }

    #[tracing::instrument(skip_all, fields(fund_id, as_of = ?as_of))]
    pub async fn of_fund(&self, fund_id: i64, as_of: Option<NaiveDate>) -> Result<Position> {
        if !funds::exists(&self.db, fund_id).await? {
            return Err(ApiError::not_found("Fund", fund_id));
        }
        let (facts, flows) = statements::position_inputs(&self.db, fund_id, as_of).await?;
        Ok(position::position(&facts, &flows))
    }
}
