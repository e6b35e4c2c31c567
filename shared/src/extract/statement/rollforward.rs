//! Checks each column of a capital roll-forward: beginning balance plus movements must equal
//! the ending balance, within the rounding of the printed figures.
use rust_decimal::Decimal;

use super::grid::Group;
use super::keys::{self, Balance};
use crate::domain::ExtractionWarning;

/// Movements that reduce capital; some statements print them unsigned and subtract them.
fn is_outflow(label: &str) -> bool {
    matches!(
        keys::flow_key(&keys::normalize(label)),
        Some("distributions_period" | "management_fees_period" | "expenses_period")
    )
}

/// Warns for every column of a roll-forward group whose movements do not reach its ending
/// balance. `group` must be a roll-forward (see `emit::is_rollforward`).
pub fn check(group: &Group, warnings: &mut Vec<ExtractionWarning>) {
    let roles: Vec<Option<Balance>> = group
        .rows
        .iter()
        .map(|r| keys::balance_role(&keys::normalize(&r.label)))
        .collect();
    let Some(first) = roles.iter().position(Option::is_some) else {
        return;
    };
    let Some(last) = roles.iter().rposition(Option::is_some) else {
        return;
    };
    if last <= first {
        return;
    }
    let mut cols: Vec<Option<usize>> = group.rows[first].cells.iter().map(|(c, _)| *c).collect();
    cols.dedup();
    for col in cols {
        let value = |k: usize| {
            group.rows[k]
                .cells
                .iter()
                .find(|(c, _)| *c == col)
                .and_then(|(_, cell)| cell.value)
        };
        let (Some(begin), Some(end)) = (value(first), value(last)) else {
            continue;
        };
        let moves: Vec<(Decimal, bool)> = (first + 1..last)
            .filter_map(|k| Some((value(k)?, is_outflow(&group.rows[k].label))))
            .collect();
        let signed: Decimal = moves.iter().map(|m| m.0).sum();
        let unsigned: Decimal = moves
            .iter()
            .map(|(v, out)| if *out { -v.abs() } else { *v })
            .sum();
        // Each printed figure is rounded by at most half a unit of its last digit.
        let unit = group.rows[last]
            .cells
            .iter()
            .find(|(c, _)| *c == col)
            .map_or(Decimal::ONE, |(_, c)| {
                Decimal::new(1, c.value.map_or(0, |v| v.scale()))
            });
        let tolerance = unit * Decimal::from(moves.len() + 2) / Decimal::from(2);
        let diff = begin + signed - end;
        if diff.abs() <= tolerance || (begin + unsigned - end).abs() <= tolerance {
            continue;
        }
        let name = col
            .and_then(|i| group.columns.get(i))
            .map_or_else(|| "(single column)".to_string(), |c| c.name.clone());
        let row = &group.rows[last];
        warnings.push(ExtractionWarning {
            page: Some(row.page),
            message: format!(
                "capital roll-forward does not add up in column '{name}': beginning {} plus \
                 movements {} gives {}, but the ending balance is {} (difference {})",
                begin * group.scale,
                signed * group.scale,
                (begin + signed) * group.scale,
                end * group.scale,
                diff * group.scale
            ),
            text: Some(row.source_text.clone()),
        });
    }
}
