//! The process's one Postgres pool, built once at start-up.
use std::str::FromStr;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

/// Builds the pool. `application_name` lets `pg_stat_activity` tell the API's connections from
/// the workers'; `acquire_timeout` turns a saturated pool into a fast error instead of a hang.
pub async fn connect(
    url: &str,
    size: u32,
    acquire_timeout: Duration,
    application_name: &str,
) -> Result<PgPool, sqlx::Error> {
    let options = PgConnectOptions::from_str(url)?
        .application_name(application_name)
        // A query stuck behind a lock or a dead server must not pin a connection forever.
        .options([
            ("statement_timeout", "30s"),
            ("idle_in_transaction_session_timeout", "60s"),
        ]);
    // Lazy: a process starts even while Postgres is down and connects when it returns.
    Ok(PgPoolOptions::new()
        .max_connections(size)
        .min_connections(0)
        .acquire_timeout(acquire_timeout)
        .idle_timeout(Some(Duration::from_secs(300)))
        .test_before_acquire(true)
        .connect_lazy_with(options))
}

/// True when the error means the database could not be reached or the pool had nothing free:
/// the request may succeed later, so it is answered 503 and a job is retried.
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    matches!(
        e,
        sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
    ) || matches!(e, sqlx::Error::Database(d) if d.code().is_some_and(|c| c.starts_with("57P") || c.starts_with("08")))
}
