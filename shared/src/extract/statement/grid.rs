//! A page's label/value rows grouped under their column headers and headings, with wrapped
//! labels joined and each value cell mapped to its column by x position.
use rust_decimal::Decimal;

use super::cells::{self, Cell, Parsed};
use crate::domain::Period;
use crate::extract::amounts;
use crate::extract::lines::Line;

/// Largest horizontal distance (points) between a value and the header it sits under.
const COLUMN_REACH: f32 = 30.0;
/// A line pitch this many times the previous one separates two blocks of rows.
const BLOCK_GAP: f32 = 1.7;

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub left: f32,
    pub right: f32,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub label: String,
    /// Each value with the index of its column in the group, if it sits under one.
    pub cells: Vec<(Option<usize>, Cell)>,
    pub page: u32,
    pub top: f32,
    pub source_text: String,
}

/// Rows under one heading or header, not separated by a wide gap.
#[derive(Debug, Clone)]
pub struct Group {
    pub page: u32,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub scale: Decimal,
    pub period: Option<Period>,
}

/// Running text, for breakdowns and cash flows stated in sentences.
#[derive(Debug, Clone)]
pub struct Paragraph {
    pub page: u32,
    pub top: f32,
    pub text: String,
}

/// What carries from page to page: the unit note and the statement's period wording.
#[derive(Debug, Clone)]
pub struct State {
    pub scale: Decimal,
    pub period: Option<Period>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            scale: Decimal::ONE,
            period: None,
        }
    }
}

fn body_size(lines: &[Line]) -> f32 {
    let mut sizes: Vec<(i32, usize)> = Vec::new();
    for l in lines {
        let k = (l.font_size * 10.0).round() as i32;
        match sizes.iter_mut().find(|s| s.0 == k) {
            Some(s) => s.1 += 1,
            None => sizes.push((k, 1)),
        }
    }
    sizes
        .iter()
        .max_by_key(|s| s.1)
        .map_or(10.0, |s| s.0 as f32 / 10.0)
}

fn unit_note(text: &str) -> Option<Decimal> {
    if text.split_whitespace().count() > 16 {
        return None;
    }
    let t = text.to_lowercase();
    amounts::unit_scale(text).or_else(|| {
        [
            "(in usd)",
            "(in $)",
            "in u.s. dollars",
            "in us dollars",
            "(usd)",
        ]
        .iter()
        .any(|w| t.contains(w))
        .then_some(Decimal::ONE)
    })
}

fn distance(a: (f32, f32), b: (f32, f32)) -> f32 {
    (a.0 - b.1).max(b.0 - a.1).max(0.0)
}

fn column_of(columns: &[Column], cell: &Cell) -> Option<usize> {
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| (i, distance((c.left, c.right), (cell.left, cell.right))))
        .filter(|(_, d)| *d <= COLUMN_REACH)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

fn ends_open(label: &str) -> bool {
    let last = label.split_whitespace().last().unwrap_or("").to_lowercase();
    label.ends_with([',', '-', '&', '(', '/'])
        || matches!(
            last.as_str(),
            "and" | "of" | "in" | "the" | "for" | "to" | "on" | "from"
        )
}

fn starts_lower(text: &str) -> bool {
    text.chars().next().is_some_and(char::is_lowercase)
}

/// Reads a header at `i` if the next line with values sits under its segments. Returns the
/// columns and the stub text (the header cell over the labels, where a unit note may stand).
fn header_at(lines: &[Line], parsed: &[Parsed], i: usize) -> Option<(Vec<Column>, String)> {
    let segs = cells::header_cells(&lines[i])?;
    if !parsed[i].cells.is_empty() {
        return None;
    }
    let next = (i + 1..lines.len().min(i + 4)).find(|&j| !parsed[j].cells.is_empty())?;
    let row = &parsed[next];
    let first_value = row.cells.first().map_or(f32::MAX, |c| c.left);
    let mut stub = String::new();
    let mut columns = Vec::new();
    for (k, s) in segs.iter().enumerate() {
        let over_labels = s.left <= row.label_left + 15.0;
        if k == 0 && over_labels && s.right < first_value {
            stub = s.text();
            continue;
        }
        // A unit note or a heading over the labels names no column.
        if over_labels || unit_note(&s.text()).is_some() {
            return None;
        }
        columns.push(Column {
            name: s.text(),
            left: s.left,
            right: s.right,
        });
    }
    let aligned = !columns.is_empty() && row.cells.iter().all(|c| column_of(&columns, c).is_some());
    aligned.then_some((columns, stub))
}

/// A small superscript ("(1)") printed against the end of a header cell belongs to its name.
fn attach_marks(columns: &mut [Column], marks: &[&Line]) {
    for m in marks {
        for s in &m.segments {
            if let Some(c) = columns.iter_mut().find(|c| (s.left - c.right).abs() < 3.0) {
                c.name.push_str(&s.text());
            }
        }
    }
}

