//! Both in-process runtimes must reproduce sentence-transformers' vectors for the reference texts.
use std::path::PathBuf;

use shared::embed::{EMBEDDING_DIM, Embedder, Runtime};

const TOLERANCE: f32 = 1e-4;

fn model_dir() -> PathBuf {
    // Fails rather than skips: CI sets it, and a silent skip would hide a broken embedder.
    std::env::var_os("EMBEDDING_MODEL_DIR")
        .map(PathBuf::from)
        .expect(
            "EMBEDDING_MODEL_DIR is not set: run `eval \"$(scripts/setup.sh)\"` before the tests",
        )
}

/// ONNX Runtime with these settings. Fails rather than skips without the library: setup
/// provides it.
fn onnx(threads: usize, sessions: usize, int8: bool) -> Embedder {
    let library = std::env::var_os("ONNXRUNTIME_LIB_PATH").expect(
        "ONNXRUNTIME_LIB_PATH is not set: run `eval \"$(scripts/setup.sh)\"` before the tests",
    );
    let runtime = Runtime::Onnx {
        library: library.into(),
        threads,
        sessions,
        int8,
    };
    Embedder::load(&model_dir(), &runtime).unwrap()
}

/// candle and ONNX Runtime in fp32.
fn embedders() -> Vec<Embedder> {
    vec![
        Embedder::load(&model_dir(), &Runtime::Candle).unwrap(),
        onnx(2, 2, false),
    ]
}

#[derive(serde::Deserialize)]
struct Reference {
    items: Vec<Item>,
}

#[derive(serde::Deserialize)]
struct Item {
    text: String,
    embedding: Vec<f32>,
}

fn reference() -> Reference {
    let bytes = shared::testing::read("embedding_reference.json");
    serde_json::from_slice(&bytes).unwrap()
}

fn assert_close(text: &str, got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), EMBEDDING_DIM, "{text:?}");
    assert_eq!(want.len(), EMBEDDING_DIM, "{text:?}");
    let worst = got
        .iter()
        .zip(want)
        .map(|(g, w)| (g - w).abs())
        .enumerate()
        .fold((0, 0f32), |a, b| if b.1 > a.1 { b } else { a });
    println!("{text:?}: largest difference {:.2e}", worst.1);
    assert!(
        worst.1 <= TOLERANCE,
        "{text:?}: component {} differs by {}",
        worst.0,
        worst.1
    );
}

#[test]
fn matches_sentence_transformers_batched_and_one_at_a_time() {
    for embedder in embedders() {
        println!("runtime {}", embedder.runtime_name());
        matches_reference(&embedder);
    }
}

fn matches_reference(embedder: &Embedder) {
    let reference = reference();
    assert!(!reference.items.is_empty());

    // One batch exercises padding between texts of different lengths.
    let texts: Vec<&str> = reference.items.iter().map(|i| i.text.as_str()).collect();
    let batched = embedder.embed(&texts).unwrap();
    assert_eq!(batched.len(), texts.len());
    for (item, got) in reference.items.iter().zip(&batched) {
        assert_close(&item.text, got, &item.embedding);
    }

    for item in &reference.items {
        let single = embedder.embed(&[item.text.as_str()]).unwrap();
        assert_close(&item.text, &single[0], &item.embedding);
    }
}

#[test]
fn handles_empty_input_and_overlong_text() {
    for embedder in embedders() {
        empty_and_overlong(&embedder);
    }
}

fn empty_and_overlong(embedder: &Embedder) {
    assert!(embedder.embed(&[]).unwrap().is_empty());

    let long = "distribution ".repeat(1000);
    let out = embedder.embed(&["", &long]).unwrap();
    assert_eq!(out.len(), 2);
    for v in &out {
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "norm {norm}");
    }
    assert_eq!(
        embedder.token_count(&long).unwrap(),
        embedder.max_seq_length()
    );
    assert_eq!(embedder.max_seq_length(), 256);
}

#[test]
fn batching_does_not_change_results() {
    for embedder in embedders() {
        println!("runtime {}", embedder.runtime_name());
        batching_invariant(embedder);
    }
}

/// Each token's activations are quantised with a scale of their own, so a text's int8 vector
/// does not depend on the texts (and the padding) that share its pass: one scale for the whole
/// input would let a long text's largest activation coarsen every short text beside it.
#[test]
fn int8_vectors_do_not_depend_on_the_other_texts_of_a_pass() {
    batching_invariant(onnx(1, 1, true));
}

fn batching_invariant(embedder: Embedder) {
    let long = "Capital calls fund new investments and partnership expenses. ".repeat(40);
    let mut texts: Vec<String> = reference().items.into_iter().map(|i| i.text).collect();
    texts.insert(2, long);
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();

    let default = embedder.embed(&texts).unwrap();
    let embedder = embedder.with_batch_size(1);
    let one_by_one = embedder.embed(&texts).unwrap();
    let embedder = embedder
        .with_batch_size(64)
        .with_max_batch_tokens(usize::MAX);
    let one_batch = embedder.embed(&texts).unwrap();
    for (i, text) in texts.iter().enumerate() {
        assert_close(text, &one_by_one[i], &default[i]);
        assert_close(text, &one_batch[i], &default[i]);
    }
}

/// Callers embedding at the same time each take a session of the pool (or wait for one) and get
/// the vectors they would get alone.
#[test]
fn concurrent_callers_share_the_sessions_and_get_their_own_vectors() {
    let embedder = embedders().pop().unwrap();
    assert_eq!(embedder.runtime_name(), "onnx");
    let reference = reference();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..5 {
                    for item in &reference.items {
                        let got = embedder.embed(&[item.text.as_str()]).unwrap();
                        assert_close(&item.text, &got[0], &item.embedding);
                    }
                }
            });
        }
    });
}

/// The int8 projections may move a vector, but never away from what sentence-transformers
/// computes: cosine ≥ 0.99 to every reference vector, batched and one at a time.
#[test]
fn int8_stays_within_cosine_099_of_sentence_transformers() {
    let embedder = onnx(2, 1, true);
    let reference = reference();
    let texts: Vec<&str> = reference.items.iter().map(|i| i.text.as_str()).collect();
    let batched = embedder.embed(&texts).unwrap();
    let mut worst = 1f32;
    for (item, got) in reference.items.iter().zip(&batched) {
        let single = &embedder.embed(&[item.text.as_str()]).unwrap()[0];
        for v in [got, single] {
            let cosine: f32 = v.iter().zip(&item.embedding).map(|(a, b)| a * b).sum();
            worst = worst.min(cosine);
            assert!(cosine >= 0.99, "{:?}: cosine {cosine}", item.text);
        }
    }
    println!(
        "int8: lowest cosine to the reference {worst:.4} over {} texts",
        texts.len()
    );
}
