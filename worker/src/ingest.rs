//! The ingestion job: claim the document in Postgres, parse and extract it on a blocking thread
//! while heart-beating, then store everything in one transaction.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::time::Duration;

use apalis::prelude::{BoxDynError, Data};
use shared::db::documents;
use shared::db::extraction::{self, StoreError};
use shared::db::transitions::{self, Claim};
use shared::domain::{DocumentStatus, Extraction, Stage, StageTime, StageTimings};
use shared::extract::DocumentExtractor;
use shared::files::FileError;
use shared::jobs::IngestDocument;
use shared::pdf::{self, PdfError};
use shared::telemetry::Stopwatch;
use tokio::sync::watch;
use tracing::Instrument;

use crate::JobContext;

/// Why an attempt did not complete, and so what happens next.
#[derive(Debug, thiserror::Error)]
enum IngestError {
    /// Property of the file: fail at once with this sentence.
    #[error("{0}")]
    Permanent(String),
    /// Database or queue trouble: retry later without spending an attempt.
    #[error("{0}")]
    Unavailable(String),
    /// Unexpected (a bug or a hang): retry, spending an attempt.
    #[error("{0}")]
    Other(String),
    /// Someone else owns the document now (it was reaped or deleted): drop our work.
    #[error("the document was taken over or deleted while being processed")]
    Lost,
}

impl From<FileError> for IngestError {
    fn from(e: FileError) -> Self {
        match e {
            FileError::Db(e) => e.into(),
            // Nothing will bring the object back: retrying would only repeat this.
            FileError::Missing { .. } => Self::Permanent(format!(
                "Cannot process this document: {e}. Upload it again."
            )),
            // A bucket that is down or refuses us spends an attempt, so it ends in a failure
            // with this sentence instead of waiting forever.
            FileError::Store { .. } | FileError::NoBucket(_) => Self::Other(e.to_string()),
        }
    }
}

impl From<sqlx::Error> for IngestError {
    fn from(e: sqlx::Error) -> Self {
        if shared::db::pool::is_unavailable(&e) {
            Self::Unavailable(format!("the database was unavailable ({e})"))
        } else {
            Self::Other(format!("database error: {e}"))
        }
    }
}

/// apalis entry point. Always succeeds from apalis's point of view: retries and failures are
/// recorded in Postgres, because the Redis backend's own retry bookkeeping cannot be trusted.
pub async fn ingest(job: IngestDocument, ctx: Data<Arc<JobContext>>) -> Result<(), BoxDynError> {
    let span = tracing::info_span!(
        "ingest",
        document_id = job.document_id,
        request_id = job.request_id.as_deref().unwrap_or("-")
    );
    // The job runs on a task of its own: if apalis's consumer stops (a Redis flush or restart
    // drops its in-flight futures), the attempt still finishes and records its outcome in
    // Postgres, and its timeout fires on its own.
    let ctx: Arc<JobContext> = (*ctx).clone();
    let id = job.document_id;
    let task = tokio::spawn(async move { process(&ctx, id).await }.instrument(span));
    if let Err(e) = task.await {
        // A panic: the heartbeat stopped with the task, so the reaper takes the document back.
        tracing::error!(document_id = id, error = %e, "the ingestion task panicked");
    }
    Ok(())
}

