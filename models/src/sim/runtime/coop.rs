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

#![allow(deprecated)] // `generator::yield_`: see the module docs.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;

use generator::{Generator, Gn};

use super::cells::Wake;

/// Stack of one actor coroutine, in words (256 KiB): steps format timelines and
/// schemes recurse a little; a stack is only touched as deep as it is used.
const STACK_WORDS: usize = 0x8000;

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
    /// Finished coroutines, kept for the next execution: a coroutine's stack is a
    /// memory mapping, and mapping one per actor per execution costs more than the
    /// execution itself.
    static POOL: RefCell<Vec<Task>> = const { RefCell::new(Vec::new()) };
}

fn with_run<U>(f: impl FnOnce(&mut Run) -> U) -> U {
    RUN.with(|r| {
        f(r.borrow_mut()
            .as_mut()
            .expect("inside a cooperative execution"))
    })
}

fn park(request: Request) -> Reply {
    generator::yield_::<Reply, Request>(request).unwrap_or(Reply::Go)
}

/// The world's cell under the cooperative runtime.
pub(crate) struct CoopCell<T> {
    value: Mutex<T>,
    fingerprint: fn(&T) -> u64,
    owed: fn(&T) -> Vec<crate::sim::Property>,
    halt: fn(&mut T),
}

impl<T: Wake> CoopCell<T> {
    pub(crate) fn new(
        value: T,
        fingerprint: fn(&T) -> u64,
        owed: fn(&T) -> Vec<crate::sim::Property>,
        halt: fn(&mut T),
    ) -> Self {
        CoopCell {
            value: Mutex::new(value),
            fingerprint,
            owed,
            halt,
        }
    }

    /// Runs `f` as one access; a scheduling point first, unless no coroutine is
    /// running (set-up by the main task before any other exists is still inside one).
    fn access<U>(&self, f: impl FnOnce(&mut T) -> U) -> U {
        let mut value = self.value.lock().unwrap_or_else(|p| p.into_inner());
        let out = f(&mut value);
        let wake = value.take_wakeups();
        let fp = (self.fingerprint)(&value);
        let owed = (self.owed)(&value);
        drop(value);
        with_run(|r| {
            r.notified |= wake;
            r.world = fp;
            r.owed = owed;
        });
        out
    }

    fn halt_if_aborting(&self, reply: Reply) {
        if matches!(reply, Reply::Abort) || with_run(|r| r.aborting) {
            let mut value = self.value.lock().unwrap_or_else(|p| p.into_inner());
            (self.halt)(&mut value);
        }
    }

    /// One access that is not a scheduling point: bookkeeping no other task can
    /// observe apart from its effect (an actor's exit, set-up before any other task
    /// exists, the end checks after every other task is done).
    pub(crate) fn quiet<U>(&self, f: impl FnOnce(&mut T) -> U) -> U {
        self.access(f)
    }

    pub(crate) fn with<U>(&self, f: impl FnOnce(&mut T) -> U) -> U {
        let reply = park(Request::Step);
        self.halt_if_aborting(reply);
        self.access(f)
    }

    pub(crate) fn wait_for<U>(&self, mut f: impl FnMut(&mut T) -> Option<U>) -> U {
        let reply = park(Request::Step);
        self.halt_if_aborting(reply);
        loop {
            if let Some(out) = self.access(&mut f) {
                return out;
            }
            let reply = park(Request::Wait);
            self.halt_if_aborting(reply);
        }
    }
}

/// Registers a new task running `body`; returns its index.
pub(crate) fn spawn(body: impl FnOnce() + Send + 'static) -> usize {
    with_run(|r| {
        r.spawned.push(Box::new(body));
        r.tasks + r.spawned.len() - 1
    })
}

/// Waits for task `task` to finish.
pub(crate) fn join(task: usize) {
    if with_run(|r| r.done.get(task).copied().unwrap_or(false) || r.aborting) {
        return;
    }
    park(Request::Join(task));
}

/// The decider's answer to the running task's choice among `n`.
pub(crate) fn choose(n: usize) -> usize {
    match park(Request::Choose(n)) {
        Reply::Choice(v) => v.min(n - 1),
        _ => 0,
    }
}

type Task = Generator<'static, Reply, Request>;

/// The most finished coroutines kept for reuse.
const POOL_SIZE: usize = 16;

fn task(body: Box<dyn FnOnce() + Send>) -> Task {
    let code = move || {
        body();
        Request::Done
    };
    match POOL.with(|p| p.borrow_mut().pop()) {
        Some(mut done) => {
            done.init_code(code);
            done
        }
        None => Gn::<Reply>::new_opt(STACK_WORDS, code),
    }
}

/// Keeps the finished coroutines of an execution for the next.
fn recycle(tasks: &mut Vec<Task>) {
    POOL.with(|p| {
        let mut pool = p.borrow_mut();
        for t in tasks.drain(..) {
            if t.is_done() && pool.len() < POOL_SIZE {
                pool.push(t);
            }
        }
    });
}

/// Runs one execution of `main` (the model's `run` on the cooperative runtime) under
/// `decider`.
pub fn run(main: impl FnOnce() + Send + 'static, decider: &mut dyn Decider) -> Ended {
    RUN.with(|r| *r.borrow_mut() = Some(Run::default()));
    let ended = schedule(Box::new(main), decider);
    RUN.with(|r| *r.borrow_mut() = None);
    ended
}

