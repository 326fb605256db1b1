//! [`Actor`]: an actor's handle to the world. Every access to shared state is a step:
//! one critical section on the world's cell, checked for crashes before it runs and
//! recorded (out of band) after. The engine may switch actors between any two steps
//! and nowhere else.

use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Arc;

use super::choice::ChoicePoint;
use super::runtime::{Cell, Runtime};
use super::trace::Recorder;
use super::world::{Status, WaitsFor, World};
use super::{builtin, ActorId, Property, Step, Tick, Timing, Violation};

/// Why an actor must stop: propagate it with `?` from every step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Halt {
    /// A fault crashed this actor; it does nothing more (what it held stays held).
    Crashed,
    /// A property was violated elsewhere, or the run is over; the actor winds up.
    Stopped,
}

/// What every actor of one execution shares.
pub(crate) struct Shared<S> {
    pub cell: Cell<World<S>>,
    pub recorder: Recorder,
    pub recording: bool,
    pub runtime: Runtime,
    pub names: Vec<String>,
}

/// An actor's handle: every step it takes goes through here. It carries no runtime
/// type: the kit chose the runtime when it started the execution.
pub struct Actor<S> {
    shared: Arc<Shared<S>>,
    id: ActorId,
}

impl<S> Actor<S> {
    pub(crate) fn new(shared: Arc<Shared<S>>, id: ActorId) -> Self {
        Actor { shared, id }
    }

    /// This actor's id.
    pub fn id(&self) -> ActorId {
        self.id
    }

    /// This actor's display name.
    pub fn name(&self) -> &str {
        &self.shared.names[self.id.0]
    }

    /// The execution's recorder.
    pub(crate) fn recorder(&self) -> &Recorder {
        &self.shared.recorder
    }

    /// The runtime this execution runs on.
    pub fn runtime(&self) -> Runtime {
        self.shared.runtime
    }

