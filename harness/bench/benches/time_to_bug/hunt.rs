//! A hunt: one engine searching one buggy rung until it finds the violation the rung
//! expects, and the calibration that counts how many executions that takes per seed.

use std::sync::Arc;

use locklab::engine::{explore, Budget, Engine, Pct, Random, States};
use locklab::sim::SharedModel;
use locklab::{Expected, Property, Scenario};

use locklab_bench as common;

/// Seeds per hunt; the report's "executions until found" is their median.
pub const SEEDS: [u64; 5] = [0, 1, 2, 3, 4];

/// One engine on one buggy rung.
pub struct Hunt {
    /// `loom`, `random` or `pct`.
    pub engine_name: &'static str,
    engine: Box<dyn Engine>,
    model: SharedModel,
    property: Property,
    /// Executions at most (`None`: loom runs its whole plan, as `check` does).
    budget: Option<u64>,
    /// Whether the engine ignores the seed (loom explores in one fixed order).
    seedless: bool,
}

impl Hunt {
    /// loom at the plan's loom sizes and bound, random and PCT at its shuttle sizes,
    /// the state-caching engine at its states sizes (the plans the scenario has);
    /// `None` if the scenario is not a buggy rung.
    pub fn all_for(scenario: &Scenario) -> Option<Vec<Hunt>> {
        let Expected::Violates(property) = scenario.expected() else {
            return None;
        };
        let mut hunts = Vec::new();
        if let (Some(loom), Some(plan)) = (common::loom_of_plan(scenario), scenario.loom_plan()) {
            hunts.push(Hunt {
                engine_name: "loom",
                engine: Box::new(loom),
                model: common::model(scenario, &plan.sizes),
                property,
                budget: None,
                seedless: true,
            });
        }
        if let Some(plan) = scenario.shuttle_plan() {
            let shuttle = |engine_name, engine: Box<dyn Engine>| Hunt {
                engine_name,
                engine,
                model: common::model(scenario, &plan.sizes),
                property,
                // The plan's executions, as `locklab check` runs them. Not more:
                // locklab's random engine, stopped early, runs its scheduler out to
                // the budget (about 0.1 µs per execution left), which would be timed
                // as part of the hunt.
                budget: Some(plan.iterations),
                seedless: false,
            };
            hunts.push(shuttle("random", Box::new(Random)));
            hunts.push(shuttle("pct", Box::new(Pct { depth: plan.depth })));
        }
        hunts.push(Hunt {
            engine_name: "states",
            engine: Box::new(States),
            model: common::model(scenario, &scenario.states_plan().sizes),
            property,
            budget: None,
            seedless: true,
        });
        Some(hunts)
    }

    /// Searches with `seed` until the first violation; `Err` says why the hunt did not
    /// end at the expected property.
    pub fn found_after(&self, seed: u64) -> Result<u64, String> {
        let verdict = explore(
            Arc::clone(&self.model),
            self.engine.as_ref(),
            Budget {
                executions: self.budget,
                seed,
                max_time: common::SEARCH_TIME_CAP,
            },
        );
        match verdict.violated_property() {
            Some(p) if p == self.property => Ok(verdict.failure().map_or(0, |f| f.found_after)),
            _ => Err(format!(
                "seed {seed}: expected {} within {:?} executions, {}",
                self.property,
                self.budget,
                common::describe(&verdict)
            )),
        }
    }

    /// Executions until found for each of [`SEEDS`] (one search if the engine ignores
    /// seeds).
    pub fn calibrate(&self) -> Result<Vec<u64>, String> {
        if self.seedless {
            let n = self.found_after(SEEDS[0])?;
            return Ok(vec![n; SEEDS.len()]);
        }
        SEEDS.iter().map(|&seed| self.found_after(seed)).collect()
    }
}

/// The median of `values` (the lower middle one for an even count).
pub fn median(values: &[u64]) -> u64 {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted[(sorted.len() - 1) / 2]
}
