//! The LP questions of the specification, routed to the answer that reads the new data.
use super::super::{Intent, MetricAsk, route};
use super::*;

fn lp(q: &str) -> (Intent, Option<LpAsk>) {
    let s = route(q, None, 2026);
    (s.intent, s.lp)
}

#[test]
fn the_specification_questions_route_to_lp_answers() {
    assert!(matches!(
        lp("What is our unfunded commitment in Peak Credit Fund I?"),
        (Intent::Position, Some(LpAsk::Position { keys })) if keys == ["unfunded_commitment"]
    ));
    assert!(matches!(
        lp("How much do we owe on Capital Call No. 7, and when is it due?"),
        (
            Intent::Notice,
            Some(LpAsk::Notice {
                kind: Some(NoticeKind::Call),
                number: Some(7),
                ..
            })
        )
    ));
    assert!(matches!(
        lp("Which calls are due in the next 30 days?"),
        (
            Intent::Notice,
            Some(LpAsk::Upcoming {
                days: 30,
                overdue: false
            })
        )
    ));
    assert!(matches!(
        lp("How much of the last distribution was return of capital, and how much is recallable?"),
        (Intent::Notice, Some(LpAsk::Notice { kind: Some(NoticeKind::Distribution), recallable: true, parts, .. }))
            if parts.contains(&ComponentKind::ReturnOfCapital)
    ));
    assert!(matches!(
        lp("What was the management fee this quarter?"),
        (Intent::Statement, Some(LpAsk::Statement { keys, period: Some(p) }))
            if keys == ["management_fees_period"] && p == "qtd"
    ));
    assert!(matches!(
        lp("Does the capital account roll forward?"),
        (Intent::Statement, Some(LpAsk::RollForward))
    ));
    assert!(matches!(
        lp("Which funds of vintage 2015 in the pension table have the highest TVPI?"),
        (
            Intent::Portfolio,
            Some(LpAsk::Portfolio(PortfolioAsk {
                vintage: Some(2015),
                sort: Some(Column::Tvpi),
                descending: true,
                ..
            }))
        )
    ));
    assert!(matches!(
        lp("Who is the general partner of Level Structured Capital II?"),
        (Intent::Profile, Some(LpAsk::GeneralPartner))
    ));
}

#[test]
fn balances_that_are_fund_metrics_are_calculated() {
    let s = route(
        "How much money have we put into this fund so far?",
        None,
        2026,
    );
    assert_eq!(
        (s.intent, s.metrics.as_slice()),
        (Intent::Calculation, &[MetricAsk::Pic][..])
    );
    // Drawn is what was called: paid-in or the calls' total, never the commitment.
    let s = route(
        "How much of our commitment has been drawn so far?",
        None,
        2026,
    );
    assert_eq!(s.intent, Intent::Calculation);
    assert!(
        s.metrics
            .iter()
            .all(|m| matches!(m, MetricAsk::Pic | MetricAsk::TotalCalled)),
        "{:?}",
        s.metrics
    );
    assert_ne!(
        lp("Add up everything we've received from the fund, please.").1,
        Some(LpAsk::Reconcile)
    );
    assert_eq!(
        lp("Does the capital account tie out to the notices?").1,
        Some(LpAsk::Reconcile)
    );
    assert_ne!(
        lp("What's the whole position worth relative to what we put in?").0,
        Intent::Position
    );
}

#[test]
fn definitions_and_fund_metrics_keep_their_routes() {
    assert_eq!(
        lp("What does unfunded commitment mean?").0,
        Intent::Definition
    );
    assert_eq!(lp("What is a general partner?").1, None);
    assert_eq!(lp("What is the current DPI?").0, Intent::Calculation);
    assert_eq!(lp("Show me all capital calls in 2024").0, Intent::Retrieval);
}
