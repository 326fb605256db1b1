//! [`Sim`] owns one execution's world; [`Actor`] is an actor's handle to it. Every
//! access to shared state is a [`Step`]: one critical section on the runtime's cell,
//! checked for crashes before it runs and recorded (out of band) after.

use std::sync::Arc;

use super::runtime::{Runtime, SharedCell};
use super::trace::{builtin, Property, Recorder, Violation};
use super::world::{ActorId, ActorSlot, Status, Timing, WaitsFor, World};
use super::Tick;

/// Why an actor must stop: propagate it with `?` from every step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Halt {
    /// A fault actor crashed this actor; it does nothing more (what it held stays held).
    Crashed,
    /// A property was violated elsewhere; the execution is winding down.
    Stopped,
}

/// Settings of a simulation.
#[derive(Debug, Clone, Copy)]
pub struct SimOptions {
    /// Steps an execution may take before it is reported as a `step-bound` violation.
    pub max_steps: usize,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions { max_steps: 10_000 }
    }
}

/// What a step's closure works with: the clock, the model's state, and ways to say
/// what it saw and which property it found violated.
pub struct Step<'a, S> {
    /// Virtual time of this step.
    pub now: Tick,
    /// The model's state.
    pub state: &'a mut S,
    /// Who is taking the step.
    pub me: ActorId,
    recording: bool,
    saw: Option<String>,
    violation: Option<(Property, String)>,
}

impl<S> Step<'_, S> {
    /// Says what the step saw or did, for the timeline. The text is only built when
    /// the run records a trace (benchmarks do not).
    pub fn saw(&mut self, describe: impl FnOnce() -> String) {
        if self.recording {
            self.saw = Some(describe());
        }
    }

    /// Reports that `property` does not hold. The first violation of an execution
    /// stops it; the harness turns it into the verdict.
    pub fn violate(&mut self, property: Property, detail: impl FnOnce() -> String) {
        if self.violation.is_none() {
            self.violation = Some((property, detail()));
        }
    }

    /// Reports `property` violated unless `holds`.
    pub fn check(&mut self, holds: bool, property: Property, detail: impl FnOnce() -> String) {
        if !holds {
            self.violate(property, detail);
        }
    }
}

/// One execution's shared world, under runtime `R`.
pub struct Sim<R: Runtime, S: Send + 'static> {
    cell: Arc<R::Cell<World<S>>>,
    recorder: Recorder,
    recording: bool,
}

impl<R: Runtime, S: Send + 'static> Clone for Sim<R, S> {
    fn clone(&self) -> Self {
        Sim {
            cell: Arc::clone(&self.cell),
            recorder: self.recorder.clone(),
            recording: self.recording,
        }
    }
}

/// An actor's handle: every step it takes goes through here.
pub struct Actor<R: Runtime, S: Send + 'static> {
    sim: Sim<R, S>,
    id: ActorId,
    name: String,
}

impl<R: Runtime, S: Send + 'static> Sim<R, S> {
    /// A new world around `state`, recording into `recorder`.
    pub fn new(recorder: &Recorder, state: S, options: SimOptions) -> Self {
        let recording = recorder.is_recording();
        Sim {
            cell: Arc::new(R::Cell::new(World::new(state, options.max_steps))),
            recorder: recorder.clone(),
            recording,
        }
    }

    /// Registers an actor. Register every actor before spawning any, so the count of
    /// live actors (for deadlock detection) is right from the first step.
    pub fn actor(&self, name: impl Into<String>, timing: Timing) -> Actor<R, S> {
        let name = name.into();
        let id = self.cell.with(|w| {
            w.actors.push(ActorSlot {
                name: name.clone(),
                timing,
                status: Status::Running,
                due: (timing == Timing::Punctual).then_some(0),
                blocked: None,
                waits_for: WaitsFor::Nothing,
            });
            ActorId(w.actors.len() - 1)
        });
        Actor {
            sim: self.clone(),
            id,
            name,
        }
    }

    /// Starts `actor` on its own thread running `body`; when `body` returns (done,
    /// crashed or stopped) the actor is marked finished.
    pub fn spawn(
        &self,
        actor: Actor<R, S>,
        body: impl FnOnce(&Actor<R, S>) -> Result<(), Halt> + Send + 'static,
    ) -> R::Handle {
        R::spawn(actor.name.clone(), move || {
            let _ = body(&actor);
            actor.finish();
        })
    }

    /// After every actor has been joined: runs the end-of-execution checks (liveness
    /// deadlines, conservation) unless a violation already stopped the execution.
    pub fn finish(&self, check: impl FnOnce(&mut Step<'_, S>)) {
        self.cell.with(|w| {
            if w.stopped {
                return;
            }
            let mut step = Step {
                now: w.now,
                state: &mut w.state,
                me: ActorId(usize::MAX),
                recording: self.recording,
                saw: None,
                violation: None,
            };
            check(&mut step);
            if let Some((property, detail)) = step.violation {
                let at = w.now;
                self.recorder
                    .push(at, "check", "end of execution", detail.clone());
                self.recorder.violate(
                    Violation {
                        property,
                        detail,
                        at,
                    },
                    true,
                );
            }
        });
    }

    /// Reads the state outside of any actor (for the main thread, after joining).
    pub fn inspect<U>(&self, f: impl FnOnce(&World<S>) -> U) -> U {
        self.cell.with(|w| f(w))
    }
}

