//! What the bench binaries share: criterion's configuration, scenario models at a
//! plan's sizes, the engines as `locklab check` runs them.
#![deny(missing_docs)]

use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode};
use locklab::engine::{Budget, Engine, Loom, Pct};
use locklab::sim::SharedModel;
use locklab::{Outcome, Param, Scenario, Verdict};

/// Samples per benchmark: criterion's minimum, so the whole `cargo bench` stays within
/// minutes on two cores; the report shows the spread criterion measured.
pub const SAMPLES: usize = 10;

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

/// Builds `scenario` at `sizes`; a scenario's own plan always builds, so failing to is
/// a bug in the scenario and stops the bench.
pub fn model(scenario: &Scenario, sizes: &[(Param, u64)]) -> SharedModel {
    scenario
        .with_sizes(sizes)
        .and_then(|p| scenario.build(&p))
        .unwrap_or_else(|e| panic!("{}: {e}", scenario.id()))
}

/// loom as the scenario's own loom plan runs it (its preemption bound); `None` for a
/// scenario checked by the state-caching engine only.
pub fn loom_of_plan(scenario: &Scenario) -> Option<Loom> {
    Some(match scenario.loom_plan()?.preemption_bound {
        Some(pb) => Loom::bounded(pb),
        None => Loom::unbounded(),
    })
}

/// PCT as `locklab check` runs it.
pub const PCT: Pct = Pct { depth: 3 };

/// At most `executions` executions, seeded, capped at [`SEARCH_TIME_CAP`].
pub fn budget(executions: u64, seed: u64) -> Budget {
    Budget {
        executions: Some(executions),
        seed,
        max_time: SEARCH_TIME_CAP,
    }
}

/// Whether loom refused the model: it spawns more threads than loom allows.
pub fn loom_thread_limit(verdict: &Verdict) -> bool {
    matches!(&verdict.outcome, Outcome::Error(e) if e.contains("loom runs at most"))
}

/// A short description of a verdict for the messages a bench prints when a search did
/// not end as it must.
pub fn describe(verdict: &Verdict) -> String {
    match &verdict.outcome {
        Outcome::Passed => format!(
            "passed after {} executions ({})",
            verdict.executions, verdict.coverage
        ),
        Outcome::Violated(f) => format!(
            "violated {} after {} executions",
            f.violation, f.found_after
        ),
        Outcome::Error(e) => format!("error: {e}"),
    }
}

/// An engine's label, for messages.
pub fn label(engine: &dyn Engine) -> String {
    engine.label()
}
