//! The report's SVG charts, drawn with plotters: throughput against threads per
//! scheme, executions per second and time to bug per engine, and growth with actors.
//!
//! Without plotters' `ttf` feature the SVG backend writes `<text>` elements and
//! leaves the font to the viewer; its layout uses a rough width estimate, so labels
//! are kept short and the legend has its own column instead of overlapping the plot.

mod dot_chart;
mod line_chart;
mod style;

use crate::format::DistinctSorted;
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use super::error::ReportError;
use super::measurements::{Measurements, Rate, ThroughputPoint, BASELINE_SCHEME, OPS_TARGET};
pub use dot_chart::{Dot, DotChart, DotSeries};
pub use line_chart::{LineChart, Panel, Point, Series};
pub use style::{Look, Unit};
use style::{BASELINE_COLOR, MARKERS, SERIES_COLORS};

/// The engine-name prefix of a raw engine measured beside a locklab engine (the
/// benches' contract: `raw-shuttle-random` is shuttle's own `check_random`).
pub const RAW_PREFIX: &str = "raw-shuttle-";

/// One chart written to the report directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartFile {
    /// What it shows: `throughput/<scheme>`, `search-speed`, `time-to-bug`, `growth`.
    pub subject: String,
    /// Path relative to the report directory, with `/` separators (for Markdown links).
    pub path: String,
}

/// Draws every chart the measurements allow into `out_dir/charts/`.
pub fn write_all(m: &Measurements, out_dir: &Path) -> Result<Vec<ChartFile>, ReportError> {
    let mut figures: Vec<(String, String, Result<String, String>)> = Vec::new();
    for scheme in schemes(&m.throughput) {
        let name = format!("throughput-{}", super::format::file_name(&scheme));
        figures.push((
            format!("throughput/{scheme}"),
            name,
            throughput(m, &scheme).render(),
        ));
    }
    let engines = engine_looks(m);
    if !m.search_speed.is_empty() {
        figures.push((
            "search-speed".into(),
            "search-speed".into(),
            search_speed(m, &engines).render(),
        ));
    }
    if !m.time_to_bug.is_empty() {
        figures.push((
            "time-to-bug".into(),
            "time-to-bug".into(),
            time_to_bug(m, &engines).render(),
        ));
    }
    if !m.growth.is_empty() {
        figures.push(("growth".into(), "growth".into(), growth(m).render()));
    }
    let dir = out_dir.join("charts");
    fs::create_dir_all(&dir).map_err(|e| ReportError::io(&dir, "create directory", e))?;
    figures
        .into_iter()
        .map(|(subject, name, svg)| {
            let path = dir.join(format!("{name}.svg"));
            let svg = svg.map_err(|reason| ReportError::Chart {
                path: path.clone(),
                reason,
            })?;
            fs::write(&path, svg).map_err(|e| ReportError::io(&path, "write", e))?;
            Ok(ChartFile {
                subject,
                path: format!("charts/{name}.svg"),
            })
        })
        .collect()
}

/// Schemes with throughput data other than the baseline (the baseline is drawn in
/// each of their charts); the baseline alone if nothing else was measured.
pub fn schemes(points: &[ThroughputPoint]) -> Vec<String> {
    let all: BTreeSet<&str> = points.iter().map(|p| p.scheme.as_str()).collect();
    let others: Vec<String> = all
        .iter()
        .filter(|s| **s != BASELINE_SCHEME)
        .map(|s| (*s).to_owned())
        .collect();
    if others.is_empty() {
        all.into_iter().map(str::to_owned).collect()
    } else {
        others
    }
}

fn point(x: usize, rate: &Rate) -> Point {
    Point {
        x,
        y: rate.per_second,
        low: rate.low,
        high: rate.high,
    }
}

