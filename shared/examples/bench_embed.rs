//! Embedding speed of each runtime: model load, then ms per text for short questions, ~150-token
//! chunks and the real chunks the worker stores for every PDF in ../shared/data, one at a time and
//! in batches of 32.
//!
//! `cargo run --release -p fundlens-shared --example bench_embed` (needs EMBEDDING_MODEL_DIR, and
//! ONNXRUNTIME_LIB_PATH for the ONNX Runtime rows; EMBEDDING_THREADS, default 2, and
//! RAYON_NUM_THREADS, default all cores, set their threads; BENCH_SWEEP=1 adds batched runs at
//! 256…8,192 padded tokens per pass). Prints wall and process CPU time per text: on a shared
//! machine the CPU figure is the better guide to what an idle machine would show.
use std::path::PathBuf;
use std::time::Instant;

use shared::embed::{Embedder, Runtime};

const QUESTIONS: &[&str] = &[
    "What is the current DPI of this fund?",
    "Show me all capital calls in 2024",
    "How much has been distributed to limited partners so far?",
    "What is the distribution to paid-in ratio?",
    "Which distributions were recallable last year?",
    "What was the net asset value at the end of the quarter?",
    "How is paid-in capital calculated for this fund?",
    "What is the fund's internal rate of return since inception?",
    "List the management fee adjustments for the third quarter",
    "How does TVPI differ from DPI in this report?",
    "When was the most recent capital call and how large was it?",
    "What does residual value to paid-in capital measure here?",
    "Who is the general partner and what is the vintage year?",
    "Summarise the fund's investment strategy in two sentences",
    "Are there any clawbacks or rebalancing entries recorded?",
    "What is the total committed capital of the partnership?",
];

const SENTENCES: &[&str] = &[
    "The Fund called capital from its limited partners to finance two new platform investments in the energy-transition sector.",
    "Distributions during the quarter consisted of proceeds from the partial sale of a portfolio company and recurring dividend income.",
    "Paid-in capital is computed as gross capital contributions less any adjustments such as refunds of excess calls.",
    "Net asset value reflects the fair value of the remaining investments as determined by the general partner under the valuation policy.",
    "A portion of the distribution is recallable and may be called again to fund follow-on investments or partnership expenses.",
    "The distribution to paid-in ratio measures cash returned to investors relative to the capital they have contributed.",
    "Management fees are charged quarterly in advance on committed capital during the investment period and on invested capital thereafter.",
    "The internal rate of return is calculated from dated cash flows, with the reported net asset value treated as a terminal value.",
    "Unrealised gains increased following an independent valuation of the logistics portfolio at the end of the reporting period.",
    "The general partner expects further realisations over the next twelve months as market conditions for exits continue to improve.",
];

/// About 150 WordPiece tokens (the Python reference's chunk size): seven sentences, rotated so
/// every chunk is different text.
fn chunk(i: usize) -> String {
    (0..7)
        .map(|k| SENTENCES[(i + k * 3) % SENTENCES.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

/// CPU time of the whole process (all threads) in ms, from /proc: other builds share this
/// machine, so wall time alone overstates what the embedder costs.
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let ticks: f64 = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse::<f64>().ok())
        .sum();
    ticks * 10.0 // USER_HZ is 100 on Linux
}

/// (wall, cpu) ms per text.
fn ms_per_text(
    embedder: &Embedder,
    texts: &[&str],
    one_at_a_time: bool,
    rounds: usize,
) -> (f64, f64) {
    let cpu = cpu_ms();
    let start = Instant::now();
    for _ in 0..rounds {
        if one_at_a_time {
            for t in texts {
                embedder.embed(&[t]).unwrap();
            }
        } else {
            embedder.embed(texts).unwrap();
        }
    }
    let n = (rounds * texts.len()) as f64;
    (
        start.elapsed().as_secs_f64() * 1000.0 / n,
        (cpu_ms() - cpu) / n,
    )
}

fn report(embedder: &Embedder, label: &str, texts: &[&str], rounds: usize) {
    let tokens: usize = texts.iter().map(|t| embedder.token_count(t).unwrap()).sum();
    let (single, single_cpu) = ms_per_text(embedder, texts, true, rounds);
    let (batched, batched_cpu) = ms_per_text(embedder, texts, false, rounds);
    println!(
        "{:<9} {label:<16} {} texts, {:.1} tokens avg: one at a time {single:.2} ms/text (cpu {single_cpu:.2}), batches of 32 {batched:.2} ms/text (cpu {batched_cpu:.2})",
        embedder.runtime_name(),
        texts.len(),
        tokens as f64 / texts.len() as f64
    );
}

/// What ingestion embeds: every readable PDF under the data folder, parsed and chunked as the
/// worker does. Empty when PDFIUM_LIB_PATH is not set.
fn ingestion_chunks() -> Vec<String> {
    let Some(lib) = std::env::var_os("PDFIUM_LIB_PATH") else {
        println!("PDFIUM_LIB_PATH is not set: ingestion chunks skipped");
        return Vec::new();
    };
    shared::pdf::init(std::path::Path::new(&lib)).unwrap();
    let data = std::env::var_os("FUNDLENS_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data"));
    let mut files = Vec::new();
    let mut dirs = vec![data];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() && !path.ends_with("bad") {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "pdf") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut texts = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let mut extractor = shared::extract::DocumentExtractor::new();
        if shared::pdf::read_pages(&bytes, None, |page, _| extractor.add_page(&page)).is_err() {
            continue;
        }
        let blocks = extractor.finish().text_blocks;
        texts.extend(
            shared::chunk::chunk_blocks(&blocks)
                .iter()
                .map(|c| c.embedding_text()),
        );
    }
    println!(
        "ingestion chunks: {} from {} PDFs",
        texts.len(),
        files.len()
    );
    texts
}

