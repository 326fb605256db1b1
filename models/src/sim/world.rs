//! The world an execution runs in: the scheme's state plus the kit's own bookkeeping
//! (virtual clock, which actors are alive, blocked, paused or crashed).

use super::runtime::Wake;
use super::trace::CheckCount;
use super::{Tick, Violation};

/// Identifies an actor within one execution: its index in the order the scheme cast
/// it (the kit's environment actor, if any, comes after every cast actor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActorId(pub usize);

impl ActorId {
    /// The pseudo-actor of the end-of-execution checks.
    pub const END: ActorId = ActorId(usize::MAX);
}

/// How an actor relates to the virtual clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timing {
    /// Does its work on time: the clock does not pass a tick at which this actor is
    /// due until it has done that tick's work (unless it stands at a
    /// [`pause_point`](super::Actor::pause_point)).
    Punctual,
    /// May be paused anywhere (a GC pause, a stopped VM): the clock moves on without it.
    Pausable,
    /// Drives the clock: the kit's environment actor.
    Driver,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Status {
    /// Cast to start later ([`ActorRef::starts_at`](super::ActorRef::starts_at)).
    NotStarted,
    Running,
    Crashed,
    Finished,
}

#[derive(Debug)]
pub(crate) struct ActorSlot {
    pub name: String,
    pub timing: Timing,
    pub status: Status,
    /// Tick at which the actor next has work; `None` for actors that do not wait on
    /// the clock.
    pub due: Option<Tick>,
    /// `Some((epoch, label))` while blocked in a step that found its condition false
    /// at that epoch.
    pub blocked: Option<(u64, &'static str)>,
    /// What it is blocked on, so a step can tell whether waking it is worthwhile.
    pub waits_for: WaitsFor,
    /// Standing at a pause point since this tick: the clock may pass it.
    pub paused_at: Option<Tick>,
    /// How many choices it has made (the index of its next choice point).
    pub choices: u32,
    /// What the actor has learnt so far: a hash chain of its steps' labels and
    /// results (kept by the cooperative runtime only). An actor is deterministic
    /// between steps and its step closures cannot write to its variables, so this
    /// identifies its local state.
    pub progress: u64,
}

/// What a blocked actor waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WaitsFor {
    /// Not blocked.
    Nothing,
    /// The clock to reach this tick.
    Tick(Tick),
    /// Punctual actors to finish the current tick (the clock driver).
    ClockAdvance,
    /// A model-defined condition (a row lock, a mutex): any change may satisfy it.
    Condition,
}

/// The shared state of one execution. Actors reach it only through steps.
#[derive(Debug)]
pub(crate) struct World<S> {
    /// The virtual clock.
    pub now: Tick,
    /// The scheme's own state.
    pub state: S,
    pub actors: Vec<ActorSlot>,
    /// Bumped by every step that takes effect: a blocked actor that found its
    /// condition false at the current epoch is known to still be blocked.
    pub epoch: u64,
    pub steps: usize,
    pub max_steps: usize,
    /// A property was violated: every actor stops at its next step.
    pub stopped: bool,
    pub violation: Option<Violation>,
    /// How often each property's check ran in this execution.
    pub checks: Vec<CheckCount>,
    /// Liveness obligations owed now ("eventually"), in order; see [`Step::owe`].
    ///
    /// [`Step::owe`]: super::Step::owe
    pub owed: Vec<super::Property>,
    /// The execution ran past its step bound: it is stopped, and its verdict is
    /// inconclusive, not a violation.
    pub inconclusive: bool,
    /// The one property a focused search looks for, if it is one (see
    /// [`super::focus`]); set from the recorder when the execution starts.
    pub focus: Option<super::Property>,
}

impl<S> Wake for World<S> {
    fn take_wakeups(&mut self) -> bool {
        let mut woke = false;
        for i in 0..self.actors.len() {
            if self.actors[i].waits_for != WaitsFor::Nothing && self.can_proceed(&self.actors[i]) {
                self.actors[i].waits_for = WaitsFor::Nothing;
                woke = true;
            }
        }
        woke
    }
}

