//! `fundlens-worker`: runs ingestion jobs until SIGINT/SIGTERM.
use shared::config::Config;

fn main() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    // Before the runtime exists: Linux keeps niceness per thread, and every thread the runtime,
    // the blocking pool and the embedding sessions start inherits it from this one.
    let niced = rustix::process::setpriority_process(None, config.worker_nice)
        .map_err(std::io::Error::from);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(config, niced))
}

async fn run(config: Config, niced: std::io::Result<()>) -> anyhow::Result<()> {
    shared::telemetry::init(config.json_logs);
    if let Err(e) = niced {
        tracing::warn!(nice = config.worker_nice, error = %e, "could not lower the worker's priority");
    }
    tracing::info!(
        concurrency = config.worker_concurrency,
        pool = config.worker_db_pool_size,
        nice = config.worker_nice,
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
