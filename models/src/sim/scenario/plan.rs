//! How `locklab check` explores a scenario: a proof under loom at a size loom can
//! finish, and a sampled search under shuttle PCT at a larger size.

use super::Param;

/// The loom run of `locklab check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoomPlan {
    /// Parameter values for the run (others keep their defaults).
    pub sizes: Vec<(Param, u64)>,
    /// Preemption bound; `None` explores every interleaving.
    pub preemption_bound: Option<usize>,
}

impl LoomPlan {
    /// Every interleaving with at most `bound` preemptions.
    pub fn bounded(bound: usize) -> Self {
        LoomPlan {
            sizes: Vec::new(),
            preemption_bound: Some(bound),
        }
    }

    /// Every interleaving.
    pub fn unbounded() -> Self {
        LoomPlan {
            sizes: Vec::new(),
            preemption_bound: None,
        }
    }

    /// Runs with `param` at `value`.
    pub fn set(mut self, param: Param, value: u64) -> Self {
        self.sizes.push((param, value));
        self
    }
}

/// loom's usual bound: every interleaving with at most 2 preemptions, at the
/// scenario's default sizes.
impl Default for LoomPlan {
    fn default() -> Self {
        LoomPlan::bounded(2)
    }
}

/// The shuttle (PCT) run of `locklab check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShuttlePlan {
    /// Parameter values for the run (others keep their defaults).
    pub sizes: Vec<(Param, u64)>,
    /// Executions.
    pub iterations: u64,
    /// PCT's bug depth: the number of ordering constraints it aims at, plus one.
    pub depth: usize,
}

impl ShuttlePlan {
    /// `iterations` PCT executions at depth 3.
    pub fn pct(iterations: u64) -> Self {
        ShuttlePlan {
            sizes: Vec::new(),
            iterations,
            depth: 3,
        }
    }

    /// PCT aimed at bugs of depth `depth` (a race that needs three actors to be
    /// ordered just so, say, needs 4).
    pub fn depth(mut self, depth: usize) -> Self {
        self.depth = depth.max(1);
        self
    }

    /// Runs with `param` at `value`.
    pub fn set(mut self, param: Param, value: u64) -> Self {
        self.sizes.push((param, value));
        self
    }
}

/// 10,000 PCT executions at depth 3, at the scenario's default sizes.
impl Default for ShuttlePlan {
    fn default() -> Self {
        ShuttlePlan::pct(10_000)
    }
}

/// The state-caching run of `locklab check`: every state once, no preemption bound.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatesPlan {
    /// Parameter values for the run (others keep their defaults).
    pub sizes: Vec<(Param, u64)>,
}

impl StatesPlan {
    /// At the scenario's default sizes.
    pub fn new() -> Self {
        StatesPlan::default()
    }

    /// Runs with `param` at `value`.
    pub fn set(mut self, param: Param, value: u64) -> Self {
        self.sizes.push((param, value));
        self
    }
}
