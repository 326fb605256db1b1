//! Real OS threads: no control over the schedule, so no replay; a stress test of the
//! same scheme code.

use std::panic::{self, AssertUnwindSafe};
use std::time::Instant;

use locklab_models::sim::choice::Choices;
use locklab_models::sim::{Recorder, Runtime, SharedModel};

use super::{Budget, Engine, Outcome, Search};
use crate::coverage::{Coverage, StoppedBy};
use crate::verdict::{failure_from, from_panic, panic_message};

/// Real threads, as many executions as the budget samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threads;

impl Engine for Threads {
    fn label(&self) -> String {
        "threads".to_owned()
    }

    fn search(&self, model: &SharedModel, budget: &Budget, recorder: &Recorder) -> Search {
        let start = Instant::now();
        let asked = budget.samples();
        let mut executions = 0;
        while executions < asked && start.elapsed() < budget.max_time {
            executions += 1;
            recorder.reset();
            recorder.set_choices(Choices::Seeded(budget.seed ^ executions));
            let ran =
                panic::catch_unwind(AssertUnwindSafe(|| model.run(Runtime::Threads, recorder)));
            let failed = match ran {
                Err(payload) => Some(from_panic(
                    panic_message(&*payload),
                    recorder,
                    None,
                    executions,
                )),
                Ok(()) => {
                    failure_from(recorder, None, executions).map(|f| Outcome::Violated(Box::new(f)))
                }
            };
            if let Some(outcome) = failed {
                return Search {
                    executions,
                    outcome,
                    coverage: Coverage::Incomplete {
                        stopped_by: StoppedBy::Violation,
                    },
                    states: None,
                };
            }
        }
        let coverage = if executions < asked {
            Coverage::Incomplete {
                stopped_by: StoppedBy::time(budget.max_time),
            }
        } else {
            Coverage::Sampled {
                executions,
                seed: budget.seed,
            }
        };
        Search {
            executions,
            outcome: Outcome::Passed,
            coverage,
            states: None,
        }
    }
}