fn throughput(m: &Measurements, scheme: &str) -> LineChart {
    let points: Vec<&ThroughputPoint> = m
        .throughput
        .iter()
        .filter(|p| p.scheme == scheme || (p.is_baseline() && scheme != BASELINE_SCHEME))
        .collect();
    let threads: Vec<u64> = points.iter().map(|p| p.threads).distinct_sorted();
    let contentions: Vec<&str> = points
        .iter()
        .map(|p| p.contention.as_str())
        .distinct_sorted();
    let variants: Vec<&str> = points
        .iter()
        .filter(|p| !p.is_baseline())
        .map(|p| p.variant.as_str())
        .distinct_sorted();
    let mut series: Vec<Series> = Vec::new();
    for p in &points {
        let name = if p.is_baseline() {
            format!("{BASELINE_SCHEME}/{} · {}", p.variant, p.contention)
        } else {
            format!("{} · {}", p.variant, p.contention)
        };
        let c = contentions
            .iter()
            .position(|c| *c == p.contention)
            .unwrap_or(0);
        let look = Look {
            color: if p.is_baseline() && scheme != BASELINE_SCHEME {
                BASELINE_COLOR
            } else {
                let v = variants.iter().position(|v| *v == p.variant).unwrap_or(0);
                SERIES_COLORS[v % SERIES_COLORS.len()]
            },
            marker: c % MARKERS,
            dashed: c % 2 == 1,
            hollow: false,
        };
        let x = threads.iter().position(|t| *t == p.threads).unwrap_or(0);
        match series.iter_mut().find(|s| s.name == name) {
            Some(s) => s.points.push(point(x, &p.ops)),
            None => series.push(Series {
                name,
                look,
                points: vec![point(x, &p.ops)],
            }),
        }
    }
    // The baseline last, so the scheme's own variants lead the legend.
    series.sort_by_key(|s| s.look.color == BASELINE_COLOR);
    LineChart {
        title: format!("{scheme}: lock operations per second"),
        x_desc: "threads".into(),
        x_categories: threads.iter().map(u64::to_string).collect(),
        panels: vec![Panel {
            title: "higher is better · whiskers: confidence interval".into(),
            y_desc: "operations / s (log)".into(),
            unit: Unit::Count,
            series,
            threshold: Some((OPS_TARGET, format!("{} ops/s", OPS_TARGET))),
        }],
        legend_title: "variant · contention".into(),
    }
}

/// One look per engine, shared by the search-speed and time-to-bug charts. A raw
/// engine `raw-shuttle-X` takes the look of its locklab counterpart `X`, hollow, so
/// the pair reads as one comparison.
fn engine_looks(m: &Measurements) -> Vec<(String, Look)> {
    let engines: BTreeSet<&str> = m
        .search_speed
        .iter()
        .map(|p| p.engine.as_str())
        .chain(m.time_to_bug.iter().map(|p| p.engine.as_str()))
        .collect();
    fn counterpart<'a>(e: &'a str, engines: &BTreeSet<&str>) -> Option<&'a str> {
        e.strip_prefix(RAW_PREFIX)
            .filter(|base| engines.contains(base))
    }
    let mut looks: Vec<(String, Look)> = Vec::new();
    for e in engines
        .iter()
        .filter(|e| counterpart(e, &engines).is_none())
    {
        let i = looks.len();
        let look = Look {
            color: SERIES_COLORS[i % SERIES_COLORS.len()],
            marker: i % MARKERS,
            dashed: false,
            hollow: false,
        };
        looks.push(((*e).to_owned(), look));
    }
    for e in &engines {
        if let Some(base) = counterpart(e, &engines) {
            let base_look = looks.iter().find(|(b, _)| b == base).map(|(_, l)| *l);
            if let Some(look) = base_look {
                looks.push((
                    (*e).to_owned(),
                    Look {
                        hollow: true,
                        ..look
                    },
                ));
            }
        }
    }
    looks.sort_by(|a, b| a.0.cmp(&b.0));
    looks
}

