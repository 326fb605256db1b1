//! The state-caching engine: every state of the model explored once.
//!
//! Every execution runs on the cooperative runtime, where each scheduling point hands
//! the choice of who moves to this engine with the world's fingerprint. A state is a
//! scheduling point; its fingerprint hashes the scheme's world (its `Hash`), the clock,
//! each actor's status, timing, pause and *progress*, and each task's status (ready,
//! waiting, joining, done). An actor's progress is a hash chain of the labels and
//! results of the steps it took (or, from an [`Actor::local`] declaration on, of the
//! local state it declared): an actor is deterministic between steps and its step
//! closures are `Fn` (they cannot write to its variables), so everything it knows came
//! back as a step result, and equal chains mean equal local states. Two paths that
//! reach equal fingerprints reach the same state, which is explored once.
//!
//! The proof is a depth-first search: an execution replays the decisions that lead to
//! a state (actors' stacks cannot be copied), then keeps going until it meets a state
//! it has seen, leaving the other choices of every new state for later executions.
//! When it finds a violation, a breadth-first search follows, up to the depth of that
//! violation, so the counterexample printed is a shortest one in scheduling
//! decisions; its preemptions are counted, and searches bounded below that count
//! show (or refute) that none with fewer exists.
//!
//! Fingerprints are 64-bit hashes: two different states colliding would hide one of
//! them, with odds of about n²/2⁶⁵ for n states (one in ten million at a million).
//!
//! [`Actor::local`]: locklab_models::sim::Actor::local

mod driver;
mod follow;
mod liveness;

use std::time::Instant;

use locklab_models::sim::{Recorder, SharedModel};

use super::{Budget, Engine, Outcome, Search};
use crate::coverage::{Coverage, StoppedBy};
use crate::replay::Schedule;
use crate::verdict::{failure_from, from_panic, Minimal};
use driver::{Cut, Graph, Order, Search1, Stop};
pub(crate) use follow::{replay_exactly, replay_path};

/// One decision of a path: which task moved, or what a choice answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// Task `n` moved.
    Run(u16),
    /// The pending choice answered `n`.
    Choose(u16),
}

/// A path from the start: every decision, in order.
pub type Path = Vec<Step>;

/// Every state once: depth first to prove, breadth first for the shortest
/// counterexample.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct States;

impl Search1<'_> {
    /// The decisions and preemptions of the shortest counterexample `path`, and the
    /// fewest preemptions any counterexample has: a search bounded at each count
    /// below its own, until one finds a violation.
    fn minimal(&mut self, path: &[Step]) -> Minimal {
        let replayed = replay_path(self.model, self.recorder, path, None);
        let mut fewest = replayed.preemptions;
        for bound in 0..replayed.preemptions {
            let mut graph = Graph::default();
            if let Err(Cut::Stopped(Stop::Violation(_))) =
                self.run(Order::Depth, &mut graph, None, Some(bound))
            {
                fewest = bound;
                break;
            }
        }
        Minimal {
            decisions: replayed.decisions,
            preemptions: replayed.preemptions,
            fewest_preemptions: fewest,
        }
    }
}

