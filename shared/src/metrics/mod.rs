//! Fund performance metrics (PIC, DPI, TVPI, RVPI, XIRR) and reconciliation.
pub mod compute;
pub mod input;
pub mod serde_fmt;
pub mod xirr;

pub use compute::{FlowKind, FundMetrics, IrrCashFlow, compute};
pub use input::{Flow, MetricsInput, NavPoint, ReportedFigureRow};
pub use xirr::{CashFlow, XirrError, xirr, xnpv};