/// Aborts the task when dropped, so a heartbeat never outlives the attempt it beats for.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Claims and processes one document; every outcome ends up in the `documents` row.
pub async fn process(ctx: &JobContext, id: i64) {
    let cfg = &ctx.config;
    let claim = transitions::claim(
        &ctx.pool,
        id,
        &ctx.worker_id,
        cfg.stale_after,
        cfg.max_attempts,
    )
    .await;
    let (attempt, upload_fund_id) = match claim {
        Ok(Claim::Claimed {
            attempt,
            upload_fund_id,
        }) => (attempt, upload_fund_id),
        Ok(Claim::Skip(why)) => {
            tracing::info!(why, "job skipped");
            return;
        }
        Err(e) => {
            // The document stays queued; the reaper enqueues it again once Postgres answers.
            tracing::warn!(error = %e, "could not claim the document");
            return;
        }
    };
    tracing::info!(attempt, "attempt started");
    metrics::counter!("worker_jobs_started_total").increment(1);
    let started = std::time::Instant::now();
    let progress = Arc::new(Progress::default());
    let (lost_tx, mut lost_rx) = watch::channel(false);
    let beat = AbortOnDrop(tokio::spawn(heartbeat(
        ctx.pool.clone(),
        id,
        ctx.worker_id.clone(),
        cfg.heartbeat_interval,
        progress.clone(),
        lost_tx,
    )));

    let work = run(ctx, id, upload_fund_id, progress.clone());
    let result = tokio::select! {
        // Work first: a result that is ready wins over a late ownership alarm.
        biased;
        r = tokio::time::timeout(cfg.job_timeout, work) => r.unwrap_or_else(|_| Err(IngestError::Other(format!(
            "processing took longer than the {} s limit", cfg.job_timeout.as_secs())))),
        _ = lost_rx.wait_for(|lost| *lost) => Err(IngestError::Lost),
    };
    drop(beat);
    if progress.parsing.load(Ordering::SeqCst) {
        watch_for_wedge(ctx, id, progress.clone());
    }
    let outcome = match &result {
        Ok(()) => "succeeded",
        // The document ends up failed; the metric's name says so.
        Err(IngestError::Permanent(_)) => DocumentStatus::Failed.as_str(),
        Err(IngestError::Unavailable(_) | IngestError::Other(_)) => "retried",
        Err(IngestError::Lost) => "lost",
    };
    metrics::counter!(format!("worker_jobs_{outcome}_total")).increment(1);
    metrics::histogram!("worker_job_duration_seconds", "outcome" => outcome)
        .record(started.elapsed().as_secs_f64());

    let pool = &ctx.pool;
    let me = &ctx.worker_id;
    let recorded = match &result {
        Ok(()) => {
            tracing::info!(
                ms = started.elapsed().as_millis() as u64,
                "attempt completed"
            );
            Ok(true)
        }
        Err(IngestError::Permanent(reason)) => {
            tracing::info!(reason, "failed permanently");
            transitions::processing_to_failed(pool, id, me, reason).await
        }
        Err(IngestError::Unavailable(reason)) => {
            let delay = backoff(attempt);
            tracing::warn!(reason, delay_s = delay.as_secs(), "will retry");
            transitions::processing_to_queued(pool, id, me, reason, delay, true).await
        }
        Err(IngestError::Other(reason)) => {
            tracing::error!(reason, attempt, "attempt failed");
            let msg = format!("Attempt {attempt} failed: {reason}.");
            transitions::processing_to_queued(pool, id, me, &msg, backoff(attempt), false).await
        }
        Err(IngestError::Lost) => {
            tracing::warn!("document taken over or deleted; result dropped");
            Ok(true)
        }
    };
    if let Err(e) = recorded {
        // The heartbeat stops now, so the reaper will pick the document up once Postgres is back.
        tracing::warn!(error = %e, "could not record the outcome");
    }
}

/// The job gave up on a parse that is still running. pdfium serialises every call behind one
/// process-wide lock, so if the parse does not end within the grace period this process can no
/// longer parse anything: it stops taking jobs and exits for its supervisor to restart it.
fn watch_for_wedge(ctx: &JobContext, id: i64, progress: Arc<Progress>) {
    let grace = ctx.config.ops.hang_grace;
    let wedged = ctx.wedged.clone();
    tokio::spawn(
        async move {
            tokio::time::sleep(grace).await;
            if progress.parsing.load(Ordering::SeqCst) {
                tracing::error!(
                    grace_s = grace.as_secs(),
                    "the PDF parser is still running past the job timeout and its grace period; \
                     stopping this worker so that its supervisor restarts it"
                );
                metrics::counter!("worker_wedged_total").increment(1);
                wedged.send_replace(true);
            }
        }
        .instrument(tracing::info_span!("wedge_watch", document_id = id)),
    );
}

fn backoff(attempt: i32) -> Duration {
    Duration::from_secs(2u64.saturating_pow(attempt.clamp(0, 6) as u32).min(60))
}

/// Stage and page progress, written by the blocking thread and read by the heartbeat.
#[derive(Default)]
struct Progress {
    stage: std::sync::Mutex<Stage>,
    done: AtomicI32,
    total: AtomicI32,
    /// True while the blocking thread is inside the parser, even after the job gave up on it.
    parsing: AtomicBool,
}

/// Clears `parsing` however the blocking closure ends, panics included.
struct ParsingGuard<'a>(&'a AtomicBool);

impl Drop for ParsingGuard<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

