//! `locklab check`: every scenario against its expected verdict, under loom and shuttle.

use std::time::Duration;

use locklab_scenarios::{Expected, Params, Scenario};

use crate::engine::{explore, Budget, Engine};
use crate::verdict::{Outcome, Verdict};

/// How hard `check` searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckDepth {
    /// Multiplies the shuttle executions of each scenario's plan.
    pub shuttle_factor: u64,
    /// Seed for shuttle.
    pub seed: u64,
}

impl Default for CheckDepth {
    fn default() -> Self {
        CheckDepth {
            shuttle_factor: 1,
            seed: 0,
        }
    }
}

/// One line of the check matrix.
#[derive(Debug, Clone)]
pub struct CheckRow {
    /// The scenario.
    pub scenario: &'static Scenario,
    /// The parameter values it ran with.
    pub params: Params,
    /// What it concluded.
    pub verdict: Verdict,
    /// Whether that is what the scenario expects.
    pub met: bool,
}

impl CheckRow {
    /// What the run concluded, in the matrix's words: `holds`, `holds (every
    /// interleaving)`, `holds (every interleaving with ≤2 preemptions)`,
    /// `violates exclusive-connection`, `error: …`.
    pub fn got(&self) -> String {
        match &self.verdict.outcome {
            Outcome::Passed { exhaustive: true } => format!("holds ({})", self.verdict.coverage()),
            Outcome::Passed { exhaustive: false } => "holds".to_owned(),
            Outcome::Violated(f) => format!("violates {}", f.violation.property.name),
            Outcome::Error(e) => format!("error: {e}"),
        }
    }
}

/// Whether `verdict` is what `expected` says: a correct rung must pass; a buggy rung
/// must be caught by exactly the property it names.
pub fn meets(expected: Expected, verdict: &Verdict) -> bool {
    match expected {
        Expected::Holds => verdict.passed(),
        Expected::Violates(property) => verdict.violated_property() == Some(property),
    }
}

fn overrides(sizes: &[(&str, u64)]) -> Vec<(String, u64)> {
    sizes.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

/// Runs one scenario's loom plan and shuttle (PCT) plan.
pub fn check_scenario(scenario: &'static Scenario, depth: CheckDepth) -> Vec<CheckRow> {
    let loom = (
        overrides(scenario.loom.sizes),
        Engine::Loom {
            preemption_bound: scenario.loom.preemption_bound,
            max_branches: 20_000,
        },
        Budget {
            iterations: 5_000_000,
            seed: 0,
            max_time: Duration::from_secs(120),
        },
    );
    let shuttle = (
        overrides(scenario.shuttle.sizes),
        Engine::PCT,
        Budget {
            iterations: scenario.shuttle.iterations * depth.shuttle_factor,
            seed: depth.seed,
            max_time: Duration::from_secs(120),
        },
    );
    [loom, shuttle]
        .into_iter()
        .map(|(sizes, engine, budget)| {
            let params = scenario
                .params(&sizes)
                .expect("a scenario's own check plan uses valid sizes");
            let model = (scenario.build)(&params).expect("a scenario's own check plan builds");
            let verdict = explore(model, engine, budget);
            let met = meets(scenario.expected, &verdict);
            CheckRow {
                scenario,
                params,
                verdict,
                met,
            }
        })
        .collect()
}
