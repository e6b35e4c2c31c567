//! Date-aware XIRR (actual/365, like Excel's XIRR): Newton first, bisection on a bracket as fallback.
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

/// Why no rate could be found. Each variant renders as a sentence an LP can read.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum XirrError {
    #[error("there are no cash flows")]
    Empty,
    #[error("there is only one non-zero cash flow, so no rate of return is defined")]
    SingleFlow,
    #[error("all cash flows fall on the same date, so no rate of return is defined")]
    SameDate,
    #[error(
        "the cash flows never change sign (money only went in or only came out), so no rate makes their value zero"
    )]
    NoSignChange,
    #[error("a cash flow amount is too large to handle")]
    AmountOutOfRange,
    #[error("the solver found no rate between -100% and the largest representable rate")]
    NoConvergence,
    #[error(
        "the rate is too extreme (too close to -100% or too large) to compute reliably from these dates"
    )]
    OutOfRange,
}

/// One dated cash flow; negative = money paid in by the LP, positive = money received.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CashFlow {
    pub date: NaiveDate,
    pub amount: Decimal,
}

/// Flows prepared for evaluation: years since the earliest date, amounts scaled to at most 1 in
/// magnitude so that fund-sized sums cannot overflow the discounting.
struct Prepared {
    years: Vec<f64>,
    amounts: Vec<f64>,
}

impl Prepared {
    fn new(flows: &[CashFlow]) -> Result<Self, XirrError> {
        let flows: Vec<&CashFlow> = flows.iter().filter(|f| !f.amount.is_zero()).collect();
        let first = match flows.iter().map(|f| f.date).min() {
            Some(d) => d,
            None => return Err(XirrError::Empty),
        };
        if flows.len() < 2 {
            return Err(XirrError::SingleFlow);
        }
        if flows.iter().all(|f| f.date == first) {
            return Err(XirrError::SameDate);
        }
        let has_pos = flows.iter().any(|f| f.amount.is_sign_positive());
        let has_neg = flows.iter().any(|f| f.amount.is_sign_negative());
        if !(has_pos && has_neg) {
            return Err(XirrError::NoSignChange);
        }
        let max_abs = flows
            .iter()
            .map(|f| f.amount.abs())
            .max()
            .unwrap_or(Decimal::ONE);
        let mut years = Vec::with_capacity(flows.len());
        let mut amounts = Vec::with_capacity(flows.len());
        for f in flows {
            // Dividing in Decimal keeps the scaled amounts exact to ~28 digits before the f64 cast.
            let scaled = (f.amount / max_abs)
                .to_f64()
                .ok_or(XirrError::AmountOutOfRange)?;
            years.push((f.date - first).num_days() as f64 / 365.0);
            amounts.push(scaled);
        }
        Ok(Self { years, amounts })
    }

    /// NPV and its derivative at `rate`; non-finite when the discounting overflows.
    fn npv_and_derivative(&self, rate: f64) -> (f64, f64) {
        let ln1r = (1.0 + rate).ln();
        let mut npv = 0.0;
        let mut d = 0.0;
        for (&t, &a) in self.years.iter().zip(&self.amounts) {
            let disc = (-t * ln1r).exp();
            npv += a * disc;
            d -= t * a * disc / (1.0 + rate);
        }
        (npv, d)
    }

    fn npv(&self, rate: f64) -> f64 {
        self.npv_and_derivative(rate).0
    }

    /// Scale against which a residual NPV counts as zero: the discounted flows' total magnitude.
    fn magnitude(&self, rate: f64) -> f64 {
        let ln1r = (1.0 + rate).ln();
        self.years
            .iter()
            .zip(&self.amounts)
            .map(|(&t, &a)| (a * (-t * ln1r).exp()).abs())
            .sum()
    }

    /// Near −100% or at huge rates f64 cannot represent the root finely enough for the NPV to
    /// vanish; such a rate is reported as out of range rather than passed off as an answer.
    fn is_root(&self, rate: f64) -> bool {
        let npv = self.npv(rate);
        let mag = self.magnitude(rate);
        rate.is_finite()
            && rate > -1.0
            && npv.is_finite()
            && mag.is_finite()
            && mag > 0.0
            && npv.abs() <= 1e-8 * mag
    }
}

