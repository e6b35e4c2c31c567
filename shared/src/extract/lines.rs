//! Groups a page's positioned glyphs into lines, words and gap-separated segments (cells).
use crate::pdf::Glyph;

/// Gap (in ems) above which two glyphs belong to different words. Loose glyph boxes span the
/// advance width, so letters of one word touch and a dropped space leaves ~0.25 em.
const WORD_GAP_EM: f32 = 0.12;
/// Gap (in ems) above which two words belong to different segments. Prose spacing stays well
/// below this even when justified; table columns are separated by more.
const SEGMENT_GAP_EM: f32 = 0.9;

/// A run of glyphs without a space-sized gap.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub text: String,
    pub left: f32,
    pub right: f32,
}

/// Words separated by prose-sized gaps only: a table cell or a piece of running text.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub words: Vec<Word>,
    pub left: f32,
    pub right: f32,
}

impl Segment {
    pub fn text(&self) -> String {
        join_words(&self.words)
    }

    fn from_words(words: Vec<Word>) -> Self {
        let left = words.first().map_or(0.0, |w| w.left);
        let right = words.last().map_or(0.0, |w| w.right);
        Self { words, left, right }
    }

    /// Splits at the `pieces - 1` widest gaps between words, for cells that ran together.
    pub fn split_widest(&self, pieces: usize) -> Vec<Segment> {
        if pieces <= 1 || self.words.len() < 2 {
            return vec![self.clone()];
        }
        let mut gaps: Vec<(f32, usize)> = self
            .words
            .windows(2)
            .enumerate()
            .map(|(i, w)| (w[1].left - w[0].right, i + 1))
            .collect();
        gaps.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut cuts: Vec<usize> = gaps.iter().take(pieces - 1).map(|g| g.1).collect();
        cuts.sort_unstable();
        let mut out = Vec::new();
        let mut start = 0;
        for cut in cuts.into_iter().chain(std::iter::once(self.words.len())) {
            if cut > start {
                out.push(Segment::from_words(self.words[start..cut].to_vec()));
            }
            start = cut;
        }
        out
    }
}

/// One visual line of text.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub segments: Vec<Segment>,
    pub top: f32,
    pub bottom: f32,
    pub left: f32,
    pub right: f32,
    /// Dominant font size of the line's glyphs.
    pub font_size: f32,
    /// (Nearly) every glyph is bold.
    pub bold: bool,
}

impl Line {
    /// The text as printed, words joined by single spaces.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for s in &self.segments {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&s.text());
        }
        out
    }

    pub fn center_y(&self) -> f32 {
        (self.top + self.bottom) / 2.0
    }
}

fn join_words(words: &[Word]) -> String {
    let mut out = String::with_capacity(words.iter().map(|w| w.text.len() + 1).sum());
    for w in words {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&w.text);
    }
    out
}

fn usable(g: &Glyph) -> bool {
    !g.ch.is_whitespace()
        && !g.ch.is_control()
        && g.left.is_finite()
        && g.right.is_finite()
        && g.top.is_finite()
        && g.bottom.is_finite()
        && g.top >= g.bottom
}

/// Builds lines top to bottom. Works on a copy sorted by position, because content order in
/// generated PDFs need not follow the visual order.
pub fn build_lines(glyphs: &[Glyph]) -> Vec<Line> {
    let mut gs: Vec<&Glyph> = glyphs.iter().filter(|g| usable(g)).collect();
    gs.sort_by(|a, b| {
        let ca = (a.top + a.bottom) / 2.0;
        let cb = (b.top + b.bottom) / 2.0;
        cb.total_cmp(&ca)
    });
    let mut groups: Vec<Vec<&Glyph>> = Vec::new();
    let mut cur: Vec<&Glyph> = Vec::new();
    let mut cur_center = 0.0f32;
    let mut cur_height = 0.0f32;
    for g in gs {
        let center = (g.top + g.bottom) / 2.0;
        let height = (g.top - g.bottom).max(g.font_size).max(1.0);
        if !cur.is_empty() && (cur_center - center).abs() <= 0.35 * cur_height.min(height) {
            cur.push(g);
            continue;
        }
        if !cur.is_empty() {
            groups.push(std::mem::take(&mut cur));
        }
        cur.push(g);
        cur_center = center;
        cur_height = height;
    }
    if !cur.is_empty() {
        groups.push(cur);
    }
    groups.into_iter().filter_map(make_line).collect()
}

