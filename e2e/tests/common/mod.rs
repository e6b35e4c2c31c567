//! The real stack for end-to-end tests: the API on a random port and workers (in-process or as
//! child processes) against a fresh database and a private Redis queue.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;
use shared::config::Config;
use shared::domain::DocumentStatus;
use tokio::sync::oneshot;

pub struct Stack {
    pub config: Config,
    pub base: String,
    pub http: reqwest::Client,
    pub db: sqlx::PgPool,
    api_stop: Option<oneshot::Sender<()>>,
    workers: Vec<(
        oneshot::Sender<()>,
        tokio::task::JoinHandle<anyhow::Result<()>>,
    )>,
}

impl Stack {
    /// API only; add workers with `start_worker` / `spawn_worker_process`.
    pub async fn start(tweak: impl FnOnce(&mut Config)) -> Stack {
        let url = shared::testing::fresh_database().await;
        Self::start_on(&url, tweak).await
    }

    /// Like `start`, on a database that already exists (a private server for fault tests).
    pub async fn start_on(url: &str, tweak: impl FnOnce(&mut Config)) -> Stack {
        shared::telemetry::init(false);
        let url = url.to_string();
        let mut config = shared::testing::config(&url);
        tweak(&mut config);
        let state = fundlens_api::build_state(config.clone())
            .await
            .expect("api state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel();
        tokio::spawn(fundlens_api::serve(state, listener, async {
            let _ = rx.await;
        }));
        let db = sqlx::PgPool::connect(&url).await.unwrap();
        Stack {
            config,
            base,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            db,
            api_stop: Some(tx),
            workers: Vec::new(),
        }
    }

    pub fn start_worker(&mut self) {
        let (tx, rx) = oneshot::channel();
        let handle = tokio::spawn(fundlens_worker::run(self.config.clone(), async {
            let _ = rx.await;
        }));
        self.workers.push((tx, handle));
    }

    /// A worker as a child process, for crash tests. Its timers match the test config.
    pub fn spawn_worker_process(&self, extra_env: &[(&str, &str)]) -> Child {
        let c = &self.config;
        let mut cmd = Command::new(worker_binary());
        cmd.env("DATABASE_URL", c.database_url())
            .env("REDIS_URL", c.redis_url())
            .env("QUEUE_NAME", &c.queue_name)
            // Several workers run at once: none binds the default metrics port.
            .env("WORKER_METRICS_ADDR", "")
            .env("HEARTBEAT_MS", c.heartbeat_interval.as_millis().to_string())
            .env("STALE_AFTER_MS", c.stale_after.as_millis().to_string())
            .env("REQUEUE_AFTER_MS", c.requeue_after.as_millis().to_string())
            .env(
                "REAPER_INTERVAL_MS",
                c.reaper_interval.as_millis().to_string(),
            )
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        cmd.spawn().expect("spawn fundlens-worker")
    }

    pub async fn stop(mut self) {
        for (tx, handle) in self.workers.drain(..) {
            let _ = tx.send(());
            let result = tokio::time::timeout(Duration::from_secs(30), handle).await;
            assert!(
                matches!(result, Ok(Ok(Ok(())))),
                "worker did not stop cleanly: {result:?}"
            );
        }
        if let Some(tx) = self.api_stop.take() {
            let _ = tx.send(());
        }
    }

    pub async fn upload(&self, name: &str, bytes: Vec<u8>, fund_id: Option<i64>) -> (u16, Value) {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(name.to_string())
            .mime_str("application/pdf")
            .unwrap();
        let mut form = reqwest::multipart::Form::new().part("file", part);
        if let Some(f) = fund_id {
            form = form.text("fund_id", f.to_string());
        }
        let res = self
            .http
            .post(format!("{}/api/documents/upload", self.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Uploads the reference sample report (no fund) and returns the 202 body.
    pub async fn upload_sample(&self) -> Value {
        let (code, body) = self
            .upload(
                "sample.pdf",
                shared::testing::pdf("reference/Sample_Fund_Performance_Report.pdf"),
                None,
            )
            .await;
        assert_eq!(code, 202, "{body}");
        body
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    /// POST without a body (actions such as retry).
    pub async fn post(&self, path: &str) -> (u16, Value) {
        self.send(self.http.post(format!("{}{path}", self.base)))
            .await
    }

    /// POST with a JSON body.
    pub async fn post_json(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(self.http.post(format!("{}{path}", self.base)).json(&body))
            .await
    }

    pub async fn send_delete(&self, path: &str) -> (u16, Value) {
        self.send(self.http.delete(format!("{}{path}", self.base)))
            .await
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Polls the status endpoint until the document is completed or failed.
    pub async fn wait_done(&self, id: i64, within: Duration) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let (code, body) = self.get(&format!("/api/documents/{id}/status")).await;
            assert_eq!(code, 200, "status of {id}: {body}");
            let finished = [DocumentStatus::Completed, DocumentStatus::Failed];
            if finished.iter().any(|s| body["status"] == s.as_str()) {
                return body;
            }
            assert!(
                Instant::now() < deadline,
                "document {id} not done within {within:?}: {body}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn wait_for_status(&self, id: i64, status: &str, within: Duration) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let (_, body) = self.get(&format!("/api/documents/{id}/status")).await;
            if body["status"] == status {
                return body;
            }
            assert!(
                Instant::now() < deadline,
                "document {id} never reached {status}: {body}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn scalar(&self, sql: &'static str, id: i64) -> i64 {
        sqlx::query_scalar(sql)
            .bind(id)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }
}

/// The same PDF with a different trailing comment: new content for dedup, same document.
pub fn variant(bytes: &[u8], n: usize) -> Vec<u8> {
    let mut v = bytes.to_vec();
    v.extend_from_slice(format!("\n%fundlens-test-variant-{n}\n").as_bytes());
    v
}

/// The `fundlens-worker` binary for tests that run workers as child processes.
///
/// `CARGO_BIN_EXE_*` only names binaries of the test's own package, and `cargo test -p
/// fundlens-e2e` does not build the worker's. So the first call runs `cargo build -p
/// fundlens-worker --bin fundlens-worker` into this test binary's own target directory and
/// profile (a no-op when `cargo test --workspace` already built it, a rebuild when the binary is
/// stale), and returns `<target>/<profile>/fundlens-worker`. FUNDLENS_WORKER_BIN names a
/// prebuilt binary instead (no build).
pub fn worker_binary() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("FUNDLENS_WORKER_BIN") {
            return PathBuf::from(bin);
        }
        build_worker_binary()
    })
    .clone()
}

fn build_worker_binary() -> PathBuf {
    // <target>[/<triple>]/<profile>/deps/<this test>-<hash>
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test binary under <target>/<profile>/deps")
        .to_path_buf();
    let profile = profile_dir
        .file_name()
        .and_then(|n| n.to_str())
        .expect("profile folder name")
        .to_string();
    let above = profile_dir.parent().expect("target folder");
    // Cargo tags the root of a target directory; without the tag, `above` is a target triple.
    let (target_dir, triple) = if above.join("CACHEDIR.TAG").is_file() {
        (above.to_path_buf(), None)
    } else {
        let triple = above.file_name().and_then(|n| n.to_str()).map(String::from);
        (above.parent().expect("target folder").to_path_buf(), triple)
    };
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.arg("build")
        .arg("--manifest-path")
        .arg(workspace.join("Cargo.toml"))
        .args(["-p", "fundlens-worker", "--bin", "fundlens-worker"])
        // The features a test build gives shared, so its compiled library is reused as is.
        .args(["--features", "fundlens-shared/test-support"])
        .arg("--target-dir")
        .arg(&target_dir);
    match profile.as_str() {
        // `cargo test` writes the dev and test profiles to `debug`, release and bench to `release`.
        "debug" => {}
        "release" => {
            cmd.arg("--release");
        }
        other => {
            cmd.args(["--profile", other]);
        }
    }
    if let Some(triple) = &triple {
        cmd.args(["--target", triple]);
    }
    let status = cmd
        .status()
        .unwrap_or_else(|e| panic!("run {cmd:?} to build the worker binary: {e}"));
    assert!(status.success(), "{cmd:?} failed: {status}");
    let bin = profile_dir.join(format!("fundlens-worker{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.is_file(),
        "{cmd:?} succeeded but {} does not exist",
        bin.display()
    );
    bin
}
