//! Text the engine's layout analysis left unread: ink that no recognised word covers and that is
//! not a table rule, grouped into regions that are read again on their own.
//!
//! Tesseract's page segmentation sometimes takes a whole ruled table for a picture and returns
//! nothing for it (a pale header on a grid, seen on `scans/dev05`); the same table cropped with a
//! white margin reads cleanly. Finding such regions costs a few milliseconds a page, and a second
//! recognition runs only where one is found.
use super::{OcrWord, PageImage};

/// Darker than this is ink (as in `prep.rs`).
const INK: u8 = 160;
/// Regions read again per page, largest first: a page of pictures must not cost a dozen passes.
const MAX_REGIONS: usize = 4;

/// A rectangle of the page image, in pixels, right and bottom exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Region {
    pub x0: usize,
    pub y0: usize,
    pub x1: usize,
    pub y1: usize,
}

/// Regions to read again, largest first: each ruled table (the frame its rules draw) that holds
/// unread text, and each block of unread text at least an inch wide outside any frame.
pub(super) fn unread(image: &PageImage, words: &[OcrWord]) -> Vec<Region> {
    let (w, h) = (image.width as usize, image.height as usize);
    let dpi = image.dpi.max(72) as usize;
    let mut ink: Vec<bool> = image.pixels.iter().map(|&p| p < INK).collect();
    let rules = take_rules(&mut ink, w, h, dpi / 4);
    for word in words {
        // A little beyond the box: its letters' anti-aliased edges are not new text.
        let pad = (word.height as usize / 4).max(2);
        let x0 = (word.left as usize).saturating_sub(pad);
        let y0 = (word.top as usize).saturating_sub(pad);
        let x1 = (word.left as usize + word.width as usize + pad).min(w);
        let y1 = (word.top as usize + word.height as usize + pad).min(h);
        for y in y0..y1.max(y0) {
            ink[y * w + x0.min(x1)..y * w + x1].fill(false);
        }
    }
    // Cells of about 1.3 mm: a cell with a few percent of ink holds part of a letter; a speck
    // of scanner noise rarely fills one.
    let cell = (dpi / 20).max(4);
    let grid = Grid::new(w, h, cell);
    let text = grid.mark(&ink, cell * cell / 12);
    let ruled = grid.mark(&rules, cell);
    let px = |r: Region, pad: usize| Region {
        x0: (r.x0 * cell).saturating_sub(pad),
        y0: (r.y0 * cell).saturating_sub(pad),
        x1: (r.x1 * cell + pad).min(w),
        y1: (r.y1 * cell + pad).min(h),
    };
    let mut out: Vec<(usize, Region)> = Vec::new();
    // A frame is at least an inch wide and two lines tall: an underline or a lone rule is not.
    let frames: Vec<Region> = components(&ruled, grid.w, grid.h, 1, 1)
        .into_iter()
        .map(|(_, r)| r)
        .filter(|r| r.x1 - r.x0 >= dpi / cell && r.y1 - r.y0 >= dpi / (4 * cell))
        .collect();
    for frame in &frames {
        let unread = grid.count(&text, *frame);
        // A cell's worth of a word at least: "-317" is four or five.
        if unread >= 3 {
            out.push((unread, px(*frame, cell)));
        }
    }
    // Cells of a line up to 12 mm apart and lines up to 5 mm apart make one block.
    let across = (dpi / 2 / cell).max(2);
    let down = (dpi / 5 / cell).max(2);
    for (cells, r) in components(&text, grid.w, grid.h, across, down) {
        let (rw, rh) = (r.x1 - r.x0, r.y1 - r.y0);
        // Wider than a short word and as tall as small print; sparse specks spread over a big
        // box are not text either.
        let text_like = rw >= dpi / cell && rh >= dpi / (8 * cell) && cells * 10 >= rw * rh;
        let framed = frames.iter().any(|f| overlaps(f, &r));
        if text_like && !framed {
            out.push((cells, px(r, dpi / 10)));
        }
    }
    out.sort_by_key(|(cells, _)| std::cmp::Reverse(*cells));
    out.into_iter().take(MAX_REGIONS).map(|(_, r)| r).collect()
}

