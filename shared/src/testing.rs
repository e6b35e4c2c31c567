//! Helpers for the test suites of both binaries: fresh databases, fast-cycling config, test data.
use std::path::PathBuf;
use std::time::Duration;

use sqlx::Connection;

use crate::config::Config;

/// `../shared/data` beside the clone (override with FUNDLENS_DATA_DIR).
pub fn data_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("FUNDLENS_DATA_DIR") {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data")
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

pub fn pdf(relative: &str) -> Vec<u8> {
    let path = data_dir().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}
