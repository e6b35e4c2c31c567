//! Domain types shared by the API, the worker and the extractor.
pub mod extraction;
pub mod lp;
pub mod status;

pub use extraction::*;
pub use lp::*;
pub use status::{DocumentStatus, Stage};
