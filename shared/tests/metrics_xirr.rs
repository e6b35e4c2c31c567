//! XIRR solver: Excel's documented example, degenerate inputs and property tests.
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;
use shared::metrics::{CashFlow, XirrError, xirr, xnpv};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn cf(date: &str, amount: i64) -> CashFlow {
    CashFlow {
        date: d(date),
        amount: Decimal::from(amount),
    }
}

#[test]
fn excel_documented_example() {
    let flows = [
        cf("2008-01-01", -10000),
        cf("2008-03-01", 2750),
        cf("2008-10-30", 4250),
        cf("2009-02-15", 3250),
        cf("2009-04-01", 2750),
    ];
    let r = xirr(&flows).unwrap();
    assert!((r - 0.373362535).abs() < 1e-6, "{r}");
    // Order of the input does not matter.
    let mut reversed = flows;
    reversed.reverse();
    assert!((xirr(&reversed).unwrap() - r).abs() < 1e-12);
}

#[test]
fn degenerate_inputs_give_reasons() {
    assert_eq!(xirr(&[]), Err(XirrError::Empty));
    assert_eq!(xirr(&[cf("2020-01-01", -100)]), Err(XirrError::SingleFlow));
    assert_eq!(
        xirr(&[cf("2020-01-01", -100), cf("2021-01-01", 0)]),
        Err(XirrError::SingleFlow)
    );
    assert_eq!(
        xirr(&[cf("2020-01-01", -100), cf("2021-01-01", -50)]),
        Err(XirrError::NoSignChange)
    );
    assert_eq!(
        xirr(&[cf("2020-01-01", 100), cf("2021-01-01", 50)]),
        Err(XirrError::NoSignChange)
    );
    assert_eq!(
        xirr(&[cf("2020-01-01", -100), cf("2020-01-01", 150)]),
        Err(XirrError::SameDate)
    );
    assert!(!XirrError::NoSignChange.to_string().is_empty());
}

#[test]
fn flows_on_the_same_date_are_summed_in_effect() {
    let split = [
        cf("2021-01-01", -60),
        cf("2021-01-01", -40),
        cf("2022-01-01", 110),
    ];
    let r = xirr(&split).unwrap();
    assert!((r - 0.10).abs() < 1e-9, "{r}");
}

#[test]
fn extreme_rates() {
    // Near total loss: −99.9999% a year.
    let r = xirr(&[cf("2021-01-01", -1_000_000), cf("2022-01-01", 1)]).unwrap();
    assert!(r > -1.0 && (r + 0.999999).abs() < 1e-9, "{r}");
    // 100x in a year.
    let r = xirr(&[cf("2021-01-01", -1), cf("2022-01-01", 100)]).unwrap();
    assert!((r - 99.0).abs() < 1e-6, "{r}");
    // A rate beyond f64 (1e6x in a day) fails cleanly instead of returning inf or NaN.
    match xirr(&[cf("2020-01-01", -1), cf("2020-01-02", 1_000_000)]) {
        Ok(r) => assert!(r.is_finite()),
        Err(e) => assert!(matches!(
            e,
            XirrError::NoConvergence | XirrError::OutOfRange
        )),
    }
    // A 17% gain over two days, received before it was paid: the root sits about 1e-13 above
    // -100%, where f64 cannot make the NPV vanish, so it is refused rather than misreported.
    let flows = [
        CashFlow {
            date: d("2026-09-09"),
            amount: Decimal::new(-786050641, 2),
        },
        CashFlow {
            date: d("2026-09-07"),
            amount: Decimal::new(917379514, 2),
        },
    ];
    assert_eq!(xirr(&flows), Err(XirrError::OutOfRange));
    // Fund-sized amounts with cents.
    let big = [
        CashFlow {
            date: d("2015-03-31"),
            amount: Decimal::new(-12_345_678_901_234, 2),
        },
        CashFlow {
            date: d("2024-12-31"),
            amount: Decimal::new(98_765_432_109_876, 2),
        },
    ];
    let r = xirr(&big).unwrap();
    assert!(xnpv(&big, r).abs() < 1e-3, "{}", xnpv(&big, r));
}

#[test]
fn long_horizon_small_rate() {
    let r = xirr(&[cf("2000-01-01", -100), cf("2030-01-01", 101)]).unwrap();
    assert!(r > 0.0 && r < 0.001, "{r}");
}

fn flows_strategy() -> impl Strategy<Value = Vec<CashFlow>> {
    prop::collection::vec((0u64..8000, -1_000_000_000i64..1_000_000_000i64), 0..12).prop_map(|v| {
        let start = d("2010-01-01");
        v.into_iter()
            .map(|(days, cents)| CashFlow {
                date: start.checked_add_days(Days::new(days)).unwrap(),
                amount: Decimal::new(cents, 2),
            })
            .collect()
    })
}

/// |NPV| relative to the discounted flows' total size, so huge and tiny rates compare alike.
fn relative_npv(flows: &[CashFlow], r: f64) -> f64 {
    let first = flows.iter().map(|f| f.date).min().unwrap();
    let (mut npv, mut mag) = (0.0, 0.0);
    for f in flows {
        let t = (f.date - first).num_days() as f64 / 365.0;
        let v = f.amount.to_string().parse::<f64>().unwrap() * (1.0 + r).powf(-t);
        npv += v;
        mag += v.abs();
    }
    npv.abs() / mag
}

proptest! {
    // Failures are not persisted to a regressions file; shrunk cases become explicit tests above.
    #![proptest_config(ProptestConfig {
        cases: 2000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn returned_rates_are_roots_and_never_nan(flows in flows_strategy()) {
        if let Ok(r) = xirr(&flows) {
            prop_assert!(r.is_finite() && r > -1.0, "rate {r}");
            let rel = relative_npv(&flows, r);
            prop_assert!(rel < 1e-6, "rate {r}: relative NPV {rel}");
        }
    }

    #[test]
    fn typical_fund_flows_always_have_a_rate(
        calls in prop::collection::vec(1i64..10_000_000, 1..6),
        dists in prop::collection::vec(1i64..10_000_000, 1..6),
    ) {
        // Calls in the first years, distributions later: NPV changes sign exactly once.
        let start = d("2015-01-01");
        let mut flows: Vec<CashFlow> = calls.iter().enumerate().map(|(i, &a)| CashFlow {
            date: start.checked_add_days(Days::new(90 * i as u64)).unwrap(),
            amount: Decimal::from(-a),
        }).collect();
        flows.extend(dists.iter().enumerate().map(|(i, &a)| CashFlow {
            date: start.checked_add_days(Days::new(1000 + 120 * i as u64)).unwrap(),
            amount: Decimal::from(a),
        }));
        let r = xirr(&flows);
        prop_assert!(r.is_ok(), "{r:?}");
        let r = r.unwrap();
        prop_assert!(relative_npv(&flows, r) < 1e-6);
    }
}
