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
}

impl Runtime {
    /// Short name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Runtime::Threads => "threads",
            Runtime::Loom => "loom",
            Runtime::Shuttle => "shuttle",
        }
    }
}

/// The most threads loom runs in one execution, the model's main thread included
/// (`MAX_THREADS` in loom's `rt/mod.rs`). Past it loom fails with an internal
/// assertion, so the kit refuses such a cast first, with a message that says why.
pub const LOOM_MAX_THREADS: usize = 5;
