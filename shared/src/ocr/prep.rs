//! Page clean-up before recognition, kept because it measured better (README, OCR): straighten a
//! rotated scan, turn light-on-dark table headers into dark-on-light, and whiten pale fills.
//! Erasing table rules measured worse (Tesseract then runs cells together) and is not done.
use super::PageImage;

/// Darker than this is ink for the purpose of finding rules, bands and the skew.
const INK: u8 = 160;
/// Lighter than this is paper or a pale fill, never ink.
const LIGHT: u8 = 185;
/// Scans lean by a degree or two; beyond this the page is more likely meant to be rotated.
const MAX_SKEW_DEG: f32 = 3.0;

pub(super) fn prepare(image: &mut PageImage) {
    let angle = skew_degrees(image);
    if angle.abs() >= 0.05 {
        rotate(image, -angle);
    }
    invert_bands(image);
    flatten_light_fills(image);
}

/// Light grey cell fills (zebra rows, a pale header) become white: Tesseract's layout analysis
/// otherwise takes a shaded header for a picture and reads nothing in it.
fn flatten_light_fills(image: &mut PageImage) {
    for p in &mut image.pixels {
        if *p >= LIGHT {
            *p = 255;
        }
    }
}

/// The angle (degrees, positive when lines fall to the right) at which the rows of ink line up
/// best: the projection with the most contrast between text lines and the gaps between them.
fn skew_degrees(image: &PageImage) -> f32 {
    // Every fourth pixel each way is plenty to see lines of text.
    let step = 4usize;
    let (w, h) = (image.width as usize, image.height as usize);
    let mut ink = Vec::new();
    for y in (0..h).step_by(step) {
        for x in (0..w).step_by(step) {
            if image.pixels[y * w + x] < INK {
                ink.push((x as f32, y as f32));
            }
        }
    }
    if ink.len() < 100 {
        return 0.0;
    }
    let score = |deg: f32| {
        let t = deg.to_radians().tan();
        let mut bins = vec![0u32; h / step + w / step + 2];
        let offset = (w as f32 * MAX_SKEW_DEG.to_radians().tan()) as isize / step as isize + 1;
        for &(x, y) in &ink {
            let row = ((y - x * t) / step as f32) as isize + offset;
            if let Some(b) = usize::try_from(row).ok().and_then(|r| bins.get_mut(r)) {
                *b += 1;
            }
        }
        bins.iter()
            .map(|&b| u64::from(b) * u64::from(b))
            .sum::<u64>()
    };
    let search = |from: f32, to: f32, by: f32| {
        let mut best = (score(0.0), 0.0f32);
        let mut a = from;
        while a <= to + 1e-6 {
            let s = score(a);
            if s > best.0 {
                best = (s, a);
            }
            a += by;
        }
        best.1
    };
    let coarse = search(-MAX_SKEW_DEG, MAX_SKEW_DEG, 0.2);
    search(coarse - 0.2, coarse + 0.2, 0.05)
}

/// Rotates the image about its centre by `deg` degrees (positive turns the content clockwise
/// in image coordinates), filling the uncovered corners with white.
fn rotate(image: &mut PageImage, deg: f32) {
    let (w, h) = (image.width as usize, image.height as usize);
    let (sin, cos) = deg.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let src = &image.pixels;
    let mut out = vec![255u8; w * h];
    for y in 0..h {
        let dy = y as f32 - cy;
        for x in 0..w {
            let dx = x as f32 - cx;
            // Where this output pixel comes from in the source (the inverse rotation).
            let sx = cos * dx + sin * dy + cx;
            let sy = -sin * dx + cos * dy + cy;
            if sx < 0.0 || sy < 0.0 {
                continue;
            }
            let (x0, y0) = (sx as usize, sy as usize);
            if x0 + 1 >= w || y0 + 1 >= h {
                continue;
            }
            let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
            let p = |xx: usize, yy: usize| f32::from(src[yy * w + xx]);
            let top = p(x0, y0) * (1.0 - fx) + p(x0 + 1, y0) * fx;
            let bottom = p(x0, y0 + 1) * (1.0 - fx) + p(x0 + 1, y0 + 1) * fx;
            out[y * w + x] = (top * (1.0 - fy) + bottom * fy) as u8;
        }
    }
    image.pixels = out;
}

