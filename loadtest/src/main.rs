//! `fundlens-loadtest`: starts the real stack with small pools and measures it under load.
//! `--short` is the CI version (a few hundred requests) and fails on any error; `--scans` uploads
//! the image-only scans during the mixed load, so the worker OCRs while the API is measured.
use fundlens_loadtest::{stack, stats, watch, workload};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use shared::domain::DocumentStatus;

use stats::{Stats, ms};
use workload::{Mix, send};

struct Plan {
    seeds: usize,
    ceiling: usize,
    sequential_chat: usize,
    mixed: usize,
    concurrency: usize,
    uploads: usize,
    workers: usize,
    short: bool,
    /// Upload the image-only `scans/` during (b), so the worker OCRs while the API is loaded.
    scans: bool,
}

#[tokio::main]
async fn main() {
    let short = std::env::args().any(|a| a == "--short");
    let scans = std::env::args().any(|a| a == "--scans");
    let plan = if short {
        Plan {
            seeds: 3,
            ceiling: 200,
            sequential_chat: 100,
            mixed: 400,
            concurrency: 16,
            uploads: 10,
            workers: 1,
            short,
            scans,
        }
    } else {
        Plan {
            seeds: 20,
            ceiling: 3000,
            sequential_chat: 1000,
            mixed: 10_000,
            concurrency: 64,
            uploads: 100,
            workers: 1,
            short,
            scans,
        }
    };
    match run(plan).await {
        Ok(true) => println!("\nRESULT: PASS"),
        Ok(false) => {
            println!("\nRESULT: FAIL");
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("load test could not run: {e:#}");
            std::process::exit(2);
        }
    }
}

async fn run(plan: Plan) -> anyhow::Result<bool> {
    let stack = stack::Stack::start(plan.workers).await?;
    println!(
        "stack: API {} (pool {}), {} worker(s) (pool {}, concurrency {}), database {}, logs {}",
        stack.base,
        stack::API_POOL,
        plan.workers,
        stack::worker_pool(),
        stack::worker_concurrency(),
        stack.db_name,
        stack.log_dir.display()
    );
    let result = measure(&stack, &plan).await;
    stack.stop().await?;
    result
}

