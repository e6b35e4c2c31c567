//! `fundlens-bench-ingest` (`make bench-ingest`): uploads N reports through the API of the real
//! stack (release binaries, `make run`'s worker defaults) and prints the throughput, the time
//! from upload to completed, and where the CPU went: per process and per pipeline stage.
//! A benchmark, not a test: it prints numbers and fails only when documents fail.
use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures::StreamExt;
use shared::domain::DocumentStatus::{Completed, Failed};
use sqlx::Connection;

use fundlens_loadtest::{cpu, stack, workload};

struct Args {
    reports: usize,
    concurrency: usize,
    workers: usize,
}

fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        reports: 1000,
        concurrency: 8,
        workers: 1,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    for pair in argv.chunks(2) {
        let value = pair.get(1).map(|v| v.parse::<usize>()).transpose()?;
        match (pair[0].as_str(), value) {
            ("--reports", Some(v)) => a.reports = v,
            ("--concurrency", Some(v)) => a.concurrency = v.max(1),
            ("--workers", Some(v)) => a.workers = v.max(1),
            _ => anyhow::bail!(
                "usage: fundlens-bench-ingest [--reports N] [--concurrency C] [--workers W]"
            ),
        }
    }
    Ok(a)
}

/// CPU seconds of the API, the workers together and Postgres at one moment.
struct Cpu {
    api: f64,
    worker: f64,
    postgres: f64,
}

fn cpu_now(s: &stack::Stack, postmaster: Option<u32>) -> Cpu {
    let (api, workers) = s.pids();
    Cpu {
        api: cpu::process_seconds(api),
        worker: workers.iter().map(|p| cpu::process_seconds(*p)).sum(),
        postgres: postmaster.map_or(0.0, cpu::tree_seconds),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let result = match args() {
        Ok(a) => run(a).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("bench-ingest could not run: {e:#}");
            std::process::exit(2);
        }
    }
}

async fn run(a: Args) -> anyhow::Result<bool> {
    let corpus = workload::sample_pdfs(usize::MAX)?;
    let s = stack::Stack::start(a.workers).await?;
    let out = measure(&s, &a, &corpus).await;
    s.stop().await?;
    out
}