fn main() {
    let dir = PathBuf::from(
        std::env::var_os("EMBEDDING_MODEL_DIR").expect("EMBEDDING_MODEL_DIR must be set"),
    );
    let threads: usize = std::env::var("EMBEDDING_THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(2);
    // BENCH_ONNX_ONLY skips candle, the slow half of a run, when comparing ONNX graphs.
    let mut runtimes = match std::env::var_os("BENCH_ONNX_ONLY") {
        Some(_) => vec![],
        None => vec![Runtime::Candle],
    };
    match std::env::var_os("ONNXRUNTIME_LIB_PATH") {
        Some(library) => {
            for int8 in [false, true] {
                runtimes.push(Runtime::Onnx {
                    library: library.clone().into(),
                    threads,
                    // One caller at a time here: one session with every thread.
                    sessions: 1,
                    int8,
                });
            }
        }
        None => println!("ONNXRUNTIME_LIB_PATH is not set: ONNX Runtime skipped"),
    }
    println!(
        "threads: candle {} (RAYON_NUM_THREADS), onnx {threads} (EMBEDDING_THREADS)",
        candle_core::utils::get_num_threads()
    );

    let questions: Vec<&str> = QUESTIONS.iter().cycle().take(64).copied().collect();
    let chunks: Vec<String> = (0..64).map(chunk).collect();
    let chunks: Vec<&str> = chunks.iter().map(String::as_str).collect();
    let ingestion = ingestion_chunks();
    let ingestion: Vec<&str> = ingestion.iter().map(String::as_str).collect();
    // Every runtime's vectors for the questions and ingestion chunks, against the first
    // runtime's (fp32): how far quantisation moves what retrieval compares.
    let fidelity_texts: Vec<&str> = questions.iter().chain(&ingestion).copied().collect();
    let mut first_vectors: Option<Vec<Vec<f32>>> = None;
    for runtime in &runtimes {
        let start = Instant::now();
        let embedder = Embedder::load(&dir, runtime).unwrap();
        println!(
            "{:<9} model load: {:.0} ms",
            embedder.runtime_name(),
            start.elapsed().as_secs_f64() * 1000.0
        );
        // Warm-up: first calls pay for allocation and thread-pool start.
        embedder.embed(&chunks[..8]).unwrap();
        report(&embedder, "short questions", &questions, 3);
        report(&embedder, "report chunks", &chunks, 3);
        if !ingestion.is_empty() {
            report(&embedder, "ingestion chunks", &ingestion, 1);
        }
        let vectors = embedder.embed(&fidelity_texts).unwrap();
        match &first_vectors {
            None => first_vectors = Some(vectors),
            Some(first) => {
                let cosines: Vec<f32> = first
                    .iter()
                    .zip(&vectors)
                    .map(|(a, b)| a.iter().zip(b).map(|(x, y)| x * y).sum())
                    .collect();
                let min = cosines.iter().copied().fold(1f32, f32::min);
                let mean = cosines.iter().sum::<f32>() / cosines.len() as f32;
                println!(
                    "{:<9} cosine to the first runtime over {} texts: min {min:.4}, mean {mean:.5}",
                    embedder.runtime_name(),
                    cosines.len()
                );
            }
        }
        if std::env::var_os("BENCH_SWEEP").is_some() {
            let mut e = embedder;
            for t in [256usize, 512, 1024, 2048, 4096, 8192] {
                e = e.with_max_batch_tokens(t);
                println!("max tokens {t}");
                report(&e, "short questions", &questions, 3);
                report(&e, "report chunks", &chunks, 2);
                report(&e, "ingestion chunks", &ingestion, 2);
            }
        }
    }
    println!(
        "python reference (sentence-transformers + torch, 2 threads, idle machine): short 27.1 / 3.0 ms, chunks 27.0 / 17.7 ms"
    );
}
