//! `fundlens-api`: the HTTP API on API_ADDR (default :8000) until SIGINT/SIGTERM.
use shared::config::Config;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    shared::telemetry::init(config.json_logs);
    let addr = config.api_addr;
    let state = fundlens_api::build_state(config).await?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "API listening");
    fundlens_api::serve(state, listener, shared::telemetry::shutdown_signal()).await?;
    tracing::info!("API stopped");
    Ok(())
}
