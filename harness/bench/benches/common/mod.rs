//! Helpers shared by the bench binaries (each includes this file with `#[path]`, and
//! not every bench uses every helper).
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode};
use locklab::engine::{Budget, Engine};
use locklab::sim::{builtin, DynModel};
use locklab::verdict::{Outcome, Verdict};
use locklab_scenarios::Scenario;

/// Samples per benchmark: criterion's minimum, so the whole `cargo bench` stays within
/// minutes on two cores; the report shows the spread criterion measured.
pub const SAMPLES: usize = 10;

/// loom's branch limit, as `locklab check` sets it.
pub const LOOM_MAX_BRANCHES: usize = 20_000;

/// No single search in a bench may run longer than this (a backstop: every search is
/// sized to take well under a second or two).
pub const SEARCH_TIME_CAP: Duration = Duration::from_secs(120);

/// criterion as every bench here configures it: without its HTML plots, which cost
/// about 4 s per benchmark on two cores (longer than most measurements) and which the
/// locklab report does not read: it draws its own charts from criterion's JSON.
/// `-- --plotting-backend plotters` turns them back on.
pub fn criterion() -> Criterion {
    Criterion::default().without_plots()
}

/// Flat sampling (the same iteration count in every sample: these iterations are long
/// and their count is small), [`SAMPLES`] samples, and the given warm-up and
/// measurement times.
pub fn configure(group: &mut BenchmarkGroup<'_, WallTime>, warm_up: Duration, measure: Duration) {
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(SAMPLES)
        .warm_up_time(warm_up)
        .measurement_time(measure);
}

/// A plan's `(name, value)` sizes as the overrides [`Scenario::model`] takes.
pub fn overrides(sizes: &[(&str, u64)]) -> Vec<(String, u64)> {
    sizes.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

/// Builds `scenario` at `sizes`; a scenario's own plan always builds, so failing to is
/// a bug in the scenario and stops the bench.
pub fn model(scenario: &Scenario, sizes: &[(&str, u64)]) -> Arc<dyn DynModel> {
    scenario
        .model(&overrides(sizes))
        .unwrap_or_else(|e| panic!("{}: {e}", scenario.id))
}

/// loom as the scenario's own loom plan runs it (its preemption bound).
pub fn loom_of_plan(scenario: &Scenario) -> Engine {
    Engine::Loom {
        preemption_bound: scenario.loom.preemption_bound,
        max_branches: LOOM_MAX_BRANCHES,
    }
}

/// At most `iterations` executions, seeded, capped at [`SEARCH_TIME_CAP`].
pub fn budget(iterations: u64, seed: u64) -> Budget {
    Budget {
        iterations,
        seed,
        max_time: SEARCH_TIME_CAP,
    }
}

/// Whether loom refused the model because it spawns more threads than loom allows
/// (`MAX_THREADS`, 5 including the main thread): loom asserts on it, and the engine
/// turns that panic into a `panic` verdict at the first execution.
pub fn loom_thread_limit(verdict: &Verdict) -> bool {
    verdict.failure().is_some_and(|f| {
        f.violation.property == builtin::PANIC
            && f.violation.detail.contains("threads.len() < self.max()")
    })
}

/// A short description of a verdict for the messages a bench prints when a search did
/// not end as it must.
pub fn describe(verdict: &Verdict) -> String {
    match &verdict.outcome {
        Outcome::Passed { exhaustive } => format!(
            "passed after {} executions (exhaustive: {exhaustive})",
            verdict.executions
        ),
        Outcome::Violated(f) => format!(
            "violated {} after {} executions",
            f.violation, f.found_after
        ),
        Outcome::Error(e) => format!("error: {e}"),
    }
}
