//! The header of a many-funds table: stacked header cells grouped into columns, each given a role.
use rust_decimal::Decimal;

use super::units::table_scale;
use crate::extract::amounts::{parse_amount, parse_multiple, parse_percent};
use crate::extract::lines::{Line, Segment};

/// Lines a stacked header may span ("Total Capital" / "Contributed" plus superscript markers).
const MAX_HEADER_LINES: usize = 6;
/// Vertical gap (in ems) between the lines of one header; a row below sits further away.
const HEADER_GAP_EM: f32 = 0.45;
/// Header cells are short labels; running text is not a header.
const MAX_HEADER_WORDS: usize = 6;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Name,
    Vintage,
    Commitment,
    Unfunded,
    Contributed,
    Distributed,
    Nav,
    TotalValue,
    Tvpi,
    Dpi,
    Irr,
    Other,
}

impl Role {
    /// Money columns, which add up over the rows and are scaled by the unit note.
    pub fn is_money(self) -> bool {
        matches!(
            self,
            Self::Commitment
                | Self::Unfunded
                | Self::Contributed
                | Self::Distributed
                | Self::Nav
                | Self::TotalValue
        )
    }

    /// The fund metrics that make a table a portfolio table.
    fn is_metric(self) -> bool {
        matches!(
            self,
            Self::Commitment
                | Self::Contributed
                | Self::Distributed
                | Self::Nav
                | Self::Tvpi
                | Self::Dpi
                | Self::Irr
        )
    }

    /// The fact key of this column's figure in a total row.
    pub fn fact_key(self) -> Option<&'static str> {
        Some(match self {
            Self::Commitment => "commitment",
            Self::Unfunded => "unfunded_commitment",
            Self::Contributed => "contributed_to_date",
            Self::Distributed => "distributed_to_date",
            Self::Nav => "nav",
            Self::TotalValue => "total_value",
            Self::Tvpi => "tvpi",
            Self::Dpi => "dpi",
            Self::Irr => "irr_pct",
            Self::Name | Self::Vintage | Self::Other => return None,
        })
    }
}

/// How sure a name header is that the rows are funds rather than companies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameKind {
    Fund,
    Generic,
    /// The manager's name: the fund's name when no other column names it.
    Manager,
}

