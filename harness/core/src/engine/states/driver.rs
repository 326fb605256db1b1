//! One execution of the search: replay a path, then explore from where it ends.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use locklab_models::sim::runtime::coop::{self, Decider, Decision, Ended, Point, TaskStatus};
use locklab_models::sim::{Property, Recorder, Runtime, SharedModel};

use super::{Path, Step};
use crate::coverage::StoppedBy;
use crate::engine::Budget;

/// In which order new states are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Order {
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
    /// The liveness obligations it owes.
    pub owed: Vec<Property>,
}

/// A move from one state to another.
#[derive(Debug, Clone)]
pub(crate) struct Edge {
    pub from: usize,
    /// The task that moved.
    pub task: u16,
    /// The decisions of the move: the task, then any choices it made on the way.
    pub decisions: Vec<Step>,
    pub to: usize,
}

/// Every state seen, how it was first reached, and the edges between states.
#[derive(Default)]
pub(crate) struct Graph {
    index: HashMap<u64, usize>,
    /// Preemption-bounded searches: the fewest preemptions each state was reached with.
    best: HashMap<u64, usize>,
    pub nodes: Vec<Node>,
    /// Every move seen (depth-first searches; the bounded ones keep none).
    pub edges: Vec<Edge>,
}

/// What the search met that ends it.
pub(super) enum Stop {
    Violation(Path),
    Panicked(Path, String),
    /// A fair cycle owing an obligation (found after the search, on its graph).
    Lasso(super::liveness::Lasso),
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
    /// The state of the latest scheduling point, the task that moved from it, and
    /// where in `taken` its move began.
    from: Option<(usize, u16, usize)>,
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
pub(super) fn preempts(point: &Point<'_>, t: u16) -> bool {
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
                self.graph.nodes.push(Node {
                    ready,
                    owed: point.owed.to_vec(),
                });
                self.graph.nodes.len() - 1
            }
        };
        if let Some((from, task, start)) = self.from.take() {
            if !self.replaying() && self.bound.is_none() {
                self.graph.edges.push(Edge {
                    from,
                    task,
                    decisions: self.taken[start..].to_vec(),
                    to: node,
                });
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
        self.from = Some((node, t, self.taken.len()));
        self.take(Step::Run(t));
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
pub(super) struct Search1<'a> {
    pub(super) model: &'a SharedModel,
    pub(super) recorder: &'a Recorder,
    pub(super) budget: &'a Budget,
    pub(super) start: Instant,
    pub(super) executions: u64,
}

/// Why a search ended early.
pub(super) enum Cut {
    Stopped(Stop),
    Budget(StoppedBy),
}

impl Search1<'_> {
    pub(super) fn run(
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
                        graph.nodes.push(Node {
                            ready: Vec::new(),
                            owed: Vec::new(),
                        });
                    }
                }
                (Ended::Aborted, None) => {}
            }
        }
        Ok(())
    }
}