impl States {
    fn explore(&self, model: &SharedModel, budget: &Budget, recorder: &Recorder) -> Search {
        let mut search = Search1 {
            model,
            recorder,
            budget,
            start: Instant::now(),
            executions: 0,
        };
        let mut proof = Graph::default();
        let found = match search.run(Order::Depth, &mut proof, None, None) {
            Ok(()) => match liveness::fair_cycle(&proof) {
                Some(lasso) => Stop::Lasso(lasso),
                None => {
                    return Search {
                        executions: search.executions,
                        outcome: Outcome::Passed,
                        coverage: Coverage::Exhaustive,
                        states: Some(proof.nodes.len() as u64),
                    }
                }
            },
            Err(Cut::Budget(stopped_by)) => {
                return Search {
                    executions: search.executions,
                    outcome: Outcome::Passed,
                    coverage: Coverage::Incomplete { stopped_by },
                    states: Some(proof.nodes.len() as u64),
                }
            }
            Err(Cut::Stopped(stop)) => stop,
        };
        let states = proof.nodes.len() as u64;
        let stop = match found {
            Stop::Violation(path) => {
                // The same search breadth first, no deeper than this violation: the
                // first violation it meets is a shortest one.
                let mut shortest = Graph::default();
                match search.run(Order::Breadth, &mut shortest, Some(path.len()), None) {
                    Err(Cut::Stopped(stop)) => stop,
                    _ => Stop::Violation(path),
                }
            }
            panicked => panicked,
        };
        let outcome = match stop {
            Stop::Lasso(lasso) => {
                let cycle_from = lasso.prefix.len();
                let mut path = lasso.prefix;
                path.extend(lasso.cycle);
                let replayed = follow::replay_path(model, recorder, &path, Some(cycle_from));
                match replayed.search.outcome {
                    Outcome::Violated(f) => Some(Outcome::Violated(f)),
                    _ => Some(Outcome::Error(format!(
                        "a fair cycle owing {} did not close when replayed: the model is not deterministic",
                        lasso.property
                    ))),
                }
            }
            Stop::Violation(path) => {
                let schedule = Schedule::States {
                    path: path.clone(),
                    cycle_from: None,
                };
                let failure =
                    failure_from(recorder, Some(schedule), search.executions).map(|mut f| {
                        f.minimal = Some(search.minimal(&path));
                        f
                    });
                failure.map(|f| Outcome::Violated(Box::new(f)))
            }
            Stop::Panicked(path, message) => {
                let schedule = Schedule::States {
                    path,
                    cycle_from: None,
                };
                Some(from_panic(
                    message,
                    recorder,
                    Some(schedule),
                    search.executions,
                ))
            }
        };
        Search {
            executions: search.executions,
            outcome: outcome
                .unwrap_or_else(|| Outcome::Error("the violation did not reproduce".into())),
            coverage: Coverage::Incomplete {
                stopped_by: StoppedBy::Violation,
            },
            states: Some(states),
        }
    }
}

/// Breadth first from the start, within `budget`: the first violation met is a
/// shortest counterexample, returned with its timeline and minimality. `None` when
/// the budget ran out first or nothing is violated.
pub(crate) fn shortest(
    model: &SharedModel,
    budget: &Budget,
    recorder: &Recorder,
) -> Option<Search> {
    let quiet = Recorder::with_recording(false);
    let mut search = Search1 {
        model,
        recorder: &quiet,
        budget,
        start: Instant::now(),
        executions: 0,
    };
    let mut graph = Graph::default();
    let Err(Cut::Stopped(Stop::Violation(path))) =
        search.run(Order::Breadth, &mut graph, None, None)
    else {
        return None;
    };
    let minimal = search.minimal(&path);
    let mut replayed = replay_path(model, recorder, &path, None).search;
    replayed.executions = search.executions;
    replayed.states = Some(graph.nodes.len() as u64);
    if let Outcome::Violated(f) = &mut replayed.outcome {
        f.minimal = Some(minimal);
        f.found_after = search.executions;
    }
    Some(replayed)
}

impl Engine for States {
    fn label(&self) -> String {
        "states".to_owned()
    }

    fn search(&self, model: &SharedModel, budget: &Budget, recorder: &Recorder) -> Search {
        // The search only needs verdicts; the failing path is replayed with its
        // timeline at the end.
        let quiet = Recorder::with_recording(false);
        let mut search = self.explore(model, budget, &quiet);
        recorder.add_checks_from(&quiet);
        if let Outcome::Violated(f) = &search.outcome {
            if let Some(Schedule::States { path, cycle_from }) = &f.schedule {
                let mut replayed = replay_path(model, recorder, path, *cycle_from).search;
                replayed.executions = search.executions;
                replayed.states = search.states;
                if let Outcome::Violated(r) = &mut replayed.outcome {
                    r.found_after = f.found_after;
                    r.minimal = f.minimal;
                }
                search = replayed;
            }
        }
        search
    }
}
