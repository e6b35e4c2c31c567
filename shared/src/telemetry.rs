//! Tracing set-up, and `spawn_blocking` that keeps the caller's span.
use tracing_subscriber::{EnvFilter, fmt};

/// Installs the global subscriber: JSON lines when `json` is set, human-readable otherwise.
pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,apalis=warn"));
    let builder = fmt().with_env_filter(filter).with_target(true);
    // A second init (tests starting several apps) is harmless, so the error is ignored.
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}

/// Runs CPU-bound work on the blocking pool inside the current tracing span.
pub fn spawn_blocking<F, R>(f: F) -> tokio::task::JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(f))
}
