//! Reading scanned pages: a page image in, cleaned-up positioned words with their confidence out
//! (`pdf/ocr_glyphs.rs` turns them into the glyphs a text layer gives).
mod clean;
pub mod layer;
mod orient;
mod ppocr;
mod prep;
mod regions;
mod tesseract;

use crate::config::{OcrConfig, OcrEngine};

/// An 8-bit grey page image, rows top to bottom without padding.
pub struct PageImage {
    pub width: u32,
    pub height: u32,
    pub dpi: u32,
    pub pixels: Vec<u8>,
}

/// One recognised word, in pixels of the image it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrWord {
    pub text: String,
    pub left: u32,
    pub top: u32,
    pub width: u32,
    pub height: u32,
    /// The engine's confidence, 0–100.
    pub conf: f32,
    /// Words of one text line share this number.
    pub line: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    #[error(
        "the OCR engine could not be started ({0}); install tesseract-ocr or set OCR_TESSERACT"
    )]
    Missing(String),
    #[error(
        "the PP-OCR models could not be loaded ({0}); run scripts/setup.sh or set OCR_PPOCR_DIR and ONNXRUNTIME_LIB_PATH"
    )]
    Models(String),
    #[error("OCR of a page took longer than {0} s")]
    Timeout(u64),
    #[error("OCR failed: {0}")]
    Failed(String),
}

impl OcrError {
    /// A missing engine or a crash is this host's trouble, not the file's.
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Timeout(_))
    }
}

pub use orient::page_confidence;

/// What OCR read on one page.
pub struct Recognized {
    /// In reading order, in pixels of the page as it stands upright.
    pub words: Vec<OcrWord>,
    /// Quarter turns clockwise the scan needed to stand upright (odd: width and height swap).
    pub quarter_turns: u8,
}

/// The words of one page image.
pub fn recognize(mut image: PageImage, config: &OcrConfig) -> Result<Recognized, OcrError> {
    if config.preprocess {
        prep::prepare(&mut image);
    }
    let (words, quarter_turns) = match &config.engine {
        OcrEngine::Tesseract => tesseract::recognize(image, config)?,
        // PP-OCR's angle classifier is not used: its pages are read as they come.
        OcrEngine::PpOcr { models, library } => (
            ppocr::recognize(&image, models, library, config.threads)?,
            0,
        ),
    };
    Ok(Recognized {
        words: clean::clean(words),
        quarter_turns,
    })
}
