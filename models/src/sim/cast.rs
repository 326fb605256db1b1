//! [`Cast`]: who takes part in an execution, and what the kit's environment does to
//! them (the clock, crashes, timers, late starts).

use super::{Actor, ActorId, Halt, Step, Tick, Timing};

/// An actor's life: its steps, until it returns (done) or a step says [`Halt`].
pub type Body<S> = Box<dyn FnOnce(&Actor<S>) -> Result<(), Halt> + Send>;

pub(crate) struct ActorSpec<S> {
    pub name: String,
    pub pausable: bool,
    pub starts_at: Option<Tick>,
    pub body: Body<S>,
}

pub(crate) struct EnvEvent<S> {
    pub at: Tick,
    pub body: Body<S>,
}

/// What a scheme's [`cast`](super::Scheme::cast) fills in: the actors, and what the
/// kit's environment actor does while they run.
///
/// The environment is one actor the kit adds when there is a clock or a scheduled
/// fault. It runs on the execution's main thread (so loom has room for four actors
/// of the scheme's own), and in tick order does: start the actors due to start, run
/// the events due, then advance the clock — waiting, before each advance, until every
/// punctual actor has done its work for the tick. When the clock reaches its horizon
/// the environment finishes, and an actor still sleeping on a later tick wakes with
/// `Ok(false)` from [`Actor::sleep_until`] and winds up.
pub struct Cast<S> {
    pub(crate) actors: Vec<ActorSpec<S>>,
    pub(crate) horizon: Option<Tick>,
    pub(crate) events: Vec<EnvEvent<S>>,
    pub(crate) max_steps: usize,
    pub(crate) env_name: Option<String>,
}

/// The steps an execution may take before it is reported as a `step-bound` violation,
/// unless the cast sets its own with [`Cast::max_steps`].
pub const DEFAULT_MAX_STEPS: usize = 10_000;

impl<S> Default for Cast<S> {
    fn default() -> Self {
        Cast {
            actors: Vec::new(),
            horizon: None,
            events: Vec::new(),
            max_steps: DEFAULT_MAX_STEPS,
            env_name: None,
        }
    }
}

/// A cast actor, to say more about it: `cast.actor("A", body).pausable()`.
pub struct ActorRef<'c, S> {
    cast: &'c mut Cast<S>,
    index: usize,
}

impl<S> ActorRef<'_, S> {
    /// The actor's id.
    pub fn id(&self) -> ActorId {
        ActorId(self.index)
    }

    /// This actor may be paused anywhere (a GC pause, a frozen container): the clock
    /// moves on without it. Without a clock every actor is pausable anyway.
    pub fn pausable(self) -> Self {
        self.cast.actors[self.index].pausable = true;
        self
    }

    /// The actor starts only when the clock reaches `tick` (a process the supervisor
    /// restarts, a client arriving late); before that it does not exist.
    pub fn starts_at(self, tick: Tick) -> Self {
        self.cast.actors[self.index].starts_at = Some(tick).filter(|&t| t > 0);
        self
    }
}

impl<S> Cast<S> {
    /// Casts an actor named `name` running `body`. Under a clock it is punctual
    /// unless marked [`pausable`](ActorRef::pausable).
    pub fn actor(
        &mut self,
        name: impl Into<String>,
        body: impl FnOnce(&Actor<S>) -> Result<(), Halt> + Send + 'static,
    ) -> ActorRef<'_, S> {
        self.actors.push(ActorSpec {
            name: name.into(),
            pausable: false,
            starts_at: None,
            body: Box::new(body),
        });
        let index = self.actors.len() - 1;
        ActorRef { cast: self, index }
    }

    /// The id the next cast actor will get.
    pub fn next_id(&self) -> ActorId {
        ActorId(self.actors.len())
    }

    /// Runs the virtual clock from 0 to `horizon` (inclusive), one tick at a time.
    pub fn clock(&mut self, horizon: Tick) -> &mut Self {
        self.horizon = Some(horizon);
        self
    }

    /// At tick `at` (at any step boundary of it), the environment runs `body` with its
    /// own actor handle: a timer firing, an operator stepping in, a sweeper.
    pub fn at(
        &mut self,
        at: Tick,
        body: impl FnOnce(&Actor<S>) -> Result<(), Halt> + Send + 'static,
    ) -> &mut Self {
        self.events.push(EnvEvent {
            at,
            body: Box::new(body),
        });
        self
    }

    /// Crashes `victim` at tick `at`, at any step boundary of that tick. `on_crash`
    /// says what dies with it (its connections, its open transaction); everything
    /// else it held stays behind.
    pub fn crash(
        &mut self,
        victim: ActorId,
        at: Tick,
        on_crash: impl FnOnce(&mut Step<'_, S>) + Send + 'static,
    ) -> &mut Self {
        self.at(at, move |env| env.crash(victim, on_crash))
    }

    /// Steps an execution may take before it is a `step-bound` violation.
    pub fn max_steps(&mut self, steps: usize) -> &mut Self {
        self.max_steps = steps;
        self
    }

    /// Names the environment actor in timelines (default `ticker` with a clock,
    /// `fault` without).
    pub fn env_name(&mut self, name: impl Into<String>) -> &mut Self {
        self.env_name = Some(name.into());
        self
    }

    pub(crate) fn timing(&self, spec: &ActorSpec<S>) -> Timing {
        if self.horizon.is_some() && !spec.pausable {
            Timing::Punctual
        } else {
            Timing::Pausable
        }
    }

    pub(crate) fn needs_env(&self) -> bool {
        self.horizon.is_some()
            || !self.events.is_empty()
            || self.actors.iter().any(|a| a.starts_at.is_some())
    }

    /// The environment actor's name, if there is one.
    pub(crate) fn env_label(&self) -> Option<String> {
        self.needs_env().then(|| {
            self.env_name.clone().unwrap_or_else(|| {
                if self.horizon.is_some() {
                    "ticker"
                } else {
                    "fault"
                }
                .to_owned()
            })
        })
    }

    /// What is wrong with this cast, if anything: events past the horizon, a late
    /// start without a clock.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.actors.is_empty() {
            return Err("the cast has no actors".into());
        }
        let last = self.horizon.unwrap_or(0);
        if let Some(e) = self.events.iter().find(|e| e.at > last) {
            return Err(match self.horizon {
                Some(h) => format!("an event at t={} is past the clock's horizon t={h}", e.at),
                None => format!(
                    "an event at t={} needs a clock (cast.clock(horizon)): without one only t=0 exists",
                    e.at
                ),
            });
        }
        if let Some(a) = self
            .actors
            .iter()
            .find(|a| a.starts_at.is_some_and(|t| t > last))
        {
            return Err(format!(
                "{} starts at t={} but the clock stops at t={last}",
                a.name,
                a.starts_at.unwrap_or(0)
            ));
        }
        Ok(())
    }

    /// A summary of this cast (for listing, and the engines' limits).
    pub fn summary(&self) -> CastSummary {
        CastSummary {
            actors: self.actors.iter().map(|a| a.name.clone()).collect(),
            env: self.env_label(),
            horizon: self.horizon,
        }
    }
}

/// Who takes part in an execution, without running it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CastSummary {
    /// The cast actors' names, in id order.
    pub actors: Vec<String>,
    /// The environment actor's name, if the kit adds one.
    pub env: Option<String>,
    /// Where the clock stops, if there is one.
    pub horizon: Option<Tick>,
}

impl CastSummary {
    /// Threads one execution uses: the main thread (which runs the environment, if
    /// any) plus one per cast actor.
    pub fn threads(&self) -> usize {
        1 + self.actors.len()
    }
}
