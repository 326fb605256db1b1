//! The cooperative runtime: every actor is a coroutine on the engine's own thread,
//! and before each access to the world it parks and hands the choice of who runs next
//! to a [`Decider`] — the state-caching engine. One execution is one call of
//! [`run`]; the decider sees every scheduling point with the world's fingerprint and
//! which actors can move, and every [`Actor::choose`](crate::sim::Actor::choose).
//!
//! The coroutines are the `generator` crate's (the one loom runs on). They yield
//! through its free functions, which reach the running coroutine from any depth of
//! the kit's code without unsafe code; the scoped API would need the yielder passed
//! down through every scheme function.
//!
//! Two sides share one execution's bookkeeping (`Run`, thread-local): what the
//! kit's code calls from inside the coroutines (`task.rs`: the world's cell, spawn,
//! join, choose, each parking with a request), and the loop that resumes them and
//! asks the decider at every scheduling point (`scheduler.rs`).

use std::cell::RefCell;

mod scheduler;
mod task;

pub use scheduler::run;
pub(crate) use task::{choose, join, spawn, CoopCell};

/// Where a task stands at a scheduling point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskStatus {
    /// Parked before an access to the world: it moves if chosen.
    Ready,
    /// Its last attempt at a waiting step failed; it moves again once the world
    /// changes in a way that may let it (a notify).
    Waiting,
    /// The main task, waiting for a task to finish.
    Joining(usize),
    /// Finished.
    Done,
}

/// What the decider says at a scheduling point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Resume this task (one of the ready ones).
    Run(usize),
    /// Stop the execution here: every task winds up as if a violation stopped it.
    Abort,
}

/// A scheduling point: every task is parked.
#[derive(Debug)]
pub struct Point<'a> {
    /// The world's fingerprint (its state, every actor's progress) combined with
    /// every task's status.
    pub fingerprint: u64,
    /// Each task's status, by task index (0 is the execution's main task).
    pub tasks: &'a [TaskStatus],
    /// The task that ran last.
    pub last: Option<usize>,
    /// The liveness obligations owed in this state.
    pub owed: &'a [crate::sim::Property],
}

impl Point<'_> {
    /// The tasks that can move.
    pub fn ready(&self) -> impl Iterator<Item = usize> + '_ {
        self.tasks
            .iter()
            .enumerate()
            .filter(|(_, s)| **s == TaskStatus::Ready)
            .map(|(i, _)| i)
    }
}

/// The state-caching engine's side of one execution.
pub trait Decider {
    /// Which task moves at this scheduling point.
    fn at_step(&mut self, point: &Point<'_>) -> Decision;
    /// The answer to task `task`'s choice among `n` options.
    fn at_choice(&mut self, task: usize, n: usize) -> usize;
}

/// How one execution under [`run`] ended.
#[derive(Debug)]
pub enum Ended {
    /// Every task finished (normally, or winding up after a violation).
    Finished {
        /// The fingerprint of the final state.
        fingerprint: u64,
    },
    /// The decider aborted it.
    Aborted,
    /// A task panicked (a bug in the model); the message.
    Panicked(String),
}

/// What a task yields to the scheduler.
enum Request {
    Step,
    Wait,
    Join(usize),
    Choose(usize),
    Done,
}

/// What the scheduler answers.
#[derive(Clone, Copy)]
enum Reply {
    Go,
    Abort,
    Choice(usize),
}

/// The running execution's bookkeeping, shared by the kit's code inside the tasks
/// and the scheduler loop (all on one thread).
#[derive(Default)]
struct Run {
    /// Tasks spawned since the scheduler last looked.
    spawned: Vec<Box<dyn FnOnce() + Send>>,
    tasks: usize,
    done: Vec<bool>,
    /// Some access may have let a waiting task proceed.
    notified: bool,
    /// The world's fingerprint after the latest access.
    world: u64,
    /// The obligations it owes.
    owed: Vec<crate::sim::Property>,
    /// The execution is being wound up.
    aborting: bool,
    /// The task running now.
    current: usize,
}

thread_local! {
    static RUN: RefCell<Option<Run>> = const { RefCell::new(None) };
}

fn with_run<U>(f: impl FnOnce(&mut Run) -> U) -> U {
    RUN.with(|r| {
        f(r.borrow_mut()
            .as_mut()
            .expect("inside a cooperative execution"))
    })
}
