//! The scheduler: runs one execution's coroutines on this thread, settling what is
//! not a decision and asking the [`Decider`] at every scheduling point.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};

use generator::{Generator, Gn};

use super::{with_run, Decider, Decision, Ended, Point, Reply, Request, Run, TaskStatus, RUN};

/// Stack of one actor coroutine, in words (256 KiB): steps format timelines and
/// schemes recurse a little; a stack is only touched as deep as it is used.
const STACK_WORDS: usize = 0x8000;

thread_local! {
    /// Finished coroutines, kept for the next execution: a coroutine's stack is a
    /// memory mapping, and mapping one per actor per execution costs more than the
    /// execution itself.
    static POOL: RefCell<Vec<Task>> = const { RefCell::new(Vec::new()) };
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
