//! The state-caching engine measured beside loom, and its growth with the actors:
//! the data of the report's "states" section (`locklab report --measure` writes it to
//! `reports/states.json`).

use std::collections::BTreeMap;
use std::time::Duration;

use locklab_models::sim::{Expected, Params, Scenario};
use serde::{Deserialize, Serialize};

use crate::coverage::Coverage;
use crate::engine::{explore, Budget, Engine, Loom, States};
use crate::verdict::{Outcome, Verdict};

/// One search, as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// The engine with its settings.
    pub engine: String,
    /// The parameter values.
    pub params: BTreeMap<String, u64>,
    /// Distinct states (the state-caching engine).
    pub states: Option<u64>,
    /// Executions.
    pub executions: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Whether nothing was violated.
    pub passed: bool,
    /// How much of the space it covered.
    #[serde(flatten)]
    pub coverage: Coverage,
    /// Why the engine could not run the model at all (loom's thread limit), if so:
    /// neither a pass nor a violation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Run {
    fn of(v: &Verdict, params: &Params) -> Run {
        Run {
            engine: v.engine.clone(),
            params: params.values().map(|(k, v)| (k.to_owned(), v)).collect(),
            states: v.states,
            executions: v.executions,
            seconds: v.elapsed.as_secs_f64(),
            passed: matches!(v.outcome, Outcome::Passed),
            coverage: v.coverage,
            error: match &v.outcome {
                Outcome::Error(e) => Some(e.clone()),
                _ => None,
            },
        }
    }
}

/// A correct rung at one size under the state-caching engine and under loom:
/// unbounded, and bounded at 2 preemptions when the unbounded search does not finish.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// `scheme/variant`.
    pub scenario: String,
    /// The state-caching engine.
    pub states: Run,
    /// loom with no preemption bound (perhaps cut short by its time cap).
    pub loom: Run,
    /// loom with at most 2 preemptions, when the unbounded one did not finish.
    pub loom_bounded: Option<Run>,
}

/// The state-caching engine on one rung at one actor count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Growth {
    /// `scheme/variant`.
    pub scenario: String,
    /// The number of actors.
    pub actors: u64,
    /// The search.
    pub run: Run,
}

/// Everything the section shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatesReport {
    /// Every correct rung with a loom plan, at its states plan's sizes.
    pub comparisons: Vec<Comparison>,
    /// Two correct rungs as their actors grow.
    pub growth: Vec<Growth>,
}

/// The rungs the growth table grows: one without a clock, one with a clock, a
/// pausable holder and a crash.
pub const GROWTH_RUNGS: [&str; 2] = [
    "device-claim/conditional-update",
    "instance-coordinator/fenced-lease",
];

/// Actor counts of the growth table.
pub const GROWTH_ACTORS: std::ops::RangeInclusive<u64> = 2..=5;

fn run(
    scenario: &Scenario,
    params: &Params,
    engine: &dyn Engine,
    time: Duration,
) -> Option<Verdict> {
    let model = scenario.build(params).ok()?;
    Some(explore(model, engine, Budget::default().max_time(time)))
}

/// Measures every correct rung of `scenarios` (each search capped at `time`) and the
/// growth rungs at 2 to 5 actors; `progress` hears of each rung as it starts.
pub fn measure(
    scenarios: &[&Scenario],
    time: Duration,
    mut progress: impl FnMut(&str),
) -> StatesReport {
    let mut comparisons = Vec::new();
    for s in scenarios
        .iter()
        .filter(|s| s.expected() == Expected::Holds && s.loom_plan().is_some())
    {
        progress(s.id());
        let Ok(params) = s.with_sizes(&s.states_plan().sizes) else {
            continue;
        };
        let (Some(states), Some(loom)) = (
            run(s, &params, &States, time),
            run(s, &params, &Loom::unbounded(), time),
        ) else {
            continue;
        };
        let loom_bounded = loom
            .coverage
            .is_incomplete()
            .then(|| run(s, &params, &Loom::bounded(2), time))
            .flatten()
            .map(|v| Run::of(&v, &params));
        comparisons.push(Comparison {
            scenario: s.id().to_owned(),
            states: Run::of(&states, &params),
            loom: Run::of(&loom, &params),
            loom_bounded,
        });
    }
    let mut growth = Vec::new();
    for id in GROWTH_RUNGS {
        let Some(s) = scenarios.iter().find(|s| s.id() == id) else {
            continue;
        };
        let Some(actors) = s.actors_param() else {
            continue;
        };
        for n in GROWTH_ACTORS {
            progress(&format!("{id} at {n} actors"));
            let Ok(params) = s.with_sizes(&[(actors, n)]) else {
                continue;
            };
            if let Some(v) = run(s, &params, &States, time) {
                growth.push(Growth {
                    scenario: id.to_owned(),
                    actors: n,
                    run: Run::of(&v, &params),
                });
            }
        }
    }
    StatesReport {
        comparisons,
        growth,
    }
}
