//! Keeps expected panics (a model stopping loom, a model bug turned into a verdict)
//! off the terminal, while every other panic is reported as usual — and keeps
//! shuttle's failure banner to panics inside a shuttle run.

use std::cell::Cell;
use std::panic;
use std::sync::{Arc, Once};

use locklab_models::sim::quiet;

thread_local! {
    /// Whether this thread is inside a shuttle run (its tasks run on this thread).
    static IN_SHUTTLE: Cell<bool> = const { Cell::new(false) };
}

/// Installs the hook once. shuttle installs its own hook (once, process-wide) at its
/// first execution, and that hook prints "Task failed, serializing schedule" with a
/// schedule for *any* panic — a failed assertion in a user's test included, where the
/// banner names no task and a schedule that has nothing to do with it. So a trivial
/// shuttle run goes first, and ours wraps both: expected panics stay silent, panics
/// inside a shuttle run reach shuttle's hook (which forwards to Rust's), all others
/// go straight to the hook that was there before.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let before: Arc<dyn Fn(&panic::PanicHookInfo<'_>) + Send + Sync> =
            Arc::from(panic::take_hook());
        let forward = Arc::clone(&before);
        panic::set_hook(Box::new(move |info| forward(info)));
        let mut config = shuttle::Config::new();
        // locklab reports a failing schedule itself, as a replay string.
        config.failure_persistence = shuttle::FailurePersistence::None;
        shuttle::Runner::new(shuttle::scheduler::RandomScheduler::new(1), config).run(|| {});
        let shuttles = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if quiet::is_quiet() {
                return;
            }
            if IN_SHUTTLE.get() {
                shuttles(info);
            } else {
                before(info);
            }
        }));
    });
}

/// Marks the current thread as running shuttle for the lifetime of the guard.
pub(crate) struct InShuttle {
    previous: bool,
}

impl InShuttle {
    pub(crate) fn new() -> Self {
        InShuttle {
            previous: IN_SHUTTLE.replace(true),
        }
    }
}

impl Drop for InShuttle {
    fn drop(&mut self) {
        IN_SHUTTLE.set(self.previous);
    }
}

/// Marks the current thread quiet for the lifetime of the guard.
pub struct QuietGuard {
    previous: bool,
}

impl QuietGuard {
    /// Marks this thread's panics as expected.
    pub fn new() -> Self {
        QuietGuard {
            previous: quiet::set_quiet(true),
        }
    }
}

impl Drop for QuietGuard {
    fn drop(&mut self) {
        quiet::set_quiet(self.previous);
    }
}
