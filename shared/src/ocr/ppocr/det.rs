//! Text detection (DB): the page scaled for the detector, and its probability map turned into
//! text-line boxes in page pixels.
use super::image::{Rect, resample};
use crate::ocr::PageImage;

/// The detector's input is at most this many pixels on its long side: at 300 dpi a US Letter
/// page comes down to ~0.6×, where 8-pt text is still ~20 px tall, and one run stays around a
/// second on one core.
const MAX_SIDE: usize = 2048;
/// Both sides must be multiples of the network's stride.
const STRIDE: usize = 32;
/// A pixel is text when its probability is above this (PaddleOCR's `thresh`).
const THRESHOLD: f32 = 0.3;
/// A component is kept when its box's mean probability is at least this (`box_thresh`).
const BOX_THRESHOLD: f32 = 0.5;
/// DB predicts a shrunk kernel of each line; the box is grown back by area × ratio / perimeter.
const UNCLIP_RATIO: f32 = 1.6;
/// Components thinner than this (detector pixels) are specks.
const MIN_SIDE: usize = 3;

/// The detector's input tensor, `[1, 3, height, width]`.
pub(super) struct DetInput {
    pub tensor: Vec<f32>,
    pub width: usize,
    pub height: usize,
}

/// One text line found on the page.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct TextBox {
    pub rect: Rect,
    pub score: f32,
}

/// Input size for a page: scaled down to `MAX_SIDE`, each side rounded to the stride.
fn input_size(width: usize, height: usize) -> (usize, usize) {
    let scale = (MAX_SIDE as f32 / width.max(height) as f32).min(1.0);
    let round = |v: usize| ((v as f32 * scale / STRIDE as f32).round() as usize).max(1) * STRIDE;
    (round(width), round(height))
}

pub(super) fn input(image: &PageImage) -> DetInput {
    let (iw, ih) = (image.width as usize, image.height as usize);
    let (width, height) = input_size(iw, ih);
    let plane = width * height;
    let mut tensor = vec![0f32; 3 * plane];
    let page = Rect {
        left: 0.0,
        top: 0.0,
        right: iw as f32,
        bottom: ih as f32,
    };
    resample(
        &image.pixels,
        iw,
        ih,
        page,
        width,
        height,
        &mut tensor[..plane],
        width,
    );
    super::image::grey_to_colour(&mut tensor, plane);
    DetInput {
        tensor,
        width,
        height,
    }
}

/// Boxes from the probability map (`width`×`height`, the input's size) in the pixels of a page
/// `page_width`×`page_height`, top to bottom.
pub(super) fn boxes(
    prob: &[f32],
    width: usize,
    height: usize,
    page_width: usize,
    page_height: usize,
) -> Vec<TextBox> {
    let mask = dilate(
        &prob.iter().map(|&p| p > THRESHOLD).collect::<Vec<_>>(),
        width,
        height,
    );
    let (sx, sy) = (
        page_width as f32 / width as f32,
        page_height as f32 / height as f32,
    );
    let mut out = Vec::new();
    for c in components(&mask, width, height) {
        let (w, h) = (c.right - c.left, c.bottom - c.top);
        if w.min(h) < MIN_SIDE {
            continue;
        }
        let score = mean(prob, width, &c);
        if score < BOX_THRESHOLD {
            continue;
        }
        let grow = unclip_distance(w as f32, h as f32);
        let rect = Rect {
            left: ((c.left as f32 - grow) * sx).max(0.0),
            top: ((c.top as f32 - grow) * sy).max(0.0),
            right: ((c.right as f32 + grow) * sx).min(page_width as f32),
            bottom: ((c.bottom as f32 + grow) * sy).min(page_height as f32),
        };
        out.push(TextBox { rect, score });
    }
    out.sort_by(|a, b| a.rect.top.total_cmp(&b.rect.top));
    out
}

