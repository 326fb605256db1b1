//! Replaying a path of the search, with its timeline recorded.

use std::sync::Arc;

use locklab_models::sim::runtime::coop::{self, Decider, Decision, Ended, Point, TaskStatus};
use locklab_models::sim::{Recorder, Runtime, SharedModel};

use super::driver::preempts;
use super::Step;
use crate::coverage::{Coverage, StoppedBy};
use crate::engine::{Outcome, Search};
use crate::replay::Schedule;
use crate::verdict::{failure_from, from_panic};

/// Follows `path`, then lets the lowest ready task move until the run ends (winding
/// up once a violation is recorded).
struct Follow<'a> {
    path: &'a [Step],
    at: usize,
    recorder: &'a Recorder,
    decisions: usize,
    preemptions: usize,
}

impl Decider for Follow<'_> {
    fn at_step(&mut self, point: &Point<'_>) -> Decision {
        if let Some(&Step::Run(t)) = self.path.get(self.at) {
            self.at += 1;
            self.decisions += 1;
            self.preemptions += usize::from(preempts(point, t));
            return Decision::Run(usize::from(t));
        }
        if self.recorder.violation().is_some() {
            return Decision::Abort;
        }
        match point.tasks.iter().position(|s| *s == TaskStatus::Ready) {
            Some(t) => Decision::Run(t),
            None => Decision::Abort,
        }
    }

    fn at_choice(&mut self, _task: usize, _n: usize) -> usize {
        match self.path.get(self.at) {
            Some(Step::Choose(v)) => {
                self.at += 1;
                usize::from(*v)
            }
            _ => 0,
        }
    }
}

/// One execution replayed along a path.
pub(crate) struct Replayed {
    pub search: Search,
    /// Scheduling decisions on the path.
    pub decisions: usize,
    /// Preemptions on the path.
    pub preemptions: usize,
}

/// Runs the execution `path` names, recording its timeline.
pub(crate) fn replay_path(model: &SharedModel, recorder: &Recorder, path: &[Step]) -> Replayed {
    recorder.reset();
    let mut follow = Follow {
        path,
        at: 0,
        recorder,
        decisions: 0,
        preemptions: 0,
    };
    let (m, r) = (Arc::clone(model), recorder.clone());
    let ended = coop::run(move || m.run(Runtime::Coop, &r), &mut follow);
    let schedule = Schedule::States {
        path: path.to_vec(),
    };
    let outcome = match ended {
        Ended::Panicked(message) => from_panic(message, recorder, Some(schedule), 1),
        _ => match failure_from(recorder, Some(schedule), 1) {
            Some(f) => Outcome::Violated(Box::new(f)),
            None => Outcome::Passed,
        },
    };
    Replayed {
        search: Search {
            executions: 1,
            outcome,
            coverage: Coverage::Incomplete {
                stopped_by: StoppedBy::ExecutionCap { cap: 1 },
            },
            states: None,
        },
        decisions: follow.decisions,
        preemptions: follow.preemptions,
    }
}
