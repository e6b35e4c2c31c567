//! Watchers that run beside the load: `/health` and `/ready` every 50 ms on their own thread and
//! runtime (so the load generator's own queueing does not show up as API latency), and the
//! connections each binary holds in `pg_stat_activity`.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sqlx::Connection;

use crate::stats::{Outcome, Stats};

pub struct Probes {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Stats>,
}

impl Probes {
    pub fn start(base: String) -> Probes {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("probe runtime");
            rt.block_on(async move {
                let http = reqwest::Client::builder()
                    .timeout(Duration::from_secs(5))
                    .build()
                    .expect("client");
                let mut stats = Stats::default();
                let mut tick = tokio::time::interval(Duration::from_millis(50));
                while !flag.load(Ordering::SeqCst) {
                    tick.tick().await;
                    for (name, path) in [
                        ("GET /health (probe)", "/health"),
                        ("GET /ready (probe)", "/ready"),
                    ] {
                        let t = Instant::now();
                        let outcome = match http.get(format!("{base}{path}")).send().await {
                            Ok(r) if r.status().is_success() => {
                                let _ = r.bytes().await;
                                Outcome::Ok
                            }
                            Ok(r) => Outcome::Error(r.status().as_u16()),
                            Err(e) if e.is_timeout() => Outcome::Timeout,
                            Err(_) => Outcome::Transport,
                        };
                        stats.record(name, outcome, t.elapsed());
                    }
                }
                stats
            })
        });
        Probes { stop, thread }
    }

    pub fn finish(self) -> Stats {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().unwrap_or_default()
    }
}

/// Highest connection count seen per application name, sampled every 20 ms.
pub struct ConnWatch {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<anyhow::Result<(i64, i64)>>,
}

impl ConnWatch {
    pub async fn start(database_url: &str, db_name: &str) -> anyhow::Result<ConnWatch> {
        let mut conn = sqlx::PgConnection::connect(database_url).await?;
        let db = db_name.to_string();
        let (stop, mut rx) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(async move {
            let (mut api, mut worker) = (0i64, 0i64);
            while !*rx.borrow() {
                let (a, w): (i64, i64) = sqlx::query_as(
                    "SELECT count(*) FILTER (WHERE application_name = 'fundlens-api'),
                            count(*) FILTER (WHERE application_name = 'fundlens-worker')
                     FROM pg_stat_activity WHERE datname = $1",
                )
                .bind(&db)
                .fetch_one(&mut conn)
                .await?;
                api = api.max(a);
                worker = worker.max(w);
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(20)) => {}
                    _ = rx.changed() => {}
                }
            }
            Ok((api, worker))
        });
        Ok(ConnWatch { stop, task })
    }

    /// (API, worker) maxima.
    pub async fn finish(self) -> anyhow::Result<(i64, i64)> {
        let _ = self.stop.send(true);
        self.task.await?
    }
}
