//! shuttle's random scheduler: uniformly random schedules from a seed.

use locklab_models::sim::choice::Choices;
use locklab_models::sim::{Recorder, SharedModel};
use shuttle::scheduler::RandomScheduler;

use super::shuttle::Run;
use super::{Budget, Engine, Search};

/// Uniformly random schedules (and choices) from the budget's seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Random;

impl Engine for Random {
    fn label(&self) -> String {
        "random".to_owned()
    }

    fn search(&self, model: &SharedModel, budget: &Budget, recorder: &Recorder) -> Search {
        let n = budget.samples();
        recorder.set_choices(Choices::Shuttle);
        Run {
            model,
            recorder,
            scheduler: Box::new(RandomScheduler::new_from_seed(budget.seed, n as usize)),
            family: "random",
            choices: Default::default(),
            drain_on_stop: true,
            max_time: budget.max_time,
        }
        .go()
        .sampled(n, budget.seed, budget.max_time)
    }
}