async fn measure(s: &stack::Stack, a: &Args, corpus: &[(String, Vec<u8>)]) -> anyhow::Result<bool> {
    let mut db = sqlx::PgConnection::connect(&s.database_url).await?;
    let data_dir: String = sqlx::query_scalar("SELECT current_setting('data_directory')")
        .fetch_one(&mut db)
        .await?;
    let postmaster = cpu::postmaster_pid(&PathBuf::from(data_dir));
    println!(
        "bench-ingest: {} uploads of {} source reports (each made unique by a trailing comment), \
         upload concurrency {}, {} worker process(es) of concurrency {}",
        a.reports,
        corpus.len(),
        a.concurrency,
        a.workers,
        stack::worker_concurrency()
    );
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    let before = cpu_now(s, postmaster);
    let started = Instant::now();
    let rejected = futures::stream::iter(0..a.reports)
        .map(|i| {
            let (name, bytes) = &corpus[i % corpus.len()];
            let req = workload::upload(&http, &s.base, name, workload::variant(bytes, i));
            async move { req.send().await.map(|r| r.status().as_u16()).unwrap_or(0) }
        })
        .buffer_unordered(a.concurrency)
        .filter(|code| std::future::ready(*code != 202))
        .count()
        .await;
    let uploaded_in = started.elapsed();
    // Postgres is the source of truth for every document's state.
    let deadline = Instant::now() + Duration::from_secs(3600);
    loop {
        let pending: i64 =
            sqlx::query_scalar("SELECT count(*) FROM documents WHERE status NOT IN ($1, $2)")
                .bind(Completed)
                .bind(Failed)
                .fetch_one(&mut db)
                .await?;
        if pending == 0 || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let after = cpu_now(s, postmaster);
    let (completed, failed, pages, span_s): (i64, i64, i64, Option<f64>) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = $1), count(*) FILTER (WHERE status = $2),
                COALESCE(sum(page_count) FILTER (WHERE status = $1), 0)::bigint,
                extract(epoch FROM max(completed_at) - min(uploaded_at))::float8
         FROM documents",
    )
    .bind(Completed)
    .bind(Failed)
    .fetch_one(&mut db)
    .await?;
    let mut latency: Vec<f64> = sqlx::query_scalar(
        "SELECT extract(epoch FROM completed_at - uploaded_at)::float8 FROM documents
         WHERE status = $1",
    )
    .bind(Completed)
    .fetch_all(&mut db)
    .await?;
    latency.sort_by(f64::total_cmp);
    let timings: Vec<serde_json::Value> = sqlx::query_scalar(
        "SELECT timings FROM documents WHERE status = $1 AND timings IS NOT NULL",
    )
    .bind(Completed)
    .fetch_all(&mut db)
    .await?;

    let span = span_s.unwrap_or(f64::NAN);
    let n = completed.max(1) as f64;
    println!(
        "uploads: {} accepted in {:.1} s ({} rejected)",
        a.reports - rejected,
        uploaded_in.as_secs_f64(),
        rejected
    );
    println!(
        "first upload → last completed: {span:.1} s; {completed} completed, {failed} failed; \
         {:.0} reports/min, {:.1} pages/s ({pages} pages)",
        completed as f64 / span * 60.0,
        pages as f64 / span
    );
    println!(
        "upload → completed per report: p50 {:.2} s, p99 {:.2} s",
        percentile(&latency, 0.5),
        percentile(&latency, 0.99)
    );
    let used = |x: f64, y: f64| (y - x).max(0.0);
    let (w, api, pg) = (
        used(before.worker, after.worker),
        used(before.api, after.api),
        used(before.postgres, after.postgres),
    );
    println!("\nprocess    CPU s    ms/report");
    for (name, secs) in [("worker", w), ("api", api), ("postgres", pg)] {
        println!("{name:<9} {secs:>6.1} {:>11.1}", secs * 1000.0 / n);
    }
    println!(
        "(2 cores for {span:.1} s = {:.1} CPU s available)",
        2.0 * span
    );

    // Stage clocks summed over the completed attempts: wall for every stage, thread CPU where
    // the stage runs on the worker's own thread.
    let stages = ["load", "parse", "ocr", "extract", "chunk", "embed", "store"];
    println!("\nstage        wall ms/report   cpu ms/report");
    let per = |path: &dyn Fn(&serde_json::Value) -> Option<f64>| -> Option<f64> {
        let v: Vec<f64> = timings.iter().filter_map(path).collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / timings.len().max(1) as f64)
    };
    let wait = per(&|t| t["queue_wait_ms"].as_f64());
    println!(
        "{:<12} {:>15.1} {:>15}",
        "queue wait",
        wait.unwrap_or(f64::NAN),
        "-"
    );
    let mut accounted = 0.0;
    for stage in stages {
        let wall = per(&|t| t[stage]["wall_ms"].as_f64()).unwrap_or(f64::NAN);
        let cpu = per(&|t| t[stage]["cpu_ms"].as_f64());
        accounted += cpu.unwrap_or(0.0);
        println!(
            "{stage:<12} {wall:>15.1} {:>15}",
            cpu.map_or("-".to_string(), |c| format!("{c:.1}"))
        );
    }
    println!(
        "worker CPU not on a stage's own thread (embedding threads, async runtime, queue polling, \
         storing): {:.1} ms/report",
        w * 1000.0 / n - accounted
    );
    // What the embed stage had to do: its cost follows the chunks and their tokens.
    let (chunks, tokens): (i64, i64) = sqlx::query_as(
        "SELECT count(*), COALESCE(sum(token_count), 0)::bigint FROM document_chunks",
    )
    .fetch_one(&mut db)
    .await?;
    println!(
        "embedded per report: {:.1} chunks, {:.0} estimated tokens",
        chunks as f64 / n,
        tokens as f64 / n
    );
    Ok(failed == 0 && rejected == 0 && completed as usize == a.reports)
}
