//! Scaling a region of the grey page into a model's input plane.

/// A rectangle of the page in pixels, `left..right` and `top..bottom`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Rect {
    pub left: f32,
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
}

impl Rect {
    pub fn width(&self) -> f32 {
        self.right - self.left
    }

    pub fn height(&self) -> f32 {
        self.bottom - self.top
    }
}

/// The models take colour: the grey plane at the start of `tensor` is copied into the two after
/// it.
pub(super) fn grey_to_colour(tensor: &mut [f32], plane: usize) {
    let (grey, rest) = tensor.split_at_mut(plane);
    rest[..plane].copy_from_slice(grey);
    rest[plane..2 * plane].copy_from_slice(grey);
}

/// Grey pixels of `region` resampled bilinearly to `width`×`height`, written row by row into
/// `out` (whose rows are `stride` long) as `(v / 255 − 0.5) / 0.5`, the [-1, 1] range both
/// PP-OCR models were trained on. Pixel centres line up as in OpenCV's `resize`, which is what
/// the models saw in training.
#[allow(clippy::too_many_arguments)]
pub(super) fn resample(
    pixels: &[u8],
    image_width: usize,
    image_height: usize,
    region: Rect,
    width: usize,
    height: usize,
    out: &mut [f32],
    stride: usize,
) {
    let sx = region.width() / width as f32;
    let sy = region.height() / height as f32;
    let max_x = (image_width - 1) as f32;
    let max_y = (image_height - 1) as f32;
    // Columns are the same for every row: work their two sources and weight out once.
    let cols: Vec<(usize, usize, f32)> = (0..width)
        .map(|x| {
            let fx = (region.left + (x as f32 + 0.5) * sx - 0.5).clamp(0.0, max_x);
            let x0 = fx.floor() as usize;
            (x0, (x0 + 1).min(image_width - 1), fx - x0 as f32)
        })
        .collect();
    for y in 0..height {
        let fy = (region.top + (y as f32 + 0.5) * sy - 0.5).clamp(0.0, max_y);
        let y0 = fy.floor() as usize;
        let y1 = (y0 + 1).min(image_height - 1);
        let wy = fy - y0 as f32;
        let (r0, r1) = (
            &pixels[y0 * image_width..(y0 + 1) * image_width],
            &pixels[y1 * image_width..(y1 + 1) * image_width],
        );
        let row = &mut out[y * stride..y * stride + width];
        for (o, &(x0, x1, wx)) in row.iter_mut().zip(&cols) {
            let top = f32::from(r0[x0]) * (1.0 - wx) + f32::from(r0[x1]) * wx;
            let bottom = f32::from(r1[x0]) * (1.0 - wx) + f32::from(r1[x1]) * wx;
            let v = top * (1.0 - wy) + bottom * wy;
            *o = v / 127.5 - 1.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_and_normalises() {
        // A 4×2 image, black left half, white right half, halved to 2×1.
        let pixels = [0, 0, 255, 255, 0, 0, 255, 255];
        let all = Rect {
            left: 0.0,
            top: 0.0,
            right: 4.0,
            bottom: 2.0,
        };
        let mut out = [9.0; 3];
        resample(&pixels, 4, 2, all, 2, 1, &mut out, 3);
        assert_eq!(out, [-1.0, 1.0, 9.0]);
    }
}