impl Progress {
    fn set_stage(&self, stage: Stage) {
        *self.stage.lock().unwrap_or_else(|e| e.into_inner()) = stage;
    }
}

async fn heartbeat(
    pool: sqlx::PgPool,
    id: i64,
    worker_id: String,
    every: Duration,
    progress: Arc<Progress>,
    lost: watch::Sender<bool>,
) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let stage = *progress.stage.lock().unwrap_or_else(|e| e.into_inner());
        let total = progress.total.load(Ordering::Relaxed);
        let done = progress.done.load(Ordering::Relaxed);
        match transitions::processing_heartbeat(
            &pool,
            id,
            &worker_id,
            stage,
            done,
            (total > 0).then_some(total),
        )
        .await
        {
            Ok(true) => {}
            Ok(false) => {
                let _ = lost.send(true);
                return;
            }
            // A missed beat is harmless; only a long silence makes the document look orphaned.
            Err(e) => tracing::warn!(error = %e, "heartbeat failed"),
        }
    }
}

async fn run(
    ctx: &JobContext,
    id: i64,
    upload_fund_id: Option<i64>,
    progress: Arc<Progress>,
) -> Result<(), IngestError> {
    let mut timings = StageTimings::default();
    // Async stages cross awaits (and threads): wall clock only.
    let clock = std::time::Instant::now();
    let bytes = ctx
        .files
        .load(&ctx.pool, id)
        .await?
        .ok_or(IngestError::Lost)?;
    timings.load = StageTime::wall_since(clock);
    let parsed = parse_stage(ctx, bytes, &progress, &mut timings).await?;
    let embedded = embed_stage(ctx, &parsed.1, &progress, &mut timings).await?;
    store_stage(
        ctx,
        id,
        upload_fund_id,
        &progress,
        &parsed,
        &embedded,
        &mut timings,
    )
    .await?;
    shared::telemetry::record_stages(&timings);
    Ok(())
}

/// Parsing and extracting, page by page on a blocking thread.
#[tracing::instrument(skip_all, fields(stage = Stage::Parsing.as_str(), bytes = bytes.len(), pages))]
async fn parse_stage(
    ctx: &JobContext,
    bytes: Vec<u8>,
    progress: &Arc<Progress>,
    timings: &mut StageTimings,
) -> Result<(Vec<String>, Extraction), IngestError> {
    progress.set_stage(Stage::Parsing);
    fault_pause(ctx).await;
    let p = progress.clone();
    let slow = ctx.config.fault_slow_page;
    let ocr = ctx.config.ocr.clone();
    progress.parsing.store(true, Ordering::SeqCst);
    let parsed = shared::telemetry::spawn_blocking(move || {
        let _guard = ParsingGuard(&p.parsing);
        parse(&bytes, ocr.as_ref(), &p, slow)
    })
    .await
    .map_err(|e| IngestError::Other(format!("the parser crashed: {e}")))?
    .map_err(|e| {
        if e.is_permanent() {
            IngestError::Permanent(format!("Cannot process this file: {e}."))
        } else {
            IngestError::Other(e.to_string())
        }
    })?;
    timings.parse = parsed.parse;
    timings.extract = parsed.extract;
    timings.ocr = parsed.ocr;
    tracing::Span::current().record("pages", parsed.pages.len());
    Ok((parsed.pages, parsed.extraction))
}

/// What the blocking parse hands back: page texts, the extraction, and the stage clocks.
struct Parsed {
    pages: Vec<String>,
    extraction: Extraction,
    parse: StageTime,
    extract: StageTime,
    ocr: StageTime,
}

/// Chunking the text and embedding the chunks on a blocking thread.
#[tracing::instrument(skip_all, fields(stage = Stage::Embedding.as_str(), chunks))]
async fn embed_stage(
    ctx: &JobContext,
    extraction: &Extraction,
    progress: &Progress,
    timings: &mut StageTimings,
) -> Result<(Vec<shared::chunk::Chunk>, Vec<Vec<f32>>), IngestError> {
    progress.set_stage(Stage::Embedding);
    fault_pause(ctx).await;
    let embedder = ctx.embedder.clone();
    let blocks = extraction.text_blocks.clone();
    let (embedded, chunk_time, embed_time) = shared::telemetry::spawn_blocking(move || {
        let clock = Stopwatch::start();
        let chunks = shared::chunk::chunk_blocks(&blocks);
        let texts: Vec<String> = chunks.iter().map(|c| c.embedding_text()).collect();
        let chunk_time = clock.stop();
        let clock = std::time::Instant::now();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        // The model's own threads do the work: only the wall clock means something here.
        embedder
            .embed(&refs)
            .map(|e| ((chunks, e), chunk_time, StageTime::wall_since(clock)))
    })
    .await
    .map_err(|e| IngestError::Other(format!("the embedding step crashed: {e}")))?
    .map_err(|e| match e {
        shared::embed::EmbedError::RemoteUnavailable(_) => IngestError::Unavailable(e.to_string()),
        e => IngestError::Other(e.to_string()),
    })?;
    timings.chunk = chunk_time;
    timings.embed = embed_time;
    tracing::Span::current().record("chunks", embedded.0.len());
    Ok(embedded)
}

