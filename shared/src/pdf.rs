//! PDFium access: bind the shared library once per process and read a PDF page by page as
//! positioned characters plus plain text.
use std::path::Path;
use std::sync::OnceLock;

use pdfium_render::prelude::*;

static PDFIUM: OnceLock<Pdfium> = OnceLock::new();

/// Why a PDF could not be read. Every variant except `Library` is a property of the file, so
/// retrying cannot help.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the file is not a PDF (it does not start with %PDF-)")]
    NotAPdf,
    #[error("the file is empty")]
    Empty,
    #[error("the PDF is encrypted or password-protected; upload an unprotected copy")]
    Encrypted,
    #[error("the PDF is damaged or truncated and cannot be opened ({0})")]
    Corrupt(String),
    #[error(
        "the PDF has no text layer (it looks like a scanned image); OCR is not supported, upload a PDF with selectable text"
    )]
    NoTextLayer,
    #[error("the PDF library could not be loaded: {0}")]
    Library(String),
}

impl PdfError {
    pub fn is_permanent(&self) -> bool {
        !matches!(self, Self::Library(_))
    }
}

/// Binds libpdfium from `lib_path` (a file or a folder holding `libpdfium.so`). Safe to call many
/// times: the first successful call wins, as a second bind would fail inside pdfium-render.
pub fn init(lib_path: &Path) -> Result<&'static Pdfium, PdfError> {
    if let Some(p) = PDFIUM.get() {
        return Ok(p);
    }
    // Two threads binding at once would make the second bind fail inside pdfium-render.
    static BINDING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = BINDING.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = PDFIUM.get() {
        return Ok(p);
    }
    let path = if lib_path.is_dir() {
        Pdfium::pdfium_platform_library_name_at_path(lib_path)
    } else {
        lib_path.to_path_buf()
    };
    let bindings = Pdfium::bind_to_library(&path)
        .map_err(|e| PdfError::Library(format!("{}: {e}", path.display())))?;
    Ok(PDFIUM.get_or_init(|| Pdfium::new(bindings)))
}

fn pdfium() -> Result<&'static Pdfium, PdfError> {
    PDFIUM
        .get()
        .ok_or_else(|| PdfError::Library("libpdfium was not initialised".into()))
}

/// One character with its box in PDF points (origin bottom-left, y grows upwards).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glyph {
    pub ch: char,
    pub left: f32,
    pub bottom: f32,
    pub right: f32,
    pub top: f32,
    pub font_size: f32,
    pub bold: bool,
}

/// One page: its size, characters in content order, and PDFium's plain text.
#[derive(Debug, Clone)]
pub struct Page {
    /// 1-based.
    pub number: u32,
    pub width: f32,
    pub height: f32,
    pub glyphs: Vec<Glyph>,
    pub text: String,
}

/// Cheap check before anything is stored: PDF magic bytes near the start (the spec allows junk
/// before the header, readers accept it within the first 1024 bytes).
pub fn looks_like_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(5).any(|w| w == b"%PDF-")
}

/// Opens `bytes` and hands each page to `on_page` in order (page, total pages), so the caller
/// can process and drop pages one at a time. Returns the page count.
pub fn read_pages(bytes: &[u8], mut on_page: impl FnMut(Page, u32)) -> Result<u32, PdfError> {
    if bytes.is_empty() {
        return Err(PdfError::Empty);
    }
    if !looks_like_pdf(bytes) {
        return Err(PdfError::NotAPdf);
    }
    let pdfium = pdfium()?;
    let doc = pdfium
        .load_pdf_from_byte_slice(bytes, None)
        .map_err(classify)?;
    let pages = doc.pages();
    let total = pages.len() as u32;
    if total == 0 {
        return Err(PdfError::Corrupt("it has no pages".into()));
    }
    let mut any_text = false;
    for index in 0..pages.len() {
        let page = pages.get(index).map_err(classify)?;
        let text = page.text().map_err(classify)?;
        let mut glyphs = Vec::new();
        for c in text.chars().iter() {
            let Some(ch) = c.unicode_char() else { continue };
            let Ok(b) = c.loose_bounds() else { continue };
            glyphs.push(Glyph {
                ch,
                left: b.left().value,
                bottom: b.bottom().value,
                right: b.right().value,
                top: b.top().value,
                font_size: c.scaled_font_size().value,
                bold: c.font_weight().is_some_and(|w| {
                    matches!(
                        w,
                        PdfFontWeight::Weight700Bold
                            | PdfFontWeight::Weight800
                            | PdfFontWeight::Weight900
                    )
                }) || c.font_name().to_ascii_lowercase().contains("bold"),
            });
        }
        let plain = text.all();
        any_text |= plain.chars().any(|c| c.is_alphanumeric());
        let page_out = Page {
            number: index as u32 + 1,
            width: page.width().value,
            height: page.height().value,
            glyphs,
            text: plain,
        };
        on_page(page_out, total);
    }
    if !any_text {
        return Err(PdfError::NoTextLayer);
    }
    Ok(total)
}

fn classify(e: PdfiumError) -> PdfError {
    match e {
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::PasswordError)
        | PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::SecurityError) => {
            PdfError::Encrypted
        }
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::FormatError)
        | PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::FileError) => {
            PdfError::Corrupt("its structure is invalid".into())
        }
        other => PdfError::Corrupt(other.to_string()),
    }
}
