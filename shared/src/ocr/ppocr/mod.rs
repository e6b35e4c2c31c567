//! PP-OCRv4 in process through ONNX Runtime: DB detection finds text lines, the CRNN recogniser
//! reads each one, and the lines come out as Tesseract-shaped words.
mod det;
mod image;
mod lines;
mod model;
mod rec;

use std::path::Path;

use super::{OcrError, OcrWord, PageImage};
use image::Rect;
use lines::LineRead;

/// A box read with a lower mean character probability is dropped, as RapidOCR's `text_score`
/// does: below it the recogniser is reading a rule, a logo or a speck.
const MIN_LINE_SCORE: f32 = 0.5;

/// The words of one grey page, line by line, each line left to right.
pub(super) fn recognize(
    image: &PageImage,
    models_dir: &Path,
    library: &Path,
    threads: u32,
) -> Result<Vec<OcrWord>, OcrError> {
    let models = model::models(models_dir, library, threads)?;
    let input = det::input(image);
    let prob = models.detect(&input.tensor, input.width, input.height)?;
    let (page_width, page_height) = (image.width as usize, image.height as usize);
    let rects: Vec<Rect> = lines::join_touching(
        det::boxes(&prob, input.width, input.height, page_width, page_height)
            .into_iter()
            .map(|b| b.rect)
            .collect(),
    );

    // Similar widths in one batch: every crop of a batch is padded to its widest.
    let mut order: Vec<usize> = (0..rects.len()).collect();
    order.sort_by_key(|&i| rec::scaled_width(&rects[i]));
    let mut reads: Vec<Option<LineRead>> = vec![None; rects.len()];
    let classes = models.dict.len() + 1;
    for batch in order.chunks(rec::BATCH) {
        let crops: Vec<Rect> = batch.iter().map(|&i| rects[i]).collect();
        let input = rec::input(image, &crops);
        let (steps, probs) = models.recognize(&input.tensor, input.n, input.width)?;
        for (k, &i) in batch.iter().enumerate() {
            let one = &probs[k * steps * classes..(k + 1) * steps * classes];
            let mut read = rec::decode(one, steps, &models.dict);
            for r in &mut read {
                r.ch = rec::ascii_twin(r.ch);
            }
            // A step covers (padded width / steps) input pixels; the crop was scaled by
            // scaled width / box width.
            let step_px = input.width as f32 / steps.max(1) as f32 * rects[i].width()
                / input.widths[k] as f32;
            reads[i] = Some(LineRead {
                rect: rects[i],
                reads: read,
                step_px,
            });
        }
    }

    let mut words = Vec::new();
    for (number, line) in lines::visual_lines(&rects).iter().enumerate() {
        for read in line.iter().filter_map(|&i| reads[i].as_ref()) {
            let n = read.reads.len();
            if n == 0
                || read.reads.iter().map(|r| r.prob).sum::<f32>() / (n as f32) < MIN_LINE_SCORE
            {
                continue;
            }
            words.extend(lines::words(read, number as u32));
        }
    }
    Ok(words)
}
