//! OCR'd words as the glyphs a text layer would give, so that one extractor reads both.
use super::Glyph;
use crate::ocr::OcrWord;

/// Glyphs in PDF points (origin at the bottom left) for a page `page_height` points tall. Every
/// glyph of a line gets the line's middle, so a slightly rotated scan still gives straight lines;
/// a word's characters share its box evenly.
pub(super) fn glyphs(words: &[OcrWord], dpi: u32, page_height: f32) -> Vec<Glyph> {
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
pub(super) fn text(words: &[OcrWord]) -> String {
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
    use crate::ocr::OcrWord;

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
