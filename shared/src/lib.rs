//! Code both binaries share: configuration, database access, job definitions, PDF reading,
//! extraction and metrics logic.
pub mod chunk;
pub mod config;
pub mod db;
pub mod domain;
pub mod embed;
pub mod extract;
pub mod files;
pub mod jobs;
pub mod metrics;
pub mod ocr;
mod onnxrt;
pub mod pdf;
pub mod telemetry;
#[cfg(feature = "test-support")]
pub mod testing;

/// The workspace migrations, applied at start-up by both binaries and by `#[sqlx::test]`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");
