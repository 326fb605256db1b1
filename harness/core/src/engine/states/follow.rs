//! Replaying a path of the search, with its timeline recorded.

use std::sync::Arc;

use locklab_models::sim::runtime::coop::{self, Decider, Decision, Ended, Point, TaskStatus};
use locklab_models::sim::{Property, Recorder, Runtime, SharedModel, Violation};

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
    /// A lasso: where its cycle starts, and the state there (fingerprint, owed).
    cycle_from: Option<usize>,
    /// The state where the cycle starts, and how many events the timeline had then.
    cycle_start: Option<(u64, Vec<Property>, usize)>,
    /// The state where the path ended.
    end: Option<(u64, Vec<Property>)>,
    /// Hold the execution to the path exactly (a user's replay string), recording
    /// the first place it does not fit; otherwise follow it as far as it goes.
    strict: bool,
    mismatch: Option<String>,
}

impl Follow<'_> {
    /// In strict mode, records the first mismatch (the execution then stops).
    fn stray(&mut self, what: impl FnOnce() -> String) {
        if self.strict && self.mismatch.is_none() {
            self.mismatch = Some(what());
        }
    }

    /// Where the execution at `point` does not fit the path, if it does not.
    fn misfit(&self, point: &Point<'_>) -> Option<String> {
        let at = self.at;
        let violated = self.recorder.violation().is_some();
        match self.path.get(at) {
            Some(&Step::Run(t)) if point.tasks.get(usize::from(t)) != Some(&TaskStatus::Ready) => {
                Some(format!(
                    "step {at} of the path runs task {t}, which is not ready there"
                ))
            }
            Some(Step::Choose(_)) => Some(format!(
                "step {at} of the path answers a choice, but the execution schedules a task there"
            )),
            None if !violated => Some(format!(
                "the path ends after {at} steps, before the execution does"
            )),
            Some(_) if violated => Some(format!(
                "the execution stopped at a violation with {} steps of the path unused",
                self.path.len() - at
            )),
            _ => None,
        }
    }
}

impl Decider for Follow<'_> {
    fn at_step(&mut self, point: &Point<'_>) -> Decision {
        if self.cycle_from == Some(self.at) && self.cycle_start.is_none() {
            let events = self.recorder.trace().events.len();
            self.cycle_start = Some((point.fingerprint, point.owed.to_vec(), events));
        }
        if self.at == self.path.len() && self.cycle_from.is_some() {
            // A lasso stops where its cycle closed.
            self.end = Some((point.fingerprint, point.owed.to_vec()));
            return Decision::Abort;
        }
        if self.strict && self.mismatch.is_none() {
            self.mismatch = self.misfit(point);
        }
        if self.mismatch.is_some() {
            return Decision::Abort;
        }
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

    fn at_choice(&mut self, _task: usize, n: usize) -> usize {
        let at = self.at;
        match self.path.get(at) {
            Some(Step::Choose(v)) if usize::from(*v) < n || !self.strict => {
                self.at += 1;
                usize::from(*v)
            }
            Some(Step::Choose(v)) => {
                self.stray(|| format!("step {at} of the path answers {v} to a choice among {n}"));
                0
            }
            _ => {
                self.stray(|| format!("step {at} of the path schedules a task, but the execution makes a choice there"));
                0
            }
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

/// Runs the execution `path` names, recording its timeline. For a lasso (`cycle_from`
/// says where its cycle starts), it stops where the cycle closes and reports the
/// obligation owed all round it, if the cycle does come back to its first state.
pub(crate) fn replay_path(
    model: &SharedModel,
    recorder: &Recorder,
    path: &[Step],
    cycle_from: Option<usize>,
) -> Replayed {
    follow(model, recorder, path, cycle_from, false).0
}

/// Replays a path from a replay string: the execution must take exactly the path's
/// decisions and end where it ends (a lasso: back in the state its cycle started
/// from); otherwise an error saying where it strayed.
pub(crate) fn replay_exactly(
    model: &SharedModel,
    recorder: &Recorder,
    path: &[Step],
    cycle_from: Option<usize>,
) -> Search {
    let (replayed, mismatch) = follow(model, recorder, path, cycle_from, true);
    match mismatch {
        Some(m) => Search::error(format!(
            "the path does not fit this execution: {m}; it was recorded on another model or at other parameters"
        )),
        None => replayed.search,
    }
}

fn follow(
    model: &SharedModel,
    recorder: &Recorder,
    path: &[Step],
    cycle_from: Option<usize>,
    strict: bool,
) -> (Replayed, Option<String>) {
    recorder.reset();
    // A lasso's timeline must show who was kept waiting round its cycle.
    recorder.record_waits(cycle_from.is_some());
    let mut follow = Follow {
        path,
        at: 0,
        recorder,
        decisions: 0,
        preemptions: 0,
        cycle_from,
        cycle_start: None,
        end: None,
        strict,
        mismatch: None,
    };
    let (m, r) = (Arc::clone(model), recorder.clone());
    let ended = coop::run(move || m.run(Runtime::Coop, &r), &mut follow);
    recorder.record_waits(false);
    let closed = match (&follow.cycle_start, &follow.end) {
        (Some((start, owed, first)), Some((end, _))) if start == end => {
            if let Some(&property) = owed.first() {
                owed_forever(recorder, property, *first);
            }
            true
        }
        _ => false,
    };
    if strict && follow.mismatch.is_none() {
        let (at, len) = (follow.at, path.len());
        if at < len && !matches!(ended, Ended::Panicked(_)) {
            follow.mismatch = Some(format!(
                "the execution ended after {at} of the path's {len} steps"
            ));
        } else if cycle_from.is_some() && !closed {
            follow.mismatch =
                Some("the path's cycle does not come back to the state it starts from".into());
        }
    }
    let schedule = Schedule::States {
        path: path.to_vec(),
        cycle_from,
    };
    let outcome = match ended {
        Ended::Panicked(message) => from_panic(message, recorder, Some(schedule), 1),
        _ => match failure_from(recorder, Some(schedule), 1) {
            Some(f) => Outcome::Violated(Box::new(f)),
            None => Outcome::Passed,
        },
    };
    let replayed = Replayed {
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
    };
    (replayed, follow.mismatch)
}

/// Marks the lasso in the timeline and records its violation: `property` is owed in
/// every state of the cycle, and a fair schedule can go round it for ever.
fn owed_forever(recorder: &Recorder, property: Property, first: usize) {
    let events = recorder.trace().events;
    let at = events.last().map_or(0, |e| e.at);
    let last = events.len().saturating_sub(1);
    let detail = format!(
        "owed for ever: after #{last} the run is back in the state it was in before #{first}, so #{first}..#{last} can repeat for ever, and under a fair schedule too (every actor that could move all along the cycle moves in it)",
    );
    recorder.push(at, "check", "cycle closes", detail.clone());
    recorder.violate(
        Violation {
            property,
            detail,
            at,
        },
        true,
    );
}
