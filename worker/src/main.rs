//! `fundlens-worker`: runs ingestion jobs until SIGINT/SIGTERM.
use shared::config::Config;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    shared::telemetry::init(config.json_logs);
    tracing::info!(
        concurrency = config.worker_concurrency,
        pool = config.worker_db_pool_size,
        "worker starting"
    );
    if let Err(e) = fundlens_worker::run(config, shared::telemetry::shutdown_signal()).await {
        tracing::error!(error = %e, "worker stopped");
        // Exit here: returning would drop the runtime, which waits for a stuck blocking thread.
        let code = if e.is::<fundlens_worker::Wedged>() {
            fundlens_worker::WEDGED_EXIT_CODE
        } else {
            1
        };
        std::process::exit(code);
    }
    tracing::info!("worker stopped");
    Ok(())
}