impl NameKind {
    fn rank(self) -> u8 {
        match self {
            Self::Fund => 2,
            Self::Generic => 1,
            Self::Manager => 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub role: Role,
    pub left: f32,
    pub right: f32,
    /// The header text, top to bottom, without footnote markers or unit notes.
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct Header {
    pub columns: Vec<Column>,
    /// Scale stated inside the header ("Commitment ($M)").
    pub scale: Option<Decimal>,
    pub first_line: usize,
    /// Index of the first line after the header.
    pub end: usize,
}

/// The first portfolio-table header at or after line `from`.
pub fn find(lines: &[Line], from: usize) -> Option<Header> {
    let mut i = from;
    while i < lines.len() {
        if is_anchor(&lines[i]) {
            let (start, end) = block(lines, from, i);
            if let Some(h) = build(&lines[start..end], start, end) {
                return Some(h);
            }
            i = end.max(i + 1);
            continue;
        }
        i += 1;
    }
    None
}

/// A line with at least two cells that name fund metrics or the fund.
fn is_anchor(line: &Line) -> bool {
    header_like(line)
        && line
            .segments
            .iter()
            .filter(|s| role_of(&s.text().to_lowercase()).0 != Role::Other)
            .count()
            >= 2
}

/// Short label cells only, no figures apart from footnote markers.
fn header_like(line: &Line) -> bool {
    line.segments.iter().all(|s| {
        let t = s.text();
        is_footnote(&t)
            || (s.words.len() <= MAX_HEADER_WORDS
                && parse_amount(&t).is_none()
                && parse_percent(&t).is_none()
                && parse_multiple(&t).is_none())
    })
}

/// The header lines around an anchor: close together, label-like, not a title spanning columns.
fn block(lines: &[Line], floor: usize, anchor: usize) -> (usize, usize) {
    let seeds = &lines[anchor].segments;
    let close = |upper: &Line, lower: &Line| {
        upper.bottom - lower.top <= HEADER_GAP_EM * upper.font_size.max(lower.font_size)
    };
    let spans = |l: &Line| {
        l.segments.len() == 1
            && seeds
                .iter()
                .filter(|s| overlap(s, l.segments[0].left, l.segments[0].right) > 0.0)
                .count()
                >= 2
    };
    let mut start = anchor;
    while start > floor
        && anchor - start < MAX_HEADER_LINES
        && header_like(&lines[start - 1])
        && !spans(&lines[start - 1])
        && close(&lines[start - 1], &lines[start])
    {
        start -= 1;
    }
    let mut end = anchor + 1;
    while end < lines.len()
        && end - start < MAX_HEADER_LINES
        && header_like(&lines[end])
        && close(&lines[end - 1], &lines[end])
    {
        end += 1;
    }
    (start, end)
}

fn overlap(s: &Segment, left: f32, right: f32) -> f32 {
    s.right.min(right) - s.left.max(left)
}

/// Groups the block's cells into columns by horizontal overlap and checks the roles.
fn build(block: &[Line], start: usize, end: usize) -> Option<Header> {
    let seed_line = block.iter().max_by_key(|l| {
        l.segments
            .iter()
            .filter(|s| !is_footnote(&s.text()))
            .count()
    })?;
    let mut cols: Vec<(f32, f32, Vec<String>)> = seed_line
        .segments
        .iter()
        .filter(|s| !is_footnote(&s.text()))
        .map(|s| (s.left, s.right, Vec::new()))
        .collect();
    let mut unit_text = String::new();
    for line in block {
        for s in &line.segments {
            let text = s.text();
            if is_footnote(&text) {
                continue;
            }
            let hits: Vec<usize> = (0..cols.len())
                .filter(|&c| overlap(s, cols[c].0, cols[c].1) > 0.0)
                .collect();
            match hits.as_slice() {
                [] => cols.push((s.left, s.right, vec![text])),
                [c] => {
                    let col = &mut cols[*c];
                    col.0 = col.0.min(s.left);
                    col.1 = col.1.max(s.right);
                    col.2.push(text);
                }
                // A group heading over several columns says nothing about any one of them.
                _ => {
                    unit_text.push_str(&text);
                    unit_text.push(' ');
                }
            }
        }
    }
    cols.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut columns = Vec::with_capacity(cols.len());
    let mut kinds = Vec::with_capacity(cols.len());
    for (left, right, texts) in cols {
        let raw = texts.join(" ");
        unit_text.push_str(&raw);
        unit_text.push(' ');
        let label = clean_label(&raw);
        let (role, kind) = role_of(&label.to_lowercase());
        kinds.push(kind);
        columns.push(Column {
            role,
            left,
            right,
            label,
        });
    }
    // Of several name-like columns ("Manager", "Fund"), the one naming the fund holds the name.
    let name_col = (0..columns.len())
        .filter_map(|c| kinds[c].map(|k| (c, k)))
        .max_by_key(|&(c, k)| (k.rank(), std::cmp::Reverse(c)));
    for (c, col) in columns.iter_mut().enumerate() {
        if col.role == Role::Name && name_col.is_some_and(|(n, _)| n != c) {
            col.role = Role::Other;
        }
    }
    let name_kind = name_col.map(|(_, k)| k);
    let has = |r: Role| columns.iter().any(|c| c.role == r);
    let metrics = columns.iter().filter(|c| c.role.is_metric()).count();
    let confident = match name_kind? {
        NameKind::Fund => true,
        // "Investment" also heads a fund's own table of portfolio companies, which have no
        // commitment and no vintage.
        NameKind::Generic | NameKind::Manager => has(Role::Commitment) || has(Role::Vintage),
    };
    (metrics >= 3 && confident).then(|| Header {
        columns,
        scale: table_scale(&unit_text),
        first_line: start,
        end,
    })
}

/// Header text without footnote markers ("Multiple 1,2", "IRR2") or unit notes ("($M)").
pub fn clean_label(raw: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut in_unit_note = false;
    for w in raw.split_whitespace() {
        if in_unit_note || (w.starts_with('(') && !w.ends_with(')') && is_unit_word(w)) {
            in_unit_note = !w.ends_with(')');
            continue;
        }
        if is_footnote(w) || (w.starts_with('(') && w.ends_with(')') && is_unit_word(w)) {
            continue;
        }
        let trimmed = strip_trailing_marker(w);
        if !trimmed.is_empty() {
            words.push(trimmed.to_string());
        }
    }
    words.join(" ")
}

fn is_unit_word(w: &str) -> bool {
    let t = w.to_lowercase();
    t.contains('$')
        || t.contains('€')
        || t.contains('£')
        || t.contains("usd")
        || t.contains("eur")
        || t.contains("000")
        || t.contains("million")
        || t.contains("thousand")
        || t == "(m)"
        || t == "(mm)"
        || t == "(in"
        || t == "(%)"
}

/// A footnote reference set apart from its header text: "2", "1,2", "(a)", "*".
fn is_footnote(text: &str) -> bool {
    let t = text.trim();
    let symbols = |c: char| matches!(c, '*' | '†' | '‡' | '§' | '#' | '^');
    !t.is_empty()
        && (t.chars().all(symbols)
            || (t.len() <= 5
                && t.chars().any(|c| c.is_ascii_digit())
                && t.chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, ',' | '(' | ')')))
            || (t.len() == 3 && t.starts_with('(') && t.ends_with(')')))
}

/// "IRR2" → "IRR": a digit or two glued to a word by a superscript.
fn strip_trailing_marker(w: &str) -> &str {
    let w = w.trim_end_matches(['*', '†', '‡', '§']);
    let digits = w.len() - w.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let stem = &w[..w.len() - digits];
    if (1..=2).contains(&digits)
        && stem.chars().count() >= 2
        && stem.chars().all(char::is_alphabetic)
    {
        stem
    } else {
        w
    }
}

/// The role a header text names. More specific names are tested first: "Distributions /
/// Paid-In" is DPI, "Total Value Multiple" is TVPI, "Unfunded Commitment" is not the commitment,
/// "Cash Out & Remaining Value" is a total value, not the NAV.
fn role_of(t: &str) -> (Role, Option<NameKind>) {
    let has = |ws: &[&str]| ws.iter().any(|w| t.contains(w));
    let word = |w: &str| t.split(|c: char| !c.is_alphanumeric()).any(|x| x == w);
    let ratio = t.contains('/') || t.contains(" to ");
    let paid = has(&["paid", "contribut", " pi"]);
    let role = if word("irr") || has(&["internal rate"]) {
        Role::Irr
    } else if word("dpi") || (ratio && paid && has(&["distribut", "dist"])) {
        Role::Dpi
    } else if word("tvpi")
        || word("moic")
        || word("tvm")
        || has(&["multiple"])
        || (ratio && paid && has(&["total value", "tv"]))
    {
        Role::Tvpi
    } else if has(&["date", "%"]) && !has(&["to date"]) {
        Role::Other
    } else if has(&[
        "unfunded",
        "uncalled",
        "remaining commitment",
        "remaining to be",
        "undrawn",
    ]) {
        Role::Unfunded
    } else if has(&["commit"]) {
        Role::Commitment
    } else if has(&["total value"])
        || (has(&["remaining value", "market value", "nav"]) && has(&["cash out", "distribut"]))
    {
        Role::TotalValue
    } else if word("nav")
        || has(&[
            "net asset value",
            "fair value",
            "market value",
            "fair market",
            "remaining value",
            "reported value",
            "unrealized value",
            "carrying value",
            "valuation",
        ])
    {
        Role::Nav
    } else if has(&["distribut", "realized", "cash out", "returned"]) {
        Role::Distributed
    } else if has(&[
        "contribut",
        "paid-in",
        "paid in",
        "called",
        "drawn",
        "funded",
        "cash in",
    ]) {
        Role::Contributed
    } else if word("vintage") || t == "year" || t == "vintage year" || t == "inception year" {
        Role::Vintage
    } else if has(&[
        "size", "type", "strategy", "year", "geograph", "sector", "currency", "status", "region",
    ]) {
        Role::Other
    } else if has(&["fund", "partnership", "vehicle"]) {
        return (Role::Name, Some(NameKind::Fund));
    } else if word("investment") || word("investments") || word("name") {
        return (Role::Name, Some(NameKind::Generic));
    } else if has(&["manager", "sponsor", "general partner"]) {
        return (Role::Name, Some(NameKind::Manager));
    } else {
        Role::Other
    };
    (role, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_of_common_headers() {
        let cases = [
            ("total capital contributed", Role::Contributed),
            ("total capital distributed", Role::Distributed),
            ("fair market value", Role::Nav),
            ("total value multiple", Role::Tvpi),
            ("capital commitment", Role::Commitment),
            ("unfunded commitment", Role::Unfunded),
            ("distributions / paid-in (dpi)", Role::Dpi),
            ("net irr", Role::Irr),
            ("vintage year", Role::Vintage),
            ("partnership", Role::Name),
            ("fund name", Role::Name),
            ("investment date", Role::Other),
            ("paid-in capital", Role::Contributed),
            ("capital committed", Role::Commitment),
            ("cash in", Role::Contributed),
            ("cash out", Role::Distributed),
            ("cash out & remaining value", Role::TotalValue),
            ("investment multiple", Role::Tvpi),
            ("total value / paid-in", Role::Tvpi),
            ("distributions / paid-in", Role::Dpi),
            ("commitment date", Role::Other),
            ("capital called to date", Role::Contributed),
            ("distributions to date", Role::Distributed),
            ("market value", Role::Nav),
            ("fund size", Role::Other),
            ("manager", Role::Name),
        ];
        for (text, want) in cases {
            assert_eq!(role_of(text).0, want, "{text}");
        }
    }

    #[test]
    fn labels_lose_markers_and_unit_notes() {
        assert_eq!(
            clean_label("Total Value Multiple 1,2"),
            "Total Value Multiple"
        );
        assert_eq!(clean_label("IRR2"), "IRR");
        assert_eq!(clean_label("Commitment ($ in millions)"), "Commitment");
        assert_eq!(clean_label("NAV ($M)"), "NAV");
        assert_eq!(clean_label("Fund III"), "Fund III");
    }
}
