//! Named scenarios: each rung of each scheme's ladder as something `locklab` can
//! list, explore, replay and check.
//!
//! A [`Scenario`] is a scheme variant plus its sizes ([`Param`]s with defaults), the
//! faults it injects, and the verdict it is expected to reach: a buggy rung names the
//! property it must be caught violating; a correct rung must hold. It also says how
//! `locklab check` explores it: loom at a size loom can finish, shuttle PCT at a
//! larger size.
#![deny(missing_docs)]

mod cart_reservation;
mod device_claim;
mod instance_coordinator;
mod jackpot;
mod params;
mod singleton_poller;

use std::sync::Arc;

pub use locklab_models::sim::DynModel;
pub use params::{Param, Params};

/// What a scenario is expected to conclude.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// Every explored execution satisfies every property.
    Holds,
    /// Some execution violates this property (by its stable name).
    Violates(&'static str),
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expected::Holds => f.write_str("holds"),
            Expected::Violates(p) => write!(f, "violates {p}"),
        }
    }
}

/// How `locklab check` runs the scenario under loom.
#[derive(Debug, Clone, Copy)]
pub struct LoomPlan {
    /// Parameter values for the loom run (others keep their defaults).
    pub sizes: &'static [(&'static str, u64)],
    /// Preemption bound; `None` explores every interleaving.
    pub preemption_bound: Option<usize>,
}

/// How `locklab check` runs the scenario under shuttle PCT.
#[derive(Debug, Clone, Copy)]
pub struct ShuttlePlan {
    /// Parameter values for the shuttle run (others keep their defaults).
    pub sizes: &'static [(&'static str, u64)],
    /// Executions.
    pub iterations: u64,
}

/// One rung of one ladder.
pub struct Scenario {
    /// `scheme/variant`, kebab case: `device-claim/epoch-lease`.
    pub id: &'static str,
    /// One line: what the variant does, and what goes wrong if anything does.
    pub summary: &'static str,
    /// The expected verdict.
    pub expected: Expected,
    /// The parameter `--actors` sets.
    pub actors_param: &'static str,
    /// Its parameters, with defaults and ranges.
    pub params: &'static [Param],
    /// Builds the model for the given parameter values.
    pub build: fn(&Params) -> Result<Arc<dyn DynModel>, String>,
    /// The loom run of `locklab check`.
    pub loom: LoomPlan,
    /// The shuttle run of `locklab check`.
    pub shuttle: ShuttlePlan,
}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scenario")
            .field("id", &self.id)
            .field("expected", &self.expected)
            .finish()
    }
}

impl Scenario {
    /// The default parameter values with `overrides` applied; an unknown name or an
    /// out-of-range value is an error that says what is allowed.
    pub fn params(&self, overrides: &[(String, u64)]) -> Result<Params, String> {
        Params::resolve(self.id, self.params, overrides)
    }

    /// Builds the model with `overrides` on top of the defaults.
    pub fn model(&self, overrides: &[(String, u64)]) -> Result<Arc<dyn DynModel>, String> {
        (self.build)(&self.params(overrides)?)
    }

    /// The scheme part of the id (`device-claim`).
    pub fn scheme(&self) -> &'static str {
        self.id.split_once('/').map_or(self.id, |(s, _)| s)
    }
}

/// Every built-in scenario, grouped by scheme, each ladder from the original bug to
/// the correct fix.
pub fn all() -> Vec<&'static Scenario> {
    device_claim::SCENARIOS
        .iter()
        .chain(instance_coordinator::SCENARIOS.iter())
        .chain(jackpot::SCENARIOS.iter())
        .chain(singleton_poller::SCENARIOS.iter())
        .chain(cart_reservation::SCENARIOS.iter())
        .collect()
}

/// The scenario with this id.
pub fn find(id: &str) -> Option<&'static Scenario> {
    all().into_iter().find(|s| s.id == id)
}

/// Ids that look like `id`, for "did you mean" messages.
pub fn suggest(id: &str) -> Vec<&'static str> {
    let scheme = id.split('/').next().unwrap_or(id);
    let mut out: Vec<&'static str> = all()
        .into_iter()
        .map(|s| s.id)
        .filter(|s| s.contains(id) || (!scheme.is_empty() && s.starts_with(scheme)))
        .collect();
    out.truncate(8);
    out
}
