//! The modelling kit: what every scheme model is built from.
//!
//! - [`Runtime`]: one model source for real threads, loom and shuttle.
//! - [`Sim`] and [`Actor`]: actors that change a shared [`World`] one atomic *step*
//!   at a time; the engine may switch actors between any two steps and nowhere else.
//! - A virtual clock ([`World::now`]) advanced by a ticker actor, crash faults that
//!   take effect at any step boundary, deadlock and step-bound detection.
//! - [`store`]: an in-memory database and key-value store whose statements are atomic
//!   steps, with row locks held across steps.
//! - [`trace`]: the out-of-band recorder of events and violations.

mod actor;
pub mod quiet;
pub mod runtime;
pub mod store;
pub mod trace;
mod world;

pub use actor::{Actor, Halt, Sim, SimOptions, Step};
pub use runtime::{JoinHandle, LoomRuntime, Runtime, SharedCell, ShuttleRuntime, StdRuntime, Wake};
pub use trace::{builtin, Event, Property, PropertyKind, Recorder, Trace, Violation};
pub use world::{ActorId, Timing, World};

/// Virtual time, in ticks. Models choose what a tick means (a second, a scan interval).
pub type Tick = u64;

/// A model: builds a world, runs its actors to completion under runtime `R`, and
/// records what happened (and any violated property) in the recorder.
pub trait Model: Send + Sync + 'static {
    /// Runs one execution. Called once per explored schedule.
    fn run<R: Runtime>(&self, recorder: &Recorder);
}

/// An object-safe form of [`Model`], so scenarios can be kept in one list and the
/// engine chosen at run time.
pub trait DynModel: Send + Sync + 'static {
    /// One execution on real threads.
    fn run_std(&self, recorder: &Recorder);
    /// One execution inside `loom::model`.
    fn run_loom(&self, recorder: &Recorder);
    /// One execution inside a shuttle runner.
    fn run_shuttle(&self, recorder: &Recorder);
}

impl<M: Model> DynModel for M {
    fn run_std(&self, recorder: &Recorder) {
        self.run::<StdRuntime>(recorder)
    }
    fn run_loom(&self, recorder: &Recorder) {
        self.run::<LoomRuntime>(recorder)
    }
    fn run_shuttle(&self, recorder: &Recorder) {
        self.run::<ShuttleRuntime>(recorder)
    }
}
