//! From recognised text-line boxes to Tesseract-shaped words: boxes on one visual line share a
//! line number, and each box's text is split at its spaces into words with boxes of their own.
use super::image::Rect;
use super::rec::Read;
use crate::ocr::OcrWord;

/// One recognised box: where it is, what was read, and how many page pixels one recogniser time
/// step covers (to place each character back on the page).
#[derive(Debug, Clone)]
pub(super) struct LineRead {
    pub rect: Rect,
    pub reads: Vec<Read>,
    pub step_px: f32,
}

/// Boxes of one line that overlap or all but touch, joined. DB sometimes cuts a word in two
/// (a JPEG speck or a blurred comma breaks the kernel), and the grown halves overlap: read
/// apart, both read the overlap ("2022- -03-27", "$7,449 ,500"); read as one, the word is whole.
pub(super) fn join_touching(mut rects: Vec<Rect>) -> Vec<Rect> {
    let touching = |a: &Rect, b: &Rect| {
        let min_height = a.height().min(b.height());
        let shared_height = a.bottom.min(b.bottom) - a.top.max(b.top);
        let gap = a.left.max(b.left) - a.right.min(b.right);
        shared_height >= 0.5 * min_height && gap < 0.2 * min_height
    };
    let mut i = 0;
    while i < rects.len() {
        match (i + 1..rects.len()).find(|&j| touching(&rects[i], &rects[j])) {
            Some(j) => {
                let b = rects.swap_remove(j);
                let a = &mut rects[i];
                a.left = a.left.min(b.left);
                a.top = a.top.min(b.top);
                a.right = a.right.max(b.right);
                a.bottom = a.bottom.max(b.bottom);
                // The grown box may now touch one already passed.
                i = 0;
            }
            None => i += 1,
        }
    }
    rects
}

/// Indices of `rects` grouped into visual lines, top to bottom, each left to right. A box joins
/// a line when its middle is within half a box height of the line's mean middle: DB finds the
/// label and each amount of a table row as separate boxes, and the extractor needs them on
/// one line to read the row.
pub(super) fn visual_lines(rects: &[Rect]) -> Vec<Vec<usize>> {
    let middle = |r: &Rect| (r.top + r.bottom) / 2.0;
    let mut order: Vec<usize> = (0..rects.len()).collect();
    order.sort_by(|&a, &b| middle(&rects[a]).total_cmp(&middle(&rects[b])));
    let mut lines: Vec<(f32, f32, Vec<usize>)> = Vec::new(); // (sum of middles, min height, boxes)
    for i in order {
        let r = &rects[i];
        let joins = lines.last().is_some_and(|(sum, height, boxes)| {
            let line_middle = sum / boxes.len() as f32;
            (middle(r) - line_middle).abs() < 0.5 * height.min(r.height())
        });
        if joins {
            let (sum, height, boxes) = lines.last_mut().expect("checked");
            *sum += middle(r);
            *height = height.min(r.height());
            boxes.push(i);
        } else {
            lines.push((middle(r), r.height(), vec![i]));
        }
    }
    lines
        .into_iter()
        .map(|(_, _, mut boxes)| {
            boxes.sort_by(|&a, &b| rects[a].left.total_cmp(&rects[b].left));
            boxes
        })
        .collect()
}

/// Of a DB box's height, the margin on each side that is not ink: the box is grown from the
/// kernel for the recogniser's sake, and Tesseract's boxes of the same words are about 0.6 of
/// it. The glyphs take their font size from the boxes' height and the extractor its column gaps
/// from that size, so the words get the ink's box.
const MARGIN: f32 = 0.2;

/// How far a word reaches past its outer characters' time steps, in characters. Less than half:
/// a step is the recogniser's peak, not the glyph's centre, and a dropped comma leaves no step,
/// so at half the gap of "23, 2021" closed and the extractor read "232021".
const REACH: f32 = 0.3;

/// The words of one box, numbered `line`. The outer words keep the box's outer edges (less the
/// margin); inside, a word runs from `REACH` characters before its first character's time step to
/// as far after its last one, so neighbouring words keep the gap the space left.
pub(super) fn words(read: &LineRead, line: u32) -> Vec<OcrWord> {
    let m = MARGIN * read.rect.height();
    let rect = Rect {
        left: read.rect.left + m,
        top: read.rect.top + m,
        right: read.rect.right - m,
        bottom: read.rect.bottom - m,
    };
    let x = |step: usize| read.rect.left + (step as f32 + 0.5) * read.step_px;
    let groups: Vec<&[Read]> = read
        .reads
        .split(|r| r.ch.is_whitespace())
        .filter(|g| !g.is_empty())
        .collect();
    let half = pitch(&groups).map_or(rect.width() / read.reads.len().max(1) as f32, |steps| {
        steps * read.step_px
    }) * REACH;
    let last = groups.len().saturating_sub(1);
    groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let left = if i == 0 {
                rect.left
            } else {
                (x(g[0].step) - half).clamp(rect.left, rect.right)
            };
            let right = if i == last {
                rect.right
            } else {
                (x(g[g.len() - 1].step) + half).clamp(left + 1.0, rect.right)
            };
            let conf = 100.0 * g.iter().map(|r| r.prob).sum::<f32>() / g.len() as f32;
            OcrWord {
                text: g.iter().map(|r| r.ch).collect(),
                left: left.round() as u32,
                top: rect.top.round() as u32,
                width: (right - left).round().max(1.0) as u32,
                height: rect.height().round().max(1.0) as u32,
                conf,
                line,
            }
        })
        .collect()
}

