//! A page's run of table lines read into fund rows, total rows and group headings, with names
//! that wrap over two or more lines joined.
use rust_decimal::Decimal;

use super::cells;
use super::figures::{self, Figure};
use super::header::Column;
use super::roles::Role;
use crate::extract::lines::Line;
use crate::extract::text_blocks::is_furniture;

/// Lines that are not rows (a unit note, a title) allowed before the first row after a header.
const LEAD_AFTER_HEADER: usize = 3;
/// The same on a page that continues a table without repeating its header (running titles).
const LEAD_ON_CONTINUATION: usize = 12;
/// A wrapped line sits closer to its row than rows sit to each other.
const WRAP_PITCH: f32 = 0.8;
/// A vertical gap (in ems) after a row that ends the table.
const END_GAP_EMS: f32 = 3.0;
/// Without rows to measure the pitch: centre distance (in ems) of a wrapped line.
const WRAP_EMS: f32 = 1.5;

/// A row's cells read for their columns, before scaling.
#[derive(Debug, Clone, Default)]
pub struct RowCells {
    pub name: String,
    pub total_label: Option<String>,
    pub vintage: Option<i32>,
    /// Per column: the figure and its printed decimals.
    pub values: Vec<Option<(Decimal, u32)>>,
    /// Printed cells that are not figures: (column label, text).
    pub unreadable: Vec<(String, String)>,
    pub source_text: String,
    /// One figure and no vintage: a row only if more rows follow, else a footer ("Page 3").
    sparse: bool,
}

#[derive(Debug)]
pub enum Event {
    /// A group heading ("Buyout") that a subtotal may close.
    Heading,
    Row(RowCells),
}

#[derive(Debug)]
enum Kind {
    Row(RowCells),
    /// Text only: the name-column part, if any.
    Text(Option<String>),
}

#[derive(Debug)]
struct Item {
    kind: Kind,
    /// Index in the run's lines.
    line: usize,
    center: f32,
    font_size: f32,
    bold: bool,
    text: String,
}

/// The lines of one table on one page.
#[derive(Debug)]
pub struct Run {
    items: Vec<Item>,
    /// Index (in the lines given) after the last row, if there was one.
    pub end: Option<usize>,
}

enum Class {
    Row(RowCells),
    Text(Option<String>),
    Other,
}

impl Run {
    pub fn read(cols: &[Column], lines: &[Line], continuation: bool) -> Self {
        let lead = if continuation {
            LEAD_ON_CONTINUATION
        } else {
            LEAD_AFTER_HEADER
        };
        let mut items = Vec::new();
        let mut end = None;
        let mut others = 0;
        let mut prev: Option<&Line> = None;
        for (k, line) in lines.iter().enumerate() {
            let text = line.text();
            if is_furniture(&text) {
                continue;
            }
            // A wide gap after the rows ends the table even where the next line happens to align.
            if end.is_some()
                && prev.is_some_and(|p| {
                    p.bottom - line.top > END_GAP_EMS * line.font_size.max(p.font_size)
                })
            {
                break;
            }
            prev = Some(line);
            let kind = match classify(cols, line, &text) {
                Class::Other if end.is_some() => break,
                Class::Other => {
                    others += 1;
                    if others > lead {
                        break;
                    }
                    // Text above a title or note is not part of the table.
                    items.clear();
                    continue;
                }
                Class::Row(r) => {
                    end = Some(k + 1);
                    Kind::Row(r)
                }
                Class::Text(name) => Kind::Text(name),
            };
            items.push(Item {
                kind,
                line: k,
                center: line.center_y(),
                font_size: line.font_size,
                bold: line.bold,
                text,
            });
        }
        // A lone figure after the last row is a footer, not a fund.
        if let Some(last) = items.iter().rposition(|i| matches!(i.kind, Kind::Row(_)))
            && matches!(&items[last].kind, Kind::Row(r) if r.sparse)
        {
            items.truncate(last);
            end = items
                .iter()
                .rposition(|i| matches!(i.kind, Kind::Row(_)))
                .map(|p| items[p].line + 1);
        }
        Self { items, end }
    }

