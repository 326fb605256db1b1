//! One execution of a [`Scheme`]: the kit builds the world, starts the cast, runs the
//! environment (clock, faults, late starts) on the main thread, joins everyone and
//! runs the end-of-execution checks. No scheme writes this loop itself.

use std::sync::Arc;

use super::actor::Shared;
use super::cast::{Body, Cast, EnvEvent};
use super::runtime::{Cell, Handle, Runtime};
use super::world::{ActorSlot, Status, WaitsFor, World};
use super::{Actor, ActorId, Halt, Recorder, Scheme, Tick, Timing, Violation};

/// Stack for the main thread's work under loom (1 MiB; mapped lazily by the OS).
const LOOM_MAIN_STACK: usize = 1 << 20;

pub(crate) fn execute<M: Scheme>(scheme: &M, runtime: Runtime, recorder: &Recorder) {
    if runtime == Runtime::Loom {
        // A scheme's `init` or end checks may do real work (the SQL model parses and
        // plans statements), more than loom's fixed main-thread stack holds.
        stacker::grow(LOOM_MAIN_STACK, || execute_here(scheme, runtime, recorder));
    } else {
        execute_here(scheme, runtime, recorder);
    }
}

fn execute_here<M: Scheme>(scheme: &M, runtime: Runtime, recorder: &Recorder) {
    let mut cast = Cast::default();
    scheme.cast(&mut cast);
    if let Err(e) = cast.validate() {
        panic!("the scheme's cast is malformed: {e}");
    }
    let env_name = cast.env_label();
    let mut slots: Vec<ActorSlot> = cast
        .actors
        .iter()
        .map(|spec| {
            let status = if spec.starts_at.is_some() {
                Status::NotStarted
            } else {
                Status::Running
            };
            slot(spec.name.clone(), cast.timing(spec), status)
        })
        .collect();
    if let Some(name) = &env_name {
        let timing = if cast.horizon.is_some() {
            Timing::Driver
        } else {
            Timing::Pausable
        };
        slots.push(slot(name.clone(), timing, Status::Running));
    }
    let recording = recorder.is_recording();
    let names = slots.iter().map(|a| a.name.clone()).collect();
    let mut world = World::new(scheme.init(), cast.max_steps);
    world.focus = recorder.focus();
    let shared = Arc::new(Shared {
        cell: Cell::new(
            runtime,
            world,
            super::world::fingerprint::<M::State>,
            super::world::owed::<M::State>,
            super::world::halt::<M::State>,
        ),
        recorder: recorder.clone(),
        recording,
        runtime,
        names,
    });
    // Each actor is registered as one critical section of its own, before any thread
    // starts. Under loom this is not idle: loom counts preemptions against the cell's
    // history, and with this history its preemption-bounded search covers markedly
    // more for the same bound (48 instead of 28 of the 90 orders of 3 actors × 2
    // steps at a bound of 2), as the kit always has.
    for slot in slots {
        shared.cell.quiet(|w| w.actors.push(slot));
    }

    let Cast {
        actors,
        horizon,
        events,
        ..
    } = cast;
    let env_id = ActorId(actors.len());
    let mut late = Vec::new();
    let mut handles = Vec::new();
    for (i, spec) in actors.into_iter().enumerate() {
        let actor = Actor::new(Arc::clone(&shared), ActorId(i));
        match spec.starts_at {
            Some(t) => late.push((t, actor, spec.body)),
            None => handles.push(spawn(runtime, actor, spec.body)),
        }
    }
    if env_name.is_some() {
        let env = Actor::new(Arc::clone(&shared), env_id);
        // Whatever stopped the environment (a violation), it is finished from here:
        // actors sleeping on a later tick wake and wind up instead of hanging.
        let _ = run_env(&env, horizon, events, late, &mut handles);
        env.finish();
    }
    for h in handles {
        h.join();
    }
    shared.cell.quiet(|w| {
        if !w.stopped {
            end_checks(scheme, w, recorder, recording);
        }
        recorder.add_checks(&w.checks);
    });
}

fn slot(name: String, timing: Timing, status: Status) -> ActorSlot {
    ActorSlot {
        name,
        timing,
        status,
        due: (timing == Timing::Punctual).then_some(0),
        blocked: None,
        waits_for: WaitsFor::Nothing,
        paused_at: None,
        choices: 0,
        progress: 0,
    }
}

fn spawn<S: Send + 'static>(runtime: Runtime, actor: Actor<S>, body: Body<S>) -> Handle {
    let name = actor.name().to_owned();
    Handle::spawn(runtime, &name, move || {
        let _ = body(&actor);
        actor.finish();
    })
}

/// The environment, in tick order: start the actors due, run the events due, advance
/// the clock (which waits for punctual actors' work at the tick).
fn run_env<S: Send + 'static>(
    env: &Actor<S>,
    horizon: Option<Tick>,
    mut events: Vec<EnvEvent<S>>,
    mut late: Vec<(Tick, Actor<S>, Body<S>)>,
    handles: &mut Vec<Handle>,
) -> Result<(), Halt> {
    let last = horizon.unwrap_or(0);
    for t in 0..=last {
        let (starting, later): (Vec<_>, Vec<_>) = late.into_iter().partition(|(at, ..)| *at == t);
        late = later;
        for (_, actor, body) in starting {
            env.start(actor.id());
            handles.push(spawn(env.runtime(), actor, body));
        }
        let (due, later): (Vec<_>, Vec<_>) = events.into_iter().partition(|e| e.at == t);
        events = later;
        for event in due {
            (event.body)(env)?;
        }
        if t < last {
            env.tick()?;
        }
    }
    Ok(())
}

fn end_checks<M: Scheme>(
    scheme: &M,
    w: &mut World<M::State>,
    recorder: &Recorder,
    recording: bool,
) {
    let now = w.now;
    let mut step = w.step(ActorId::END, recording);
    scheme.at_end(&mut step);
    // An obligation still owed when nothing more will happen is violated.
    if let Some(&p) = step.owed_now().first() {
        step.violate(p, || format!("still owed when the run ended at t={now}"));
    }
    if let Some((property, detail)) = step.violation {
        let at = w.now;
        recorder.push(at, "check", "end of execution", detail.clone());
        recorder.violate(
            Violation {
                property,
                detail,
                at,
            },
            true,
        );
        w.stopped = true;
    }
}
