//! Question embeddings: one model per process, an LRU of recent questions, and a batching task
//! that embeds concurrent questions in one forward pass.
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
        }
    }

    /// Forward passes run so far (for tests: concurrent questions share passes).
    pub fn batches(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
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
            .send((key.clone(), tx))
            .await
            .map_err(|_| "the embedding task has stopped".to_string())?;
        let v = rx
            .await
            .map_err(|_| "the embedding task dropped the request".to_string())??;
        self.lock().put(key, v.clone());
        Ok(v)
    }
}

/// Collects requests for up to [`BATCH_WINDOW`] or [`MAX_BATCH`] items, embeds them together
/// on the blocking pool and answers each. Ends when its `QueryEmbedder` is dropped.
async fn batcher(owner: std::sync::Weak<QueryEmbedder>, mut rx: mpsc::Receiver<(String, Reply)>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        let deadline = tokio::time::Instant::now() + BATCH_WINDOW;
        while batch.len() < MAX_BATCH {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(item)) => batch.push(item),
                _ => break,
            }
        }
        let Some(owner) = owner.upgrade() else { return };
        owner.batches.fetch_add(1, Ordering::Relaxed);
        let model = owner.model.clone();
        drop(owner);
        let texts: Vec<String> = batch.iter().map(|(t, _)| t.clone()).collect();
        let result = shared::telemetry::spawn_blocking(move || {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            model.embed(&refs)
        })
        .await;
        match result {
            Ok(Ok(vectors)) => {
                for ((_, reply), v) in batch.into_iter().zip(vectors) {
                    let _ = reply.send(Ok(Arc::new(v)));
                }
            }
            Ok(Err(e)) => {
                let msg = format!("embedding the question failed: {e}");
                tracing::warn!(error = %msg, "query embedding");
                for (_, reply) in batch {
                    let _ = reply.send(Err(msg.clone()));
                }
            }
            Err(e) => {
                let msg = format!("embedding the question failed: {e}");
                for (_, reply) in batch {
                    let _ = reply.send(Err(msg.clone()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_questions_share_forward_passes() {
        // Fails rather than skips: CI configures the model, and a skip would hide a regression.
        let config = shared::config::EmbeddingConfig::from_env()
            .unwrap()
            .expect("EMBEDDING_MODEL_DIR is not set: run the tests through `make test`");
        let model = shared::embed::shared(&config).unwrap();
        let e = Arc::new(QueryEmbedder::new(model));
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let e = e.clone();
                tokio::spawn(async move { e.embed(&format!("question number {i}")).await })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap().len(), 384);
        }
        assert!(e.batches() < 16, "{} passes for 16 questions", e.batches());
        let before = e.batches();
        e.embed("Question number 3").await.unwrap();
        assert_eq!(
            e.batches(),
            before,
            "a repeated question comes from the cache"
        );
    }
}