async fn measure(stack: &stack::Stack, plan: &Plan) -> anyhow::Result<bool> {
    let base = stack.base.clone();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .pool_max_idle_per_host(plan.concurrency * 2)
        .build()?;
    let db = sqlx::PgPool::connect(&stack.database_url).await?;
    let conns = watch::ConnWatch::start(&stack.database_url, &stack.db_name).await?;
    let probes = watch::Probes::start(base.clone());
    let (api_pid, worker_pids) = stack.pids();
    let mut all = Stats::default();
    let run_started = Instant::now();

    // Seed: the sample reports, so that funds, metrics and transactions have data.
    let samples = workload::sample_pdfs(usize::MAX)?;
    let mut doc_ids = Vec::new();
    for (name, bytes) in samples.iter().take(plan.seeds) {
        let (o, t, body) = send(workload::upload(&http, &base, name, bytes.clone())).await;
        all.record("POST /api/documents/upload (seed)", o, t);
        if let Some(id) = body["document_id"].as_i64() {
            doc_ids.push(id);
        }
    }
    wait_all_done(&db, &doc_ids, Duration::from_secs(300)).await?;
    let fund_ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM funds ORDER BY id")
        .fetch_all(&db)
        .await?;
    println!(
        "seeded {} documents, {} funds",
        doc_ids.len(),
        fund_ids.len()
    );

    // Ceiling: the cheapest request that still takes a pooled connection.
    let ping = |_: usize, _: &mut Mix| {
        (
            "GET /api/_ping_db (ceiling)",
            http.get(format!("{base}/api/_ping_db")),
        )
    };
    let (seq_ceiling, seq_ceiling_s) = drive(plan.ceiling / 4, 1, &ping).await;
    let seq_ceiling_rps = seq_ceiling.total() as f64 / seq_ceiling_s.as_secs_f64();
    let (par_ceiling, par_ceiling_s) = drive(plan.ceiling, plan.concurrency, &ping).await;
    let par_ceiling_rps = par_ceiling.total() as f64 / par_ceiling_s.as_secs_f64();
    seq_ceiling.print("ceiling, sequential", seq_ceiling_s, seq_ceiling_rps);
    par_ceiling.print(
        &format!("ceiling, concurrency {}", plan.concurrency),
        par_ceiling_s,
        par_ceiling_rps,
    );

    // (a) Sequential chat.
    let ids = fund_ids.clone();
    let chat = |i: usize, _: &mut Mix| {
        (
            "POST /api/chat/query",
            workload::chat(&http, &base, i, &ids),
        )
    };
    let (seq, seq_s) = drive(plan.sequential_chat, 1, &chat).await;
    seq.print(
        &format!("(a) {} sequential chat queries", plan.sequential_chat),
        seq_s,
        seq_ceiling_rps,
    );
    if seq.missing() > 0 {
        println!(
            "NOTE: /api/chat/query answered 404 \"No such route.\" {} times: counted as `missing`, which fails the run.",
            seq.missing()
        );
    }
    let rss_after_first = (
        stack::rss_kib(api_pid),
        worker_pids.iter().map(|p| stack::rss_kib(*p)).sum::<u64>(),
    );

    // (b) The mix at full concurrency, while uploads are ingested.
    let uploaded = Arc::new(Mutex::new(Vec::<i64>::new()));
    let status_targets = Arc::new(Mutex::new(doc_ids.clone()));
    let uploader = {
        let (http, base, uploaded, targets) = (
            http.clone(),
            base.clone(),
            uploaded.clone(),
            status_targets.clone(),
        );
        let samples = if plan.scans {
            workload::scan_pdfs()?
        } else {
            samples.clone()
        };
        let n = plan.uploads;
        // Close together, so that the whole mix runs while the workers ingest.
        let gap = Duration::from_millis(10);
        tokio::spawn(async move {
            let mut stats = Stats::default();
            for i in 0..n {
                let (name, bytes) = &samples[i % samples.len()];
                let (o, t, body) = send(workload::upload(
                    &http,
                    &base,
                    name,
                    workload::variant(bytes, i),
                ))
                .await;
                stats.record("POST /api/documents/upload", o, t);
                if let Some(id) = body["document_id"].as_i64() {
                    uploaded.lock().unwrap_or_else(|e| e.into_inner()).push(id);
                    targets.lock().unwrap_or_else(|e| e.into_inner()).push(id);
                }
                tokio::time::sleep(gap).await;
            }
            stats
        })
    };
    let mixed = |i: usize, mix: &mut Mix| -> (&'static str, reqwest::RequestBuilder) {
        let fund = if fund_ids.is_empty() {
            1
        } else {
            fund_ids[mix.next(fund_ids.len())]
        };
        match mix.next(100) {
            0..25 => (
                "POST /api/chat/query",
                workload::chat(&http, &base, i, &fund_ids),
            ),
            25..35 => ("GET /api/funds", http.get(format!("{base}/api/funds"))),
            35..50 => (
                "GET /api/funds/{id}",
                http.get(format!("{base}/api/funds/{fund}")),
            ),
            50..65 => (
                "GET /api/funds/{id}/metrics",
                http.get(format!("{base}/api/funds/{fund}/metrics")),
            ),
            65..80 => {
                let page = 1 + mix.next(3);
                let limit = [10, 25, 50][mix.next(3)];
                (
                    "GET /api/funds/{id}/transactions",
                    http.get(format!(
                        "{base}/api/funds/{fund}/transactions?page={page}&limit={limit}"
                    )),
                )
            }
            _ => {
                let targets = status_targets.lock().unwrap_or_else(|e| e.into_inner());
                let id = targets[mix.next(targets.len())];
                (
                    "GET /api/documents/{id}/status",
                    http.get(format!("{base}/api/documents/{id}/status")),
                )
            }
        }
    };
    // Split at 1,000 to read memory there: the same workload after 1,000 and after all of it
    // tells a leak from warm-up (phase (a) alone warms little when chat is missing).
    let warm = plan.mixed / 10;
    let (mut mix, warm_s) = drive_range(0, warm, plan.concurrency, &mixed).await;
    let rss_after_warm = (
        stack::rss_kib(api_pid),
        worker_pids.iter().map(|p| stack::rss_kib(*p)).sum::<u64>(),
    );
    let (rest, rest_s) = drive_range(warm, plan.mixed, plan.concurrency, &mixed).await;
    mix.merge(rest);
    let mix_s = warm_s + rest_s;
    let rss_after_all = (
        stack::rss_kib(api_pid),
        worker_pids.iter().map(|p| stack::rss_kib(*p)).sum::<u64>(),
    );
    mix.print(
        &format!(
            "(b) {} mixed requests at concurrency {}",
            plan.mixed, plan.concurrency
        ),
        mix_s,
        par_ceiling_rps,
    );
    let up_stats = uploader.await?;
    let uploaded = uploaded.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let ingest_started = Instant::now();
    wait_all_done(&db, &uploaded, Duration::from_secs(600)).await?;
    let (completed, failed_docs): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = $2), count(*) FILTER (WHERE status = $3)
         FROM documents WHERE id = ANY($1)",
    )
    .bind(&uploaded)
    .bind(DocumentStatus::Completed)
    .bind(DocumentStatus::Failed)
    .fetch_one(&db)
    .await?;
    let lat: Vec<f64> = sqlx::query_scalar(
        "SELECT extract(epoch FROM completed_at - uploaded_at)::float8 FROM documents
         WHERE id = ANY($1) AND completed_at IS NOT NULL ORDER BY 1",
    )
    .bind(&uploaded)
    .fetch_all(&db)
    .await?;
    up_stats.print(
        "uploads during (b)",
        mix_s + ingest_started.elapsed(),
        par_ceiling_rps,
    );

    let probe_stats = probes.finish();
    let (max_api, max_worker) = conns.finish().await?;
    probe_stats.print(
        "(c) probes every 50 ms throughout",
        run_started.elapsed(),
        seq_ceiling_rps,
    );
    let health_p99 = probe_stats
        .endpoints
        .get("GET /health (probe)")
        .map_or(0, |e| e.latency.value_at_quantile(0.99));

    let pct = |q: f64| -> f64 {
        if lat.is_empty() {
            return f64::NAN;
        }
        lat[((lat.len() - 1) as f64 * q).round() as usize]
    };
    println!(
        "\nupload → completed: {} of {} completed, {failed_docs} failed; p50 {:.1} s, p90 {:.1} s, p99 {:.1} s, max {:.1} s",
        completed,
        uploaded.len(),
        pct(0.5),
        pct(0.9),
        pct(0.99),
        pct(1.0)
    );
    let api_cap = i64::from(stack::API_POOL);
    let worker_cap = i64::from(stack::worker_pool()) * plan.workers as i64;
    println!(
        "max Postgres connections: fundlens-api {max_api} (pool {api_cap}), fundlens-worker {max_worker} (pool {worker_cap})"
    );
    let growth = |a: u64, b: u64| (b as f64 - a as f64) / a.max(1) as f64 * 100.0;
    let mib = |k: u64| format!("{:.1} MiB", k as f64 / 1024.0);
    println!(
        "RSS API: after (a) {}, after {warm} of (b) {}, after (b) {} ({:+.1}% over the {warm})",
        mib(rss_after_first.0),
        mib(rss_after_warm.0),
        mib(rss_after_all.0),
        growth(rss_after_warm.0, rss_after_all.0),
    );
    println!(
        "RSS worker: after (a) {}, after {warm} of (b) {}, after (b) {} ({:+.1}% over the {warm})",
        mib(rss_after_first.1),
        mib(rss_after_warm.1),
        mib(rss_after_all.1),
        growth(rss_after_warm.1, rss_after_all.1),
    );
    println!("/health p99 {} ms", ms(health_p99));
    scrape_summary(&http, &base).await;

    all.merge(seq);
    all.merge(mix);
    all.merge(up_stats);
    all.merge(probe_stats);
    let mut ok = true;
    let mut check = |pass: bool, what: String| {
        println!("[{}] {what}", if pass { "ok" } else { "FAIL" });
        ok &= pass;
    };
    println!();
    check(
        all.failed() == 0,
        format!("failed requests: {}", all.failed()),
    );
    check(all.timeouts() == 0, format!("timeouts: {}", all.timeouts()));
    // A route the build does not have is a failure of the run, not a request to skip.
    check(
        all.missing() == 0,
        format!(
            "requests to a missing route (404 \"No such route.\"): {}",
            all.missing()
        ),
    );
    check(
        max_api <= api_cap,
        format!("API connections {max_api} ≤ pool {api_cap}"),
    );
    check(
        max_worker <= worker_cap,
        format!("worker connections {max_worker} ≤ pool {worker_cap}"),
    );
    check(
        completed == uploaded.len() as i64 && uploaded.len() == plan.uploads,
        format!(
            "uploads accepted and completed: {completed} of {}",
            plan.uploads
        ),
    );
    if !plan.short {
        // Timing and memory bounds hold for release builds on a quiet machine, not for CI's debug run.
        check(
            health_p99 < 10_000,
            format!("/health p99 {} ms < 10 ms", ms(health_p99)),
        );
        let api_growth = growth(rss_after_warm.0, rss_after_all.0);
        let worker_growth = growth(rss_after_warm.1, rss_after_all.1);
        check(
            api_growth <= 10.0,
            format!(
                "API RSS growth from {warm} to {} requests {api_growth:+.1}% ≤ 10%",
                plan.mixed
            ),
        );
        check(
            worker_growth <= 10.0,
            format!(
                "worker RSS growth from {warm} to {} requests {worker_growth:+.1}% ≤ 10%",
                plan.mixed
            ),
        );
    }
    Ok(ok)
}

