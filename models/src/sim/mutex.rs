//! A mutex held across steps: a thread lock in one process, a lock in shared memory,
//! an advisory lock — anything an actor takes, keeps while it does other steps, and
//! gives back. It lives in the scheme's state (plain data), and waiting for it goes
//! through the kit, so a cycle of actors waiting for each other's mutexes is reported
//! as the kit's `deadlock`, never a hang.

use super::{Actor, ActorId, Halt};

/// Who holds the lock, and (for a fair lock) who queued for it in which order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Mutex {
    holder: Option<ActorId>,
    /// First come, first served: only the longest waiter may take a free lock.
    fair: bool,
    queue: Vec<ActorId>,
}

impl Mutex {
    /// A free lock that any waiter may take when it is released (like most mutexes:
    /// a waiter can be overtaken for ever).
    pub fn new() -> Self {
        Mutex::default()
    }

    /// A free lock granted in arrival order (a ticket lock).
    pub fn fair() -> Self {
        Mutex {
            fair: true,
            ..Mutex::default()
        }
    }

    /// The holder, if any.
    pub fn holder(&self) -> Option<ActorId> {
        self.holder
    }

    /// Takes the lock for `me` if it is free and (for a fair lock) nobody is ahead of
    /// `me` in line; changes nothing when it refuses.
    pub fn try_lock(&mut self, me: ActorId) -> bool {
        let first_in_line = self.queue.first().is_none_or(|&q| q == me);
        if self.holder.is_some() || (self.fair && !first_in_line) {
            return false;
        }
        self.queue.retain(|&q| q != me);
        self.holder = Some(me);
        true
    }

    /// Joins the line of a fair lock (a no-op for an unfair one, or if already in it).
    pub fn enqueue(&mut self, me: ActorId) {
        if self.fair && !self.queue.contains(&me) {
            self.queue.push(me);
        }
    }

    /// Releases the lock if `me` holds it; whether it did.
    pub fn unlock(&mut self, me: ActorId) -> bool {
        if self.holder == Some(me) {
            self.holder = None;
            true
        } else {
            false
        }
    }

    /// Frees the lock and forgets `who` (its process died), wherever it stood.
    pub fn forget(&mut self, who: ActorId) {
        if self.holder == Some(who) {
            self.holder = None;
        }
        self.queue.retain(|&q| q != who);
    }
}

impl<S> Actor<S> {
    /// Takes the mutex `lock(state)` points at: one step if it is free, otherwise the
    /// actor joins its line (a fair lock) and waits while another actor holds it.
    pub fn lock(
        &self,
        label: &'static str,
        lock: impl Fn(&mut S) -> &mut Mutex,
    ) -> Result<(), Halt> {
        let granted = self.step(label, |s| {
            let me = s.me;
            let mutex = lock(s.state);
            let granted = mutex.try_lock(me);
            if !granted {
                mutex.enqueue(me);
            }
            let holder = mutex.holder();
            s.saw(|| match holder {
                Some(h) if h == me => "locked".to_owned(),
                _ => "held by another actor: waiting".to_owned(),
            });
            granted
        })?;
        if granted {
            return Ok(());
        }
        self.step_when(label, |s| {
            let me = s.me;
            let granted = lock(s.state).try_lock(me);
            if granted {
                s.saw(|| "locked after waiting".to_owned());
            }
            granted.then_some(())
        })
    }

    /// Releases the mutex; one step. Releasing a mutex this actor does not hold is a
    /// bug in the scheme, and panics.
    pub fn unlock(
        &self,
        label: &'static str,
        lock: impl Fn(&mut S) -> &mut Mutex,
    ) -> Result<(), Halt> {
        self.step(label, |s| {
            let me = s.me;
            let released = lock(s.state).unlock(me);
            assert!(
                released,
                "{label}: unlocking a mutex this actor does not hold"
            );
            s.saw(|| "unlocked".to_owned());
        })
    }
}
