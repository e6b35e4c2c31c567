//! Question embeddings: one model per process, an LRU of recent questions and sentences, and a
//! batching task that embeds concurrent requests in one forward pass, each distinct text once.
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use lru::LruCache;
use shared::embed::TextEmbedder;
use tokio::sync::{mpsc, oneshot};

/// Questions repeat (suggested questions, retries, load tests); 384 floats each is 1.5 KB.
pub const CACHE_ENTRIES: usize = 4096;
/// How long the batcher waits for company after the first request of a batch.
pub const BATCH_WINDOW: Duration = Duration::from_millis(2);
/// Most distinct texts per forward pass.
pub const MAX_BATCH: usize = 16;

type Reply = oneshot::Sender<Result<Arc<Vec<f32>>, String>>;
/// A bounded least-recently-used map from question text to its embedding.
type Lru = LruCache<String, Arc<Vec<f32>>>;

/// The API's way to embed questions. Cheap to share; the batching task starts on first use in
/// the runtime that uses it.
pub struct QueryEmbedder {
    model: Arc<dyn TextEmbedder>,
    cache: Mutex<Lru>,
    queue: OnceLock<mpsc::Sender<(String, Reply)>>,
    batches: AtomicU64,
    texts: AtomicU64,
}

impl QueryEmbedder {
    pub fn new(model: Arc<dyn TextEmbedder>) -> Self {
        Self {
            model,
            cache: Mutex::new(LruCache::new(
                NonZeroUsize::new(CACHE_ENTRIES).unwrap_or(NonZeroUsize::MIN),
            )),
            queue: OnceLock::new(),
            batches: AtomicU64::new(0),
            texts: AtomicU64::new(0),
        }
    }

    /// Forward passes run so far (for tests: concurrent questions share passes).
    pub fn batches(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }

    /// Texts embedded so far (for tests: a text asked for by many at once is embedded once).
    pub fn texts(&self) -> u64 {
        self.texts.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Lru> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The question's embedding; errors are sentences for the answer's note.
    pub async fn embed(self: &Arc<Self>, text: &str) -> Result<Arc<Vec<f32>>, String> {
        let key = text.trim().to_lowercase();
        if let Some(v) = self.lock().get(&key) {
            return Ok(v.clone());
        }
        let queue = self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::channel(1024);
            tokio::spawn(batcher(Arc::downgrade(self), rx));
            tx
        });
        let (tx, rx) = oneshot::channel();
        queue
            .send((key, tx))
            .await
            .map_err(|_| "the embedding task has stopped".to_string())?;
        rx.await
            .map_err(|_| "the embedding task dropped the request".to_string())?
    }
}

/// A batch being collected: each distinct text once, with everyone waiting for it.
#[derive(Default)]
struct Batch {
    texts: Vec<String>,
    replies: Vec<Vec<Reply>>,
}

impl Batch {
    /// Answers at once from the cache (a text embedded by the pass that just ended), joins a text
    /// already in the batch, or adds a new one. Without this, 32 concurrent questions quoting the
    /// same new passage embed its sentences 32 times, and every other question queues behind them.
    fn add(&mut self, owner: &QueryEmbedder, (text, reply): (String, Reply)) {
        if let Some(v) = owner.lock().get(&text) {
            let _ = reply.send(Ok(v.clone()));
        } else if let Some(i) = self.texts.iter().position(|t| *t == text) {
            self.replies[i].push(reply);
        } else {
            self.texts.push(text);
            self.replies.push(vec![reply]);
        }
    }
}

