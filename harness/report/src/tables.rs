//! The Markdown tables of the measurements. Rows and columns come from the data
//! (sorted), never from a list of known schemes or engines.

use crate::format::DistinctSorted;

use super::check_data::CheckResult;
use super::format::{cell, count, counted, duration_ns, ratio, si, table, Align};
use super::measurements::{
    GrowthPoint, Measurements, Rate, SearchSpeedPoint, ThroughputPoint, BASELINE_SCHEME,
    BASELINE_VARIANT, OPS_TARGET,
};

/// `12.1 k – 12.5 k`
fn interval(rate: &Rate) -> String {
    format!("{} – {}", si(rate.low), si(rate.high))
}

fn level(confidence: f64) -> String {
    format!("{}% confidence interval", (confidence * 100.0).round())
}

/// Where a rate stands against [`OPS_TARGET`]: it clears it only if its whole
/// interval does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Clears,
    Straddles,
    Misses,
}

fn target(rate: &Rate) -> Target {
    if rate.low >= OPS_TARGET {
        Target::Clears
    } else if rate.per_second < OPS_TARGET {
        Target::Misses
    } else {
        Target::Straddles
    }
}

/// The "≥ 1000 ops/s" cell of one row: `yes`, or which thread counts miss it.
fn target_cell(points: &[&ThroughputPoint]) -> String {
    let at = |t: Target| -> String {
        let threads: Vec<String> = points
            .iter()
            .filter(|p| target(&p.ops) == t)
            .map(|p| p.threads.to_string())
            .collect();
        match threads.as_slice() {
            [] => String::new(),
            [one] if one == "1" => "1 thread".to_owned(),
            many => format!("{} threads", many.join(", ")),
        }
    };
    let (misses, straddles) = (at(Target::Misses), at(Target::Straddles));
    let mut parts = Vec::new();
    if !misses.is_empty() {
        parts.push(format!("**no** at {misses}"));
    }
    if !straddles.is_empty() {
        parts.push(format!("≈ at {straddles} (interval spans it)"));
    }
    if parts.is_empty() {
        "yes".to_owned()
    } else {
        parts.join("; ")
    }
}

/// What the check says about a scheme variant: `correct`, `buggy: violates …`.
fn verdict_of(checks: &[CheckResult], scenario: &str) -> String {
    let rows: Vec<&CheckResult> = checks.iter().filter(|c| c.scenario == scenario).collect();
    let Some(first) = rows.first() else {
        return "—".to_owned();
    };
    let what = if first.is_buggy_rung() {
        format!("buggy: {}", cell(&first.expected))
    } else {
        "correct".to_owned()
    };
    if rows.iter().all(|r| r.met) {
        what
    } else {
        format!("{what} (**check failed**)")
    }
}

/// The throughput table of one scheme: a row per variant and contention, a column
/// per thread count; each cell holds ops/s, its interval and the ratio to the mutex
/// baseline at the same contention and threads.
pub fn throughput(m: &Measurements, scheme: &str, checks: &[CheckResult]) -> String {
    let points: Vec<&ThroughputPoint> =
        m.throughput.iter().filter(|p| p.scheme == scheme).collect();
    let threads: Vec<u64> = points.iter().map(|p| p.threads).distinct_sorted();
    let baseline = |p: &ThroughputPoint| {
        m.throughput
            .iter()
            .find(|b| b.is_baseline() && b.contention == p.contention && b.threads == p.threads)
    };
    let mut keys: Vec<(&str, &str)> = Vec::new();
    for p in &points {
        if !keys.contains(&(p.variant.as_str(), p.contention.as_str())) {
            keys.push((&p.variant, &p.contention));
        }
    }
    let mut rows = Vec::new();
    let mut previous: Option<&str> = None;
    for (variant, contention) in keys {
        let first_of_variant = previous != Some(variant);
        previous = Some(variant);
        let row_points: Vec<&ThroughputPoint> = points
            .iter()
            .copied()
            .filter(|p| p.variant == variant && p.contention == contention)
            .collect();
        let mut row = vec![
            if first_of_variant {
                cell(variant)
            } else {
                String::new()
            },
            if first_of_variant {
                verdict_of(checks, &format!("{scheme}/{variant}"))
            } else {
                String::new()
            },
            cell(contention),
        ];
        for t in &threads {
            row.push(match row_points.iter().find(|p| p.threads == *t) {
                None => "—".to_owned(),
                Some(p) => {
                    let ratio = baseline(p).map_or_else(
                        || "no baseline".to_owned(),
                        |b| ratio(p.ops.per_second / b.ops.per_second),
                    );
                    format!(
                        "{}<br><sub>{} · {ratio}</sub>",
                        si(p.ops.per_second),
                        interval(&p.ops)
                    )
                }
            });
        }
        row.push(target_cell(&row_points));
        rows.push(row);
    }
    let thread_headers: Vec<String> = threads
        .iter()
        .map(|t| format!("{t} thread{}", if *t == 1 { "" } else { "s" }))
        .collect();
    let mut headers: Vec<(&str, Align)> = vec![
        ("variant", Align::Left),
        ("verdict", Align::Left),
        ("contention", Align::Left),
    ];
    headers.extend(thread_headers.iter().map(|h| (h.as_str(), Align::Right)));
    let target_header = format!("≥ {OPS_TARGET} ops/s");
    headers.push((&target_header, Align::Left));
    let ci = points
        .first()
        .map_or_else(|| level(0.95), |p| level(p.ops.confidence));
    format!(
        "Each cell: ops/s, then its {ci} and × {BASELINE_SCHEME}/{BASELINE_VARIANT} at the \
         same threads and contention.\n\n{}",
        table(&headers, &rows)
    )
}

