//! The world an execution runs in: the model's state plus the simulation's own
//! bookkeeping (virtual clock, which actors are alive, blocked or crashed).

use super::trace::Violation;
use super::Tick;

/// Identifies an actor within one simulation (its index in registration order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActorId(pub usize);

/// How an actor relates to the virtual clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    /// Does its work on time: the clock does not pass a tick at which this actor is
    /// due until it has done that tick's work (it is never paused).
    Punctual,
    /// May be paused (a GC pause, a stopped VM): the clock moves on without it.
    Pausable,
    /// Drives the clock (the ticker). While a driver runs, time may still advance;
    /// once every driver has finished, actors sleeping on a later tick wind up.
    Driver,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
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
    /// the clock (the ticker itself, an operator).
    pub due: Option<Tick>,
    /// `Some((epoch, label))` while blocked in a step that found its condition false
    /// at that epoch.
    pub blocked: Option<(u64, &'static str)>,
    /// What it is blocked on, so a step can tell whether waking it is worthwhile.
    pub waits_for: WaitsFor,
}

/// What a blocked actor waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WaitsFor {
    /// Not blocked.
    Nothing,
    /// The clock to reach this tick.
    Tick(Tick),
    /// Punctual actors to finish the current tick (the ticker).
    ClockAdvance,
    /// A model-defined condition (a row lock): any change may satisfy it.
    Condition,
}

/// The shared state of one execution. Actors reach it only through steps.
#[derive(Debug)]
pub struct World<S> {
    /// The virtual clock.
    pub now: Tick,
    /// The model's own state (store, resources, history for the properties).
    pub state: S,
    pub(crate) actors: Vec<ActorSlot>,
    /// Bumped by every step that takes effect: a blocked actor that found its
    /// condition false at the current epoch is known to still be blocked.
    pub(crate) epoch: u64,
    pub(crate) steps: usize,
    pub(crate) max_steps: usize,
    /// A property was violated: every actor stops at its next step.
    pub(crate) stopped: bool,
    pub(crate) violation: Option<Violation>,
}

impl<S> super::runtime::Wake for World<S> {
    fn take_wakeups(&mut self) -> bool {
        let woken: Vec<usize> = (0..self.actors.len())
            .filter(|&i| {
                self.actors[i].waits_for != WaitsFor::Nothing && self.can_proceed(&self.actors[i])
            })
            .collect();
        for &i in &woken {
            self.actors[i].waits_for = WaitsFor::Nothing;
        }
        !woken.is_empty()
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
        }
    }

    /// The display name of an actor.
    pub fn name(&self, id: ActorId) -> &str {
        &self.actors[id.0].name
    }

    /// Whether an actor has crashed.
    pub fn is_crashed(&self, id: ActorId) -> bool {
        self.actors[id.0].status == Status::Crashed
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
    /// clock for it could only deadlock.
    pub(crate) fn punctual_work_pending(&self) -> bool {
        self.actors.iter().any(|a| {
            a.status == Status::Running
                && a.timing == Timing::Punctual
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

    /// Whether time can still advance (some clock driver is still running).
    pub(crate) fn clock_running(&self) -> bool {
        self.actors
            .iter()
            .any(|a| a.timing == Timing::Driver && a.status == Status::Running)
    }
}