/// Whether a word's middle lies in the region: such words are read again with it.
pub(super) fn holds(region: &Region, word: &OcrWord) -> bool {
    let (cx, cy) = (
        (word.left + word.width / 2) as usize,
        (word.top + word.height / 2) as usize,
    );
    (region.x0..region.x1).contains(&cx) && (region.y0..region.y1).contains(&cy)
}

fn overlaps(a: &Region, b: &Region) -> bool {
    a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1
}

/// The region cut out with a white margin and made black and white. Words outside it that reach
/// in are whitened: a cut line of letters at the edge would otherwise spoil the layout analysis
/// of the whole crop. Binary, because blurred bold letters (a header upscaled from a 150 dpi
/// scan) are otherwise dropped as noise: measured on `scans/dev05`, whose header only reads so.
pub(super) fn crop(image: &PageImage, region: Region, words: &[OcrWord]) -> (PageImage, usize) {
    let w = image.width as usize;
    let margin = (image.dpi as usize / 5).max(8);
    let (cw, ch) = (region.x1 - region.x0, region.y1 - region.y0);
    let (ow, oh) = (cw + 2 * margin, ch + 2 * margin);
    let mut pixels = vec![255u8; ow * oh];
    for y in 0..ch {
        let src = (region.y0 + y) * w + region.x0;
        let dst = (y + margin) * ow + margin;
        pixels[dst..dst + cw].copy_from_slice(&image.pixels[src..src + cw]);
    }
    for word in words.iter().filter(|word| !holds(&region, word)) {
        let (l, t) = (word.left as usize, word.top as usize);
        let (r, b) = (l + word.width as usize, t + word.height as usize);
        let (x0, x1) = (l.max(region.x0), r.min(region.x1));
        let (y0, y1) = (t.max(region.y0), b.min(region.y1));
        for y in y0..y1.max(y0) {
            let row = (y - region.y0 + margin) * ow;
            if x1 > x0 {
                pixels[row + x0 - region.x0 + margin..row + x1 - region.x0 + margin].fill(255);
            }
        }
    }
    let threshold = ink_threshold(&pixels).clamp(96, 176);
    for p in &mut pixels {
        *p = if *p < threshold { 0 } else { 255 };
    }
    let out = PageImage {
        width: ow as u32,
        height: oh as u32,
        dpi: image.dpi,
        pixels,
    };
    (out, margin)
}

/// Halfway between the ink (the darkest 2 %) and the paper (the median): Otsu's split leans
/// towards the paper on a crop that is mostly white, and thickens blurred letters into blobs.
fn ink_threshold(pixels: &[u8]) -> u8 {
    let mut hist = [0usize; 256];
    for &p in pixels {
        hist[p as usize] += 1;
    }
    let level = |share: f64| {
        let want = (pixels.len() as f64 * share) as usize;
        let mut seen = 0;
        hist.iter()
            .position(|&n| {
                seen += n;
                seen > want
            })
            .unwrap_or(255)
    };
    ((level(0.02) + level(0.5)) / 2) as u8
}

/// The page in square cells, to find text and frames at a coarser grain than pixels.
struct Grid {
    w: usize,
    h: usize,
    cell: usize,
    page_w: usize,
    page_h: usize,
}

impl Grid {
    fn new(page_w: usize, page_h: usize, cell: usize) -> Self {
        Self {
            w: page_w.div_ceil(cell),
            h: page_h.div_ceil(cell),
            cell,
            page_w,
            page_h,
        }
    }

    /// Cells holding at least `min` set pixels.
    fn mark(&self, pixels: &[bool], min: usize) -> Vec<bool> {
        let c = self.cell;
        let mut out = vec![false; self.w * self.h];
        for (gy, row) in out.chunks_mut(self.w).enumerate() {
            for (gx, cell) in row.iter_mut().enumerate() {
                let count: usize = (gy * c..((gy + 1) * c).min(self.page_h))
                    .map(|y| {
                        pixels[y * self.page_w + gx * c
                            ..y * self.page_w + ((gx + 1) * c).min(self.page_w)]
                            .iter()
                            .filter(|&&i| i)
                            .count()
                    })
                    .sum();
                *cell = count >= min.max(1);
            }
        }
        out
    }

