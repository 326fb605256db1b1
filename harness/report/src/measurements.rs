//! The benchmark groups the report knows, as typed measurements.
//!
//! The group ids and the meaning of their ids are the contract between locklab's
//! benches and this report (see `harness/benches/`): nothing here names a scheme,
//! variant, engine or scenario, so whatever a bench adds under these groups shows up.
//! Benchmarks in other groups are kept as [`Measurements::other`].

use std::path::Path;

use super::criterion_data::{Benchmark, Estimate};
use super::error::ReportError;

/// Group of lock operations per second on real threads.
pub const THROUGHPUT_GROUP: &str = "throughput";
/// Group of executions per second of each engine.
pub const SEARCH_SPEED_GROUP: &str = "search-speed";
/// Group of time until an engine finds a known bug.
pub const TIME_TO_BUG_GROUP: &str = "time-to-bug";
/// Group of search cost as the number of actors grows.
pub const GROWTH_GROUP: &str = "growth";
/// The throughput baseline's scheme id (a plain `std::sync::Mutex`).
pub const BASELINE_SCHEME: &str = "baseline";
/// The throughput baseline's variant id.
pub const BASELINE_VARIANT: &str = "std-mutex";

/// The throughput every scheme should clear, in lock operations per second.
pub const OPS_TARGET: f64 = 1000.0;

/// Something per second, with the confidence interval carried over from the time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Point estimate.
    pub per_second: f64,
    /// Lower bound (from the time's upper bound).
    pub low: f64,
    /// Upper bound (from the time's lower bound).
    pub high: f64,
    /// Confidence level of the interval, e.g. 0.95.
    pub confidence: f64,
}

impl Rate {
    /// `elements` per iteration done in `time` nanoseconds per iteration.
    pub fn new(elements: u64, time: &Estimate) -> Rate {
        let per_second = |ns: f64| elements as f64 * 1e9 / ns;
        let point = per_second(time.point_estimate);
        // A fitted slope's interval can reach zero or below for very noisy samples:
        // fall back to the point rather than print an infinite rate.
        let bound = |ns: f64| if ns > 0.0 { per_second(ns) } else { point };
        Rate {
            per_second: point,
            low: bound(time.confidence_interval.upper_bound),
            high: bound(time.confidence_interval.lower_bound),
            confidence: time.confidence_interval.confidence_level,
        }
    }
}

/// Lock operations per second of one scheme variant.
#[derive(Debug, Clone, PartialEq)]
pub struct ThroughputPoint {
    /// Scheme id (`device-claim`, or the baseline's).
    pub scheme: String,
    /// Variant id: the scenario rung (`conditional-update`).
    pub variant: String,
    /// `hot-key` or `disjoint-keys`.
    pub contention: String,
    /// Threads running it.
    pub threads: u64,
    /// Operations per second, all threads together.
    pub ops: Rate,
}

impl ThroughputPoint {
    /// The scenario id this variant corresponds to.
    pub fn scenario(&self) -> String {
        format!("{}/{}", self.scheme, self.variant)
    }

    /// Whether this is the mutex baseline.
    pub fn is_baseline(&self) -> bool {
        self.scheme == BASELINE_SCHEME && self.variant == BASELINE_VARIANT
    }
}

/// Executions per second of one engine on one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchSpeedPoint {
    /// Engine id (`loom`, `pct`, `raw-shuttle-random`, ...).
    pub engine: String,
    /// Scenario id.
    pub scenario: String,
    /// Executions per second.
    pub rate: Rate,
}

/// How long one engine takes to find a known bug.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeToBugPoint {
    /// Engine id.
    pub engine: String,
    /// Scenario id of the buggy rung.
    pub scenario: String,
    /// Median time until found, in nanoseconds.
    pub time: Estimate,
    /// Median executions until found, over the seeds.
    pub executions: u64,
}

/// The cost of one search at one size.
#[derive(Debug, Clone, PartialEq)]
pub struct GrowthPoint {
    /// Engine id (`loom-pb2`, `pct`).
    pub engine: String,
    /// Actors in the model.
    pub actors: u64,
    /// Executions one search runs.
    pub executions: u64,
    /// Time per search, in nanoseconds.
    pub time: Estimate,
    /// Executions per second.
    pub rate: Rate,
}

/// A benchmark in a group the report has no table for.
#[derive(Debug, Clone, PartialEq)]
pub struct OtherPoint {
    /// `group/function/value`.
    pub id: String,
    /// Time per iteration, in nanoseconds.
    pub time: Estimate,
    /// Elements per iteration, if it counted them.
    pub elements: Option<u64>,
}

