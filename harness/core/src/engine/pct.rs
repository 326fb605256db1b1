//! shuttle's PCT scheduler: probabilistic concurrency testing, which finds a bug of
//! depth d (d − 1 ordering constraints) with a probability that does not shrink with
//! the length of the execution.

use locklab_models::sim::choice::Choices;
use locklab_models::sim::{Recorder, SharedModel};
use shuttle::scheduler::PctScheduler;

use super::shuttle::Run;
use super::{Budget, Engine, Search};

/// PCT with bug depth `depth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pct {
    /// The number of priority change points + 1 (PCT's `d`).
    pub depth: usize,
}

impl Default for Pct {
    /// Depth 3: bugs of two ordering constraints, the common case here.
    fn default() -> Self {
        Pct { depth: 3 }
    }
}

impl Engine for Pct {
    fn label(&self) -> String {
        format!("pct(d={})", self.depth)
    }

    fn search(&self, model: &SharedModel, budget: &Budget, recorder: &Recorder) -> Search {
        let n = budget.samples();
        recorder.set_choices(Choices::Shuttle);
        Run {
            model,
            recorder,
            scheduler: Box::new(PctScheduler::new_from_seed(
                budget.seed,
                self.depth,
                n as usize,
            )),
            family: "pct",
            choices: Default::default(),
            drain_on_stop: false,
            max_time: budget.max_time,
        }
        .go()
        .sampled(n, budget.seed, budget.max_time)
    }
}
