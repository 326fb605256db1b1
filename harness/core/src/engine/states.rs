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

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use locklab_models::sim::runtime::coop::{self, Decider, Decision, Ended, Point, TaskStatus};
use locklab_models::sim::{Recorder, Runtime, SharedModel};

use super::{Budget, Engine, Outcome, Search};
use crate::coverage::{Coverage, StoppedBy};
use crate::replay::Schedule;
use crate::verdict::{failure_from, from_panic, Minimal};

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

/// In which order new states are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    /// Keep going from a new state (few executions).
    Depth,
    /// Stop at each new state (the first violation is a shortest one).
    Breadth,
}

/// One state of the graph.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// The tasks that could move in it.
    pub ready: Vec<u16>,
}

/// Every state seen, how it was first reached, and the edges between states.
#[derive(Default)]
pub(crate) struct Graph {
    index: HashMap<u64, usize>,
    /// Preemption-bounded searches: the fewest preemptions each state was reached with.
    best: HashMap<u64, usize>,
    pub nodes: Vec<Node>,
    /// `(from, task, to)`: task `task` moved from state `from` to state `to` (the
    /// choices it made on the way are part of the move).
    pub edges: Vec<(usize, u16, usize)>,
}

/// What the search met that ends it.
enum Stop {
    Violation(Path),
    Panicked(Path, String),
}

/// One execution: replays `path`, then explores in `order`, adding to the graph and
/// the frontier.
struct Driver<'a> {
    path: &'a [Step],
    taken: Path,
    order: Order,
    graph: &'a mut Graph,
    frontier: &'a mut Frontier,
    recorder: &'a Recorder,
    /// The state of the latest scheduling point, and the task that moved from it.
    from: Option<(usize, u16)>,
    stop: Option<Stop>,
    /// Only states up to this many decisions deep are expanded (breadth first).
    max_depth: Option<usize>,
    /// Only paths with at most this many preemptions (a state is then also told
    /// apart by the task that moved last).
    bound: Option<usize>,
    /// Preemptions on the path so far.
    used: usize,
}

/// Whether letting `t` move at `point` preempts the task that moved last (it could
/// have gone on).
fn preempts(point: &Point<'_>, t: u16) -> bool {
    point
        .last
        .is_some_and(|p| p != usize::from(t) && point.tasks.get(p) == Some(&TaskStatus::Ready))
}

/// A state's key in a preemption-bounded search: its fingerprint and who moved last.
fn bounded_key(point: &Point<'_>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (point.fingerprint, point.last).hash(&mut h);
    h.finish()
}

/// The executions still to run: paths to states not yet expanded.
enum Frontier {
    Stack(Vec<Path>),
    Queue(VecDeque<Path>),
}

impl Frontier {
    fn push(&mut self, path: Path) {
        match self {
            Frontier::Stack(s) => s.push(path),
            Frontier::Queue(q) => q.push_back(path),
        }
    }

    fn pop(&mut self) -> Option<Path> {
        match self {
            Frontier::Stack(s) => s.pop(),
            Frontier::Queue(q) => q.pop_front(),
        }
    }
}

impl Driver<'_> {
    fn replaying(&self) -> bool {
        self.taken.len() < self.path.len()
    }

    fn take(&mut self, step: Step) {
        self.taken.push(step);
    }
}

impl Decider for Driver<'_> {
    fn at_step(&mut self, point: &Point<'_>) -> Decision {
        let key = match self.bound {
            Some(_) => bounded_key(point),
            None => point.fingerprint,
        };
        let mut known = self.graph.index.get(&key).copied();
        if self.bound.is_some() && !self.replaying() {
            // Reached again with fewer preemptions: its successors are worth another look.
            let best = self.graph.best.entry(key).or_insert(usize::MAX);
            if self.used < *best {
                *best = self.used;
                if let Some(node) = known.take() {
                    return self.expand(point, node);
                }
            }
        }
        let node = match known {
            Some(node) => node,
            None if self.replaying() => {
                self.stop = Some(Stop::Panicked(
                    self.taken.clone(),
                    "a replayed path reached a state the search never saw: the model is not deterministic".into(),
                ));
                return Decision::Abort;
            }
            None => {
                if self.recorder.violation().is_some() {
                    self.stop = Some(Stop::Violation(self.taken.clone()));
                    return Decision::Abort;
                }
                let ready: Vec<u16> = point.ready().map(|t| t as u16).collect();
                self.graph.index.insert(key, self.graph.nodes.len());
                self.graph.nodes.push(Node { ready });
                self.graph.nodes.len() - 1
            }
        };
        if let Some((from, task)) = self.from.take() {
            if !self.replaying() {
                self.graph.edges.push((from, task, node));
            }
        }
        if let Some(&Step::Run(t)) = self.path.get(self.taken.len()) {
            return self.go(point, node, t);
        }
        if known.is_some() {
            return Decision::Abort; // seen before: its successors are someone else's
        }
        self.expand(point, node)
    }

    fn at_choice(&mut self, _task: usize, n: usize) -> usize {
        if let Some(&Step::Choose(v)) = self.path.get(self.taken.len()) {
            self.take(Step::Choose(v));
            return usize::from(v);
        }
        for v in (1..n as u16).rev() {
            let mut alternative = self.taken.clone();
            alternative.push(Step::Choose(v));
            self.frontier.push(alternative);
        }
        self.take(Step::Choose(0));
        0
    }
}