/// Every benchmark, by group, each list sorted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Measurements {
    /// [`THROUGHPUT_GROUP`].
    pub throughput: Vec<ThroughputPoint>,
    /// [`SEARCH_SPEED_GROUP`].
    pub search_speed: Vec<SearchSpeedPoint>,
    /// [`TIME_TO_BUG_GROUP`].
    pub time_to_bug: Vec<TimeToBugPoint>,
    /// [`GROWTH_GROUP`].
    pub growth: Vec<GrowthPoint>,
    /// Any other group.
    pub other: Vec<OtherPoint>,
}

/// Sorts the benchmarks into their groups; a benchmark whose ids do not follow its
/// group's contract is an error naming its `benchmark.json`.
pub fn classify(benchmarks: &[Benchmark]) -> Result<Measurements, ReportError> {
    let mut m = Measurements::default();
    for b in benchmarks {
        let times = [
            b.estimates.typical().point_estimate,
            b.estimates.median.point_estimate,
        ];
        if times.iter().any(|t| !(t.is_finite() && *t > 0.0)) {
            return Err(ReportError::malformed(
                b.path.with_file_name("estimates.json"),
                "time estimates must be positive nanoseconds",
            ));
        }
        match b.group_id.as_str() {
            THROUGHPUT_GROUP => {
                let function = function_id(b)?;
                let mut parts = function.split('/');
                let (Some(scheme), Some(variant), Some(contention), None) =
                    (parts.next(), parts.next(), parts.next(), parts.next())
                else {
                    return Err(contract(
                        &b.path,
                        format!("function id '{function}' is not <scheme>/<variant>/<contention>"),
                    ));
                };
                m.throughput.push(ThroughputPoint {
                    scheme: scheme.to_owned(),
                    variant: variant.to_owned(),
                    contention: contention.to_owned(),
                    threads: number(b, "number of threads")?,
                    ops: Rate::new(elements(b)?, b.estimates.typical()),
                });
            }
            SEARCH_SPEED_GROUP => m.search_speed.push(SearchSpeedPoint {
                engine: function_id(b)?.to_owned(),
                scenario: value(b)?.to_owned(),
                rate: Rate::new(elements(b)?, b.estimates.typical()),
            }),
            TIME_TO_BUG_GROUP => m.time_to_bug.push(TimeToBugPoint {
                engine: function_id(b)?.to_owned(),
                scenario: value(b)?.to_owned(),
                // One iteration is one whole search; the contract reports the median.
                time: b.estimates.median,
                executions: elements(b)?,
            }),
            GROWTH_GROUP => m.growth.push(GrowthPoint {
                engine: function_id(b)?.to_owned(),
                actors: number(b, "number of actors")?,
                executions: elements(b)?,
                time: *b.estimates.typical(),
                rate: Rate::new(elements(b)?, b.estimates.typical()),
            }),
            _ => m.other.push(OtherPoint {
                id: b.full_id(),
                time: *b.estimates.typical(),
                elements: b.throughput.and_then(|t| t.elements()),
            }),
        }
    }
    m.throughput.sort_by(|a, b| {
        (&a.scheme, &a.variant, &a.contention, a.threads).cmp(&(
            &b.scheme,
            &b.variant,
            &b.contention,
            b.threads,
        ))
    });
    m.search_speed
        .sort_by(|a, b| (&a.scenario, &a.engine).cmp(&(&b.scenario, &b.engine)));
    m.time_to_bug
        .sort_by(|a, b| (&a.scenario, &a.engine).cmp(&(&b.scenario, &b.engine)));
    m.growth
        .sort_by(|a, b| (&a.engine, a.actors).cmp(&(&b.engine, b.actors)));
    m.other.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(m)
}

fn contract(path: &Path, reason: String) -> ReportError {
    ReportError::malformed(path, format!("{reason} (see the benches' id contract)"))
}

fn function_id(b: &Benchmark) -> Result<&str, ReportError> {
    b.function_id.as_deref().ok_or_else(|| {
        contract(
            &b.path,
            format!("group '{}' needs a function id", b.group_id),
        )
    })
}

fn value(b: &Benchmark) -> Result<&str, ReportError> {
    b.value_str.as_deref().ok_or_else(|| {
        contract(
            &b.path,
            format!("group '{}' needs a parameter value", b.group_id),
        )
    })
}

fn number(b: &Benchmark, what: &str) -> Result<u64, ReportError> {
    let v = value(b)?;
    v.parse()
        .map_err(|_| contract(&b.path, format!("parameter '{v}' is not a {what}")))
}

fn elements(b: &Benchmark) -> Result<u64, ReportError> {
    b.throughput
        .and_then(|t| t.elements())
        .filter(|&n| n > 0)
        .ok_or_else(|| {
            contract(
                &b.path,
                format!(
                    "group '{}' needs a non-zero Throughput::Elements",
                    b.group_id
                ),
            )
        })
}