fn make_line(mut gs: Vec<&Glyph>) -> Option<Line> {
    gs.sort_by(|a, b| a.left.total_cmp(&b.left));
    let font_size = dominant_size(&gs);
    let em = font_size.max(1.0);
    let bold_count = gs.iter().filter(|g| g.bold).count();
    let mut words: Vec<Word> = Vec::new();
    let mut prev_right = f32::NEG_INFINITY;
    for g in &gs {
        let gap = g.left - prev_right;
        match words.last_mut() {
            Some(w) if gap <= WORD_GAP_EM * em => {
                // Some generators draw text twice for a fake-bold effect.
                if is_overprint(w, g) {
                    continue;
                }
                w.text.push(g.ch);
                w.right = w.right.max(g.right);
            }
            _ => words.push(Word {
                text: g.ch.to_string(),
                left: g.left,
                right: g.right,
            }),
        }
        prev_right = prev_right.max(g.right);
    }
    let mut segments: Vec<Segment> = Vec::new();
    let mut run: Vec<Word> = Vec::new();
    for w in words {
        if let Some(last) = run.last()
            && w.left - last.right > SEGMENT_GAP_EM * em
        {
            segments.push(Segment::from_words(std::mem::take(&mut run)));
        }
        run.push(w);
    }
    if !run.is_empty() {
        segments.push(Segment::from_words(run));
    }
    let first = segments.first()?;
    let left = first.left;
    let right = segments.last().map_or(left, |s| s.right);
    let top = gs.iter().map(|g| g.top).fold(f32::MIN, f32::max);
    let bottom = gs.iter().map(|g| g.bottom).fold(f32::MAX, f32::min);
    Some(Line {
        segments,
        top,
        bottom,
        left,
        right,
        font_size,
        // Nearly all glyphs: a bold label before a regular value is a fact, not a heading.
        bold: bold_count * 10 >= gs.len() * 9,
    })
}

/// The same character drawn again at (nearly) the same place adds nothing.
fn is_overprint(w: &Word, g: &Glyph) -> bool {
    w.text.ends_with(g.ch) && (g.right - w.right).abs() < 0.05 * (g.right - g.left).max(0.5)
}

fn dominant_size(gs: &[&Glyph]) -> f32 {
    // Sizes are few and repeated, so the most common rounded size is the body size of the line.
    let mut counts: Vec<(i32, usize)> = Vec::new();
    for g in gs {
        let key = (g.font_size * 10.0).round() as i32;
        match counts.iter_mut().find(|c| c.0 == key) {
            Some(c) => c.1 += 1,
            None => counts.push((key, 1)),
        }
    }
    counts
        .iter()
        .max_by_key(|c| (c.1, c.0))
        .map_or(10.0, |c| c.0 as f32 / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyphs(text: &str, x0: f32, y: f32, advance: f32) -> Vec<Glyph> {
        let mut x = x0;
        let mut out = Vec::new();
        for ch in text.chars() {
            out.push(Glyph {
                ch,
                left: x,
                bottom: y,
                right: x + advance,
                top: y + 10.0,
                font_size: 10.0,
                bold: false,
            });
            x += advance;
        }
        out
    }

    #[test]
    fn splits_words_and_segments() {
        let mut g = glyphs("Call 1", 10.0, 100.0, 5.0);
        g.extend(glyphs("$5,000", 100.0, 100.0, 5.0));
        g.extend(glyphs("Next line", 10.0, 80.0, 5.0));
        let lines = build_lines(&g);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].segments.len(), 2);
        assert_eq!(lines[0].segments[0].text(), "Call 1");
        assert_eq!(lines[0].text(), "Call 1 $5,000");
        assert_eq!(lines[1].text(), "Next line");
    }

    #[test]
    fn split_widest_cuts_largest_gap() {
        let words = vec![
            Word {
                text: "Return".into(),
                left: 0.0,
                right: 10.0,
            },
            Word {
                text: "of".into(),
                left: 12.0,
                right: 15.0,
            },
            Word {
                text: "$5".into(),
                left: 25.0,
                right: 30.0,
            },
        ];
        let seg = Segment::from_words(words);
        let parts = seg.split_widest(2);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].text(), "Return of");
        assert_eq!(parts[1].text(), "$5");
    }
}
