//! Turns grouped rows into ILPA-keyed facts, and finds the totals that close a notice's
//! breakdown (the notice amount and its components).
use rust_decimal::Decimal;

use super::cells::Cell;
use super::grid::{Group, Row};
use super::keys::{self, Balance, ColumnKind, Flow};
use crate::domain::{DocumentType, Fact, FactValue, Period};
use crate::extract::amounts;

/// What a document is, as far as reading its rows goes.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    pub doc_type: DocumentType,
}

impl Context {
    pub fn notice_flow(self) -> Option<Flow> {
        match self.doc_type {
            DocumentType::CapitalCallNotice => Some(Flow::Call),
            DocumentType::DistributionNotice => Some(Flow::Distribution),
            _ => None,
        }
    }
}

/// A row that closes (or states) a notice's amount, with the breakdown above it.
#[derive(Debug, Clone)]
pub struct NoticeTotal {
    pub amount: Decimal,
    pub components: Vec<(String, Decimal)>,
    /// True when the total closes a block of breakdown rows (rather than standing alone).
    pub closes_block: bool,
    pub row: Row,
    pub scale: Decimal,
}

fn kinds(g: &Group) -> Vec<ColumnKind> {
    g.columns
        .iter()
        .map(|c| keys::column_kind(&c.name))
        .collect()
}

fn column_name(g: &Group, idx: Option<usize>) -> Option<String> {
    let c = g.columns.get(idx?)?;
    (g.columns.len() > 1 || !keys::is_generic_header(&c.name)).then(|| c.name.clone())
}

/// The rows of a roll-forward: a beginning and an ending balance around movements.
pub fn is_rollforward(g: &Group) -> bool {
    let roles: Vec<Balance> = g
        .rows
        .iter()
        .filter_map(|r| keys::balance_role(&keys::normalize(&r.label)))
        .collect();
    let begins = roles.contains(&Balance::Beginning);
    let ends = roles.contains(&Balance::Ending);
    (begins && ends) || (roles.len() >= 2 && roles.contains(&Balance::Either))
}

/// Index of the row closing the notice breakdown in this group, if any.
fn closing_total(g: &Group, ctx: Context) -> Option<(usize, Flow)> {
    let call = ctx.notice_flow()? == Flow::Call;
    g.rows
        .iter()
        .enumerate()
        .rev()
        .find_map(|(k, r)| keys::notice_total(&keys::normalize(&r.label), call).map(|f| (k, f)))
}

/// The cell holding the investor's own figure: the investor column, else a change column, else
/// the only cell.
fn investor_cell(row: &Row, kinds: &[ColumnKind]) -> Option<(Option<usize>, Cell)> {
    let kind = |c: &Option<usize>| c.and_then(|i| kinds.get(i).copied());
    let pick = |want: ColumnKind| row.cells.iter().find(|(c, _)| kind(c) == Some(want));
    pick(ColumnKind::Investor)
        .or_else(|| pick(ColumnKind::Change))
        .or_else(|| (row.cells.len() == 1).then(|| &row.cells[0]))
        .or_else(|| {
            row.cells
                .iter()
                .find(|(c, _)| !matches!(kind(c), Some(ColumnKind::Aggregate | ColumnKind::Itd)))
        })
        .cloned()
}

fn value_in(row: &Row, col: Option<usize>) -> Option<Decimal> {
    let cell = match col {
        Some(_) => row.cells.iter().find(|(c, _)| *c == col),
        None if row.cells.len() == 1 => row.cells.first(),
        None => None,
    };
    cell.and_then(|(_, c)| c.value)
}

/// Notice totals of every group, in document order.
pub fn notice_totals(groups: &[Group], ctx: Context) -> Vec<NoticeTotal> {
    let Some(doc_flow) = ctx.notice_flow() else {
        return Vec::new();
    };
    let call = doc_flow == Flow::Call;
    let mut out = Vec::new();
    for g in groups {
        let kinds = kinds(g);
        let closing = closing_total(g, ctx);
        for (k, row) in g.rows.iter().enumerate() {
            let norm = keys::normalize(&row.label);
            let closes = closing.is_some_and(|(t, _)| t == k);
            let flow = if closes {
                closing.map(|c| c.1)
            } else if closing.is_some_and(|(t, _)| k < t) {
                None
            } else {
                keys::notice_total(&norm, call).or_else(|| keys::notice_amount(&norm, call))
            };
            if flow != Some(doc_flow) {
                continue;
            }
            let Some((col, cell)) = investor_cell(row, &kinds) else {
                continue;
            };
            let Some(amount) = cell.value else { continue };
            let components = if closes {
                g.rows[..k]
                    .iter()
                    .filter_map(|r| Some((r.label.clone(), value_in(r, col)? * g.scale)))
                    .collect()
            } else {
                Vec::new()
            };
            out.push(NoticeTotal {
                amount: amount * g.scale,
                closes_block: closes && k > 0,
                components,
                row: row.clone(),
                scale: g.scale,
            });
        }
    }
    out
}

fn fact(
    key: &str,
    row: &Row,
    value: FactValue,
    period: Option<Period>,
    col: Option<String>,
) -> Fact {
    Fact {
        key: key.to_string(),
        label: row.label.clone(),
        value,
        period,
        column: col,
        page: row.page,
        source_text: row.source_text.clone(),
    }
}

fn number(key: &str, cell: &Cell, scale: Decimal) -> Option<FactValue> {
    let v = match key {
        "tvpi" | "dpi" => amounts::parse_multiple(&cell.text)?,
        "irr_pct" => amounts::parse_percent(&cell.text)?,
        // Cumulative amounts are magnitudes even where an administrator prints an outflow in
        // parentheses ("Distribution to date ($494,852,992)").
        "contributed_to_date" | "distributed_to_date" => (cell.value? * scale).abs(),
        _ => cell.value? * scale,
    };
    Some(FactValue::Number(v))
}