impl<S> World<S> {
    pub(crate) fn new(state: S, max_steps: usize) -> Self {
        World {
            now: 0,
            state,
            actors: Vec::new(),
            epoch: 0,
            steps: 0,
            max_steps,
            stopped: false,
            violation: None,
            checks: Vec::new(),
            owed: Vec::new(),
            inconclusive: false,
            focus: None,
        }
    }

    /// A step's view of the world, for actor `me`.
    pub(crate) fn step(&mut self, me: ActorId, recording: bool) -> super::Step<'_, S> {
        let mut step = super::Step::new(
            self.now,
            &mut self.state,
            me,
            &self.actors,
            &mut self.checks,
            &mut self.owed,
            recording,
        );
        step.focus = self.focus;
        step
    }

    pub(crate) fn live(&self) -> usize {
        self.actors
            .iter()
            .filter(|a| a.status == Status::Running)
            .count()
    }

    /// Actors blocked against the current state, with what they wait for.
    pub(crate) fn blocked_now(&self) -> Vec<(&str, &'static str)> {
        self.actors
            .iter()
            .filter(|a| a.status == Status::Running)
            .filter_map(|a| match a.blocked {
                Some((epoch, label)) if epoch == self.epoch => Some((a.name.as_str(), label)),
                _ => None,
            })
            .collect()
    }

    /// Whether a punctual actor still has work to do at the current tick, which holds
    /// the clock back. One that is blocked (on a row lock, say) does not: holding the
    /// clock for it could only deadlock. Nor does one standing at a pause point.
    pub(crate) fn punctual_work_pending(&self) -> bool {
        self.actors.iter().any(|a| {
            a.status == Status::Running
                && a.timing == Timing::Punctual
                && a.paused_at.is_none()
                && a.due.is_some_and(|due| due <= self.now)
                && a.blocked.is_none_or(|(epoch, _)| epoch != self.epoch)
        })
    }

    fn can_proceed(&self, a: &ActorSlot) -> bool {
        if a.blocked.is_some_and(|(epoch, _)| epoch == self.epoch) {
            // It found its condition false against this very state.
            return false;
        }
        if self.stopped || a.status != Status::Running {
            return true;
        }
        match a.waits_for {
            WaitsFor::Nothing => false,
            WaitsFor::Tick(t) => self.now >= t || !self.clock_running(),
            WaitsFor::ClockAdvance => !self.punctual_work_pending(),
            WaitsFor::Condition => true,
        }
    }

    /// Whether time can still advance (the clock driver is still running).
    pub(crate) fn clock_running(&self) -> bool {
        self.actors
            .iter()
            .any(|a| a.timing == Timing::Driver && a.status == Status::Running)
    }
}

pub(crate) fn count_check(checks: &mut Vec<CheckCount>, property: super::Property) {
    match checks.iter_mut().find(|c| c.property == property) {
        Some(c) => c.runs += 1,
        None => checks.push(CheckCount { property, runs: 1 }),
    }
}

/// The fingerprint of a world: the scheme's state, the clock, and each actor's status,
/// timing, next due tick, pause, choices and progress. Left out on purpose: step and
/// epoch counters and the blocked marks (bookkeeping that differs between equal
/// states reached by different paths; whether an actor waits is part of the task
/// status the cooperative runtime adds), and the check counts.
pub(crate) fn fingerprint<S: std::hash::Hash>(w: &World<S>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    w.now.hash(&mut h);
    w.state.hash(&mut h);
    for a in &w.actors {
        (
            a.status,
            a.timing,
            a.due,
            a.paused_at,
            a.choices,
            a.progress,
        )
            .hash(&mut h);
    }
    w.owed.hash(&mut h);
    (w.stopped, w.violation.is_some()).hash(&mut h);
    h.finish()
}

/// The obligations a world owes now (for the state-caching engine's liveness check).
pub(crate) fn owed<S>(w: &World<S>) -> Vec<super::Property> {
    w.owed.clone()
}

/// Stops every actor at its next step (the cooperative runtime winding an execution
/// up that its engine has seen enough of).
pub(crate) fn halt<S>(w: &mut World<S>) {
    w.stopped = true;
    w.epoch += 1;
}

/// One link of an actor's progress chain.
pub(crate) fn advance(progress: u64, label: &str, result: u64) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (progress, label, result).hash(&mut h);
    h.finish()
}
