//! Pages scanned upside down or sideways: found by how badly the page reads, turned by what
//! Tesseract's orientation detection says, kept only if the turned page reads better.
use super::{OcrError, OcrWord, PageImage};

/// Below this (the confidence of a page's words, weighted by their length) a page is worth
/// asking which way up it is: upright scans read 80–95, upside-down or sideways ones 15–25.
pub(super) const UPRIGHT_MIN_CONFIDENCE: f32 = 50.0;
/// Tesseract's orientation confidence a turn needs: wrong answers on blurred pages came at
/// under 1, right ones on turned pages at 12–14.
const MIN_ORIENTATION_CONFIDENCE: f32 = 5.0;

/// The confidence of the page's words (0–100), each weighted by its length, or 0 for none.
pub fn page_confidence(words: &[OcrWord]) -> f32 {
    let chars: usize = words.iter().map(|w| w.text.chars().count()).sum();
    if chars == 0 {
        return 0.0;
    }
    let weighted: f32 = words
        .iter()
        .map(|w| w.conf * w.text.chars().count() as f32)
        .sum();
    weighted / chars as f32
}

/// Quarter turns clockwise that stand the page upright, from the output of `--psm 0`, when
/// Tesseract is sure enough and the page needs any.
pub(super) fn quarter_turns(osd: &str) -> Result<Option<u8>, OcrError> {
    let field = |name: &str| {
        osd.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse::<f32>().ok())
    };
    let (Some(rotate), Some(confidence)) = (field("Rotate:"), field("Orientation confidence:"))
    else {
        return Err(OcrError::Failed(format!(
            "orientation detection gave no answer: {}",
            osd.trim()
        )));
    };
    let turns = (rotate / 90.0).round() as i64 % 4;
    Ok((turns != 0 && confidence >= MIN_ORIENTATION_CONFIDENCE).then_some(turns as u8))
}

/// The image turned clockwise by `turns` quarter turns.
pub(super) fn turn(image: &PageImage, turns: u8) -> PageImage {
    let (w, h) = (image.width as usize, image.height as usize);
    let src = &image.pixels;
    let (ow, oh) = if turns % 2 == 1 { (h, w) } else { (w, h) };
    let mut out = vec![255u8; ow * oh];
    for y in 0..oh {
        for x in 0..ow {
            // Where the pixel at (x, y) of the turned image comes from.
            let (sx, sy) = match turns % 4 {
                1 => (y, h - 1 - x),
                2 => (w - 1 - x, h - 1 - y),
                3 => (w - 1 - y, x),
                _ => (x, y),
            };
            out[y * ow + x] = src[sy * w + sx];
        }
    }
    PageImage {
        width: ow as u32,
        height: oh as u32,
        dpi: image.dpi,
        pixels: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_turn_tesseract_is_sure_of() {
        let osd = "Page number: 0\nOrientation in degrees: 180\nRotate: 180\n\
                   Orientation confidence: 12.80\nScript: Latin\nScript confidence: 2.27\n";
        assert_eq!(quarter_turns(osd).unwrap(), Some(2));
        let unsure = "Rotate: 270\nOrientation confidence: 0.63\n";
        assert_eq!(quarter_turns(unsure).unwrap(), None);
        let upright = "Rotate: 0\nOrientation confidence: 14.08\n";
        assert_eq!(quarter_turns(upright).unwrap(), None);
        assert!(quarter_turns("Too few characters. Skipping this page").is_err());
    }

    #[test]
    fn a_quarter_turn_clockwise_puts_the_top_left_corner_at_the_top_right() {
        // 3 wide, 2 tall: a b c / d e f.
        let image = PageImage {
            width: 3,
            height: 2,
            dpi: 300,
            pixels: vec![1, 2, 3, 4, 5, 6],
        };
        let once = turn(&image, 1);
        assert_eq!((once.width, once.height), (2, 3));
        assert_eq!(once.pixels, vec![4, 1, 5, 2, 6, 3]);
        assert_eq!(turn(&image, 2).pixels, vec![6, 5, 4, 3, 2, 1]);
        assert_eq!(turn(&turn(&image, 1), 3).pixels, image.pixels);
    }

    #[test]
    fn page_confidence_weighs_words_by_length() {
        let word = |text: &str, conf: f32| OcrWord {
            text: text.into(),
            left: 0,
            top: 0,
            width: 1,
            height: 1,
            conf,
            line: 0,
        };
        let words = [word("Distributions", 90.0), word("~", 0.0)];
        assert!((page_confidence(&words) - 90.0 * 13.0 / 14.0).abs() < 1e-3);
        assert_eq!(page_confidence(&[]), 0.0);
    }
}