/// How far each side of a `w`×`h` kernel moves out: DB's offset, area × ratio / perimeter.
pub(super) fn unclip_distance(w: f32, h: f32) -> f32 {
    w * h * UNCLIP_RATIO / (2.0 * (w + h))
}

/// PaddleOCR dilates the mask by a 2×2 square so that a line's characters join into one region.
fn dilate(mask: &[bool], width: usize, height: usize) -> Vec<bool> {
    let mut out = mask.to_vec();
    for y in 0..height {
        for x in 0..width {
            if mask[y * width + x] {
                continue;
            }
            let right = x + 1 < width && mask[y * width + x + 1];
            let below = y + 1 < height && mask[(y + 1) * width + x];
            let diag = x + 1 < width && y + 1 < height && mask[(y + 1) * width + x + 1];
            out[y * width + x] = right || below || diag;
        }
    }
    out
}

/// The bounding box of an 8-connected region, `left..right` × `top..bottom`.
#[derive(Debug, PartialEq)]
pub(super) struct Component {
    pub left: usize,
    pub top: usize,
    pub right: usize,
    pub bottom: usize,
}

pub(super) fn components(mask: &[bool], width: usize, height: usize) -> Vec<Component> {
    let mut seen = vec![false; mask.len()];
    let mut stack = Vec::new();
    let mut out = Vec::new();
    for start in 0..mask.len() {
        if !mask[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let (mut c, x0, y0) = (
            Component {
                left: usize::MAX,
                top: usize::MAX,
                right: 0,
                bottom: 0,
            },
            start % width,
            start / width,
        );
        c.left = x0;
        c.top = y0;
        while let Some(i) = stack.pop() {
            let (x, y) = (i % width, i / width);
            c.left = c.left.min(x);
            c.right = c.right.max(x + 1);
            c.top = c.top.min(y);
            c.bottom = c.bottom.max(y + 1);
            for ny in y.saturating_sub(1)..(y + 2).min(height) {
                for nx in x.saturating_sub(1)..(x + 2).min(width) {
                    let j = ny * width + nx;
                    if mask[j] && !seen[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        out.push(c);
    }
    out
}

/// Mean probability inside a component's box (PaddleOCR's "fast" box score).
fn mean(prob: &[f32], width: usize, c: &Component) -> f32 {
    let mut sum = 0.0;
    for y in c.top..c.bottom {
        sum += prob[y * width + c.left..y * width + c.right]
            .iter()
            .sum::<f32>();
    }
    sum / ((c.right - c.left) * (c.bottom - c.top)) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_is_scaled_to_the_stride() {
        assert_eq!(input_size(2550, 3300), (1568, 2048));
        assert_eq!(input_size(1240, 1754), (1248, 1760));
        assert_eq!(input_size(10, 10), (32, 32));
    }

    #[test]
    fn a_long_line_grows_by_about_its_height() {
        // 200×10 kernel: offset 200·10·1.6 / 420 ≈ 7.6 px on each side.
        assert!((unclip_distance(200.0, 10.0) - 7.619).abs() < 0.01);
    }

    #[test]
    fn two_lines_and_a_speck_become_two_boxes() {
        let (w, h) = (40, 20);
        let mut prob = vec![0f32; w * h];
        let mut paint = |x0: usize, x1: usize, y0: usize, y1: usize, p: f32| {
            for y in y0..y1 {
                for x in x0..x1 {
                    prob[y * w + x] = p;
                }
            }
        };
        paint(2, 30, 2, 6, 0.9);
        paint(5, 25, 12, 16, 0.8);
        paint(36, 37, 12, 13, 0.9); // a speck
        paint(2, 30, 8, 10, 0.35); // faint: above the threshold but a low box score
        let found = boxes(&prob, w, h, 80, 40);
        assert_eq!(found.len(), 2, "{found:?}");
        let first = &found[0].rect;
        // The 2..30 kernel, dilated and grown back, at twice the map's scale.
        assert!(first.left < 4.0 && first.right > 60.0, "{first:?}");
        assert!(first.top < found[1].rect.top);
    }
}
