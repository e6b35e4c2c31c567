//! The stages of one attempt: load the file, parse and extract it page by page, chunk and embed
//! the text on blocking threads, then store everything in one transaction.
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use shared::db::documents;
use shared::db::extraction::{self, StoreError};
use shared::domain::{Extraction, Stage, StageTime, StageTimings};
use shared::extract::DocumentExtractor;
use shared::pdf::{self, PdfError};
use shared::telemetry::Stopwatch;

use super::{IngestError, ParsingGuard, Progress};
use crate::JobContext;

pub(super) async fn run(
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
