//! JSON number serializers that round for display; the Rust values keep full Decimal precision.
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serializer;

/// Decimals shown for money, multiples (DPI/TVPI/RVPI) and IRR percentages, matching the ground truth.
pub const AMOUNT_DP: u32 = 2;
pub const RATIO_DP: u32 = 4;
pub const PERCENT_DP: u32 = 2;

pub fn round(value: Decimal, dp: u32) -> Decimal {
    value.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

fn opt<S: Serializer>(v: &Option<Decimal>, dp: u32, s: S) -> Result<S::Ok, S::Error> {
    rust_decimal::serde::float_option::serialize(&v.map(|v| round(v, dp)), s)
}

pub fn amount<S: Serializer>(v: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    rust_decimal::serde::float::serialize(&round(*v, AMOUNT_DP), s)
}

pub fn amount_opt<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    opt(v, AMOUNT_DP, s)
}

pub fn ratio_opt<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    opt(v, RATIO_DP, s)
}

pub fn percent_opt<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    opt(v, PERCENT_DP, s)
}
