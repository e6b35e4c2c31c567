//! Text recognition (CRNN + CTC): line crops batched for the recogniser, and its per-step
//! class probabilities decoded into characters that remember where on the line they were read.
use super::image::{Rect, resample};
use crate::ocr::PageImage;

/// The recogniser's input height.
pub(super) const HEIGHT: usize = 48;
/// Crops narrower than this are padded to it: PaddleOCR's `rec_image_shape` width, the shape
/// the model was trained on.
const MIN_WIDTH: usize = 320;
/// The widest crop: ~40 characters per 48 px of height covers a full-width table row.
const MAX_WIDTH: usize = 48 * 60;
/// Crops per run. One: on the CPU a batch costs more than its crops run one by one (measured
/// with one thread: 8 crops 48×2000 in 2.1 s batched, 1.3 s apart; 48×320 0.22 s against 0.17 s).
pub(super) const BATCH: usize = 1;

/// A batch's input tensor `[n, 3, 48, width]` and each crop's width before padding.
pub(super) struct RecInput {
    pub tensor: Vec<f32>,
    pub n: usize,
    pub width: usize,
    pub widths: Vec<usize>,
}

/// A line's width once scaled to `HEIGHT`, keeping its aspect ratio.
pub(super) fn scaled_width(rect: &Rect) -> usize {
    ((HEIGHT as f32 * rect.width() / rect.height().max(1.0)).ceil() as usize).clamp(8, MAX_WIDTH)
}

/// The crops of `rects`, padded on the right with 0 (mid grey after normalising, as in training).
pub(super) fn input(image: &PageImage, rects: &[Rect]) -> RecInput {
    let widths: Vec<usize> = rects.iter().map(scaled_width).collect();
    let width = widths.iter().copied().max().unwrap_or(0).max(MIN_WIDTH);
    let plane = HEIGHT * width;
    let mut tensor = vec![0f32; rects.len() * 3 * plane];
    for (i, (rect, &w)) in rects.iter().zip(&widths).enumerate() {
        let crop = &mut tensor[i * 3 * plane..(i + 1) * 3 * plane];
        resample(
            &image.pixels,
            image.width as usize,
            image.height as usize,
            *rect,
            w,
            HEIGHT,
            crop,
            width,
        );
        super::image::grey_to_colour(crop, plane);
    }
    RecInput {
        tensor,
        n: rects.len(),
        width,
        widths,
    }
}

/// One decoded character: the time step it was read at and its probability.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Read {
    pub ch: char,
    pub step: usize,
    pub prob: f32,
}

/// Greedy CTC: the best class at each of `steps` steps, repeats collapsed, blanks (class 0)
/// dropped; class `k` is `dict[k - 1]`. `probs` is `[steps, dict.len() + 1]`.
pub(super) fn decode(probs: &[f32], steps: usize, dict: &[char]) -> Vec<Read> {
    let classes = dict.len() + 1;
    let mut out = Vec::new();
    let mut previous = 0;
    for step in 0..steps {
        let row = &probs[step * classes..(step + 1) * classes];
        let (best, prob) = row
            .iter()
            .copied()
            .enumerate()
            .fold((0, f32::MIN), |a, b| if b.1 > a.1 { b } else { a });
        if best != 0 && best != previous {
            out.push(Read {
                ch: dict[best - 1],
                step,
                prob,
            });
        }
        previous = best;
    }
    out
}

/// Full-width forms the Chinese dictionary prefers ("，" "（" "：" "＄") as their ASCII twins,
/// so that numbers and labels parse.
pub(super) fn ascii_twin(ch: char) -> char {
    match ch {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(ch as u32 - 0xFEE0).unwrap_or(ch),
        '\u{3000}' => ' ',
        '。' => '.',
        '、' => ',',
        _ => ch,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One-hot-ish rows over a dictionary of `a`, `b`, space (classes blank, a, b, space).
    fn rows(best: &[usize]) -> Vec<f32> {
        best.iter()
            .flat_map(|&k| (0..4).map(move |c| if c == k { 0.9 } else { 0.1 / 3.0 }))
            .collect()
    }

    #[test]
    fn ctc_collapses_repeats_and_drops_blanks() {
        let dict = ['a', 'b', ' '];
        // a a _ a b b _ _ space b
        let best = [1, 1, 0, 1, 2, 2, 0, 0, 3, 2];
        let read = decode(&rows(&best), best.len(), &dict);
        let text: String = read.iter().map(|r| r.ch).collect();
        assert_eq!(text, "aab b");
        let steps: Vec<usize> = read.iter().map(|r| r.step).collect();
        assert_eq!(steps, [0, 3, 4, 8, 9]);
        assert!((read[0].prob - 0.9).abs() < 1e-6);
    }

    #[test]
    fn an_all_blank_line_is_empty() {
        assert!(decode(&rows(&[0, 0, 0]), 3, &['a', 'b', ' ']).is_empty());
    }

    #[test]
    fn full_width_punctuation_becomes_ascii() {
        let s: String = "＄1，234（5）：".chars().map(ascii_twin).collect();
        assert_eq!(s, "$1,234(5):");
        assert_eq!(ascii_twin('a'), 'a');
    }

    #[test]
    fn crops_keep_their_aspect_ratio() {
        let r = |w: f32, h: f32| Rect {
            left: 10.0,
            top: 10.0,
            right: 10.0 + w,
            bottom: 10.0 + h,
        };
        assert_eq!(scaled_width(&r(300.0, 30.0)), 480);
        assert_eq!(scaled_width(&r(2.0, 30.0)), 8);
        assert_eq!(scaled_width(&r(30_000.0, 30.0)), MAX_WIDTH);
    }
}
