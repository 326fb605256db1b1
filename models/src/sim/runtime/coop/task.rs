//! Inside a task: what the kit's code calls from a coroutine. Each call parks the
//! coroutine with a [`Request`] and goes on with the scheduler's [`Reply`].

#![allow(deprecated)] // `generator::yield_`: see the module docs of `coop`.

use std::sync::Mutex;

use super::super::cells::Wake;
use super::{with_run, Reply, Request};

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