/// One transaction that first checks this worker still owns the document, then replaces its
/// rows, chunks and fund link, and records the attempt's stage timings: a completed document
/// always has them. The store clock runs up to the commit.
#[tracing::instrument(skip_all, fields(stage = Stage::Storing.as_str(), fund_id))]
async fn store_stage(
    ctx: &JobContext,
    id: i64,
    upload_fund_id: Option<i64>,
    progress: &Progress,
    (pages, extraction): &(Vec<String>, Extraction),
    (chunks, embeddings): &(Vec<shared::chunk::Chunk>, Vec<Vec<f32>>),
    timings: &mut StageTimings,
) -> Result<(), IngestError> {
    progress.set_stage(Stage::Storing);
    fault_pause(ctx).await;
    let clock = std::time::Instant::now();
    let mut tx = extraction::begin_owned(&ctx.pool, id, &ctx.worker_id)
        .await
        .map_err(|e| match e {
            StoreError::NotOwner => IngestError::Lost,
            StoreError::Db(e) => e.into(),
        })?;
    let fund_id = extraction::store(&mut tx, id, upload_fund_id, pages, extraction).await?;
    tracing::Span::current().record("fund_id", fund_id);
    shared::db::chunks::replace_chunks(&mut tx, id, fund_id, chunks, embeddings)
        .await
        .map_err(|e| match e {
            shared::db::chunks::ChunkStoreError::Database(e) => IngestError::from(e),
            other => IngestError::Other(other.to_string()),
        })?;
    timings.store = StageTime::wall_since(clock);
    documents::record_timings(&mut tx, id, timings).await?;
    tx.commit().await?;
    Ok(())
}

/// Fault injection (FAULT_STAGE_PAUSE_MS): holds the job in the stage it just entered.
async fn fault_pause(ctx: &JobContext) {
    if let Some(pause) = ctx.config.fault_stage_pause {
        tokio::time::sleep(pause).await;
    }
}

/// Blocking: reads the PDF page by page through the extractor, keeping only page text. Returns
/// the parse (pdfium) and extract clocks apart: the extractor's share is timed around each page.
fn parse(
    bytes: &[u8],
    ocr: Option<&shared::config::OcrConfig>,
    progress: &Progress,
    slow: Option<Duration>,
) -> Result<Parsed, PdfError> {
    let whole = Stopwatch::start();
    let mut extract = StageTime::default();
    let mut ocr_time = StageTime::default();
    let mut extractor = DocumentExtractor::new();
    let mut pages = Vec::new();
    pdf::read_pages(bytes, ocr, |page, total| {
        progress.total.store(total as i32, Ordering::Relaxed);
        if page.number == 1 {
            progress.set_stage(Stage::Extracting);
        }
        if let Some(pause) = slow {
            std::thread::sleep(pause);
        }
        if let Some(o) = &page.ocr {
            ocr_time.wall_ms += o.ms;
        }
        let clock = Stopwatch::start();
        extractor.add_page(&page);
        extract.add(clock.stop());
        pages.push(page.text);
        progress.done.store(pages.len() as i32, Ordering::Relaxed);
    })?;
    let clock = Stopwatch::start();
    let extraction = extractor.finish();
    extract.add(clock.stop());
    let total = whole.stop();
    let parse = StageTime {
        wall_ms: total.wall_ms - extract.wall_ms - ocr_time.wall_ms,
        cpu_ms: total.cpu_ms.zip(extract.cpu_ms).map(|(all, ex)| all - ex),
    };
    Ok(Parsed {
        pages,
        extraction,
        parse,
        extract,
        ocr: ocr_time,
    })
}
