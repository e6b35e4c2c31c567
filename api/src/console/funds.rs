//! Funds page: every fund with its key metrics, and a side-by-side comparison of selected funds.
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use shared::db::funds::Fund;
use shared::metrics::FundMetrics;

use super::format::{self, NONE};
use super::{PageResult, render};
use crate::state::AppState;

/// One fund's figures, formatted for reading.
pub struct FundRow {
    pub id: i64,
    pub name: String,
    pub gp: String,
    pub vintage: String,
    pub pic: String,
    pub distributions: String,
    pub nav: String,
    pub dpi: String,
    pub tvpi: String,
    pub rvpi: String,
    pub irr: String,
    pub as_of: String,
    pub has_data: bool,
    pub selected: bool,
}

impl FundRow {
    pub fn new(f: Fund, m: &FundMetrics) -> Self {
        FundRow {
            id: f.id,
            gp: f.gp_name.unwrap_or_else(|| NONE.into()),
            vintage: f
                .vintage_year
                .map(|y| y.to_string())
                .unwrap_or_else(|| NONE.into()),
            name: f.name,
            pic: format::money(m.pic),
            distributions: format::money(m.total_distributions),
            nav: format::money_opt(m.nav),
            dpi: format::multiple(m.dpi),
            tvpi: format::multiple(m.tvpi),
            rvpi: format::multiple(m.rvpi),
            irr: format::percent(m.irr),
            as_of: m
                .as_of
                .map(|d| d.to_string())
                .unwrap_or_else(|| NONE.into()),
            has_data: m.as_of.is_some(),
            selected: false,
        }
    }
}

#[derive(Template)]
#[template(path = "funds.html")]
struct FundsPage {
    nav: &'static str,
    rows: Vec<FundRow>,
    compared: Vec<usize>,
    compare_asked: bool,
}

impl FundsPage {
    fn compared(&self) -> Vec<&FundRow> {
        self.compared.iter().map(|&i| &self.rows[i]).collect()
    }
}

/// `ids=1,2` or `ids=1&ids=2` (what a form of checkboxes sends); anything not an id is ignored
/// here, where the API would refuse it.
fn compare_ids(query: Option<&str>) -> Option<Vec<i64>> {
    let values: Vec<&str> = query?
        .split('&')
        .filter_map(|pair| pair.strip_prefix("ids="))
        .collect();
    (!values.is_empty()).then(|| crate::fund_ids::parse(values).ids)
}

pub async fn page(State(state): State<AppState>, RawQuery(query): RawQuery) -> PageResult {
    let wanted = compare_ids(query.as_deref());
    let mut rows = Vec::new();
    for (f, snap) in state.funds.list_with_metrics().await? {
        let mut row = FundRow::new(f, &snap.metrics);
        row.selected = wanted.as_ref().is_some_and(|w| w.contains(&row.id));
        rows.push(row);
    }
    let compared = match &wanted {
        Some(ids) => ids
            .iter()
            .filter_map(|id| rows.iter().position(|r| r.id == *id))
            .collect(),
        None => Vec::new(),
    };
    Ok(render(
        StatusCode::OK,
        &FundsPage {
            nav: "funds",
            compare_asked: wanted.is_some(),
            compared,
            rows,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::compare_ids;

    #[test]
    fn reads_both_forms_of_the_id_list() {
        assert_eq!(compare_ids(Some("ids=1&ids=2")), Some(vec![1, 2]));
        assert_eq!(compare_ids(Some("ids=3%2C1,x")), Some(vec![3, 1]));
        assert_eq!(compare_ids(Some("other=1")), None);
        assert_eq!(compare_ids(None), None);
    }
}