/// Light text on a dark fill (a shaded table header) becomes dark text on white: rows that are
/// mostly ink over a long stretch form a band, and the band's rectangle is inverted.
fn invert_bands(image: &mut PageImage) {
    let (w, h) = (image.width as usize, image.height as usize);
    // A band row: one stretch of at least this many pixels that is at least 70% ink.
    let min_run = (w / 8).max(50);
    let spans: Vec<Option<(usize, usize)>> = (0..h)
        .map(|y| dense_span(&image.pixels[y * w..(y + 1) * w], min_run))
        .collect();
    // Runs of dense rows: (first row, end row, left, right).
    let mut runs: Vec<(usize, usize, usize, usize)> = Vec::new();
    let mut y = 0;
    while y < h {
        if spans[y].is_none() {
            y += 1;
            continue;
        }
        let start = y;
        while y < h && spans[y].is_some() {
            y += 1;
        }
        // Rows through the letters break into pieces; the fill's own rows give its full width.
        let left = spans[start..y]
            .iter()
            .flatten()
            .map(|s| s.0)
            .min()
            .unwrap_or(0);
        let right = spans[start..y]
            .iter()
            .flatten()
            .map(|s| s.1)
            .max()
            .unwrap_or(0);
        runs.push((start, y, left, right));
    }
    // Rows that cross the light letters are less dense: runs a letter's height apart join into
    // one band when what lies between them is dark too (two rules around a white header do not).
    let max_gap = image.dpi as usize / 5;
    let mut bands: Vec<(usize, usize, usize, usize)> = Vec::new();
    for run in runs {
        if let Some(last) = bands.last_mut()
            && run.0 - last.1 <= max_gap
            && mostly_ink(image, last.1, run.0, last.2.max(run.2), last.3.min(run.3))
        {
            *last = (last.0, run.1, last.2.min(run.2), last.3.max(run.3));
            continue;
        }
        bands.push(run);
    }
    // A band is as tall as a line of text at least; thinner runs of dense rows are rules.
    let min_height = (image.dpi as usize / 12).max(6);
    for (start, end, x0, x1) in bands {
        if end - start < min_height || x1 <= x0 {
            continue;
        }
        // Inverted, the fill becomes a mid grey: threshold well below it, so the letters come
        // out black on white and the fill's speckle does not become ink.
        let mut values: Vec<u8> = Vec::with_capacity((end - start) * (x1 - x0));
        for row in start..end {
            values.extend(
                image.pixels[row * w + x0..row * w + x1]
                    .iter()
                    .map(|p| 255 - p),
            );
        }
        let mut sorted = values.clone();
        sorted.sort_unstable();
        let threshold = sorted[sorted.len() / 2] / 2;
        for (i, v) in values.into_iter().enumerate() {
            let (row, col) = (start + i / (x1 - x0), x0 + i % (x1 - x0));
            image.pixels[row * w + col] = if v < threshold { 0 } else { 255 };
        }
    }
}

/// Whether the median pixel of rows `from..to`, columns `x0..x1`, is ink.
fn mostly_ink(image: &PageImage, from: usize, to: usize, x0: usize, x1: usize) -> bool {
    if to <= from || x1 <= x0 {
        return true;
    }
    let w = image.width as usize;
    let mut values: Vec<u8> = (from..to)
        .flat_map(|row| image.pixels[row * w + x0..row * w + x1].iter().copied())
        .collect();
    let mid = values.len() / 2;
    *values.select_nth_unstable(mid).1 < INK
}

/// The longest stretch of the row that is at least 70% ink and `min_len` long, if any.
fn dense_span(row: &[u8], min_len: usize) -> Option<(usize, usize)> {
    // Ink density over a sliding window; a stretch is where the window stays dense.
    let win = min_len / 4;
    let mut best: Option<(usize, usize)> = None;
    let mut start: Option<usize> = None;
    let mut count = row[..win.min(row.len())]
        .iter()
        .filter(|&&p| p < INK)
        .count();
    for x in 0..row.len().saturating_sub(win) {
        let dense = count * 10 >= win * 7;
        match (dense, start) {
            (true, None) => start = Some(x),
            (false, Some(s)) => {
                let span = (s, x + win);
                if span.1 - span.0 >= min_len && best.is_none_or(|b| span.1 - span.0 > b.1 - b.0) {
                    best = Some(span);
                }
                start = None;
            }
            _ => {}
        }
        count -= usize::from(row[x] < INK);
        count += usize::from(row[x + win] < INK);
    }
    if let Some(s) = start {
        let span = (s, row.len());
        if span.1 - span.0 >= min_len && best.is_none_or(|b| span.1 - span.0 > b.1 - b.0) {
            best = Some(span);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_with_lines(angle_deg: f32) -> PageImage {
        let (w, h) = (800usize, 600usize);
        let mut pixels = vec![255u8; w * h];
        let t = angle_deg.to_radians().tan();
        for line in 0..10 {
            let y0 = 50.0 + line as f32 * 50.0;
            for x in 100..700 {
                // Dashes like words along a line.
                if (x / 20) % 3 == 2 {
                    continue;
                }
                let y = (y0 + x as f32 * t) as usize;
                for dy in 0..8 {
                    pixels[(y + dy) * w + x] = 0;
                }
            }
        }
        PageImage {
            width: w as u32,
            height: h as u32,
            dpi: 300,
            pixels,
        }
    }

    #[test]
    fn finds_the_lean_of_a_scan() {
        for angle in [-1.2f32, 0.0, 0.8] {
            let found = skew_degrees(&page_with_lines(angle));
            assert!((found - angle).abs() <= 0.15, "{angle} found {found}");
        }
        let mut page = page_with_lines(1.0);
        prepare(&mut page);
        assert!(skew_degrees(&page).abs() <= 0.15);
    }

    #[test]
    fn a_dark_band_is_inverted_and_text_is_left_alone() {
        let (w, h) = (400usize, 100usize);
        let mut pixels = vec![255u8; w * h];
        // A band of 30 rows across x 50..350, with white "letters" inside whose rows are less
        // dense than a band row.
        for y in 20..50 {
            for x in 50..350 {
                let letter = (28..42).contains(&y) && x % 5 < 2;
                pixels[y * w + x] = if letter { 255 } else { 40 };
            }
        }
        // Sparse ink below: text, not a band.
        for x in (50..350).step_by(7) {
            pixels[80 * w + x] = 0;
        }
        let mut image = PageImage {
            width: w as u32,
            height: h as u32,
            dpi: 300,
            pixels,
        };
        invert_bands(&mut image);
        assert_eq!(image.pixels[22 * w + 200], 255, "the fill is white now");
        assert_eq!(image.pixels[35 * w + 105], 0, "the letter is dark now");
        assert_eq!(
            image.pixels[35 * w + 107],
            255,
            "and the fill beside it white"
        );
        assert_eq!(
            image.pixels[80 * w + 50],
            0,
            "text outside bands is unchanged"
        );
    }
}