    /// Marked cells inside a region given in cells.
    fn count(&self, cells: &[bool], r: Region) -> usize {
        (r.y0..r.y1)
            .map(|y| {
                cells[y * self.w + r.x0..y * self.w + r.x1]
                    .iter()
                    .filter(|&&c| c)
                    .count()
            })
            .sum()
    }
}

/// Takes horizontal and vertical runs of ink at least `min_len` long out of `ink` and returns
/// them: table rules, boxes and underlines, which frame text but are not text.
fn take_rules(ink: &mut [bool], w: usize, h: usize, min_len: usize) -> Vec<bool> {
    let mut rule = vec![false; ink.len()];
    for y in 0..h {
        mark_runs(|x| ink[y * w + x], w, min_len, |x| rule[y * w + x] = true);
    }
    for x in 0..w {
        mark_runs(|y| ink[y * w + x], h, min_len, |y| rule[y * w + x] = true);
    }
    for (i, r) in ink.iter_mut().zip(&rule) {
        *i &= !r;
    }
    rule
}

fn mark_runs(at: impl Fn(usize) -> bool, len: usize, min_len: usize, mut mark: impl FnMut(usize)) {
    let mut start = None;
    for i in 0..=len {
        match (i < len && at(i), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s >= min_len {
                    (s..i).for_each(&mut mark);
                }
                start = None;
            }
            _ => {}
        }
    }
}