/// Runs `n` requests from `request(i, mix)` on `concurrency` tasks; returns stats and wall time.
async fn drive<F>(n: usize, concurrency: usize, request: &F) -> (Stats, Duration)
where
    F: Fn(usize, &mut Mix) -> (&'static str, reqwest::RequestBuilder) + Sync,
{
    drive_range(0, n, concurrency, request).await
}

/// Requests `start..n` of the same numbering as `drive`.
async fn drive_range<F>(
    start: usize,
    n: usize,
    concurrency: usize,
    request: &F,
) -> (Stats, Duration)
where
    F: Fn(usize, &mut Mix) -> (&'static str, reqwest::RequestBuilder) + Sync,
{
    let next = AtomicUsize::new(start);
    let started = Instant::now();
    let lanes = (0..concurrency).map(|lane| {
        let next = &next;
        async move {
            let mut stats = Stats::default();
            let mut mix = Mix::new((start + lane) as u64 + 1);
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= n {
                    return stats;
                }
                let (name, req) = request(i, &mut mix);
                let (outcome, took, _) = send(req).await;
                stats.record(name, outcome, took);
            }
        }
    });
    let mut total = Stats::default();
    for s in futures::future::join_all(lanes).await {
        total.merge(s);
    }
    (total, started.elapsed())
}

async fn wait_all_done(db: &sqlx::PgPool, ids: &[i64], within: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + within;
    loop {
        let open: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM documents WHERE id = ANY($1) AND status NOT IN ($2, $3)",
        )
        .bind(ids)
        .bind(DocumentStatus::Completed)
        .bind(DocumentStatus::Failed)
        .fetch_one(db)
        .await?;
        if open == 0 {
            return Ok(());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "{open} documents still not done after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A few lines of `/metrics`, to show the exporters work under load.
async fn scrape_summary(http: &reqwest::Client, base: &str) {
    let Ok(text) = async {
        http.get(format!("{base}/metrics"))
            .send()
            .await?
            .text()
            .await
    }
    .await
    else {
        println!("/metrics: no answer");
        return;
    };
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| {
            l.starts_with("db_pool_") || l.starts_with("documents{") || l.starts_with("queue_depth")
        })
        .collect();
    println!("API /metrics at the end:\n  {}", lines.join("\n  "));
}
