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
    fundlens_worker::run(config, shared::telemetry::shutdown_signal()).await?;
    tracing::info!("worker stopped");
    Ok(())
}
