//! Lines over a few categories on x (thread counts, actor counts), log scale on y,
//! confidence intervals as whiskers; one or more panels side by side sharing a legend.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{
    bold_font, chart_error, decades, draw_legend, font, legend_width, marker, LegendEntry, Look,
    Unit, GRID, THRESHOLD_COLOR,
};

/// One measured point: `y` with its interval, at the `x`-th category.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Index into [`LineChart::x_categories`].
    pub x: usize,
    /// The value.
    pub y: f64,
    /// Interval low end.
    pub low: f64,
    /// Interval high end.
    pub high: f64,
}

/// One line.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// Colour, marker, dash.
    pub look: Look,
    /// Its points, in x order.
    pub points: Vec<Point>,
}

/// One plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Caption above the plot.
    pub title: String,
    /// What y measures.
    pub y_desc: String,
    /// Tick labels of y.
    pub unit: Unit,
    /// The lines.
    pub series: Vec<Series>,
    /// A horizontal reference line and its label.
    pub threshold: Option<(f64, String)>,
}

/// A figure of one or more panels over the same x categories.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// Figure title.
    pub title: String,
    /// What x is.
    pub x_desc: String,
    /// The x tick labels, in order.
    pub x_categories: Vec<String>,
    /// The plots, left to right.
    pub panels: Vec<Panel>,
    /// Heading of the legend.
    pub legend_title: String,
}

const WIDTH: u32 = 640;
const PANEL_H: u32 = 420;
const TITLE_H: u32 = 44;

impl LineChart {
    /// The figure as SVG.
    pub fn render(&self) -> Result<String, String> {
        let mut entries: Vec<LegendEntry> = Vec::new();
        for s in self.panels.iter().flat_map(|p| &p.series) {
            if !entries.iter().any(|e| e.name == s.name) {
                entries.push(LegendEntry {
                    name: s.name.clone(),
                    look: s.look,
                });
            }
        }
        let legend_w = legend_width(&self.legend_title, &entries);
        // Panels stack vertically: a figure stays narrow enough to be read at the
        // width a Markdown page shows it.
        let width = WIDTH + legend_w;
        let height = TITLE_H + PANEL_H * self.panels.len().max(1) as u32;
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
            root.fill(&WHITE).map_err(chart_error)?;
            let (title_area, body) = root.split_vertically(TITLE_H);
            title_area
                .draw(&Text::new(self.title.clone(), (16, 14), bold_font(22)))
                .map_err(chart_error)?;
            let (plots, legend) = body.split_horizontally(width - legend_w);
            draw_legend(&legend, &self.legend_title, &entries).map_err(chart_error)?;
            let areas = plots.split_evenly((self.panels.len().max(1), 1));
            for (area, panel) in areas.iter().zip(&self.panels) {
                self.draw_panel(area, panel).map_err(chart_error)?;
            }
            root.present().map_err(chart_error)?;
        }
        Ok(svg)
    }

    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, plotters::coord::Shift>,
        panel: &Panel,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let points = panel.series.iter().flat_map(|s| &s.points);
        let values = points.flat_map(|p| [p.y, p.low, p.high]);
        let (data_lo, data_hi) = decades(values);
        // The threshold widens the axis only when it is near the data: a line five
        // decades below every point would squash the points into a band.
        let threshold = panel
            .threshold
            .as_ref()
            .filter(|(t, _)| *t >= data_lo / 10.0 && *t <= data_hi * 10.0);
        let (lo, hi) = decades(
            [data_lo, data_hi]
                .into_iter()
                .chain(threshold.map(|(t, _)| *t)),
        );
        let caption = match (&panel.threshold, threshold) {
            (Some((t, label)), None) if *t < lo => format!("{} · all above {label}", panel.title),
            (Some((_, label)), None) => format!("{} · all below {label}", panel.title),
            _ => panel.title.clone(),
        };
        let last = self.x_categories.len().saturating_sub(1) as f64;
        let mut chart = ChartBuilder::on(area)
            .caption(&caption, font(15))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(-0.35..last + 0.35, (lo..hi).log_scale())?;
        let categories = &self.x_categories;
        let x_label = |v: &f64| {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 {
                categories.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        let unit = panel.unit;
        let y_label = |v: &f64| unit.tick(*v);
        chart
            .configure_mesh()
            .x_labels(categories.len().max(1))
            .x_label_formatter(&x_label)
            .y_label_formatter(&y_label)
            .y_labels(12)
            .disable_x_mesh()
            .light_line_style(GRID.mix(0.5))
            .bold_line_style(GRID)
            .label_style(font(14))
            .axis_desc_style(font(15))
            .x_desc(self.x_desc.as_str())
            .y_desc(panel.y_desc.as_str())
            .draw()?;

        if let Some((t, label)) = threshold {
            let style = THRESHOLD_COLOR.stroke_width(1);
            chart.draw_series(DashedLineSeries::new(
                [(-0.35, *t), (last + 0.35, *t)],
                6,
                4,
                style,
            ))?;
            let text = font(13)
                .color(&THRESHOLD_COLOR)
                .pos(Pos::new(HPos::Right, VPos::Bottom));
            chart.draw_series([
                EmptyElement::at((last + 0.3, *t)) + Text::new(label.clone(), (0, -3), text)
            ])?;
        }
        for s in &panel.series {
            let coords: Vec<(f64, f64)> = s.points.iter().map(|p| (p.x as f64, p.y)).collect();
            let line = s.look.color.stroke_width(2);
            if s.look.dashed {
                chart.draw_series(DashedLineSeries::new(coords.clone(), 7, 4, line))?;
            } else {
                chart.draw_series(LineSeries::new(coords.clone(), line))?;
            }
            // The confidence interval as a whisker with caps.
            let whisker = s.look.color.stroke_width(1);
            chart.draw_series(s.points.iter().map(|p| {
                let x = p.x as f64;
                PathElement::new([(x, p.low), (x, p.high)], whisker)
            }))?;
            chart.draw_series(s.points.iter().flat_map(|p| {
                [p.low, p.high].map(|y| {
                    EmptyElement::at((p.x as f64, y)) + PathElement::new([(-4, 0), (4, 0)], whisker)
                })
            }))?;
            chart.draw_series(coords.into_iter().map(|c| marker(c, s.look)))?;
        }
        Ok(())
    }
}
