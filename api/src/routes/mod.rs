//! HTTP routes, one module per resource.
pub mod chat;
pub mod documents;
pub mod export;
pub mod funds;
pub mod health;
pub mod metrics;
pub mod ops;
pub mod transactions;
