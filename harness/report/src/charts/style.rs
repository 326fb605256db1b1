//! What every chart shares: colours, markers, fonts, log axes and the legend.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::format::duration_ns;

/// Colour-blind-safe series colours (Okabe–Ito, without yellow, which vanishes on
/// white, and without red, which marks thresholds).
pub const SERIES_COLORS: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(110, 80, 160),
];
/// The baseline's colour.
pub const BASELINE_COLOR: RGBColor = RGBColor(120, 120, 120);
/// Threshold lines.
pub const THRESHOLD_COLOR: RGBColor = RGBColor(179, 38, 30);
/// Axis labels and text.
pub const INK: RGBColor = RGBColor(31, 35, 40);
/// Grid lines.
pub const GRID: RGBColor = RGBColor(225, 228, 232);
/// Background band behind every other row of a dot chart.
pub const BAND: RGBColor = RGBColor(246, 248, 250);

/// Sans-serif text at `size` (plotters divides by 1.24 for the SVG font size).
pub fn font(size: u32) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&INK)
}

/// Bold sans-serif text at `size`.
pub fn bold_font(size: u32) -> TextStyle<'static> {
    ("sans-serif", size, FontStyle::Bold)
        .into_font()
        .color(&INK)
}

/// How one series looks: colour, marker, and whether its line is dashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    /// Line and marker colour.
    pub color: RGBColor,
    /// Marker shape: an index that cycles through the four shapes.
    pub marker: usize,
    /// Dashed line (a second contention level, say).
    pub dashed: bool,
    /// Outline-only marker (a raw engine beside its locklab counterpart).
    pub hollow: bool,
}

/// Number of distinct marker shapes.
pub const MARKERS: usize = 4;

/// A marker element: a filled polygon and its outline (plotters does not export
/// the composed type's name).
pub type Marker<C, DB> =
    <<EmptyElement<C, DB> as std::ops::Add<Polygon<(i32, i32)>>>::Output as std::ops::Add<
        PathElement<(i32, i32)>,
    >>::Output;

/// The marker of `look` at `at`, as an element of any coordinate system. Every shape
/// is a polygon in pixel offsets, so all markers share one element type; a hollow
/// marker is filled white inside its outline.
pub fn marker<C, DB: DrawingBackend>(at: C, look: Look) -> Marker<C, DB> {
    let shape: Vec<(i32, i32)> = match look.marker % MARKERS {
        0 => (0..16)
            .map(|i| {
                let a = f64::from(i) * std::f64::consts::TAU / 16.0;
                (
                    (5.0 * a.cos()).round() as i32,
                    (5.0 * a.sin()).round() as i32,
                )
            })
            .collect(),
        1 => vec![(0, -6), (6, 4), (-6, 4)],
        2 => vec![(-4, -4), (4, -4), (4, 4), (-4, 4)],
        _ => vec![(0, -6), (6, 0), (0, 6), (-6, 0)],
    };
    let fill = if look.hollow { WHITE } else { look.color };
    let mut outline = shape.clone();
    outline.push(shape[0]);
    EmptyElement::at(at)
        + Polygon::new(shape, fill.filled())
        + PathElement::new(outline, look.color.stroke_width(2))
}

/// A log axis range covering `values`, widened to whole decades so the axis has
/// labelled powers of ten at both ends.
pub fn decades(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo > hi {
        return (1.0, 10.0);
    }
    let lo = 10f64.powf(lo.log10().floor());
    let hi = 10f64.powf(hi.log10().ceil()).max(lo * 10.0);
    (lo, hi)
}

/// What a value axis counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Operations or executions: `1k`, `20M`.
    Count,
    /// Nanoseconds, shown as durations: `1 ms`.
    Nanoseconds,
}

impl Unit {
    /// A log-axis tick label, only at 1, 2 and 5 times a power of ten: an axis that
    /// spans a single decade gets ticks at every multiple, and nine labels crowd.
    pub fn tick(self, v: f64) -> String {
        let leading = (v / 10f64.powf(v.log10().floor())).round();
        if [1.0, 2.0, 5.0, 10.0].contains(&leading) {
            self.label(v)
        } else {
            String::new()
        }
    }

    /// A value label.
    pub fn label(self, v: f64) -> String {
        match self {
            Unit::Count => compact(v),
            Unit::Nanoseconds => duration_ns(v).replace(".00 ", " ").replace(".0 ", " "),
        }
    }
}

/// `1`, `20`, `1k`, `2.5M`: short tick labels.
pub fn compact(v: f64) -> String {
    let (scaled, unit) = [(1e9, "G"), (1e6, "M"), (1e3, "k")]
        .into_iter()
        .find(|(s, _)| v.abs() >= *s)
        .map_or((v, ""), |(s, u)| (v / s, u));
    let mut digits = format!("{scaled:.2}");
    if digits.contains('.') {
        digits = digits
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned();
    }
    format!("{digits}{unit}")
}

/// One legend entry.
pub struct LegendEntry {
    /// The series name.
    pub name: String,
    /// How it looks.
    pub look: Look,
}

/// Draws the legend down `area` (pixel coordinates), one entry per line.
pub fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    entries: &[LegendEntry],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let left = 8;
    let mut y = 20;
    area.draw(&Text::new(title.to_owned(), (left, y - 6), bold_font(15)))?;
    for entry in entries {
        y += 22;
        let line = [(left, y), (left + 30, y)];
        let style = entry.look.color.stroke_width(2);
        if entry.look.dashed {
            area.draw(&DashedPathElement::new(line, 5, 3, style))?;
        } else {
            area.draw(&PathElement::new(line, style))?;
        }
        area.draw(&marker((left + 15, y), entry.look))?;
        let text = font(14).pos(Pos::new(HPos::Left, VPos::Center));
        area.draw(&Text::new(entry.name.clone(), (left + 40, y), text))?;
    }
    Ok(())
}

/// Legend width for these names, in pixels (about 7 px per character at 14 px).
pub fn legend_width(title: &str, entries: &[LegendEntry]) -> u32 {
    let chars = entries
        .iter()
        .map(|e| e.name.chars().count())
        .chain([title.chars().count()])
        .max()
        .unwrap_or(0);
    (chars as u32 * 7 + 64).clamp(140, 420)
}

/// A plotters error as text, for [`crate::ReportError::Chart`].
pub fn chart_error<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}