/// Builds the page's groups and paragraphs.
pub fn read_page(page: u32, lines: &[Line], state: &mut State) -> (Vec<Group>, Vec<Paragraph>) {
    let body = body_size(lines);
    let parsed: Vec<Parsed> = lines.iter().map(cells::parse_line).collect();
    let mut groups: Vec<Group> = Vec::new();
    let mut paragraphs: Vec<Paragraph> = Vec::new();
    let mut columns: Vec<Column> = Vec::new();
    let mut open = false;
    let mut pending: Option<String> = None;
    let mut prev_pitch = f32::MAX;
    let mut prev_top: Option<f32> = None;
    let mut prev_para = false;
    let mut used = vec![false; lines.len()];
    for i in 0..lines.len() {
        let line = &lines[i];
        if used[i] || line.font_size < 0.75 * body {
            continue;
        }
        let text = line.text();
        if let Some(s) = unit_note(&text) {
            state.scale = s;
        }
        if let Some(p) = super::keys::period_phrase(&text)
            && text.split_whitespace().count() <= 16
        {
            state.period = Some(p);
        }
        // Line pitch (top to top) is steadier than the white space between lines.
        let pitch = prev_top.map_or(0.0, |t| t - line.top);
        let wide = pitch > BLOCK_GAP * prev_pitch && pitch > 2.0 * line.font_size;
        prev_pitch = if pitch > 0.0 { pitch } else { prev_pitch };
        prev_top = Some(line.top);
        if let Some((mut cols, stub)) = header_at(lines, &parsed, i) {
            let marks: Vec<&Line> = lines
                .iter()
                .filter(|l| l.font_size < 0.75 * body && (l.top - line.top).abs() < line.font_size)
                .collect();
            attach_marks(&mut cols, &marks);
            let scale = unit_note(&stub).unwrap_or(state.scale);
            columns = cols;
            groups.push(new_group(page, &columns, scale, state.period));
            open = true;
            pending = None;
            continue;
        }
        let p = &parsed[i];
        if p.cells.is_empty() {
            let larger = line.font_size > body * 1.1;
            let tight_next = lines.get(i + 1).is_some_and(|n| {
                line.bottom - n.top < 1.2 * line.font_size && !parsed[i + 1].cells.is_empty()
            });
            let continues_row = open
                && !wide
                && groups.last().and_then(|g| g.rows.last()).is_some_and(|r| {
                    ends_open(&r.label) && r.top - line.top < 2.6 * line.font_size
                });
            if continues_row {
                if let Some(r) = groups.last_mut().and_then(|g| g.rows.last_mut()) {
                    r.label = format!("{} {}", r.label, p.label);
                    r.source_text = format!("{} {}", r.source_text, text);
                }
                continue;
            }
            if tight_next && (ends_open(&p.label) || starts_lower(&parsed[i + 1].label)) {
                pending = Some(p.label.clone());
                continue;
            }
            let words = text.split_whitespace().count();
            if line.segments.len() == 1 && (words >= 8 || prev_para) && !line.bold && !larger {
                match paragraphs.last_mut().filter(|_| prev_para) {
                    Some(par) => {
                        par.text.push(' ');
                        par.text.push_str(&text);
                    }
                    None => paragraphs.push(Paragraph {
                        page,
                        top: line.top,
                        text: text.clone(),
                    }),
                }
                prev_para = !text.trim_end().ends_with(['.', ':']) || words >= 8;
                continue;
            }
            prev_para = false;
            if line.bold || larger {
                if larger {
                    columns.clear();
                }
                open = false;
            }
            pending = Some(p.label.clone());
            continue;
        }
        prev_para = false;
        let mut label = p.label.clone();
        if let Some(pre) = pending.take() {
            label = if label.is_empty() {
                pre
            } else if ends_open(&pre) || starts_lower(&label) {
                format!("{pre} {label}")
            } else {
                label
            };
        }
        let mapped: Vec<(Option<usize>, Cell)> = p
            .cells
            .iter()
            .map(|c| (column_of(&columns, c), c.clone()))
            .collect();
        if !columns.is_empty() && mapped.iter().all(|m| m.0.is_none()) {
            columns.clear();
            open = false;
        }
        if !open || wide {
            groups.push(new_group(page, &columns, state.scale, state.period));
            open = true;
        }
        let row = Row {
            label,
            cells: mapped,
            page,
            top: line.top,
            source_text: text,
        };
        if let Some(g) = groups.last_mut() {
            g.rows.push(row);
        }
        used[i] = true;
    }
    groups.retain(|g| !g.rows.is_empty());
    (groups, paragraphs)
}

fn new_group(page: u32, columns: &[Column], scale: Decimal, period: Option<Period>) -> Group {
    Group {
        page,
        columns: columns.to_vec(),
        rows: Vec::new(),
        scale,
        period,
    }
}
