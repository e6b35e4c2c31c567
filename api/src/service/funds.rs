//! Funds: list, read and create them, each with its metrics through the one metrics cache.
use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::NaiveDate;
use shared::db::funds::{self, Fund, NewFund};
use sqlx::PgPool;

use super::metrics::{FundSnapshot, MetricsService};
use crate::error::{ApiError, Result};

/// What a person may set when creating a fund; everything else comes from its reports.
#[derive(Debug, Default)]
pub struct FundDraft {
    pub name: String,
    pub gp_name: Option<String>,
    pub fund_type: Option<String>,
    pub vintage_year: Option<i32>,
}

#[derive(Clone)]
pub struct FundService {
    db: PgPool,
    metrics: MetricsService,
}

fn trimmed(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl FundService {
    pub fn new(db: PgPool, metrics: MetricsService) -> Self {
        Self { db, metrics }
    }

    #[tracing::instrument(skip_all)]
    pub async fn list(&self) -> Result<Vec<Fund>> {
        Ok(funds::list(&self.db).await?)
    }

    #[tracing::instrument(skip_all, fields(fund_id = id))]
    pub async fn get(&self, id: i64) -> Result<Fund> {
        funds::get(&self.db, id)
            .await?
            .ok_or_else(|| ApiError::not_found("Fund", id))
    }

    /// 404 unless the fund exists; for views of a fund's rows that would otherwise be empty.
    pub async fn require(&self, id: i64) -> Result<()> {
        if funds::exists(&self.db, id).await? {
            Ok(())
        } else {
            Err(ApiError::not_found("Fund", id))
        }
    }

    /// Every fund with its metrics as of its latest data. The versions come with the list, so
    /// a warm cache answers with this one query.
    #[tracing::instrument(skip_all)]
    pub async fn list_with_metrics(&self) -> Result<Vec<(Fund, Arc<FundSnapshot>)>> {
        let all = funds::list(&self.db).await?;
        let mut out = Vec::with_capacity(all.len());
        for f in all {
            let snap = self.metrics.at_version(f.id, f.data_version, None).await?;
            out.push((f, snap));
        }
        Ok(out)
    }

    #[tracing::instrument(skip_all, fields(fund_id = id, as_of = ?as_of))]
    pub async fn with_metrics(
        &self,
        id: i64,
        as_of: Option<NaiveDate>,
    ) -> Result<(Fund, Arc<FundSnapshot>)> {
        let fund = self.get(id).await?;
        let snap = self
            .metrics
            .at_version(id, fund.data_version, as_of)
            .await?;
        Ok((fund, snap))
    }

    /// The funds in the order asked, each with its metrics; 404 naming every unknown id.
    #[tracing::instrument(skip_all, fields(funds = ids.len(), as_of = ?as_of))]
    pub async fn compare(
        &self,
        ids: &[i64],
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<(Fund, Arc<FundSnapshot>)>> {
        let found = funds::get_many(&self.db, ids).await?;
        let known: BTreeSet<i64> = found.iter().map(|f| f.id).collect();
        let missing: Vec<String> = ids
            .iter()
            .filter(|id| !known.contains(id))
            .map(i64::to_string)
            .collect();
        if !missing.is_empty() {
            return Err(ApiError::NotFound(if missing.len() == 1 {
                format!("Fund {} does not exist.", missing[0])
            } else {
                format!("Funds {} do not exist.", missing.join(", "))
            }));
        }
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(fund) = found.iter().find(|f| f.id == *id) else {
                continue;
            };
            let snap = self
                .metrics
                .at_version(fund.id, fund.data_version, as_of)
                .await?;
            out.push((fund.clone(), snap));
        }
        Ok(out)
    }

    /// Creates a fund from what a person typed; 422 for a bad field, 409 for a taken name.
    #[tracing::instrument(skip_all)]
    pub async fn create(&self, draft: FundDraft) -> Result<Fund> {
        let name = draft.name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() || name.len() > 200 {
            return Err(ApiError::Unprocessable(
                "`name` must be 1 to 200 characters.".into(),
            ));
        }
        if let Some(y) = draft.vintage_year
            && !(1900..=2200).contains(&y)
        {
            return Err(ApiError::Unprocessable(
                "`vintage_year` must be a year such as 2021.".into(),
            ));
        }
        let new = NewFund {
            name: name.clone(),
            gp_name: trimmed(draft.gp_name),
            fund_type: trimmed(draft.fund_type),
            vintage_year: draft.vintage_year,
            ..Default::default()
        };
        funds::create(&self.db, &new)
            .await?
            .ok_or_else(|| ApiError::Conflict(format!("A fund named \"{name}\" already exists.")))
    }
}