fn schedule(main: Box<dyn FnOnce() + Send>, decider: &mut dyn Decider) -> Ended {
    let mut run = Tasks::default();
    with_run(|r| r.spawned.push(main));
    let mut pending_choice: Option<(usize, usize)> = None;
    let mut last = None;
    let mut aborted = false;
    loop {
        // What is not a decision happens first: new tasks run up to their first
        // access (local code, which nobody can observe), a joiner whose task is done
        // moves on, and a notify makes waiters ready.
        if let Err(message) = run.settle() {
            return Ended::Panicked(message);
        }
        if let Some((task, n)) = pending_choice.take() {
            let reply = Reply::Choice(decider.at_choice(task, n));
            match run.resume(task, reply) {
                Ok(choice) => pending_choice = choice,
                Err(message) => return Ended::Panicked(message),
            }
            continue;
        }
        if run.status.iter().all(|s| *s == TaskStatus::Done) {
            recycle(&mut run.tasks);
            let fingerprint = with_run(|r| r.world);
            return if aborted {
                Ended::Aborted
            } else {
                Ended::Finished { fingerprint }
            };
        }
        let (current, reply) = if aborted {
            // Winding up: resume whoever can move, in order, until all are done.
            let Some(next) = run
                .status
                .iter()
                .position(|s| matches!(s, TaskStatus::Ready | TaskStatus::Waiting))
            else {
                return Ended::Panicked("the execution hung while winding up".into());
            };
            (next, Reply::Abort)
        } else {
            let (world, owed) = with_run(|r| (r.world, r.owed.clone()));
            let fingerprint = fingerprint_of(world, &run.status);
            let point = Point {
                fingerprint,
                tasks: &run.status,
                last,
                owed: &owed,
            };
            match decider.at_step(&point) {
                Decision::Run(i) if run.status.get(i) == Some(&TaskStatus::Ready) => (i, Reply::Go),
                Decision::Run(i) => {
                    return Ended::Panicked(format!(
                        "the decider chose task {i}, which cannot move"
                    ));
                }
                Decision::Abort => {
                    aborted = true;
                    with_run(|r| r.aborting = true);
                    continue;
                }
            }
        };
        last = Some(current);
        match run.resume(current, reply) {
            Ok(choice) => pending_choice = choice,
            Err(message) => return Ended::Panicked(message),
        }
    }
}

/// The coroutines of one execution and where each stands.
#[derive(Default)]
struct Tasks {
    tasks: Vec<Task>,
    status: Vec<TaskStatus>,
}

impl Tasks {
    /// Resumes task `i` with `reply` and records what it asks for next; a choice it
    /// asks for is returned (the decider answers it before anyone else moves).
    fn resume(&mut self, i: usize, reply: Reply) -> Result<Option<(usize, usize)>, String> {
        with_run(|r| r.current = i);
        let asked = panic::catch_unwind(AssertUnwindSafe(|| self.tasks[i].raw_send(Some(reply))));
        let asked = match asked {
            Ok(asked) => asked,
            Err(payload) => {
                let message = crate::sim::runtime::panic_text(&*payload);
                wind_up(&mut self.tasks);
                return Err(message);
            }
        };
        let mut choice = None;
        self.status[i] = match asked {
            Some(Request::Step) => TaskStatus::Ready,
            Some(Request::Wait) if with_run(|r| r.aborting) => TaskStatus::Ready,
            Some(Request::Wait) => TaskStatus::Waiting,
            Some(Request::Join(t)) => TaskStatus::Joining(t),
            Some(Request::Choose(n)) => {
                choice = Some((i, n));
                TaskStatus::Ready
            }
            Some(Request::Done) | None => {
                with_run(|r| r.done[i] = true);
                TaskStatus::Done
            }
        };
        Ok(choice)
    }

    /// Runs everything that is not a decision, until nothing is left of it.
    fn settle(&mut self) -> Result<(), String> {
        loop {
            let spawned = with_run(|r| std::mem::take(&mut r.spawned));
            let mut moved = !spawned.is_empty();
            for body in spawned {
                let i = self.tasks.len();
                self.tasks.push(task(body));
                self.status.push(TaskStatus::Ready);
                with_run(|r| {
                    r.tasks += 1;
                    r.done.push(false);
                });
                // A new task's first resume only runs it up to its first access.
                if self.resume(i, Reply::Go)?.is_some() {
                    return Err("a task chose before its first step".into());
                }
            }
            for i in 0..self.status.len() {
                if let TaskStatus::Joining(t) = self.status[i] {
                    if self.status.get(t) == Some(&TaskStatus::Done) {
                        self.resume(i, Reply::Go)?;
                        moved = true;
                    }
                }
            }
            if with_run(|r| std::mem::take(&mut r.notified)) {
                for s in self
                    .status
                    .iter_mut()
                    .filter(|s| **s == TaskStatus::Waiting)
                {
                    *s = TaskStatus::Ready;
                }
            }
            if !moved {
                return Ok(());
            }
        }
    }
}

/// After a panic: drop the other coroutines without running them further.
fn wind_up(tasks: &mut Vec<Task>) {
    // Dropping an unfinished coroutine unwinds it; do it quietly, one at a time.
    for mut t in tasks.drain(..) {
        if !t.is_done() {
            let _ = panic::catch_unwind(AssertUnwindSafe(|| t.cancel()));
        }
    }
}

/// The world's fingerprint combined with every task's status.
fn fingerprint_of(world: u64, status: &[TaskStatus]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    world.hash(&mut h);
    status.hash(&mut h);
    h.finish()
}
