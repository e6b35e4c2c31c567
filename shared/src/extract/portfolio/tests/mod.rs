//! Portfolio-table layouts the sample documents do not cover, built from synthetic glyphs.
mod names;
mod tables;

use std::str::FromStr;

pub(super) use rust_decimal::Decimal;

pub(super) use super::PortfolioReader;
pub(super) use crate::domain::{DocumentType, Extraction, FactValue};
use crate::extract::lines::build_lines;
use crate::pdf::Glyph;

const SIZE: f32 = 10.0;
const ADVANCE: f32 = SIZE * 0.5;

/// Right edges of the figure columns, so that figures print right-aligned under their header.
pub(super) const VINTAGE: f32 = 270.0;
pub(super) const COMMIT: f32 = 340.0;
pub(super) const PAID: f32 = 410.0;
pub(super) const DIST: f32 = 480.0;
pub(super) const NAV: f32 = 550.0;
pub(super) const TVPI: f32 = 600.0;
pub(super) const IRR: f32 = 650.0;

/// A cell printed with its right edge at `x`.
pub(super) fn r(x: f32, text: &str) -> (f32, String) {
    (x - text.chars().count() as f32 * ADVANCE, text.to_string())
}

pub(super) fn l(x: f32, text: &str) -> (f32, String) {
    (x, text.to_string())
}

fn glyphs(y: f32, cells: &[(f32, String)], bold: bool) -> Vec<Glyph> {
    let mut out = Vec::new();
    for (x, text) in cells {
        let mut left = *x;
        for ch in text.chars() {
            if !ch.is_whitespace() {
                out.push(Glyph {
                    ch,
                    left,
                    bottom: y - 0.2 * SIZE,
                    right: left + ADVANCE,
                    top: y + 0.8 * SIZE,
                    font_size: SIZE,
                    bold,
                });
            }
            left += ADVANCE;
        }
    }
    out
}

/// Builds a page from (baseline, cells) lines and feeds it to the reader.
pub(super) fn page(reader: &mut PortfolioReader, number: u32, lines: &[(f32, Vec<(f32, String)>)]) {
    let mut gs = Vec::new();
    for (y, cells) in lines {
        gs.extend(glyphs(*y, cells, false));
    }
    reader.add_page(number, &build_lines(&gs));
}

/// A fund row with every figure column, 20 points below the one before.
pub(super) fn fund(y: f32, name: &str, figures: [&str; 7]) -> (f32, Vec<(f32, String)>) {
    let [v, c, p, d, n, t, i] = figures;
    let cells = vec![
        l(50.0, name),
        r(VINTAGE, v),
        r(COMMIT, c),
        r(PAID, p),
        r(DIST, d),
        r(NAV, n),
        r(TVPI, t),
        r(IRR, i),
    ];
    (y, cells.into_iter().filter(|c| !c.1.is_empty()).collect())
}

/// The two-line header of the IRR table: "Fund Name | Vintage | Commitment | Paid-In Capital |
/// Distributions | NAV | TVPI | Net IRR".
pub(super) fn header(y: f32) -> Vec<(f32, Vec<(f32, String)>)> {
    vec![
        (
            y,
            vec![r(VINTAGE, "Vintage"), r(PAID, "Paid-In"), r(IRR, "Net")],
        ),
        (
            y - 11.0,
            vec![
                l(50.0, "Fund Name"),
                r(VINTAGE, "Year"),
                r(COMMIT, "Commitment"),
                r(PAID, "Capital"),
                r(DIST, "Distributed"),
                r(NAV, "NAV"),
                r(TVPI, "TVPI"),
                r(IRR, "IRR"),
            ],
        ),
    ]
}

pub(super) fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub(super) fn finish(reader: PortfolioReader, doc_type: DocumentType) -> Extraction {
    let mut out = Extraction::default();
    reader.finish(doc_type, &mut out);
    out
}
