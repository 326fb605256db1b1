//! criterion's saved results: every `<dir>/**/new/benchmark.json` with the
//! `estimates.json` beside it, parsed into typed records.
//!
//! The types mirror what criterion 0.8 serialises (`report::BenchmarkId`,
//! `estimate::Estimates`, `Throughput`); fields the report does not use are ignored, so
//! a newer criterion that adds fields still loads. `base/` (a saved baseline) and
//! `change/` directories are skipped: `new/` holds the latest run.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::error::ReportError;

/// criterion's `Throughput`: how much work one iteration does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Throughput {
    /// Bits per iteration.
    Bits(u64),
    /// Bytes per iteration.
    Bytes(u64),
    /// Bytes per iteration, shown with decimal prefixes.
    BytesDecimal(u64),
    /// Elements per iteration: lock operations or executions, in locklab's benches.
    Elements(u64),
    /// Elements and bytes per iteration.
    ElementsAndBytes {
        /// Elements per iteration.
        elements: u64,
        /// Bytes per iteration.
        bytes: u64,
    },
}

impl Throughput {
    /// The element count, if the throughput counts elements.
    pub fn elements(&self) -> Option<u64> {
        match *self {
            Throughput::Elements(n) | Throughput::ElementsAndBytes { elements: n, .. } => Some(n),
            _ => None,
        }
    }
}

/// A confidence interval around an estimate.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct ConfidenceInterval {
    /// e.g. 0.95.
    pub confidence_level: f64,
    /// Lower bound (nanoseconds per iteration).
    pub lower_bound: f64,
    /// Upper bound (nanoseconds per iteration).
    pub upper_bound: f64,
}

/// One statistic of the sample, in nanoseconds per iteration.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Estimate {
    /// Its confidence interval.
    pub confidence_interval: ConfidenceInterval,
    /// The estimate itself.
    pub point_estimate: f64,
    /// Its standard error.
    pub standard_error: f64,
}

/// criterion's `estimates.json`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Estimates {
    /// Mean time per iteration.
    pub mean: Estimate,
    /// Median time per iteration.
    pub median: Estimate,
    /// Slope of time over iterations (present with linear sampling, null with flat).
    #[serde(default)]
    pub slope: Option<Estimate>,
}

impl Estimates {
    /// The estimate criterion itself prints as "time" and derives "thrpt" from: the
    /// slope when it was fitted, else the mean.
    pub fn typical(&self) -> &Estimate {
        self.slope.as_ref().unwrap_or(&self.mean)
    }
}

/// The id half of a result: criterion's `benchmark.json`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct BenchmarkId {
    group_id: String,
    function_id: Option<String>,
    value_str: Option<String>,
    throughput: Option<Throughput>,
}

/// One benchmark's latest result.
#[derive(Debug, Clone, PartialEq)]
pub struct Benchmark {
    /// `throughput`, `search-speed`, ...
    pub group_id: String,
    /// The function within the group (`<scheme>/<variant>/<contention>`, an engine).
    pub function_id: Option<String>,
    /// The parameter (thread count, scenario id, actors).
    pub value_str: Option<String>,
    /// Work per iteration.
    pub throughput: Option<Throughput>,
    /// Time per iteration.
    pub estimates: Estimates,
    /// The `benchmark.json` it was read from, for error messages.
    pub path: PathBuf,
}

impl Benchmark {
    /// `group/function/value`, as criterion prints it.
    pub fn full_id(&self) -> String {
        [
            Some(self.group_id.as_str()),
            self.function_id.as_deref(),
            self.value_str.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("/")
    }
}

/// Hint printed when criterion's directory or one of its files is missing.
pub const MEASURE_HINT: &str =
    "run `cargo bench -p locklab-bench` (or `locklab report --measure`) to create it";

/// Every benchmark under `dir`, sorted by group, function and value (so reports do not
/// depend on directory order).
pub fn load(dir: &Path) -> Result<Vec<Benchmark>, ReportError> {
    if !dir.is_dir() {
        return Err(ReportError::Missing {
            path: dir.to_owned(),
            hint: MEASURE_HINT.to_owned(),
        });
    }
    let mut files = Vec::new();
    find_benchmark_files(dir, &mut files)?;
    if files.is_empty() {
        return Err(ReportError::Missing {
            path: dir.join("**/new/benchmark.json"),
            hint: MEASURE_HINT.to_owned(),
        });
    }
    let mut benchmarks = files
        .iter()
        .map(|f| load_one(f))
        .collect::<Result<Vec<_>, _>>()?;
    benchmarks.sort_by(|a, b| {
        (&a.group_id, &a.function_id, &a.value_str).cmp(&(
            &b.group_id,
            &b.function_id,
            &b.value_str,
        ))
    });
    Ok(benchmarks)
}

/// Collects `**/new/benchmark.json` below `dir`, in name order.
fn find_benchmark_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ReportError> {
    let entries = fs::read_dir(dir).map_err(|e| ReportError::io(dir, "read directory", e))?;
    let mut paths = entries
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ReportError::io(dir, "read directory", e))?;
    paths.sort();
    for path in paths {
        if path.is_dir() {
            find_benchmark_files(&path, out)?;
        } else if path.file_name().is_some_and(|n| n == "benchmark.json")
            && dir.file_name().is_some_and(|n| n == "new")
        {
            out.push(path);
        }
    }
    Ok(())
}

fn load_one(benchmark_file: &Path) -> Result<Benchmark, ReportError> {
    let id: BenchmarkId = read_json(benchmark_file)?;
    let estimates_file = benchmark_file.with_file_name("estimates.json");
    if !estimates_file.is_file() {
        return Err(ReportError::Missing {
            path: estimates_file,
            hint: "criterion writes it beside benchmark.json: rerun the benchmark".to_owned(),
        });
    }
    let estimates: Estimates = read_json(&estimates_file)?;
    Ok(Benchmark {
        group_id: id.group_id,
        function_id: id.function_id,
        value_str: id.value_str,
        throughput: id.throughput,
        estimates,
        path: benchmark_file.to_owned(),
    })
}

/// Reads and parses one JSON file; errors name it.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ReportError> {
    let text = fs::read_to_string(path).map_err(|e| ReportError::io(path, "read", e))?;
    serde_json::from_str(&text)
        .map_err(|e| ReportError::malformed(path, format!("not the expected JSON: {e}")))
}
