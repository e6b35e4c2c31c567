//! The real stack as child processes: a fresh database on the DATABASE_URL server, a private
//! queue name, the release API and worker binaries with deliberately small pools.
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use sqlx::Connection;

pub const API_POOL: u32 = 5;
/// A worker's connections: 3, or one per running document plus one for the reaper and
/// heartbeats when `WORKER_CONCURRENCY` asks for more.
pub fn worker_pool() -> u32 {
    (worker_concurrency() + 1).max(3)
}

/// Documents a worker processes at once: `make run`'s default (cores + 1), or
/// `WORKER_CONCURRENCY` from the caller's environment to measure another.
pub fn worker_concurrency() -> u32 {
    std::env::var("WORKER_CONCURRENCY")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(shared::config::default_worker_concurrency() as u32)
}

pub struct Stack {
    pub base: String,
    pub database_url: String,
    pub db_name: String,
    admin_url: String,
    pub api: Child,
    pub workers: Vec<Child>,
    pub log_dir: PathBuf,
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Binaries next to this one (target/release or target/debug), built by the same cargo run.
fn binary(name: &str) -> anyhow::Result<PathBuf> {
    let dir = std::env::current_exe()?
        .parent()
        .map(Path::to_path_buf)
        .context("binary folder")?;
    // Test harnesses run from target/*/deps.
    for candidate in [dir.join(name), dir.join("..").join(name)] {
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    bail!(
        "{name} not found beside {}: build it first (cargo build --release --bins)",
        dir.display()
    )
}

impl Stack {
    pub async fn start(workers: usize) -> anyhow::Result<Stack> {
        let admin_url = std::env::var("DATABASE_URL").context("DATABASE_URL (run via make)")?;
        // The `fl_test_` and `fltest:` prefixes let scripts/test.sh clean up after a crash.
        let tag = ulid::Ulid::generate().to_string().to_lowercase();
        let db_name = format!("fl_test_load_{tag}");
        let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db_name}")))
            .execute(&mut admin)
            .await?;
        admin.close().await?;
        let database_url = match admin_url.rfind('/') {
            Some(i) if !admin_url[i + 1..].contains('@') => {
                format!("{}/{db_name}", &admin_url[..i])
            }
            _ => format!("{admin_url}/{db_name}"),
        };
        let queue = format!("fltest:load:{tag}");
        let log_dir = std::env::temp_dir().join(format!("fundlens-load-{tag}"));
        std::fs::create_dir_all(&log_dir)?;
        let api_port = free_port()?;
        let common = |cmd: &mut Command, log: &str| -> anyhow::Result<()> {
            let out = std::fs::File::create(log_dir.join(log))?;
            cmd.env("DATABASE_URL", &database_url)
                .env("QUEUE_NAME", &queue)
                .env("API_DB_POOL_SIZE", API_POOL.to_string())
                .env("WORKER_DB_POOL_SIZE", worker_pool().to_string())
                .env("WORKER_CONCURRENCY", worker_concurrency().to_string())
                // The harness measures the stack, not the throttle.
                .env("RATE_LIMIT_PER_SEC", "0")
                .env("API_KEYS", "")
                .env("EXPOSE_PING_DB", "true")
                .env("RUST_LOG", "warn")
                .stdin(Stdio::null())
                .stdout(out.try_clone()?)
                .stderr(out);
            Ok(())
        };
        let mut cmd = Command::new(binary("fundlens-api")?);
        common(&mut cmd, "api.log")?;
        cmd.env("API_ADDR", format!("127.0.0.1:{api_port}"));
        let api = cmd.spawn().context("start fundlens-api")?;
        let mut children = Vec::new();
        for i in 0..workers {
            let mut cmd = Command::new(binary("fundlens-worker")?);
            common(&mut cmd, &format!("worker{i}.log"))?;
            cmd.env("WORKER_METRICS_ADDR", format!("127.0.0.1:{}", free_port()?));
            children.push(cmd.spawn().context("start fundlens-worker")?);
        }
        let stack = Stack {
            base: format!("http://127.0.0.1:{api_port}"),
            database_url,
            db_name,
            admin_url,
            api,
            workers: children,
            log_dir,
        };
        stack.wait_ready().await?;
        Ok(stack)
    }

    async fn wait_ready(&self) -> anyhow::Result<()> {
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = http.get(format!("{}/ready", self.base)).send().await
                && r.status().is_success()
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "the API was not ready within 60 s; see {}",
                    self.log_dir.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn pids(&self) -> (u32, Vec<u32>) {
        (self.api.id(), self.workers.iter().map(Child::id).collect())
    }

    /// SIGTERM, so that both binaries shut down as in production, then the database goes.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        for child in std::iter::once(&mut self.api).chain(self.workers.iter_mut()) {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
        }
        for child in std::iter::once(&mut self.api).chain(self.workers.iter_mut()) {
            let deadline = Instant::now() + Duration::from_secs(20);
            while child.try_wait()?.is_none() {
                if Instant::now() > deadline {
                    let _ = child.kill();
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        let mut admin = sqlx::PgConnection::connect(&self.admin_url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.db_name
        )))
        .execute(&mut admin)
        .await?;
        Ok(())
    }
}

/// Resident set size in KiB, from /proc.
pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}