/// Facts of one group.
pub fn group_facts(g: &Group, ctx: Context, out: &mut Vec<Fact>) {
    let kinds = kinds(g);
    let rollforward = is_rollforward(g);
    let notice = ctx.notice_flow();
    let closing = closing_total(g, ctx);
    let first_balance = g
        .rows
        .iter()
        .position(|r| keys::balance_role(&keys::normalize(&r.label)).is_some());
    let last_balance = g
        .rows
        .iter()
        .rposition(|r| keys::balance_role(&keys::normalize(&r.label)).is_some());
    for (k, row) in g.rows.iter().enumerate() {
        if closing.is_some_and(|(t, _)| k < t) {
            continue;
        }
        let norm = keys::normalize(&row.label);
        if notice == Some(Flow::Distribution) && keys::is_recallable_part(&norm) {
            continue;
        }
        let has_investor_value = row.cells.iter().any(|(c, cell)| {
            c.and_then(|i| kinds.get(i)) == Some(&ColumnKind::Investor) && cell.value.is_some()
        });
        if row.cells.len() > 1 && g.columns.is_empty() {
            continue;
        }
        for (col, cell) in &row.cells {
            let kind = col.and_then(|i| kinds.get(i).copied());
            if notice.is_some() && kind == Some(ColumnKind::Aggregate) && has_investor_value {
                continue;
            }
            let name = column_name(g, *col);
            let found = if rollforward {
                rollforward_key(&norm, k, (first_balance, last_balance), kind, g)
            } else if let Some(flow) = notice.and_then(|_| notice_flow_of(&norm, closing, k, ctx)) {
                notice_key(flow, kind, ctx)
            } else {
                plain_key(&norm, kind, g, notice)
            };
            let Some((key, mut period)) = found else {
                continue;
            };
            if keys::is_to_date(key)
                && period == Some(Period::AsOf)
                && !g.columns.is_empty()
                && kind != Some(ColumnKind::PointInTime)
                && norm.starts_with("cumulative")
            {
                period = Some(Period::Itd);
            }
            let Some(mut value) = number(key, cell, g.scale) else {
                continue;
            };
            // Financial statements print distributions as a deduction; the fact is the amount.
            if ctx.doc_type == DocumentType::FinancialStatements
                && key == "distributions_period"
                && let FactValue::Number(v) = value
            {
                value = FactValue::Number(v.abs());
            }
            let f = fact(key, row, value, period, name);
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
}

fn notice_flow_of(
    norm: &str,
    closing: Option<(usize, Flow)>,
    k: usize,
    ctx: Context,
) -> Option<Flow> {
    let call = ctx.notice_flow()? == Flow::Call;
    if let Some((t, f)) = closing
        && t == k
    {
        return Some(f);
    }
    keys::notice_total(norm, call).or_else(|| keys::notice_amount(norm, call))
}

fn notice_key(
    flow: Flow,
    kind: Option<ColumnKind>,
    ctx: Context,
) -> Option<(&'static str, Option<Period>)> {
    let same = ctx.notice_flow() == Some(flow);
    match (kind, flow) {
        (Some(ColumnKind::Itd), Flow::Call) if same => {
            Some(("contributed_to_date", Some(Period::Itd)))
        }
        (Some(ColumnKind::Itd), Flow::Distribution) if same => {
            Some(("distributed_to_date", Some(Period::Itd)))
        }
        (Some(ColumnKind::Itd | ColumnKind::PointInTime), _) => None,
        (_, Flow::Call) => Some(("call_amount", None)),
        (_, Flow::Distribution) => Some(("distribution_amount", None)),
    }
}

fn rollforward_key(
    norm: &str,
    k: usize,
    (first_balance, last_balance): (Option<usize>, Option<usize>),
    kind: Option<ColumnKind>,
    g: &Group,
) -> Option<(&'static str, Option<Period>)> {
    let period = keys::period_of(kind, g.period);
    if let Some(role) = keys::balance_role(norm) {
        let key = match role {
            Balance::Beginning => "beginning_nav",
            Balance::Ending => "nav",
            Balance::Either if first_balance == Some(k) => "beginning_nav",
            Balance::Either => "nav",
        };
        let period = if keys::has_date(norm) {
            Some(Period::AsOf)
        } else {
            period
        };
        return Some((key, period));
    }
    if let Some(key) = keys::flow_key(norm) {
        return Some((key, period));
    }
    // A movement of no known kind ("Pro rata allocation") is kept as `other`, so a reader can
    // still see that the balances roll forward.
    let inside = first_balance.is_some_and(|f| f < k) && last_balance.is_some_and(|l| k < l);
    inside.then_some(("other", period))
}

fn plain_key(
    norm: &str,
    kind: Option<ColumnKind>,
    g: &Group,
    notice: Option<Flow>,
) -> Option<(&'static str, Option<Period>)> {
    if let Some(key) = keys::balance_key(norm) {
        return match kind {
            Some(ColumnKind::Change) => match (key, notice) {
                ("contributed_to_date", Some(Flow::Call)) => Some(("call_amount", None)),
                ("distributed_to_date", Some(Flow::Distribution)) => {
                    Some(("distribution_amount", None))
                }
                _ => None,
            },
            Some(ColumnKind::Itd) if keys::is_to_date(key) => Some((key, Some(Period::Itd))),
            _ => Some((key, Some(Period::AsOf))),
        };
    }
    let key = keys::flow_key(norm).filter(|k| keys::is_operations_key(k))?;
    if notice.is_some() {
        return None;
    }
    Some((key, keys::period_of(kind, g.period)))
}