fn dot_chart(
    title: String,
    x_desc: &str,
    unit: Unit,
    engines: &[(String, Look)],
    values: Vec<(&str, &str, Rate)>,
) -> DotChart {
    let rows: Vec<String> = values
        .iter()
        .map(|(scenario, _, _)| (*scenario).to_owned())
        .distinct_sorted();
    let series = engines
        .iter()
        .filter(|(e, _)| values.iter().any(|(_, engine, _)| engine == e))
        .map(|(engine, look)| DotSeries {
            name: engine.clone(),
            look: *look,
            dots: values
                .iter()
                .filter(|(_, e, _)| e == engine)
                .map(|(scenario, _, r)| Dot {
                    row: rows.iter().position(|s| s == scenario).unwrap_or(0),
                    value: r.per_second,
                    low: r.low,
                    high: r.high,
                })
                .collect(),
        })
        .collect();
    DotChart {
        title,
        x_desc: x_desc.to_owned(),
        unit,
        rows,
        series,
        legend_title: "engine".into(),
    }
}

fn search_speed(m: &Measurements, engines: &[(String, Look)]) -> DotChart {
    let values = m
        .search_speed
        .iter()
        .map(|p| (p.scenario.as_str(), p.engine.as_str(), p.rate))
        .collect();
    dot_chart(
        "Search speed: executions per second (higher is better)".into(),
        "executions / s (log)",
        Unit::Count,
        engines,
        values,
    )
}

fn time_to_bug(m: &Measurements, engines: &[(String, Look)]) -> DotChart {
    // Times, not rates: reuse the Rate triple as (median, low, high) nanoseconds.
    let values = m
        .time_to_bug
        .iter()
        .map(|p| {
            let ci = p.time.confidence_interval;
            let time = Rate {
                per_second: p.time.point_estimate,
                low: ci.lower_bound.max(f64::MIN_POSITIVE),
                high: ci.upper_bound,
                confidence: ci.confidence_level,
            };
            (p.scenario.as_str(), p.engine.as_str(), time)
        })
        .collect();
    dot_chart(
        "Time to bug: median time until the violation is found (lower is better)".into(),
        "time to bug (log)",
        Unit::Nanoseconds,
        engines,
        values,
    )
}

fn growth(m: &Measurements) -> LineChart {
    let actors: Vec<u64> = m.growth.iter().map(|p| p.actors).distinct_sorted();
    let engines: Vec<&str> = m.growth.iter().map(|p| p.engine.as_str()).distinct_sorted();
    let series = |value: &dyn Fn(&super::measurements::GrowthPoint) -> Point| -> Vec<Series> {
        engines
            .iter()
            .enumerate()
            .map(|(i, engine)| Series {
                name: (*engine).to_owned(),
                look: Look {
                    color: SERIES_COLORS[i % SERIES_COLORS.len()],
                    marker: i % MARKERS,
                    dashed: false,
                    hollow: false,
                },
                points: m
                    .growth
                    .iter()
                    .filter(|p| p.engine == *engine)
                    .map(value)
                    .collect(),
            })
            .collect()
    };
    let x = |a: u64| actors.iter().position(|b| *b == a).unwrap_or(0);
    let executions = series(&|p| {
        let n = p.executions as f64;
        Point {
            x: x(p.actors),
            y: n,
            low: n,
            high: n,
        }
    });
    let time = series(&|p| Point {
        x: x(p.actors),
        y: p.time.point_estimate,
        low: p
            .time
            .confidence_interval
            .lower_bound
            .max(f64::MIN_POSITIVE),
        high: p.time.confidence_interval.upper_bound,
    });
    LineChart {
        title: "Growth: cost of one search as actors are added".into(),
        x_desc: "actors".into(),
        x_categories: actors.iter().map(u64::to_string).collect(),
        panels: vec![
            Panel {
                title: "executions per search".into(),
                y_desc: "executions (log)".into(),
                unit: Unit::Count,
                series: executions,
                threshold: None,
            },
            Panel {
                title: "time per search".into(),
                y_desc: "time (log)".into(),
                unit: Unit::Nanoseconds,
                series: time,
                threshold: None,
            },
        ],
        legend_title: "engine".into(),
    }
}