/// Groups of inked cells, where cells up to `across` apart sideways and `down` apart between
/// lines belong together, as (inked cells, bounding box in cells).
fn components(
    inked: &[bool],
    gw: usize,
    gh: usize,
    across: usize,
    down: usize,
) -> Vec<(usize, Region)> {
    let mut seen = vec![false; inked.len()];
    let mut out = Vec::new();
    for start in 0..inked.len() {
        if !inked[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        let mut stack = vec![start];
        let mut cells = 0;
        let (mut x0, mut y0, mut x1, mut y1) = (gw, gh, 0, 0);
        while let Some(i) = stack.pop() {
            cells += 1;
            let (x, y) = (i % gw, i / gw);
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x + 1), y1.max(y + 1));
            for ny in y.saturating_sub(down)..(y + down + 1).min(gh) {
                for nx in x.saturating_sub(across)..(x + across + 1).min(gw) {
                    let j = ny * gw + nx;
                    if inked[j] && !seen[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        out.push((cells, Region { x0, y0, x1, y1 }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DPI: u32 = 300;

    fn blank() -> PageImage {
        PageImage {
            width: 1200,
            height: 900,
            dpi: DPI,
            pixels: vec![255; 1200 * 900],
        }
    }

    fn fill(image: &mut PageImage, x0: usize, y0: usize, x1: usize, y1: usize) {
        let w = image.width as usize;
        for y in y0..y1 {
            image.pixels[y * w + x0..y * w + x1].fill(0);
        }
    }

    /// "Letters": 14×30 px strokes 24 px apart along a line from x0 to x1.
    fn text_line(image: &mut PageImage, x0: usize, x1: usize, y: usize) {
        for x in (x0..x1).step_by(24) {
            fill(image, x, y, x + 14, y + 30);
        }
    }

    /// A ruled table of `rows` lines of text, its grid drawn 3 px thick.
    fn table(image: &mut PageImage, rows: usize) -> (usize, usize, usize, usize) {
        let (x0, y0, x1) = (200, 300, 1000);
        let y1 = y0 + rows * 60;
        for r in 0..=rows {
            fill(image, x0, y0 + r * 60, x1, y0 + r * 60 + 3);
        }
        for x in [x0, 500, x1 - 3] {
            fill(image, x, y0, x + 3, y1 + 3);
        }
        for r in 0..rows {
            text_line(image, x0 + 20, 480, y0 + r * 60 + 15);
            text_line(image, 520, x1 - 20, y0 + r * 60 + 15);
        }
        (x0, y0, x1, y1)
    }

    fn word(left: u32, top: u32, width: u32, height: u32) -> OcrWord {
        OcrWord {
            text: "x".into(),
            left,
            top,
            width,
            height,
            conf: 95.0,
            line: 0,
        }
    }

    #[test]
    fn an_unread_table_is_one_region_around_its_text() {
        let mut image = blank();
        let (x0, y0, x1, y1) = table(&mut image, 3);
        let found = unread(&image, &[]);
        assert_eq!(found.len(), 1, "{found:?}");
        let r = found[0];
        assert!(r.x0 <= x0 + 20 && r.x1 >= x1 - 20, "{r:?}");
        assert!(r.y0 <= y0 + 15 && r.y1 >= y1 - 15, "{r:?}");
    }

    #[test]
    fn a_table_whose_words_were_read_leaves_only_its_rules_and_no_region() {
        let mut image = blank();
        table(&mut image, 3);
        let words: Vec<OcrWord> = (0..3)
            .flat_map(|r| {
                let top = 300 + r * 60 + 15;
                [word(220, top, 270, 30), word(520, top, 470, 30)]
            })
            .collect();
        assert_eq!(unread(&image, &words), vec![]);
    }

    #[test]
    fn specks_and_a_lone_rule_are_not_text() {
        let mut image = blank();
        for i in 0..400 {
            let (x, y) = ((i * 7919) % 1180, (i * 104_729) % 880);
            fill(&mut image, x, y, x + 3, y + 3);
        }
        fill(&mut image, 100, 600, 1100, 604);
        assert_eq!(unread(&image, &[]), vec![]);
    }

    #[test]
    fn the_crop_keeps_its_own_words_and_whitens_those_reaching_in() {
        let mut image = blank();
        // Grey ink, to see it made black.
        let w = image.width as usize;
        for y in 100..130 {
            image.pixels[y * w + 100..y * w + 200].fill(60);
        }
        fill(&mut image, 300, 60, 400, 95);
        let region = Region {
            x0: 90,
            y0: 90,
            x1: 410,
            y1: 140,
        };
        let words = [word(100, 100, 100, 30), word(300, 60, 100, 35)];
        let (crop, margin) = crop(&image, region, &words);
        assert_eq!(margin, 60);
        assert_eq!((crop.width, crop.height), (320 + 120, 50 + 120));
        let at = |x: usize, y: usize| crop.pixels[y * crop.width as usize + x];
        assert_eq!(at(0, 0), 255);
        assert_eq!(
            at(60 + 20, 60 + 20),
            0,
            "the region's own word is kept, in black"
        );
        assert_eq!(
            at(60 + 220, 60 + 2),
            255,
            "the foot of a word above is whitened"
        );
    }

    #[test]
    fn a_ruled_table_with_one_unread_cell_is_read_again_whole() {
        let mut image = blank();
        let (x0, y0, x1, y1) = table(&mut image, 3);
        // Every cell read but the second row's right-hand one.
        let words: Vec<OcrWord> = (0..3)
            .flat_map(|r| {
                let top = (300 + r * 60 + 15) as u32;
                let mut row = vec![word(220, top, 270, 30)];
                if r != 1 {
                    row.push(word(520, top, 470, 30));
                }
                row
            })
            .collect();
        let found = unread(&image, &words);
        assert_eq!(found.len(), 1, "{found:?}");
        let r = found[0];
        assert!(
            r.x0 <= x0 && r.x1 >= x1 && r.y0 <= y0 && r.y1 >= y1,
            "{r:?}"
        );
        assert!(words.iter().all(|w| holds(&r, w)));
    }

    #[test]
    fn the_ink_threshold_sits_between_ink_and_paper() {
        let mut pixels = vec![250u8; 1000];
        pixels[..50].fill(20);
        assert_eq!(ink_threshold(&pixels), 135);
    }
}
