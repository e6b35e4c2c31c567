//! Remote embeddings against an in-process OpenAI-compatible `/v1/embeddings` stub: order, batching,
//! normalisation, the key, and the errors a person must be able to act on.
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};
use shared::config::{EmbeddingConfig, RemoteEmbeddingConfig};
use shared::embed::{EMBEDDING_DIM, EmbedError, RemoteEmbedder, TextEmbedder};

#[derive(Clone, Copy)]
enum Behaviour {
    /// 384-dim vectors `[len(text), index, 0, …]` (not unit length), listed in reverse order.
    Good,
    WrongDimension,
    ServerError,
    UnknownModel,
    Slow,
}

/// What each request carried: its Authorization header and its JSON body.
type Seen = Arc<Mutex<Vec<(Option<String>, Value)>>>;

#[derive(Clone)]
struct Stub {
    behaviour: Behaviour,
    requests: Seen,
}

async fn embeddings(
    State(stub): State<Stub>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    stub.requests.lock().unwrap().push((auth, body.clone()));
    let inputs: Vec<String> = body["input"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    let dim = match stub.behaviour {
        Behaviour::ServerError => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({"error": "model not loaded"})),
            );
        }
        Behaviour::UnknownModel => {
            return (
                StatusCode::NOT_FOUND,
                Json(json!({"error": "model \"all-minilm\" not found, try pulling it first"})),
            );
        }
        Behaviour::Slow => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            EMBEDDING_DIM
        }
        Behaviour::WrongDimension => 768,
        Behaviour::Good => EMBEDDING_DIM,
    };
    let mut data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let mut v = vec![0f32; dim];
            v[0] = text.len() as f32;
            v[1] = i as f32;
            json!({"object": "embedding", "index": i, "embedding": v})
        })
        .collect();
    data.reverse();
    (
        StatusCode::OK,
        Json(json!({"object": "list", "data": data, "model": body["model"]})),
    )
}

/// Serves the stub on a free port of a runtime of its own; returns its base URL.
fn serve(behaviour: Behaviour) -> (String, Stub) {
    let stub = Stub {
        behaviour,
        requests: Arc::default(),
    };
    let app = Router::new()
        .route("/v1/embeddings", post(embeddings))
        .with_state(stub.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                axum::serve(listener, app).await.unwrap();
            })
    });
    (url, stub)
}

fn config(base_url: &str) -> RemoteEmbeddingConfig {
    RemoteEmbeddingConfig {
        base_url: base_url.to_string(),
        model: "all-minilm".into(),
        api_key: Some("sk-test".to_string().into()),
        timeout: Duration::from_millis(500),
        batch_size: 2,
    }
}

#[test]
fn vectors_come_back_in_input_order_normalised_and_batched() {
    let (url, stub) = serve(Behaviour::Good);
    let embedder = shared::embed::load(&EmbeddingConfig::Remote(config(&url))).unwrap();
    let texts = ["a", "bbb", "cc", "dddd", "eeeee"];
    let vectors = embedder.embed(&texts).unwrap();

    assert_eq!(vectors.len(), texts.len());
    for (i, (text, v)) in texts.iter().zip(&vectors).enumerate() {
        assert_eq!(v.len(), EMBEDDING_DIM);
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "norm {norm}");
        // The stub answered [len(text), index in its request] in reverse order: the ratio of the
        // two survives normalisation and shows which text each vector belongs to.
        let want = (i % 2) as f32 / text.len() as f32;
        assert!((v[1] / v[0] - want).abs() < 1e-5, "{text}: {v:?}");
    }
    let requests = stub.requests.lock().unwrap();
    // One start-up check, then 5 texts in requests of at most 2.
    assert_eq!(requests.len(), 1 + 3);
    assert_eq!(requests[0].1["input"], json!(["dimension check"]));
    assert_eq!(requests[1].1["input"], json!(["a", "bbb"]));
    assert_eq!(requests[3].1["input"], json!(["eeeee"]));
    for (auth, body) in requests.iter() {
        assert_eq!(auth.as_deref(), Some("Bearer sk-test"));
        assert_eq!(body["model"], "all-minilm");
    }
}

#[test]
fn a_model_of_another_width_is_refused_at_start_up() {
    let (url, _) = serve(Behaviour::WrongDimension);
    let err = shared::embed::load(&EmbeddingConfig::Remote(config(&url)))
        .err()
        .expect("a 768-dimensional model must be refused");
    assert!(matches!(err, EmbedError::WrongDimension(768)), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("384") && message.contains("768"),
        "{message}"
    );
}

#[test]
fn server_errors_and_timeouts_become_errors_that_say_what_happened() {
    let (url, _) = serve(Behaviour::ServerError);
    // An endpoint that fails at start-up is only logged: it may recover before the first job.
    let embedder = shared::embed::load(&EmbeddingConfig::Remote(config(&url))).unwrap();
    let err = embedder.embed(&["x"]).unwrap_err();
    assert!(matches!(err, EmbedError::RemoteUnavailable(_)), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("500") && message.contains("model not loaded"),
        "{message}"
    );

    // A 4xx will not get better by retrying: the worker spends an attempt on it.
    let (url, _) = serve(Behaviour::UnknownModel);
    let err = RemoteEmbedder::new(config(&url)).embed(&["x"]).unwrap_err();
    assert!(matches!(err, EmbedError::Remote(_)), "{err}");
    assert!(err.to_string().contains("not found"), "{err}");

    let (url, _) = serve(Behaviour::Slow);
    let embedder = RemoteEmbedder::new(config(&url));
    let started = Instant::now();
    let err = embedder.embed(&["x"]).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3), "{err}");
    assert!(matches!(err, EmbedError::RemoteUnavailable(_)), "{err}");

    let embedder = RemoteEmbedder::new(config("http://127.0.0.1:9"));
    let err = embedder.embed(&["x"]).unwrap_err();
    assert!(matches!(err, EmbedError::RemoteUnavailable(_)), "{err}");
    assert!(err.to_string().contains("127.0.0.1:9"), "{err}");
}
