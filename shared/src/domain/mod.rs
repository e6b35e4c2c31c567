//! Domain types shared by the API, the worker and the extractor.
pub mod component_kind;
pub mod extraction;
pub mod lp;
pub mod status;
pub mod timings;

pub use component_kind::ComponentKind;
pub use extraction::*;
pub use lp::*;
pub use status::{DocumentStatus, Stage};
pub use timings::{StageTime, StageTimings};