/// Collects requests for up to [`BATCH_WINDOW`] or [`MAX_BATCH`] distinct texts, embeds them
/// together on the blocking pool, caches and answers each. Ends when its `QueryEmbedder` is
/// dropped (it holds the owner only while collecting and answering, never while idle).
async fn batcher(owner: std::sync::Weak<QueryEmbedder>, mut rx: mpsc::Receiver<(String, Reply)>) {
    while let Some(first) = rx.recv().await {
        let Some(strong) = owner.upgrade() else {
            return;
        };
        let mut batch = Batch::default();
        batch.add(&strong, first);
        let deadline = tokio::time::Instant::now() + BATCH_WINDOW;
        while batch.texts.len() < MAX_BATCH {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(item)) => batch.add(&strong, item),
                _ => break,
            }
        }
        if batch.texts.is_empty() {
            continue;
        }
        strong.batches.fetch_add(1, Ordering::Relaxed);
        strong
            .texts
            .fetch_add(batch.texts.len() as u64, Ordering::Relaxed);
        let model = strong.model.clone();
        drop(strong);
        let Batch { texts, replies } = batch;
        let result = shared::telemetry::spawn_blocking(move || {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            model.embed(&refs).map(|vectors| (texts, vectors))
        })
        .await;
        let failure = match result {
            Ok(Ok((texts, vectors))) => {
                let vectors: Vec<Arc<Vec<f32>>> = vectors.into_iter().map(Arc::new).collect();
                if let Some(strong) = owner.upgrade() {
                    let mut cache = strong.lock();
                    for (t, v) in texts.into_iter().zip(&vectors) {
                        cache.put(t, v.clone());
                    }
                }
                for (waiting, v) in replies.into_iter().zip(vectors) {
                    for reply in waiting {
                        let _ = reply.send(Ok(v.clone()));
                    }
                }
                continue;
            }
            Ok(Err(e)) => {
                let msg = format!("embedding the question failed: {e}");
                tracing::warn!(error = %msg, "query embedding");
                msg
            }
            Err(e) => format!("embedding the question failed: {e}"),
        };
        for reply in replies.into_iter().flatten() {
            let _ = reply.send(Err(failure.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The configured model behind a fresh cache and batcher. Fails rather than skips: CI
    /// configures the model, and a skip would hide a regression.
    fn embedder() -> Arc<QueryEmbedder> {
        let config = shared::config::EmbeddingConfig::from_env()
            .unwrap()
            .expect("EMBEDDING_MODEL_DIR is not set: run the tests through `make test`");
        Arc::new(QueryEmbedder::new(shared::embed::shared(&config).unwrap()))
    }

    /// Every text asked for by a task of its own, all at once; the vectors in input order.
    async fn embed_at_once(
        e: &Arc<QueryEmbedder>,
        texts: impl Iterator<Item = String>,
    ) -> Vec<Arc<Vec<f32>>> {
        let tasks: Vec<_> = texts
            .map(|t| {
                let e = e.clone();
                tokio::spawn(async move { e.embed(&t).await })
            })
            .collect();
        let mut vectors = Vec::new();
        for t in tasks {
            vectors.push(t.await.unwrap().unwrap());
        }
        vectors
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_questions_share_forward_passes() {
        let e = embedder();
        let vectors = embed_at_once(&e, (0..16).map(|i| format!("question number {i}"))).await;
        assert!(vectors.iter().all(|v| v.len() == 384));
        assert!(e.batches() < 16, "{} passes for 16 questions", e.batches());
        let before = e.batches();
        e.embed("Question number 3").await.unwrap();
        assert_eq!(
            e.batches(),
            before,
            "a repeated question comes from the cache"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_text_asked_for_at_once_by_many_is_embedded_once() {
        let e = embedder();
        // 48 requests (three batches' worth) for 4 sentences, as concurrent questions that quote
        // the same passages ask for them.
        let vectors = embed_at_once(
            &e,
            (0..48).map(|i| format!("sentence {} of the passage", i % 4)),
        )
        .await;
        assert_eq!(
            e.texts(),
            4,
            "{} texts embedded for 4 distinct ones",
            e.texts()
        );
        for (i, v) in vectors.iter().enumerate() {
            assert_eq!(
                v,
                &vectors[i % 4],
                "request {i} got another sentence's vector"
            );
        }
        assert_ne!(vectors[0], vectors[1]);
    }
}