fn sorted<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    items.distinct_sorted()
}

/// Executions per second: one row per scenario, one column per engine, then the
/// overhead of each locklab engine `X` over a raw engine `raw-shuttle-X` measured on
/// the same model.
pub fn search_speed(points: &[SearchSpeedPoint]) -> String {
    let engines = sorted(points.iter().map(|p| p.engine.as_str()));
    let scenarios = sorted(points.iter().map(|p| p.scenario.as_str()));
    let pairs: Vec<(&str, &str)> = engines
        .iter()
        .filter_map(|raw| {
            let wrapped = raw.strip_prefix(super::charts::RAW_PREFIX)?;
            engines.contains(&wrapped).then_some((wrapped, *raw))
        })
        .collect();
    let find = |s: &str, e: &str| points.iter().find(|p| p.scenario == s && p.engine == e);
    let rows: Vec<Vec<String>> = scenarios
        .iter()
        .map(|s| {
            let mut row = vec![cell(s)];
            for e in &engines {
                row.push(find(s, e).map_or_else(
                    || "—".to_owned(),
                    |p| {
                        format!(
                            "{}<br><sub>{}</sub>",
                            si(p.rate.per_second),
                            interval(&p.rate)
                        )
                    },
                ));
            }
            for (wrapped, raw) in &pairs {
                row.push(match (find(s, wrapped), find(s, raw)) {
                    (Some(w), Some(r)) => ratio(w.rate.per_second / r.rate.per_second),
                    _ => "—".to_owned(),
                });
            }
            row
        })
        .collect();
    let mut headers: Vec<String> = vec!["scenario".to_owned()];
    headers.extend(engines.iter().map(|e| format!("{} (exec/s)", cell(e))));
    headers.extend(
        pairs
            .iter()
            .map(|(w, r)| format!("{} ÷ {}", cell(w), cell(r))),
    );
    let aligned: Vec<(&str, Align)> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), if i == 0 { Align::Left } else { Align::Right }))
        .collect();
    table(&aligned, &rows)
}

/// Median time until each engine finds each known bug, with the median executions.
pub fn time_to_bug(m: &Measurements) -> String {
    let points = &m.time_to_bug;
    let engines = sorted(points.iter().map(|p| p.engine.as_str()));
    let scenarios = sorted(points.iter().map(|p| p.scenario.as_str()));
    let rows: Vec<Vec<String>> = scenarios
        .iter()
        .map(|s| {
            let mut row = vec![cell(s)];
            for e in &engines {
                let p = points.iter().find(|p| p.scenario == *s && p.engine == *e);
                row.push(p.map_or_else(
                    || "—".to_owned(),
                    |p| {
                        let ci = p.time.confidence_interval;
                        format!(
                            "{}<br><sub>{} – {} · {}</sub>",
                            duration_ns(p.time.point_estimate),
                            duration_ns(ci.lower_bound),
                            duration_ns(ci.upper_bound),
                            counted(p.executions, "execution")
                        )
                    },
                ));
            }
            row
        })
        .collect();
    let headers: Vec<String> = std::iter::once("buggy rung".to_owned())
        .chain(engines.iter().map(|e| cell(e)))
        .collect();
    let aligned: Vec<(&str, Align)> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), if i == 0 { Align::Left } else { Align::Right }))
        .collect();
    table(&aligned, &rows)
}

/// Cost of one search per engine as actors are added.
pub fn growth(points: &[GrowthPoint]) -> String {
    let engines = sorted(points.iter().map(|p| p.engine.as_str()));
    let actors: Vec<u64> = points.iter().map(|p| p.actors).distinct_sorted();
    let rows: Vec<Vec<String>> = actors
        .iter()
        .map(|a| {
            let mut row = vec![a.to_string()];
            for e in &engines {
                let p = points.iter().find(|p| p.actors == *a && p.engine == *e);
                row.push(p.map_or_else(
                    || "— (not run)".to_owned(),
                    |p| {
                        format!(
                            "{}<br><sub>{} · {} exec/s</sub>",
                            duration_ns(p.time.point_estimate),
                            counted(p.executions, "execution"),
                            si(p.rate.per_second)
                        )
                    },
                ));
            }
            row
        })
        .collect();
    let headers: Vec<String> = std::iter::once("actors".to_owned())
        .chain(
            engines
                .iter()
                .map(|e| format!("{} (time per search)", cell(e))),
        )
        .collect();
    let aligned: Vec<(&str, Align)> = headers.iter().map(|h| (h.as_str(), Align::Right)).collect();
    table(&aligned, &rows)
}

/// Benchmarks in groups the report has no section for, so nothing measured is lost.
pub fn other(m: &Measurements) -> String {
    let rows: Vec<Vec<String>> = m
        .other
        .iter()
        .map(|p| {
            vec![
                cell(&p.id),
                duration_ns(p.time.point_estimate),
                p.elements.map_or_else(|| "—".to_owned(), count),
            ]
        })
        .collect();
    table(
        &[
            ("benchmark", Align::Left),
            ("time per iteration", Align::Right),
            ("elements per iteration", Align::Right),
        ],
        &rows,
    )
}
