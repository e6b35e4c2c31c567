//! HTTP routes, one module per resource.
pub mod documents;
pub mod funds;
pub mod health;
pub mod ops;
