//! HTTP routes, one module per resource.
pub mod documents;
pub mod export;
pub mod funds;
pub mod health;
pub mod metrics;
pub mod transactions;