impl<R: Runtime, S: Send + 'static> Actor<R, S> {
    /// This actor's id.
    pub fn id(&self) -> ActorId {
        self.id
    }

    /// This actor's display name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// One atomic step: `f` runs as a single critical section on the world.
    pub fn step<U>(
        &self,
        label: &'static str,
        f: impl FnOnce(&mut Step<'_, S>) -> U,
    ) -> Result<U, Halt> {
        self.sim.cell.with(|w| {
            self.enter(w)?;
            let mut step = self.begin(w);
            let out = f(&mut step);
            let (saw, violation) = (step.saw, step.violation);
            self.commit(w, label, saw, violation);
            Ok(out)
        })
    }

    /// A step that waits: `f` is retried each time the world changes until it returns
    /// `Some`, and only that successful attempt takes effect. `f` must not change the
    /// state when it returns `None`. If every live actor is waiting, the execution is
    /// reported as a `deadlock` (a liveness violation) instead of hanging.
    pub fn step_when<U>(
        &self,
        label: &'static str,
        mut f: impl FnMut(&mut Step<'_, S>) -> Option<U>,
    ) -> Result<U, Halt> {
        self.blocking(label, WaitsFor::Condition, |w| {
            let mut step = self.begin(w);
            let out = f(&mut step)?;
            let (saw, violation) = (step.saw, step.violation);
            self.commit(w, label, saw, violation);
            Some(out)
        })
    }

    /// Waits until the clock reaches `tick`, idle in the meantime so the ticker may
    /// advance. Returns `Ok(false)` if the clock will never get there (every clock
    /// driver has finished): the actor should wind up.
    pub fn sleep_until(&self, tick: Tick) -> Result<bool, Halt> {
        self.blocking("sleep", WaitsFor::Tick(tick), |w| {
            let slot = &mut w.actors[self.id.0];
            if slot.due != Some(tick) {
                // Idle from now: the ticker, perhaps blocked on this actor's previous
                // due tick, must re-evaluate; a new epoch says its record is stale.
                slot.due = Some(tick);
                w.epoch += 1;
            }
            if w.now >= tick {
                Some(true)
            } else if !w.clock_running() {
                Some(false)
            } else {
                None
            }
        })
    }

    /// The ticker's step: waits until no punctual actor has work left at the current
    /// tick, then advances the clock by one tick.
    pub fn tick(&self) -> Result<Tick, Halt> {
        self.blocking("advance clock", WaitsFor::ClockAdvance, |w| {
            if w.punctual_work_pending() {
                return None;
            }
            w.now += 1;
            let saw = self.sim.recording.then(|| format!("t = {}", w.now));
            self.commit(w, "advance clock", saw, None);
            Some(w.now)
        })
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
        self.sim.cell.wait_for(|w| {
            w.actors[self.id.0].blocked = None;
            w.actors[self.id.0].waits_for = WaitsFor::Nothing;
            if let Err(halt) = self.enter(w) {
                return Some(Err(halt));
            }
            if let Some(out) = attempt(w) {
                return Some(Ok(out));
            }
            // A failed attempt is not a step.
            w.steps -= 1;
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

    /// A fault: crash `victim` now. It takes no further step; what it held (rows,
    /// leases, lock files) stays behind unless `on_crash` says otherwise (a dropped
    /// connection, a transaction the database aborts).
    pub fn crash(
        &self,
        victim: ActorId,
        on_crash: impl FnOnce(&mut Step<'_, S>),
    ) -> Result<(), Halt> {
        self.sim.cell.with(|w| {
            self.enter(w)?;
            let name = w.actors[victim.0].name.clone();
            let saw = if w.actors[victim.0].status == Status::Running {
                w.actors[victim.0].status = Status::Crashed;
                let mut step = self.begin(w);
                step.me = victim;
                on_crash(&mut step);
                format!("{name} crashed")
            } else {
                format!("{name} had already exited")
            };
            self.commit(w, "crash", self.sim.recording.then_some(saw), None);
            Ok(())
        })
    }

    /// Checks that this actor may take a step, and counts it.
    fn enter(&self, w: &mut World<S>) -> Result<(), Halt> {
        if w.stopped {
            return Err(Halt::Stopped);
        }
        match w.actors[self.id.0].status {
            Status::Crashed => return Err(Halt::Crashed),
            Status::Finished => return Err(Halt::Stopped),
            Status::Running => {}
        }
        w.steps += 1;
        if w.steps > w.max_steps {
            let detail = format!(
                "the execution ran past {} steps without finishing",
                w.max_steps
            );
            self.stop(w, builtin::STEP_BOUND, detail);
            return Err(Halt::Stopped);
        }
        Ok(())
    }

    fn begin<'w>(&self, w: &'w mut World<S>) -> Step<'w, S> {
        Step {
            now: w.now,
            state: &mut w.state,
            me: self.id,
            recording: self.sim.recording,
            saw: None,
            violation: None,
        }
    }

    /// Makes a step take effect: new epoch, event recorded, violation handled.
    fn commit(
        &self,
        w: &mut World<S>,
        label: &'static str,
        saw: Option<String>,
        violation: Option<(Property, String)>,
    ) {
        w.epoch += 1;
        if self.sim.recording {
            self.sim
                .recorder
                .push(w.now, &self.name, label, saw.unwrap_or_default());
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
        let mark = property != builtin::DEADLOCK && property != builtin::STEP_BOUND;
        self.sim.recorder.violate(violation.clone(), mark);
        w.violation.get_or_insert(violation);
        w.stopped = true;
        w.epoch += 1;
    }

    /// Marks this actor finished (its thread is about to end).
    fn finish(&self) {
        self.sim.cell.with(|w| {
            let slot = &mut w.actors[self.id.0];
            if slot.status == Status::Running {
                slot.status = Status::Finished;
            }
            slot.blocked = None;
            slot.waits_for = WaitsFor::Nothing;
            w.epoch += 1;
        });
    }
}
