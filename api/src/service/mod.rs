//! The service layer: one module per resource, each holding the pool and the caches it needs.
//! API routes, console pages and chat call these; nothing above this layer touches the pool or
//! `shared::db`, so a rule (a cache, a blocking computation, a 404) applies to every caller.
pub mod chat;
pub mod documents;
pub mod funds;
pub mod health;
pub mod metrics;
pub mod positions;
pub mod transactions;