    /// One atomic step: `f` runs as a single critical section on the world.
    ///
    /// `f` is `Fn`, so it cannot write to the actor's own variables: everything the
    /// actor learns from the world comes back as the step's result. Keep it that way
    /// (no `Cell`/`RefCell` smuggling): the kit's engines rely on an actor being a
    /// deterministic function of the results its steps returned.
    ///
    /// The timeline shows what the closure said with [`Step::saw`], or else the
    /// step's result (`true`, `Some(2)`).
    pub fn step<U: Hash + Debug>(
        &self,
        label: &'static str,
        f: impl Fn(&mut Step<'_, S>) -> U,
    ) -> Result<U, Halt> {
        self.shared.cell.with(|w| {
            self.enter(w)?;
            let (out, saw, violation) = self.run_step(w, &f);
            let saw = self.describe(saw, &out);
            let result = self.result_hash(&out);
            self.commit(w, label, saw, violation, result);
            Ok(out)
        })
    }

    /// A step that waits: `f` is retried each time the world changes until it returns
    /// `Some`, and only that successful attempt takes effect. `f` must not change the
    /// state when it returns `None`. If every live actor is waiting, the execution is
    /// reported as a `deadlock` (a liveness violation) instead of hanging.
    pub fn step_when<U: Hash + Debug>(
        &self,
        label: &'static str,
        f: impl Fn(&mut Step<'_, S>) -> Option<U>,
    ) -> Result<U, Halt> {
        self.blocking(label, WaitsFor::Condition, |w| {
            let mut step = w.step(self.id, self.shared.recording);
            let out = f(&mut step);
            if out.is_some() {
                self.log_dropped(&step);
            }
            let (saw, violation, disturbed) = (step.seen(), step.violation, step.disturbed);
            let Some(out) = out else {
                if disturbed {
                    // Not a step, but the world moved: waiters blocked at the old
                    // epoch must try again.
                    w.epoch += 1;
                }
                return None;
            };
            let saw = self.describe(saw, &out);
            let result = self.result_hash(&out);
            self.commit(w, label, saw, violation, result);
            Some(out)
        })
    }

    /// The hash of a step's result, for the actor's progress (cooperative runtime only).
    fn result_hash<U: Hash>(&self, out: &U) -> u64 {
        if self.shared.runtime != Runtime::Coop {
            return 0;
        }
        use std::hash::Hasher;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        out.hash(&mut h);
        h.finish()
    }

    /// What the timeline shows for a step: what it said it saw, or its result (but
    /// not a result that carries nothing, like `()`).
    fn describe<U: Debug>(&self, saw: Option<String>, out: &U) -> Option<String> {
        if saw.is_some() || !self.shared.recording || std::mem::size_of::<U>() == 0 {
            return saw;
        }
        Some(format!("{out:?}"))
    }

    /// Waits until the clock reaches `tick`, idle in the meantime so the clock may
    /// advance. Returns `Ok(false)` if the clock will never get there (it stopped at
    /// its horizon): the actor should wind up.
    pub fn sleep_until(&self, tick: Tick) -> Result<bool, Halt> {
        self.blocking("sleep", WaitsFor::Tick(tick), |w| {
            let slot = &mut w.actors[self.id.0];
            if slot.due != Some(tick) {
                // Idle from now: the clock driver, perhaps blocked on this actor's
                // previous due tick, must re-evaluate; a new epoch says so.
                slot.due = Some(tick);
                w.epoch += 1;
            }
            let woke = if w.now >= tick {
                true
            } else if !w.clock_running() {
                false
            } else {
                return None;
            };
            if self.shared.runtime == Runtime::Coop {
                let slot = &mut w.actors[self.id.0];
                slot.progress = super::world::advance(slot.progress, "sleep", u64::from(woke));
            }
            Some(woke)
        })
    }

    /// Declares everything this actor's future depends on at this point of its code
    /// (`at` names the point): from here on, the state-caching engine treats two runs
    /// that reach this call with equal `state` as the same actor, whatever steps led
    /// there. Call it where the actor's loop starts over, with the loop's variables;
    /// without it the engine tells actors apart by the whole history of their steps'
    /// results, which is always sound but never forgets. Not a step; the other
    /// engines ignore it.
    ///
    /// It is sound only if `state` (with `at`) really determines what the actor does
    /// next: leave a variable out and two different actors are taken for one.
    pub fn local(&self, at: &'static str, state: &impl Hash) {
        if self.shared.runtime != Runtime::Coop {
            return;
        }
        let hash = {
            use std::hash::Hasher;
            let mut h = std::collections::hash_map::DefaultHasher::new();
            state.hash(&mut h);
            h.finish()
        };
        self.shared.cell.quiet(|w| {
            w.actors[self.id.0].progress = super::world::advance(0, at, hash);
        });
    }

    /// This actor may stall here for any number of ticks (a GC pause, a slow network
    /// call): until its next step the clock no longer waits for it, and the engines
    /// explore every amount of time passing. A no-op for an actor that is pausable
    /// anyway. The timeline shows the stall at the next step, if time passed.
    pub fn pause_point(&self) -> Result<(), Halt> {
        self.shared.cell.with(|w| {
            if w.actors[self.id.0].timing != Timing::Punctual {
                return Ok(());
            }
            self.enter(w)?;
            w.actors[self.id.0].paused_at = Some(w.now);
            w.epoch += 1;
            Ok(())
        })
    }

    /// A nondeterministic choice among `n` options (`0..n`), explored by the engines
    /// like the schedule is: every option under loom and the state engine, drawn and
    /// recorded under shuttle (so a replay makes the same choice). One step.
    pub fn choose(&self, label: &'static str, n: usize) -> Result<usize, Halt> {
        assert!(
            n >= 1,
            "choose({label}, 0): a choice needs at least one option"
        );
        self.shared.cell.with(|w| {
            self.enter(w)?;
            let slot = &mut w.actors[self.id.0];
            let point = ChoicePoint {
                actor: self.id.0,
                index: slot.choices,
            };
            slot.choices += 1;
            let value = if n == 1 {
                0
            } else if self.shared.runtime == Runtime::Coop {
                super::runtime::coop::choose(n)
            } else {
                self.shared.recorder.draw(point, n)
            };
            let saw = self
                .shared
                .recording
                .then(|| format!("chose {value} of 0..{n}"));
            self.commit(w, label, saw, None, value as u64);
            Ok(value)
        })
    }

    /// A fault: crash `victim` now. It takes no further step; what it held (rows,
    /// leases, lock files, mutexes) stays behind unless `on_crash` says otherwise (a
    /// dropped connection, a transaction the database aborts, a kernel lock).
    pub fn crash(
        &self,
        victim: ActorId,
        on_crash: impl FnOnce(&mut Step<'_, S>),
    ) -> Result<(), Halt> {
        self.shared.cell.with(|w| {
            self.enter(w)?;
            let name = w.actors[victim.0].name.clone();
            let saw = if w.actors[victim.0].status == Status::Running {
                w.actors[victim.0].status = Status::Crashed;
                let mut step = w.step(victim, self.shared.recording);
                on_crash(&mut step);
                self.log_dropped(&step);
                format!("{name} crashed")
            } else {
                format!("{name} had already exited")
            };
            self.commit(
                w,
                "crash",
                self.shared.recording.then_some(saw),
                None,
                victim.0 as u64,
            );
            Ok(())
        })
    }

    /// The clock driver's step: waits until no punctual actor has work left at the
    /// current tick, then advances the clock by one tick.
    pub(crate) fn tick(&self) -> Result<Tick, Halt> {
        self.blocking("advance clock", WaitsFor::ClockAdvance, |w| {
            if w.punctual_work_pending() {
                return None;
            }
            w.now += 1;
            let saw = self.shared.recording.then(|| format!("t = {}", w.now));
            self.commit(w, "advance clock", saw, None, w.now);
            Some(w.now)
        })
    }

    /// Runs a step's closure against the world; returns its result, what it saw and
    /// the property it found violated.
    fn run_step<U>(
        &self,
        w: &mut World<S>,
        f: &impl Fn(&mut Step<'_, S>) -> U,
    ) -> (U, Option<String>, Option<(Property, String)>) {
        let mut step = w.step(self.id, self.shared.recording);
        let out = f(&mut step);
        self.log_dropped(&step);
        (out, step.seen(), step.violation)
    }

    /// Logs the connections a step dropped, in the statement log.
    fn log_dropped(&self, step: &Step<'_, S>) {
        for call in step.dropped_log() {
            self.recorder().log_sql(call);
        }
    }

    /// An actor leaving a pause point: the timeline says how long it stalled.
    fn note_pause(&self, w: &mut World<S>) {
        let Some(since) = w.actors[self.id.0].paused_at.take() else {
            return;
        };
        if w.now > since && self.shared.recording {
            let saw = format!("stalled from t={since} to t={}", w.now);
            self.shared.recorder.push(w.now, self.name(), "paused", saw);
        }
    }

    /// Runs `attempt` as one critical section each time the world changes, until it
    /// returns `Some` (it must leave the world untouched when it returns `None`).
    /// Handles halting, step counting, blocked bookkeeping and deadlock detection.
    fn blocking<U>(
        &self,
        label: &'static str,
        waits_for: WaitsFor,
        mut attempt: impl FnMut(&mut World<S>) -> Option<U>,
    ) -> Result<U, Halt> {
        self.shared.cell.wait_for(|w| {
            w.actors[self.id.0].blocked = None;
            w.actors[self.id.0].waits_for = WaitsFor::Nothing;
            if let Err(halt) = self.enter(w) {
                return Some(Err(halt));
            }
            let checks_before = w.checks.clone();
            if let Some(out) = attempt(w) {
                return Some(Ok(out));
            }
            // A failed attempt is not a step, and the checks it ran are run again by
            // the attempt that succeeds.
            w.steps -= 1;
            w.checks = checks_before;
            if self.shared.recorder.records_waits() {
                self.shared
                    .recorder
                    .push(w.now, self.name(), label, "must wait".to_owned());
            }
            w.actors[self.id.0].blocked = Some((w.epoch, label));
            w.actors[self.id.0].waits_for = waits_for;
            let blocked = w.blocked_now();
            if blocked.len() == w.live() {
                let mut who: Vec<String> = blocked
                    .iter()
                    .map(|(a, l)| format!("{a} waits in '{l}'"))
                    .collect();
                who.sort();
                self.stop(w, builtin::DEADLOCK, who.join("; "));
                return Some(Err(Halt::Stopped));
            }
            None
        })
    }

    /// Checks that this actor may take a step, and counts it.
    fn enter(&self, w: &mut World<S>) -> Result<(), Halt> {
        if w.stopped {
            return Err(Halt::Stopped);
        }
        match w.actors[self.id.0].status {
            Status::Crashed => return Err(Halt::Crashed),
            Status::Finished | Status::NotStarted => return Err(Halt::Stopped),
            Status::Running => {}
        }
        w.steps += 1;
        // The state-caching engine needs no bound: it sees a cycle as a cycle.
        if w.steps > w.max_steps && self.shared.runtime != Runtime::Coop {
            // A livelock, or a run that is merely long: this execution cannot tell,
            // so it stops inconclusive rather than violated.
            w.inconclusive = true;
            w.stopped = true;
            w.epoch += 1;
            self.shared.recorder.mark_inconclusive(format!(
                "ran past {} steps without finishing (a livelock, or a run longer than the bound)",
                w.max_steps
            ));
            return Err(Halt::Stopped);
        }
        Ok(())
    }

    /// Makes a step take effect: new epoch, event recorded, violation handled.
    fn commit(
        &self,
        w: &mut World<S>,
        label: &'static str,
        saw: Option<String>,
        violation: Option<(Property, String)>,
        result: u64,
    ) {
        w.epoch += 1;
        if self.shared.runtime == Runtime::Coop {
            let slot = &mut w.actors[self.id.0];
            slot.progress = super::world::advance(slot.progress, label, result);
        }
        self.note_pause(w);
        if self.shared.recording {
            self.shared
                .recorder
                .push(w.now, self.name(), label, saw.unwrap_or_default());
        }
        if let Some((property, detail)) = violation {
            self.stop(w, property, detail);
        }
    }

    fn stop(&self, w: &mut World<S>, property: Property, detail: String) {
        let violation = Violation {
            property,
            detail,
            at: w.now,
        };
        // A focused search that ends in a deadlock has not found its property: the
        // run stops (nothing can move), as an ending without a violation.
        if w.focus.is_none_or(|f| f == property) {
            let mark = property != builtin::DEADLOCK && property != builtin::STEP_BOUND;
            self.shared.recorder.violate(violation.clone(), mark);
            w.violation.get_or_insert(violation);
        }
        w.stopped = true;
        w.epoch += 1;
    }

    /// Marks this actor finished (its thread is about to end).
    pub(crate) fn finish(&self) {
        self.shared.cell.quiet(|w| {
            let slot = &mut w.actors[self.id.0];
            if slot.status == Status::Running {
                slot.status = Status::Finished;
            }
            slot.blocked = None;
            slot.waits_for = WaitsFor::Nothing;
            w.epoch += 1;
        });
    }

    /// Marks a late actor started at the current tick (punctual ones are due now).
    pub(crate) fn start(&self, victim: ActorId) {
        self.shared.cell.with(|w| {
            let now = w.now;
            let slot = &mut w.actors[victim.0];
            if slot.status == Status::NotStarted && !w.stopped {
                slot.status = Status::Running;
                if slot.timing == Timing::Punctual {
                    slot.due = Some(now);
                }
            }
            w.epoch += 1;
        });
    }
}
