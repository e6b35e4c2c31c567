//! Reading scanned pages: a page image in, positioned words with their confidence out, turned
//! into the same glyphs a text layer gives, so that one extractor reads both.
mod clean;
pub mod layer;
mod prep;
mod tesseract;

use crate::config::OcrConfig;
use crate::pdf::Glyph;

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

/// The words of one page image, in reading order.
pub fn recognize(mut image: PageImage, config: &OcrConfig) -> Result<Vec<OcrWord>, OcrError> {
    if config.preprocess {
        prep::prepare(&mut image);
    }
    tesseract::recognize(&image, config).map(clean::clean)
}

/// Glyphs in PDF points (origin at the bottom left) for a page `page_height` points tall. Every
/// glyph of a line gets the line's middle, so a slightly rotated scan still gives straight lines;
/// a word's characters share its box evenly.
pub fn glyphs(words: &[OcrWord], dpi: u32, page_height: f32) -> Vec<Glyph> {
    let pt = 72.0 / dpi as f32;
    let mut out = Vec::new();
    for line in lines(words) {
        let mut middles: Vec<f32> = line
            .iter()
            .map(|w| w.top as f32 + w.height as f32 / 2.0)
            .collect();
        let middle = median(&mut middles) * pt;
        let half = text_height(line) * pt / 2.0;
        // Box heights run from the cap line to the baseline or below: about 0.72 of the size.
        let font_size = 2.0 * half / 0.72;
        for w in line {
            let chars: Vec<char> = w.text.chars().collect();
            let each = w.width as f32 * pt / chars.len().max(1) as f32;
            for (i, ch) in chars.into_iter().enumerate() {
                let left = w.left as f32 * pt + i as f32 * each;
                out.push(Glyph {
                    ch,
                    left,
                    right: left + each,
                    top: page_height - (middle - half),
                    bottom: page_height - (middle + half),
                    font_size,
                    bold: false,
                });
            }
        }
    }
    out
}

/// The page's text as lines of words, for the stored page text and chunking.
pub fn text(words: &[OcrWord]) -> String {
    lines(words)
        .map(|l| {
            l.iter()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn lines(words: &[OcrWord]) -> impl Iterator<Item = &[OcrWord]> {
    words.chunk_by(|a, b| a.line == b.line)
}

/// The line's letter height in pixels: the lower quartile of its words' boxes, leaving out
/// punctuation, because a box that touches a table rule grows to take the rule in.
fn text_height(line: &[OcrWord]) -> f32 {
    let mut heights: Vec<f32> = line
        .iter()
        .filter(|w| w.text.chars().filter(|c| c.is_alphanumeric()).count() >= 2)
        .map(|w| w.height as f32)
        .collect();
    if heights.is_empty() {
        heights = line.iter().map(|w| w.height as f32).collect();
    }
    heights.sort_by(f32::total_cmp);
    heights.get(heights.len() / 4).copied().unwrap_or(0.0)
}

fn median(v: &mut [f32]) -> f32 {
    v.sort_by(f32::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, left: u32, top: u32, line: u32) -> OcrWord {
        OcrWord {
            text: text.into(),
            left,
            top,
            width: 25 * text.len() as u32,
            height: 40,
            conf: 95.0,
            line,
        }
    }

    #[test]
    fn a_rotated_line_becomes_one_straight_line_in_points() {
        // 300 dpi: a line drifting 20 px down across the page.
        let words = [
            word("Total", 300, 1000, 0),
            word("1,234.50", 1800, 1020, 0),
            word("Next", 300, 1100, 1),
        ];
        let g = glyphs(&words, 300, 792.0);
        let lines = crate::extract::lines::build_lines(&g);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text(), "Total 1,234.50");
        assert_eq!(lines[1].text(), "Next");
        // 300 px at 300 dpi is 72 pt.
        assert!((lines[0].left - 72.0).abs() < 0.01, "{}", lines[0].left);
        assert_eq!(text(&words), "Total 1,234.50\nNext");
    }
}
