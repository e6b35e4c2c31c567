//! Fund performance metrics (PIC, DPI, TVPI, RVPI, XIRR) and reconciliation.
pub mod breakdown;
pub mod compute;
pub mod input;
pub mod position;
pub mod reconcile;
pub mod serde_fmt;
pub mod text;
pub mod xirr;

pub use breakdown::{
    Breakdown, BreakdownInput, Metric, MetricBreakdown, TransactionRef, UnknownMetric, breakdown,
};
pub use compute::{FlowKind, FundMetrics, IrrCashFlow, compute};
pub use input::{Flow, MetricsInput, NavPoint, ReportedFigureRow};
pub use reconcile::{Discrepancy, FigureCheck, Reconciliation, reconcile};
pub use xirr::{CashFlow, XirrError, xirr, xnpv};
