//! One row per category (a scenario), a log-scale value axis, one marker per series
//! (an engine) with its confidence interval: compares engines scenario by scenario.

use plotters::prelude::*;

use super::style::{
    bold_font, chart_error, decades, draw_legend, font, legend_width, marker, LegendEntry, Look,
    Unit, BAND, GRID,
};

/// One value of one series in one row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dot {
    /// Index into [`DotChart::rows`].
    pub row: usize,
    /// The value.
    pub value: f64,
    /// Interval low end.
    pub low: f64,
    /// Interval high end.
    pub high: f64,
}

/// One series (drawn in every row it has a value for).
#[derive(Debug, Clone, PartialEq)]
pub struct DotSeries {
    /// Legend name.
    pub name: String,
    /// Colour and marker.
    pub look: Look,
    /// Its values.
    pub dots: Vec<Dot>,
}

/// The figure.
#[derive(Debug, Clone, PartialEq)]
pub struct DotChart {
    /// Figure title.
    pub title: String,
    /// What the value axis measures.
    pub x_desc: String,
    /// Tick labels of the value axis.
    pub unit: Unit,
    /// Row labels, top to bottom.
    pub rows: Vec<String>,
    /// The series.
    pub series: Vec<DotSeries>,
    /// Heading of the legend.
    pub legend_title: String,
}

const ROW_H: u32 = 40;
const PLOT_W: u32 = 560;

impl DotChart {
    /// The figure as SVG.
    pub fn render(&self) -> Result<String, String> {
        let entries: Vec<LegendEntry> = self
            .series
            .iter()
            .map(|s| LegendEntry {
                name: s.name.clone(),
                look: s.look,
            })
            .collect();
        let legend_w = legend_width(&self.legend_title, &entries);
        let longest_row = self
            .rows
            .iter()
            .map(|r| r.chars().count())
            .max()
            .unwrap_or(0);
        let label_w = (longest_row as u32 * 7 + 24).max(80);
        let legend_h = 40 + 22 * entries.len() as u32;
        let height = (140 + ROW_H * self.rows.len().max(1) as u32)
            .max(legend_h + 60)
            .max(240);
        let width = label_w + PLOT_W + legend_w;
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
            root.fill(&WHITE).map_err(chart_error)?;
            let (title_area, body) = root.split_vertically(44);
            title_area
                .draw(&Text::new(self.title.clone(), (16, 14), bold_font(22)))
                .map_err(chart_error)?;
            let (plot, legend) = body.split_horizontally(width - legend_w);
            draw_legend(&legend, &self.legend_title, &entries).map_err(chart_error)?;
            self.draw_plot(&plot, label_w).map_err(chart_error)?;
            root.present().map_err(chart_error)?;
        }
        Ok(svg)
    }

    fn draw_plot<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, plotters::coord::Shift>,
        label_w: u32,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let n = self.rows.len().max(1);
        let values = self
            .series
            .iter()
            .flat_map(|s| &s.dots)
            .flat_map(|d| [d.value, d.low, d.high]);
        let (lo, hi) = decades(values);
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .margin_top(4)
            .margin_right(28)
            .x_label_area_size(48)
            .y_label_area_size(label_w)
            .build_cartesian_2d((lo..hi).log_scale(), -0.5..n as f64 - 0.5)?;
        // Row 0 is drawn at the top.
        let rows = &self.rows;
        let y_label = |v: &f64| {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
                rows.get(n - 1 - i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        let unit = self.unit;
        let x_label = |v: &f64| unit.tick(*v);
        // Every other row on a grey band (under the grid), so each marker reads
        // against its own label.
        chart.draw_series((0..n).filter(|i| i % 2 == 0).map(|i| {
            let y = (n - 1 - i) as f64;
            Rectangle::new([(lo, y - 0.5), (hi, y + 0.5)], BAND.filled())
        }))?;
        chart
            .configure_mesh()
            .y_labels(n)
            .y_label_formatter(&y_label)
            .x_label_formatter(&x_label)
            .x_labels(12)
            .y_max_light_lines(0)
            .x_max_light_lines(1)
            .light_line_style(GRID.mix(0.5))
            .bold_line_style(GRID)
            .label_style(font(14))
            .axis_desc_style(font(15))
            .x_desc(self.x_desc.as_str())
            .draw()?;
        // Series side by side within a row, so equal values do not hide each other.
        let m = self.series.len();
        for (k, s) in self.series.iter().enumerate() {
            let offset = if m > 1 {
                0.25 - 0.5 * k as f64 / (m - 1) as f64
            } else {
                0.0
            };
            let y = |d: &Dot| (n - 1 - d.row) as f64 + offset;
            let whisker = s.look.color.stroke_width(1);
            chart.draw_series(
                s.dots
                    .iter()
                    .map(|d| PathElement::new([(d.low, y(d)), (d.high, y(d))], whisker)),
            )?;
            chart.draw_series(s.dots.iter().map(|d| marker((d.value, y(d)), s.look)))?;
        }
        Ok(())
    }
}