/// Net present value of `flows` at `rate` (a fraction, 0.1 = 10%), discounted to the earliest
/// date with actual/365 year fractions. Exposed so callers and tests can check a returned rate.
pub fn xnpv(flows: &[CashFlow], rate: f64) -> f64 {
    let Some(first) = flows.iter().map(|f| f.date).min() else {
        return 0.0;
    };
    flows
        .iter()
        .map(|f| {
            let t = (f.date - first).num_days() as f64 / 365.0;
            f.amount.to_f64().unwrap_or(f64::NAN) * (1.0 + rate).powf(-t)
        })
        .sum()
}

/// The annual rate r (a fraction) with Σ amount·(1+r)^(−days/365) = 0, as Excel's XIRR defines it.
/// Never returns NaN and never panics; every failure is an [`XirrError`] that says why.
pub fn xirr(flows: &[CashFlow]) -> Result<f64, XirrError> {
    let p = Prepared::new(flows)?;
    if let Some(r) = newton(&p, 0.1) {
        return Ok(r);
    }
    match bracket_and_bisect(&p, 0.1) {
        Some(r) if p.is_root(r) => Ok(r),
        Some(_) => Err(XirrError::OutOfRange),
        None => Err(XirrError::NoConvergence),
    }
}

fn newton(p: &Prepared, guess: f64) -> Option<f64> {
    let mut r = guess;
    for _ in 0..100 {
        let (f, d) = p.npv_and_derivative(r);
        if !f.is_finite() || !d.is_finite() || d == 0.0 {
            return None;
        }
        let mut next = r - f / d;
        // Newton can overshoot past −100%, where (1+r)^−t is undefined; step halfway instead.
        if next <= -1.0 {
            next = (r - 1.0) / 2.0;
        }
        if !next.is_finite() {
            return None;
        }
        if (next - r).abs() <= 1e-12 * (1.0 + r.abs()) {
            return p.is_root(next).then_some(next);
        }
        r = next;
    }
    None
}

/// Scans a grid reaching from just above −100% to very large rates for sign changes and bisects
/// the bracket nearest `guess`; slower than Newton but cannot diverge.
fn bracket_and_bisect(p: &Prepared, guess: f64) -> Option<f64> {
    let mut grid: Vec<f64> = (1..=15).rev().map(|k| -1.0 + 10f64.powi(-k)).collect();
    grid.extend([
        -0.75, -0.5, -0.25, -0.1, 0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 100.0, 1e3, 1e4, 1e6,
        1e9, 1e12,
    ]);
    let values: Vec<(f64, f64)> = grid
        .iter()
        .map(|&r| (r, p.npv(r)))
        .filter(|(_, v)| v.is_finite())
        .collect();
    let mut best: Option<(f64, f64, f64)> = None;
    for w in values.windows(2) {
        let ((lo, flo), (hi, fhi)) = (w[0], w[1]);
        if flo == 0.0 {
            return Some(lo);
        }
        if flo.signum() != fhi.signum() {
            let distance = ((lo + hi) / 2.0 - guess).abs();
            if best.is_none_or(|(_, _, d)| distance < d) {
                best = Some((lo, hi, distance));
            }
        }
    }
    if let Some(&(r, v)) = values.last()
        && v == 0.0
    {
        return Some(r);
    }
    let (mut lo, mut hi, _) = best?;
    let mut flo = p.npv(lo);
    for _ in 0..300 {
        let mid = lo + (hi - lo) / 2.0;
        let fmid = p.npv(mid);
        if !fmid.is_finite() {
            return None;
        }
        if fmid == 0.0 || (hi - lo) <= 1e-15 * (1.0 + mid.abs()) {
            return Some(mid);
        }
        if fmid.signum() == flo.signum() {
            lo = mid;
            flo = fmid;
        } else {
            hi = mid;
        }
    }
    Some(lo + (hi - lo) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn cf(date: &str, amount: i64) -> CashFlow {
        CashFlow {
            date: d(date),
            amount: Decimal::from(amount),
        }
    }

    // Excel's documented example through `xirr` itself is in tests/metrics_xirr.rs.
    #[test]
    fn bisection_alone_finds_the_excel_rate() {
        let flows = [
            cf("2008-01-01", -10000),
            cf("2008-03-01", 2750),
            cf("2008-10-30", 4250),
            cf("2009-02-15", 3250),
            cf("2009-04-01", 2750),
        ];
        let p = Prepared::new(&flows).unwrap();
        let r = bracket_and_bisect(&p, 0.1).unwrap();
        assert!((r - 0.373362535).abs() < 1e-6, "{r}");
    }
}