/// Time steps from one character to the next inside words (the median): the box's width per
/// character would count the wide gaps between table cells in.
fn pitch(words: &[&[Read]]) -> Option<f32> {
    let mut gaps: Vec<usize> = words
        .iter()
        .flat_map(|w| w.windows(2).map(|p| p[1].step - p[0].step))
        .collect();
    gaps.sort_unstable();
    gaps.get(gaps.len() / 2).map(|&g| g as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(left: f32, top: f32, right: f32, bottom: f32) -> Rect {
        Rect {
            left,
            top,
            right,
            bottom,
        }
    }

    #[test]
    fn boxes_of_one_row_share_a_line_read_left_to_right() {
        let rects = [
            rect(1500.0, 104.0, 1800.0, 146.0), // the row's amount, a little lower
            rect(100.0, 100.0, 600.0, 140.0),   // its label
            rect(100.0, 160.0, 500.0, 200.0),   // the next row
            rect(900.0, 98.0, 1100.0, 138.0),   // its date
            rect(100.0, 400.0, 900.0, 500.0),   // a tall title further down
        ];
        assert_eq!(visual_lines(&rects), vec![vec![1, 3, 0], vec![2], vec![4]]);
    }

    #[test]
    fn overlapping_halves_of_a_word_are_joined_and_columns_are_not() {
        let rects = vec![
            rect(628.0, 1638.0, 728.0, 1682.0),   // "2022-"
            rect(1136.0, 1634.0, 1270.0, 1686.0), // "$7,449"
            rect(717.0, 1639.0, 830.0, 1684.0),   // "-03-27"
            rect(1259.0, 1641.0, 1338.0, 1680.0), // ",500"
            rect(900.0, 1640.0, 1000.0, 1684.0),  // "Call 2", 70 px after the date
            rect(640.0, 1700.0, 830.0, 1744.0),   // the next row's date
        ];
        let mut joined = join_touching(rects);
        // Row by row (the second starts below 1690), then left to right.
        joined.sort_by(|a, b| {
            (a.top > 1690.0, a.left)
                .partial_cmp(&(b.top > 1690.0, b.left))
                .unwrap()
        });
        assert_eq!(
            joined,
            vec![
                rect(628.0, 1638.0, 830.0, 1684.0),
                rect(900.0, 1640.0, 1000.0, 1684.0),
                rect(1136.0, 1634.0, 1338.0, 1686.0),
                rect(640.0, 1700.0, 830.0, 1744.0),
            ]
        );
    }

    #[test]
    fn a_line_one_box_taller_does_not_swallow_the_next_row() {
        // A box spanning two rows (a merged cell) must not join two rows into one line.
        let rects = [
            rect(100.0, 100.0, 600.0, 140.0),
            rect(800.0, 100.0, 900.0, 200.0),
            rect(100.0, 160.0, 600.0, 200.0),
        ];
        let lines = visual_lines(&rects);
        assert_eq!(lines.len(), 3, "{lines:?}");
    }

    fn read(text: &str, steps: &[usize]) -> Vec<Read> {
        text.chars()
            .zip(steps)
            .map(|(ch, &step)| Read {
                ch,
                step,
                prob: if ch == 'X' { 0.5 } else { 0.9 },
            })
            .collect()
    }

    #[test]
    fn words_take_their_characters_span() {
        // "Call 1,000" over 40 steps of 10 px each, on a box from x=100 to x=500.
        let line = LineRead {
            rect: rect(100.0, 50.0, 500.0, 90.0),
            reads: read("Call 1,X00", &[1, 3, 5, 7, 12, 26, 28, 30, 32, 34]),
            step_px: 10.0,
        };
        let w = words(&line, 7);
        assert_eq!(w.len(), 2);
        assert_eq!((w[0].text.as_str(), w[1].text.as_str()), ("Call", "1,X00"));
        // Characters are 2 steps (20 px) apart: a word reaches 6 px past its outer steps. The
        // box's margin is 0.2 × 40 = 8 px.
        assert_eq!((w[0].left, w[0].width), (108, 175 + 6 - 108));
        assert_eq!((w[1].left, w[1].left + w[1].width), (365 - 6, 492));
        assert_eq!((w[1].top, w[1].height, w[1].line), (58, 24, 7));
        assert!((w[1].conf - 82.0).abs() < 1e-3, "{}", w[1].conf);
        assert!(w[0].left + w[0].width < w[1].left);
    }

    #[test]
    fn spaces_alone_give_no_words() {
        let line = LineRead {
            rect: rect(0.0, 0.0, 100.0, 20.0),
            reads: read("  ", &[1, 5]),
            step_px: 2.0,
        };
        assert!(words(&line, 0).is_empty());
    }
}
