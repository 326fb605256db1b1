//! Keeps expected panics (a model stopping loom, a model bug turned into a verdict)
//! off the terminal, while every other panic is reported as usual.

use std::panic;
use std::sync::Once;

use locklab_models::sim::quiet;

/// Installs the hook once. shuttle installs its own hook (once) at its first
/// execution; running a trivial shuttle test first puts ours outermost, so expected
/// panics stay silent and unexpected ones still reach shuttle's and Rust's hooks.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        shuttle::Runner::new(
            shuttle::scheduler::RandomScheduler::new(1),
            shuttle::Config::new(),
        )
        .run(|| {});
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !quiet::is_quiet() {
                previous(info);
            }
        }));
    });
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
