//! One model source, every engine: the [`Runtime`] an execution runs on.
//!
//! A scheme never names a runtime. The engine picks one per execution — real OS
//! threads, loom's exhaustive scheduler, or shuttle's randomised ones — and the kit
//! builds the world's cell and the actors' threads from it, so one binary and one test
//! suite run all three, with no `--cfg loom` rebuild.
//!
//! The kit needs very little from a runtime: a shared cell whose every access is one
//! critical section (one *step*), a way to block until a condition holds, spawn and
//! join. Models never touch raw atomics: loom models `SeqCst` weakly (loom #180) and
//! would report interleavings a real machine cannot produce.

mod cells;
pub mod coop;

pub(crate) use cells::{Cell, Handle, Wake};

/// Where one execution runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Runtime {
    /// Real OS threads: no control over the schedule (stress runs).
    Threads,
    /// Inside `loom::model`: every interleaving, in a deterministic order.
    Loom,
    /// Inside a shuttle runner: random, PCT or depth-first schedules.
    Shuttle,
    /// Coroutines on one thread, each scheduling point decided by a
    /// [`coop::Decider`]: the state-caching engine.
    Coop,
}

impl Runtime {
    /// Short name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Runtime::Threads => "threads",
            Runtime::Loom => "loom",
            Runtime::Shuttle => "shuttle",
            Runtime::Coop => "coop",
        }
    }
}

/// The most threads loom runs in one execution, the model's main thread included
/// (`MAX_THREADS` in loom's `rt/mod.rs`). Past it loom fails with an internal
/// assertion, so the kit refuses such a cast first, with a message that says why.
pub const LOOM_MAX_THREADS: usize = 5;

/// The text of a panic payload.
pub(crate) fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-text payload".to_owned()
    }
}
