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
/// fundlens-e2e` does not build the worker's. So the binary is taken from this test binary's
/// own target folder and profile (`<target>/<profile>/fundlens-worker`), where `cargo test
/// --workspace` has already built it. When it is missing or stale (a file cargo recorded it was
/// built from, or a manifest or the lock file, is newer than it), the first call builds it with
/// `cargo build`, once per test process. FUNDLENS_WORKER_BIN names a prebuilt binary instead.
pub fn worker_binary() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("FUNDLENS_WORKER_BIN") {
            return PathBuf::from(bin);
        }
        let mut build = WorkerBuild::for_this_test();
        if !build.is_fresh() {
            build.run();
        }
        build.bin
    })
    .clone()
}

struct WorkerBuild {
    bin: PathBuf,
    workspace: PathBuf,
    cargo: Command,
}

impl WorkerBuild {
    fn for_this_test() -> WorkerBuild {
        // <target>[/<triple>]/<profile>/deps/<test>-<hash>
        let exe = std::env::current_exe().expect("test binary path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("test binary under <target>/<profile>/deps");
        let profile = profile_dir
            .file_name()
            .and_then(|n| n.to_str())
            .expect("profile folder name");
        let above = profile_dir.parent().expect("target folder");
        // Cargo tags the root of a target folder; without the tag, `above` is a target triple.
        let (target_dir, triple) = if above.join("CACHEDIR.TAG").is_file() {
            (above, None)
        } else {
            (
                above.parent().expect("target folder"),
                above.file_name().and_then(|n| n.to_str()),
            )
        };
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("workspace root")
            .to_path_buf();
        let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cargo
            .arg("build")
            .arg("--manifest-path")
            .arg(workspace.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(target_dir)
            // With this package and one of its tests selected, dependencies get the same
            // features (dev-dependencies included) and profile as the test build, so their
            // compiled artifacts are reused and only the binary itself is built.
            .args(["-p", "fundlens-e2e", "-p", "fundlens-worker"])
            .args(["--bin", "fundlens-worker"]);
        match exe
            .file_stem()
            .and_then(|n| n.to_str())
            .and_then(|n| n.rsplit_once('-'))
        {
            Some((test, _hash)) => cargo.args(["--test", test]),
            None => cargo.arg("--tests"),
        };
        // Cargo sets these for the test it runs; a build script that reads one of them (ring's
        // reads CARGO_MANIFEST_DIR) would otherwise see a changed environment and rebuild half
        // the dependency tree, twice: here, then again in the next plain `cargo test`.
        for (key, _) in std::env::vars_os() {
            if key.to_str().is_some_and(|k| {
                k.starts_with("CARGO_PKG_")
                    || matches!(
                        k,
                        "CARGO_MANIFEST_DIR"
                            | "CARGO_MANIFEST_PATH"
                            | "CARGO_CRATE_NAME"
                            | "CARGO_BIN_NAME"
                            | "CARGO_PRIMARY_PACKAGE"
                            | "CARGO_TARGET_TMPDIR"
                            | "CARGO_RUSTC_CURRENT_DIR"
                            | "OUT_DIR"
                    )
            }) {
                cargo.env_remove(key);
            }
        }
        match profile {
            // `cargo test` builds in `debug` with the test profile (the dev profile's settings).
            "debug" => cargo.args(["--profile", "test"]),
            "release" => cargo.arg("--release"),
            other => cargo.args(["--profile", other]),
        };
        if let Some(triple) = triple {
            cargo.args(["--target", triple]);
        }
        WorkerBuild {
            bin: profile_dir.join(format!("fundlens-worker{}", std::env::consts::EXE_SUFFIX)),
            workspace,
            cargo,
        }
    }

    /// Whether the binary is newer than every input cargo listed for it in `<bin>.d` (the
    /// sources of the worker and shared, the migrations) and than the manifests and lock file.
    fn is_fresh(&self) -> bool {
        let Ok(built) = self.bin.metadata().and_then(|m| m.modified()) else {
            return false;
        };
        let Ok(dep_info) = std::fs::read_to_string(self.bin.with_extension("d")) else {
            return false;
        };
        let Some((_, inputs)) = dep_info.split_once(": ") else {
            return false;
        };
        let manifests = [
            "Cargo.lock",
            "Cargo.toml",
            "worker/Cargo.toml",
            "shared/Cargo.toml",
        ]
        .map(|f| self.workspace.join(f));
        // Spaces inside a path are escaped as `\ `.
        inputs
            .replace("\\ ", "\0")
            .split_whitespace()
            .map(|p| PathBuf::from(p.replace('\0', " ")))
            .chain(manifests)
            .all(|p| {
                p.metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t <= built)
            })
    }

    fn run(&mut self) {
        let status = self
            .cargo
            .status()
            .unwrap_or_else(|e| panic!("run {:?} to build the worker binary: {e}", self.cargo));
        assert!(status.success(), "{:?} failed: {status}", self.cargo);
        assert!(
            self.bin.is_file(),
            "{:?} succeeded but {} does not exist",
            self.cargo,
            self.bin.display()
        );
    }
}

/// Numbers written in a text: thousands separators dropped, a leading `-` kept.
pub fn numbers(text: &str) -> Vec<f64> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || (matches!(chars[i], ',' | '.')
                        && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit())))
            {
                i += 1;
            }
            let raw: String = chars[start..i].iter().filter(|c| **c != ',').collect();
            let negative = (start >= 1 && chars[start - 1] == '-')
                || (start >= 2 && chars[start - 1] == '$' && chars[start - 2] == '-');
            if let Ok(v) = raw.parse::<f64>() {
                out.push(if negative { -v } else { v });
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Ground-truth `expected` key → (metrics response key, tolerance): 0.01 for amounts, 0.0001 for
/// multiples, 0.01 percentage points for IRR.
pub fn metric_target(key: &str) -> (&str, f64) {
    match key {
        "dpi" | "tvpi" | "rvpi" => (key, 1e-4),
        "irr_pct" => ("irr", 0.01),
        _ => (key, 0.01),
    }
}
