//! Database access, one module per table group.
pub mod chunks;
