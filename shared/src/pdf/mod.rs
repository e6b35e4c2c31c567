//! PDFium access: bind the shared library once per process and read a PDF page by page as
//! positioned characters plus plain text; pages without a usable text layer are rendered and OCR'd.
use std::path::Path;
use std::sync::OnceLock;

use pdfium_render::prelude::*;

mod ocr_glyphs;

use crate::config::OcrConfig;
use crate::ocr::{self, OcrError, OcrWord, PageImage};

static PDFIUM: OnceLock<Pdfium> = OnceLock::new();

/// pdfium keeps the reason a document failed to open in one process-wide variable, and
/// pdfium-render reads it with a second call: two failed opens at once could swap reasons (a
/// damaged file reported as encrypted). Opening is a small part of reading, so opens take turns.
/// After a document is open that variable is stale, so page errors never consult it.
static OPENING: std::sync::Mutex<()> = std::sync::Mutex::new(());

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
        "the PDF has no text layer (it looks like a scanned image) and OCR is turned off (OCR_ENABLED=false); upload a PDF with selectable text"
    )]
    NoTextLayer,
    #[error(
        "the PDF has no text layer and OCR found no readable text in it (a blank or handwritten page, or an image too poor to read)"
    )]
    NothingReadable,
    #[error("page {page}: {source}")]
    Ocr { page: u32, source: OcrError },
    #[error("the PDF library could not be loaded: {0}")]
    Library(String),
}

impl PdfError {
    pub fn is_permanent(&self) -> bool {
        match self {
            Self::Library(_) => false,
            Self::Ocr { source, .. } => source.is_permanent(),
            _ => true,
        }
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
    /// Set when the page had no usable text layer and was read by OCR.
    pub ocr: Option<PageOcr>,
}

/// What OCR read on a page: its words with their confidence, in pixels at `dpi`.
#[derive(Debug, Clone)]
pub struct PageOcr {
    pub dpi: u32,
    pub words: Vec<OcrWord>,
    /// Rendering, clean-up and recognition of the page, wall clock.
    pub ms: f64,
    /// Amounts and dates (three digits or more) read with less than `OCR_MIN_CONFIDENCE`: the
    /// extractor warns on whatever it reads from them.
    pub doubtful: Vec<OcrWord>,
}

/// Cheap check before anything is stored: PDF magic bytes near the start (the spec allows junk
/// before the header, readers accept it within the first 1024 bytes).
pub fn looks_like_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(5).any(|w| w == b"%PDF-")
}

/// Opens `bytes` and hands each page to `on_page` in order (page, total pages), so the caller
/// can process and drop pages one at a time. Returns the page count.
pub fn read_pages(
    bytes: &[u8],
    ocr: Option<&OcrConfig>,
    mut on_page: impl FnMut(Page, u32),
) -> Result<u32, PdfError> {
    if bytes.is_empty() {
        return Err(PdfError::Empty);
    }
    if !looks_like_pdf(bytes) {
        return Err(PdfError::NotAPdf);
    }
    let pdfium = pdfium()?;
    let doc = {
        let _turn = OPENING.lock().unwrap_or_else(|e| e.into_inner());
        pdfium.load_pdf_from_byte_slice(bytes, None)
    }
    .map_err(classify)?;
    let pages = doc.pages();
    let total = pages.len() as u32;
    if total == 0 {
        return Err(PdfError::Corrupt("it has no pages".into()));
    }
    let mut any_text = false;
    for index in 0..pages.len() {
        let unreadable = |_| PdfError::Corrupt(format!("page {} cannot be read", index + 1));
        let page = pages.get(index).map_err(unreadable)?;
        let text = page.text().map_err(unreadable)?;
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
        let mut page_out = Page {
            number: index as u32 + 1,
            width: page.width().value,
            height: page.height().value,
            glyphs,
            text: text.all(),
            ocr: None,
        };
        if let Some(config) = ocr
            && !ocr::layer::usable(&page_out.text)
            && has_picture(&page)
        {
            let started = std::time::Instant::now();
            let image = render_gray(&page, config.dpi)?;
            let dpi = image.dpi;
            let read = ocr::recognize(image, config).map_err(|source| PdfError::Ocr {
                page: page_out.number,
                source,
            })?;
            if read.quarter_turns % 2 == 1 {
                // A sideways scan: the words stand in the page turned upright.
                (page_out.width, page_out.height) = (page_out.height, page_out.width);
            }
            let words = read.words;
            page_out.glyphs = ocr_glyphs::glyphs(&words, dpi, page_out.height);
            page_out.text = ocr_glyphs::text(&words);
            let doubtful = words
                .iter()
                .filter(|w| {
                    w.conf < config.min_confidence
                        && w.text.chars().filter(char::is_ascii_digit).count() >= 3
                })
                .cloned()
                .collect();
            page_out.ocr = Some(PageOcr {
                dpi,
                words,
                ms: started.elapsed().as_secs_f64() * 1000.0,
                doubtful,
            });
        }
        any_text |= page_out.text.chars().any(|c| c.is_alphanumeric());
        on_page(page_out, total);
    }
    match (any_text, ocr) {
        (true, _) => Ok(total),
        (false, None) => Err(PdfError::NoTextLayer),
        (false, Some(_)) => Err(PdfError::NothingReadable),
    }
}

/// Whether an image (or a form that may hold one) covers a tenth of the page or more: the only
/// place OCR can find text the text layer lacks. A page of short vector text ("Dummy PDF file", a
/// cover page) is not worth a second of recognition to read what its layer already says.
fn has_picture(page: &PdfPage) -> bool {
    let page_area = page.width().value * page.height().value;
    page.objects().iter().any(|object| {
        matches!(
            object.object_type(),
            PdfPageObjectType::Image | PdfPageObjectType::XObjectForm
        ) && object
            .bounds()
            .is_ok_and(|b| b.width().value * b.height().value * 10.0 >= page_area)
    })
}

/// The page as 8-bit grey at `dpi`, white behind transparent areas. pdfium renders scanned
/// images into BGRA only (a grey bitmap comes back blank), so the grey is computed here.
fn render_gray(page: &PdfPage, dpi: u32) -> Result<PageImage, PdfError> {
    let config = PdfRenderConfig::new()
        .scale_page_by_factor(dpi as f32 / 72.0)
        .set_format(PdfBitmapFormat::BGRA)
        .render_form_data(false);
    let bitmap = page
        .render_with_config(&config)
        .map_err(|_| PdfError::Corrupt("a page could not be rendered for OCR".into()))?;
    let (width, height) = (bitmap.width() as usize, bitmap.height() as usize);
    let raw = bitmap.as_raw_bytes();
    let stride = raw.len() / height.max(1);
    if width == 0 || height == 0 || stride < width * 4 {
        return Err(PdfError::Corrupt(
            "a page could not be rendered for OCR".into(),
        ));
    }
    let mut pixels = Vec::with_capacity(width * height);
    for row in raw.chunks_exact(stride).take(height) {
        // ITU-R BT.601 luma from B, G, R in fixed point.
        pixels.extend(row[..width * 4].chunks_exact(4).map(|p| {
            ((u32::from(p[0]) * 29 + u32::from(p[1]) * 150 + u32::from(p[2]) * 77) >> 8) as u8
        }));
    }
    Ok(PageImage {
        width: width as u32,
        height: height as u32,
        dpi,
        pixels,
    })
}

/// Why a document did not open; only valid right after the open, under [`OPENING`].
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
