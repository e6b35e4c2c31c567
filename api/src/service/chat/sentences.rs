//! Which sentence answers: the candidate sentences of the top passages embedded at query time
//! (through the batching, caching query embedder) and compared with the question's embedding.
use std::collections::HashMap;
use std::sync::Arc;

use shared::db::search::Hit;

use super::answer::{relevant, units};
use super::embed_batch::QueryEmbedder;

/// Passages whose sentences are scored: the answer quotes at most two of them.
const PASSAGES: usize = 4;
/// Sentences embedded per question: two forward passes of the batcher, a few ms each.
const MAX_SENTENCES: usize = 32;

/// Cosine similarity of each candidate sentence to the question, keyed by the sentence text.
pub type SentenceScores = HashMap<String, f32>;

/// Embeds the sentences of the relevant passages and scores them against `question`. `None`
/// when any embedding fails: the answer then falls back to word overlap alone.
pub async fn score(
    embedder: &Arc<QueryEmbedder>,
    question: &[f32],
    hits: &[Hit],
) -> Option<SentenceScores> {
    let mut candidates: Vec<&str> = Vec::new();
    for h in hits.iter().filter(|h| relevant(h)).take(PASSAGES) {
        for u in units(&h.content) {
            if candidates.len() < MAX_SENTENCES && !candidates.contains(&u) {
                candidates.push(u);
            }
        }
    }
    let vectors = futures::future::join_all(candidates.iter().map(|c| embedder.embed(c))).await;
    let mut out = SentenceScores::with_capacity(candidates.len());
    for (c, v) in candidates.iter().zip(vectors) {
        let v = v.ok()?;
        let cosine = v.iter().zip(question).map(|(a, b)| a * b).sum::<f32>();
        out.insert((*c).to_string(), cosine);
    }
    Some(out)
}
