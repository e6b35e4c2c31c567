//! HTTP routes, one module per resource.
pub mod chat;
pub mod document_data;
pub mod documents;
pub mod export;
pub mod funds;
pub mod health;
pub mod metrics;
pub mod position;
pub mod telemetry;
pub mod transactions;
