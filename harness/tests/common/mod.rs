//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::time::Duration;

use locklab::engine::{explore, Budget, Engine};
use locklab::verdict::{Outcome, Verdict};

/// Explores scenario `id` with parameter overrides.
pub fn run(id: &str, sizes: &[(&str, u64)], engine: Engine, iterations: u64, seed: u64) -> Verdict {
    let scenario = locklab_scenarios::find(id).unwrap_or_else(|| panic!("no scenario {id}"));
    let sizes: Vec<(String, u64)> = sizes.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
    let model = scenario
        .model(&sizes)
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    explore(
        model,
        engine,
        Budget {
            iterations,
            seed,
            max_time: Duration::from_secs(600),
        },
    )
}

/// loom with the given preemption bound (`None`: every interleaving).
pub fn loom(preemption_bound: Option<usize>) -> Engine {
    Engine::Loom {
        preemption_bound,
        max_branches: 20_000,
    }
}

/// Asserts the run was caught by exactly `property`.
pub fn assert_violates(v: &Verdict, property: &str) {
    assert_eq!(
        v.violated_property(),
        Some(property),
        "expected {property}, got {:?}",
        v.outcome
    );
}

/// Asserts the run passed, exhaustively or not as stated, and returns its executions.
pub fn assert_holds(v: &Verdict, exhaustive: bool) -> u64 {
    match &v.outcome {
        Outcome::Passed { exhaustive: e } => assert_eq!(*e, exhaustive, "exhaustiveness"),
        other => panic!("expected to hold, got {other:?}"),
    }
    v.executions
}
pub mod ladder;