impl Driver<'_> {
    /// Lets task `t` move from state `node`.
    fn go(&mut self, point: &Point<'_>, node: usize, t: u16) -> Decision {
        if preempts(point, t) {
            self.used += 1;
        }
        self.take(Step::Run(t));
        self.from = Some((node, t));
        Decision::Run(usize::from(t))
    }

    /// A new state (or one reached with fewer preemptions): leaves its other
    /// successors to the frontier and, depth first, takes the first.
    fn expand(&mut self, point: &Point<'_>, node: usize) -> Decision {
        let used = self.used;
        let bound = self.bound;
        let ready: Vec<u16> = self.graph.nodes[node]
            .ready
            .iter()
            .copied()
            .filter(|&t| bound.is_none_or(|b| used + usize::from(preempts(point, t)) <= b))
            .collect();
        let deep = self.max_depth.is_some_and(|d| self.taken.len() >= d);
        if ready.is_empty() || deep {
            return Decision::Abort;
        }
        let first = match self.order {
            Order::Depth => 1,
            Order::Breadth => 0,
        };
        for &t in ready[first..].iter().rev() {
            let mut next = self.taken.clone();
            next.push(Step::Run(t));
            self.frontier.push(next);
        }
        if self.order == Order::Breadth {
            return Decision::Abort;
        }
        self.go(point, node, ready[0])
    }
}

/// A search in one order, over one graph.
struct Search1<'a> {
    model: &'a SharedModel,
    recorder: &'a Recorder,
    budget: &'a Budget,
    start: Instant,
    executions: u64,
}

/// Why a search ended early.
enum Cut {
    Stopped(Stop),
    Budget(StoppedBy),
}

impl Search1<'_> {
    fn run(
        &mut self,
        order: Order,
        graph: &mut Graph,
        max_depth: Option<usize>,
        bound: Option<usize>,
    ) -> Result<(), Cut> {
        let mut frontier = match order {
            Order::Depth => Frontier::Stack(vec![Vec::new()]),
            Order::Breadth => Frontier::Queue(VecDeque::from([Vec::new()])),
        };
        while let Some(path) = frontier.pop() {
            if let Some(cap) = self.budget.executions.filter(|&cap| self.executions >= cap) {
                return Err(Cut::Budget(StoppedBy::ExecutionCap { cap }));
            }
            if self.start.elapsed() >= self.budget.max_time {
                return Err(Cut::Budget(StoppedBy::time(self.budget.max_time)));
            }
            self.executions += 1;
            self.recorder.reset();
            let mut driver = Driver {
                path: &path,
                taken: Vec::with_capacity(path.len() + 16),
                order,
                graph,
                frontier: &mut frontier,
                recorder: self.recorder,
                from: None,
                stop: None,
                max_depth,
                bound,
                used: 0,
            };
            let (m, r) = (Arc::clone(self.model), self.recorder.clone());
            let ended = coop::run(move || m.run(Runtime::Coop, &r), &mut driver);
            let taken = std::mem::take(&mut driver.taken);
            let stop = driver.stop.take();
            match (ended, stop) {
                (_, Some(stop)) => return Err(Cut::Stopped(stop)),
                (Ended::Panicked(message), None) => {
                    return Err(Cut::Stopped(Stop::Panicked(taken, message)))
                }
                (_, None) if self.recorder.violation().is_some() => {
                    return Err(Cut::Stopped(Stop::Violation(taken)));
                }
                (Ended::Finished { fingerprint }, None) => {
                    if !graph.index.contains_key(&fingerprint) {
                        graph.index.insert(fingerprint, graph.nodes.len());
                        graph.nodes.push(Node { ready: Vec::new() });
                    }
                }
                (Ended::Aborted, None) => {}
            }
        }
        Ok(())
    }
}

impl Search1<'_> {
    /// The decisions and preemptions of the shortest counterexample `path`, and the
    /// fewest preemptions any counterexample has: a search bounded at each count
    /// below its own, until one finds a violation.
    fn minimal(&mut self, path: &[Step]) -> Minimal {
        let replayed = replay_path(self.model, self.recorder, path);
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
            Ok(()) => {
                return Search {
                    executions: search.executions,
                    outcome: Outcome::Passed,
                    coverage: Coverage::Exhaustive,
                    states: Some(proof.nodes.len() as u64),
                }
            }
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
        let (path, outcome) = match stop {
            Stop::Violation(path) => {
                let schedule = Schedule::States { path: path.clone() };
                let failure =
                    failure_from(recorder, Some(schedule), search.executions).map(|mut f| {
                        f.minimal = Some(search.minimal(&path));
                        f
                    });
                (path, failure.map(|f| Outcome::Violated(Box::new(f))))
            }
            Stop::Panicked(path, message) => {
                let schedule = Schedule::States { path: path.clone() };
                let outcome = from_panic(message, recorder, Some(schedule), search.executions);
                (path, Some(outcome))
            }
        };
        let _ = path;
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
            if let Some(Schedule::States { path }) = &f.schedule {
                let mut replayed = replay_path(model, recorder, path).search;
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