    /// Rows with their wrapped names joined, and headings, in printed order.
    pub fn events(self) -> Vec<Event> {
        let pitch = row_pitch(&self.items);
        let tight = |upper: &Item, lower: &Item| {
            let d = upper.center - lower.center;
            match pitch {
                Some(p) => d < WRAP_PITCH * p,
                None => d < WRAP_EMS * upper.font_size.max(lower.font_size),
            }
        };
        let rows_bold = self
            .items
            .iter()
            .any(|i| matches!(i.kind, Kind::Row(_)) && i.bold);
        let mut out: Vec<Event> = Vec::new();
        let mut prefix: Vec<&Item> = Vec::new();
        // The row the previous line belonged to, for names that continue below it.
        let mut attached: Option<usize> = None;
        for (k, item) in self.items.iter().enumerate() {
            match &item.kind {
                Kind::Row(r) => {
                    let mut r = r.clone();
                    let mut names: Vec<&str> = Vec::new();
                    let mut texts: Vec<&str> = Vec::new();
                    for p in prefix.drain(..) {
                        if let Kind::Text(Some(n)) = &p.kind {
                            names.push(n);
                        }
                        texts.push(&p.text);
                    }
                    let own = std::mem::take(&mut r.name);
                    names.push(&own);
                    texts.push(&item.text);
                    r.name = names.join(" ");
                    r.source_text = texts.join(" ");
                    out.push(Event::Row(r));
                    attached = Some(out.len() - 1);
                }
                Kind::Text(name) => {
                    let heading_style = item.bold && !rows_bold;
                    let prev = k.checked_sub(1).map(|p| &self.items[p]);
                    let next = self.items.get(k + 1);
                    let next_row = next.filter(|n| matches!(n.kind, Kind::Row(_)));
                    let next_unnamed = next_row
                        .is_some_and(|n| matches!(&n.kind, Kind::Row(r) if r.name.is_empty()));
                    let attached_name = match attached.and_then(|a| out.get(a)) {
                        Some(Event::Row(r)) => Some(r.name.as_str()),
                        _ => None,
                    };
                    // In dense tables a wrapped line sits as far below as the next row would:
                    // then only its wording tells ("Capital Partners," / "L.P.").
                    let reads_on = attached_name.is_some_and(|a| {
                        name.as_deref().is_some_and(|n| figures::reads_on(a, n))
                            && prev
                                .is_some_and(|p| p.center - item.center < WRAP_EMS * item.font_size)
                    });
                    let to_prev = !heading_style
                        && attached.is_some()
                        && prev.is_some_and(|p| tight(p, item) || reads_on);
                    let to_next = !heading_style && next_row.is_some_and(|n| tight(item, n));
                    if to_prev && !(to_next && next_unnamed) {
                        if let Some(Event::Row(r)) = attached.and_then(|a| out.get_mut(a)) {
                            if let Some(n) = name {
                                r.name = format!("{} {n}", r.name);
                                if let Some(label) = r.total_label.as_mut() {
                                    *label = format!("{label} {n}");
                                }
                            }
                            r.source_text = format!("{} {}", r.source_text, item.text);
                        }
                    } else if to_next {
                        prefix.push(item);
                        attached = None;
                    } else {
                        prefix.clear();
                        attached = None;
                        if name.is_some() {
                            out.push(Event::Heading);
                        }
                    }
                }
            }
        }
        for e in &mut out {
            if let Event::Row(r) = e {
                r.name = figures::clean_name(&r.name);
            }
        }
        out
    }
}

/// The usual distance between consecutive rows (the median), if rows follow each other.
fn row_pitch(items: &[Item]) -> Option<f32> {
    let mut gaps: Vec<f32> = items
        .windows(2)
        .filter(|w| matches!(w[0].kind, Kind::Row(_)) && matches!(w[1].kind, Kind::Row(_)))
        .map(|w| w[0].center - w[1].center)
        .filter(|d| *d > 0.0)
        .collect();
    if gaps.is_empty() {
        return None;
    }
    gaps.sort_by(f32::total_cmp);
    Some(gaps[gaps.len() / 2])
}

fn classify(cols: &[Column], line: &Line, text: &str) -> Class {
    let cut = cells::cut(cols, line);
    if cut.prose {
        return Class::Other;
    }
    let mut row = RowCells {
        values: vec![None; cols.len()],
        source_text: text.to_string(),
        ..RowCells::default()
    };
    let mut labels: Vec<&str> = Vec::new();
    let mut figures = 0;
    for (c, col) in cols.iter().enumerate() {
        let cell = cut.cells[c].as_deref();
        match col.role {
            Role::Name => row.name = cell.unwrap_or("").to_string(),
            Role::Vintage => match cell.map(figures::read_year) {
                Some(Some(y)) => row.vintage = Some(y),
                Some(None) => labels.extend(cell),
                None => {}
            },
            Role::Other => labels.extend(cell),
            role => match figures::read_figure(role, cell) {
                Figure::Value { value, decimals } => {
                    row.values[c] = Some((value, decimals));
                    figures += 1;
                }
                Figure::Missing => figures += usize::from(cell.is_some()),
                Figure::Unreadable => row
                    .unreadable
                    .push((col.label.clone(), cell.unwrap_or("").to_string())),
            },
        }
    }
    // Words in figure columns that are not figures: a title or a second header, not a row.
    if !row.unreadable.is_empty() && row.unreadable.len() >= figures {
        return Class::Other;
    }
    let name = Some(row.name.clone()).filter(|n| !n.is_empty());
    if figures == 0 && !(row.vintage.is_some() && name.is_some()) {
        return Class::Text(name);
    }
    row.total_label = if figures::is_total_label(&row.name) {
        Some(row.name.clone())
    } else {
        labels
            .iter()
            .find(|l| figures::is_total_label(l))
            .map(|l| l.to_string())
    };
    row.sparse = figures == 1 && row.vintage.is_none() && row.total_label.is_none();
    Class::Row(row)
}
