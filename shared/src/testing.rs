//! Helpers for every test suite (shared, api, worker, e2e): the one place that knows where the
//! test data is, how to read it, how to bind pdfium, and how to make a fresh database.
//! Per-test databases come from here or from `#[sqlx::test(migrator = "shared::MIGRATOR")]`.
use std::path::{Path, PathBuf};
use std::time::Duration;

use pdfium_render::prelude::Pdfium;
use sqlx::Connection;

use crate::config::Config;

pub mod private;

/// `../shared/data` beside the clone (override with FUNDLENS_DATA_DIR). See its README.md.
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("FUNDLENS_DATA_DIR") {
        return PathBuf::from(dir);
    }
    // shared/ is one level below the workspace root; the data sits beside the root.
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data")
}

/// The files of a data sub-folder (`reports`, `bad`, ...) ending in `.{ext}`, sorted by name.
pub fn data_files(sub: &str, ext: &str) -> Vec<PathBuf> {
    let dir = data_dir().join(sub);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("test data folder {}: {e}", dir.display()))
        .map(|e| e.expect("read_dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    out.sort();
    out
}

/// The bytes of a file given relative to the data folder, e.g. `reports/dev01_grid_iso.pdf`
/// (an absolute path, such as one from [`data_files`], is read as is).
pub fn read(relative: impl AsRef<Path>) -> Vec<u8> {
    let path = data_dir().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// A PDF of the data folder (the same as [`read`]).
pub fn pdf(relative: &str) -> Vec<u8> {
    read(relative)
}

/// A JSON file of the data folder (ground truth), parsed; paths as for [`read`].
pub fn json(relative: impl AsRef<Path>) -> serde_json::Value {
    let relative = relative.as_ref();
    serde_json::from_slice(&read(relative))
        .unwrap_or_else(|e| panic!("parse {}: {e}", relative.display()))
}

/// Binds libpdfium from PDFIUM_LIB_PATH once per process (later calls return the same binding).
pub fn init_pdfium() -> &'static Pdfium {
    let lib = std::env::var_os("PDFIUM_LIB_PATH").unwrap_or_else(|| {
        panic!("PDFIUM_LIB_PATH is not set; run `eval \"$(scripts/setup.sh)\"` first")
    });
    crate::pdf::init(Path::new(&lib)).unwrap_or_else(|e| panic!("cannot bind libpdfium: {e}"))
}

/// Creates an empty database on the DATABASE_URL server, migrated, and returns its URL.
/// Names start with `fl_test_` so the test command can drop leftovers of earlier runs.
pub async fn fresh_database() -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL must be set (run `make test`)");
    let name = format!(
        "fl_test_{}",
        ulid::Ulid::generate().to_string().to_lowercase()
    );
    let mut admin = sqlx::PgConnection::connect(&base)
        .await
        .expect("connect to DATABASE_URL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create test database");
    let url = match base.rfind('/') {
        Some(i) if !base[i + 1..].contains('@') => format!("{}/{name}", &base[..i]),
        _ => format!("{base}/{name}"),
    };
    let pool = sqlx::PgPool::connect(&url)
        .await
        .expect("connect to test database");
    crate::MIGRATOR
        .run(&pool)
        .await
        .expect("migrate test database");
    pool.close().await;
    url
}

/// Config for one test: its own database and queue, timers short enough for tests to observe
/// heartbeats, reaping and re-enqueueing within seconds.
pub fn config(database_url: &str) -> Config {
    let mut c = Config::from_env().expect("test environment (run `make test`)");
    c.database_url = database_url.to_string().into();
    c.queue_name = format!("fltest:{}", ulid::Ulid::generate());
    c.api_addr = ([127, 0, 0, 1], 0).into();
    c.heartbeat_interval = Duration::from_millis(200);
    c.stale_after = Duration::from_millis(1500);
    c.requeue_after = Duration::from_millis(1000);
    c.reaper_interval = Duration::from_millis(250);
    c.job_timeout = Duration::from_secs(60);
    c.fault_slow_page = None;
    c.fault_stage_pause = None;
    // Several workers share a test process: none binds the metrics port.
    c.ops.worker_metrics_addr = None;
    c
}

/// OCR as configured by the environment (`make test` leaves the defaults: Tesseract, 300 dpi).
pub fn ocr() -> Option<crate::config::OcrConfig> {
    crate::config::OcrConfig::read(&crate::config::Env::process()).expect("OCR_* settings")
}

/// A ground-truth or extracted cash flow as the OCR checks compare them: (kind as the API names
/// it, ISO date, amount in cents).
pub type FlowRow = (String, String, i64);

/// An amount in whole cents.
pub fn cents(amount: f64) -> i64 {
    (amount * 100.0).round() as i64
}

/// The capital calls, distributions and adjustments of a ground-truth JSON.
pub fn truth_rows(truth: &serde_json::Value) -> Vec<FlowRow> {
    let mut rows = Vec::new();
    for (key, kind) in [
        ("capital_calls", "capital_call"),
        ("distributions", "distribution"),
        ("adjustments", "adjustment"),
    ] {
        for r in truth[key].as_array().into_iter().flatten() {
            let date = r["date"].as_str().unwrap_or_default().to_string();
            rows.push((
                kind.to_string(),
                date,
                cents(r["amount"].as_f64().unwrap_or_default()),
            ));
        }
    }
    rows
}
