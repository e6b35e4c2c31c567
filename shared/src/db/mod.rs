//! Database access, one module per table group. Every function borrows a connection from the
//! process's one pool (or runs inside a caller's transaction) and gives it back at once.
pub mod chunks;
pub mod conversations;
pub mod documents;
pub mod extraction;
pub mod files;
pub mod fund_facts;
pub mod funds;
pub mod metrics;
pub mod notices;
pub mod pool;
pub mod portfolio;
pub mod provenance;
pub mod search;
pub mod statements;
pub mod transactions;
pub mod transitions;

pub use pool::connect;
