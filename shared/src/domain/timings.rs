//! Where an ingestion attempt spent its time, stage by stage: wall clock, and the CPU of the
//! thread that ran the stage, stored on the document and exported as histograms.
use serde::{Deserialize, Serialize};

/// One stage's clocks. `cpu_ms` is the CPU time of the thread that ran the stage; `None` where
/// that thread is not where the work happens (the embedding model runs on its own thread pool).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct StageTime {
    pub wall_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_ms: Option<f64>,
}

impl StageTime {
    /// The wall clock since `start`, for work done by other threads or across awaits.
    pub fn wall_since(start: std::time::Instant) -> Self {
        Self {
            wall_ms: start.elapsed().as_secs_f64() * 1000.0,
            cpu_ms: None,
        }
    }

    pub fn add(&mut self, other: StageTime) {
        self.wall_ms += other.wall_ms;
        self.cpu_ms = match (self.cpu_ms, other.cpu_ms) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
        };
    }
}

/// The stages of one successful attempt. Queue wait (upload or retry to claim) is computed by
/// the database from the document's own timestamps when the timings are stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StageTimings {
    /// Reading the PDF bytes from the file store.
    pub load: StageTime,
    /// pdfium: opening the document and reading each page's characters.
    pub parse: StageTime,
    /// Pages without a text layer: rendering, clean-up and Tesseract (a child process, so wall
    /// clock only; the clean-up's CPU counts under `parse`).
    #[serde(default)]
    pub ocr: StageTime,
    /// Lines, tables, facts and transactions from the pages.
    pub extract: StageTime,
    pub chunk: StageTime,
    pub embed: StageTime,
    /// The transaction that writes rows, chunks and vectors.
    pub store: StageTime,
}

impl StageTimings {
    /// (name, clocks) for each stage, in pipeline order.
    pub fn stages(&self) -> [(&'static str, StageTime); 7] {
        [
            ("load", self.load),
            ("parse", self.parse),
            ("ocr", self.ocr),
            ("extract", self.extract),
            ("chunk", self.chunk),
            ("embed", self.embed),
            ("store", self.store),
        ]
    }
}
