//! Server-rendered SVG charts for the fund page: the J-curve (cumulative contributions,
//! distributions and net cash) and calls vs distributions per year. No script, no library.
use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};

const W: f64 = 640.0;
const H: f64 = 300.0;
const LEFT: f64 = 58.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 36.0;

pub const CONTRIB: &str = "#2563eb";
pub const DIST: &str = "#059669";
pub const NET: &str = "#b45309";
const GRID: &str = "#e5e7eb";
const AXIS: &str = "#6b7280";
const INK: &str = "#374151";

/// One dated flow as the LP sees it: money paid in (calls, less refunds) and money received.
#[derive(Debug, Clone, Copy)]
pub struct Event {
    pub date: NaiveDate,
    pub contributed: f64,
    pub distributed: f64,
}

/// (date, cumulative paid-in, cumulative distributed, net = distributed − paid-in).
type Point = (NaiveDate, f64, f64, f64);
/// Which value of a point a series draws.
type Pick = fn(&Point) -> f64;

/// Escapes text for SVG (XML) content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// 1250000 → "1.25M": axis labels must stay short.
pub fn compact(v: f64) -> String {
    let a = v.abs();
    let (n, suffix) = if a >= 1e9 {
        (v / 1e9, "B")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e3 {
        (v / 1e3, "K")
    } else {
        (v, "")
    };
    let s = format!("{n:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    let s = if s == "-0" { "0" } else { s };
    format!("{s}{suffix}")
}

/// A round step giving about `target` intervals over `range`.
fn nice_step(range: f64, target: f64) -> f64 {
    if range <= 0.0 || !range.is_finite() {
        return 1.0;
    }
    let raw = range / target;
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let nice = match norm {
        n if n <= 1.0 => 1.0,
        n if n <= 2.0 => 2.0,
        n if n <= 2.5 => 2.5,
        n if n <= 5.0 => 5.0,
        _ => 10.0,
    };
    nice * mag
}

/// The y scale: rounded bounds that include zero, and the ticks between them.
fn y_scale(min: f64, max: f64) -> (f64, f64, Vec<f64>) {
    let (min, max) = (min.min(0.0), max.max(0.0));
    let (min, max) = if (max - min).abs() < f64::EPSILON {
        (0.0, 1.0)
    } else {
        (min, max)
    };
    let step = nice_step(max - min, 5.0);
    let lo = (min / step).floor() * step;
    let hi = (max / step).ceil() * step;
    let n = ((hi - lo) / step).round() as i64;
    let ticks = (0..=n).map(|i| lo + step * i as f64).collect();
    (lo, hi, ticks)
}

fn open(out: &mut String, id: &str, title: &str, desc: &str) {
    let _ = write!(
        out,
        r#"<svg id="{id}" class="chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="13"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        esc(title),
        esc(desc)
    );
}

fn empty(id: &str, title: &str, message: &str) -> String {
    let mut out = String::new();
    open(&mut out, id, title, message);
    let _ = write!(
        out,
        r##"<rect x="{LEFT}" y="{TOP}" width="{}" height="{}" fill="#f9fafb" stroke="{GRID}"/><text x="{}" y="{}" text-anchor="middle" fill="{AXIS}" font-size="16">{}</text></svg>"##,
        W - LEFT - RIGHT,
        H - TOP - BOTTOM,
        LEFT + (W - LEFT - RIGHT) / 2.0,
        TOP + (H - TOP - BOTTOM) / 2.0,
        esc(message)
    );
    out
}

fn legend(out: &mut String, items: &[(&str, &str)]) {
    let mut x = LEFT;
    for (color, label) in items {
        let _ = write!(
            out,
            r#"<rect x="{x}" y="12" width="14" height="4" rx="1" fill="{color}"/><text x="{}" y="18" fill="{INK}">{}</text>"#,
            x + 20.0,
            esc(label)
        );
        x += 36.0 + 7.5 * label.chars().count() as f64;
    }
}

fn y_axis(out: &mut String, ticks: &[f64], y: impl Fn(f64) -> f64) {
    for &t in ticks {
        let yy = y(t);
        let stroke = if t == 0.0 { AXIS } else { GRID };
        let _ = write!(
            out,
            r#"<line x1="{LEFT}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="{stroke}"/><text x="{}" y="{:.1}" text-anchor="end" fill="{AXIS}">{}</text>"#,
            W - RIGHT,
            LEFT - 8.0,
            yy + 4.0,
            esc(&compact(t))
        );
    }
}

/// Month ticks about every `step` months, labelled by year, quarter or month as the span needs.
fn x_ticks(start: NaiveDate, end: NaiveDate) -> Vec<(NaiveDate, String)> {
    let months = |d: NaiveDate| d.year() as i64 * 12 + d.month0() as i64;
    let span = months(end) - months(start) + 1;
    let step = [1, 3, 6, 12, 24, 60]
        .into_iter()
        .find(|s| span / s <= 6)
        .unwrap_or(120);
    let mut m = months(start);
    if m % step != 0 || start.day() != 1 {
        m = (m / step + 1) * step;
    }
    let mut out = Vec::new();
    while m <= months(end) {
        let (y, mo) = ((m / 12) as i32, (m % 12) as u32 + 1);
        if let Some(d) = NaiveDate::from_ymd_opt(y, mo, 1) {
            let label = match step {
                s if s >= 12 => format!("{y}"),
                3 | 6 => format!("Q{} {y}", (mo - 1) / 3 + 1),
                _ => d.format("%b %Y").to_string(),
            };
            out.push((d, label));
        }
        m += step;
    }
    out
}

/// Cumulative paid-in, cumulative distributions and their difference (the J-curve) as step lines.
pub fn j_curve(events: &[Event]) -> String {
    let id = "j-curve";
    let title = "Cumulative contributions vs distributions (J-curve)";
    let mut by_date: BTreeMap<NaiveDate, (f64, f64)> = BTreeMap::new();
    for e in events {
        let v = by_date.entry(e.date).or_default();
        v.0 += e.contributed;
        v.1 += e.distributed;
    }
    if by_date.is_empty() {
        return empty(id, title, "No capital calls or distributions yet");
    }
    let (mut c, mut d) = (0.0, 0.0);
    let points: Vec<Point> = by_date
        .iter()
        .map(|(date, (dc, dd))| {
            c += dc;
            d += dd;
            (*date, c, d, d - c)
        })
        .collect();
    let first = points[0].0;
    let last = points[points.len() - 1].0;
    let (start, end) = if last - first < chrono::Duration::days(60) {
        (
            first - chrono::Duration::days(45),
            last + chrono::Duration::days(45),
        )
    } else {
        // A little room after the last flow, so a final step is not drawn on the border.
        (first, last + (last - first) / 25)
    };
    let span = (end - start).num_days().max(1) as f64;
    let x = |date: NaiveDate| LEFT + (date - start).num_days() as f64 / span * (W - LEFT - RIGHT);
    let lo = points.iter().map(|p| p.3).fold(0.0, f64::min);
    let hi = points.iter().map(|p| p.1.max(p.2)).fold(0.0, f64::max);
    let (ymin, ymax, ticks) = y_scale(lo, hi);
    let y = |v: f64| TOP + (ymax - v) / (ymax - ymin) * (H - TOP - BOTTOM);

    let final_point = points[points.len() - 1];
    let desc = format!(
        "From {first} to {last}: {} paid in, {} distributed, net cash {}.",
        compact(final_point.1),
        compact(final_point.2),
        compact(final_point.3)
    );
    let mut out = String::new();
    open(&mut out, id, title, &desc);
    legend(
        &mut out,
        &[
            (CONTRIB, "Paid-in capital"),
            (DIST, "Distributions"),
            (NET, "Net cash flow"),
        ],
    );
    y_axis(&mut out, &ticks, y);
    for (date, label) in x_ticks(start, end) {
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{}" text-anchor="middle" fill="{AXIS}">{}</text>"#,
            x(date),
            H - BOTTOM + 20.0,
            esc(&label)
        );
    }
    let series: [(&str, Pick, &str); 3] = [
        (CONTRIB, |p| p.1, "contributions"),
        (DIST, |p| p.2, "distributions"),
        (NET, |p| p.3, "net"),
    ];
    for (color, value, name) in series {
        let mut d = format!("M{:.1},{:.1}", x(first), y(0.0));
        for p in &points {
            let _ = write!(d, " H{:.1} V{:.1}", x(p.0), y(value(p)));
        }
        let _ = write!(d, " H{:.1}", x(end));
        let dash = if name == "net" {
            r#" stroke-dasharray="6 4""#
        } else {
            ""
        };
        let _ = write!(
            out,
            r#"<path class="series-{name}" d="{d}" fill="none" stroke="{color}" stroke-width="2.5"{dash}/>"#
        );
    }
    for p in &points {
        let _ = write!(
            out,
            r#"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="{NET}"><title>{}: net {}</title></circle>"#,
            x(p.0),
            y(p.3),
            p.0,
            esc(&compact(p.3))
        );
    }
    out.push_str("</svg>");
    out
}

/// Capital called and distributions received per calendar year, as paired bars.
pub fn per_year(events: &[Event]) -> String {
    let id = "per-year";
    let title = "Capital calls and distributions per year";
    let mut years: BTreeMap<i32, (f64, f64)> = BTreeMap::new();
    for e in events {
        let v = years.entry(e.date.year()).or_default();
        v.0 += e.contributed;
        v.1 += e.distributed;
    }
    if years.is_empty() {
        return empty(id, title, "No capital calls or distributions yet");
    }
    let lo = years.values().map(|v| v.0.min(v.1)).fold(0.0, f64::min);
    let hi = years.values().map(|v| v.0.max(v.1)).fold(0.0, f64::max);
    let (ymin, ymax, ticks) = y_scale(lo, hi);
    let y = |v: f64| TOP + (ymax - v) / (ymax - ymin) * (H - TOP - BOTTOM);
    let desc = years
        .iter()
        .map(|(yr, (c, d))| format!("{yr}: {} called, {} distributed", compact(*c), compact(*d)))
        .collect::<Vec<_>>()
        .join("; ");
    let mut out = String::new();
    open(&mut out, id, title, &desc);
    legend(&mut out, &[(CONTRIB, "Paid in"), (DIST, "Distributed")]);
    y_axis(&mut out, &ticks, y);
    let slot = (W - LEFT - RIGHT) / years.len() as f64;
    let bar = (slot * 0.32).min(48.0);
    for (i, (yr, (c, d))) in years.iter().enumerate() {
        let mid = LEFT + slot * (i as f64 + 0.5);
        for (j, (v, color, what)) in [(c, CONTRIB, "paid in"), (d, DIST, "distributed")]
            .into_iter()
            .enumerate()
        {
            let bx = mid - bar - 2.0 + j as f64 * (bar + 4.0);
            let (top, bottom) = (y(v.max(0.0)), y(v.min(0.0)));
            let _ = write!(
                out,
                r#"<rect x="{bx:.1}" y="{top:.1}" width="{bar:.1}" height="{:.1}" fill="{color}"><title>{yr} {what}: {}</title></rect>"#,
                (bottom - top).max(0.5),
                esc(&compact(*v))
            );
            if years.len() <= 8 && *v != 0.0 {
                let _ = write!(
                    out,
                    r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{INK}" font-size="11">{}</text>"#,
                    bx + bar / 2.0,
                    top - 5.0,
                    esc(&compact(*v))
                );
            }
        }
        let _ = write!(
            out,
            r#"<text x="{mid:.1}" y="{}" text-anchor="middle" fill="{AXIS}">{yr}</text>"#,
            H - BOTTOM + 20.0
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(y: i32, m: u32, c: f64, d: f64) -> Event {
        Event {
            date: NaiveDate::from_ymd_opt(y, m, 1).unwrap(),
            contributed: c,
            distributed: d,
        }
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc(r#"<script>"a"&'b'"#),
            "&lt;script&gt;&quot;a&quot;&amp;&#39;b&#39;"
        );
    }

    #[test]
    fn compact_labels() {
        assert_eq!(compact(1_250_000.0), "1.25M");
        assert_eq!(compact(-500_000.0), "-500K");
        assert_eq!(compact(0.0), "0");
        assert_eq!(compact(2e9), "2B");
    }

    #[test]
    fn scale_includes_zero_and_rounds() {
        let (lo, hi, ticks) = y_scale(-3_100_000.0, 9_700_000.0);
        assert!(lo <= -3_100_000.0 && hi >= 9_700_000.0);
        assert!(ticks.contains(&0.0));
        assert!(ticks.len() <= 9);
    }

    #[test]
    fn j_curve_draws_three_series_and_goes_negative() {
        let svg = j_curve(&[
            ev(2021, 3, 5e6, 0.0),
            ev(2022, 6, 3e6, 1e6),
            ev(2023, 9, 0.0, 4e6),
        ]);
        assert!(svg.starts_with("<svg id=\"j-curve\""));
        for s in ["series-contributions", "series-distributions", "series-net"] {
            assert!(svg.contains(s), "{s}");
        }
        assert!(svg.contains(">-5M<"), "the net line dips below zero: {svg}");
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn empty_charts_say_why() {
        assert!(j_curve(&[]).contains("No capital calls or distributions"));
        assert!(per_year(&[]).contains("No capital calls or distributions"));
    }

    #[test]
    fn per_year_has_a_pair_of_bars_per_year() {
        let svg = per_year(&[ev(2021, 3, 5e6, 0.0), ev(2022, 6, 3e6, 1e6)]);
        assert_eq!(svg.matches("<rect").count(), 2 + 4);
        assert!(svg.contains(">2021<") && svg.contains(">2022<"));
    }

    #[test]
    fn ticks_follow_the_span() {
        let d = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap();
        let years = x_ticks(d(2018, 1), d(2024, 6));
        assert!(years.iter().all(|(_, l)| l.len() == 4), "{years:?}");
        let quarters = x_ticks(d(2023, 2), d(2024, 1));
        assert!(quarters[0].1.starts_with('Q'), "{quarters:?}");
    }
}
