//! One model source, every engine: the [`Runtime`] trait and its three implementations.
//!
//! A model is generic over `R: Runtime`. The engine is chosen at run time by picking
//! [`StdRuntime`] (real OS threads), [`LoomRuntime`] (loom's exhaustive scheduler) or
//! [`ShuttleRuntime`] (shuttle's randomised schedulers), so one binary and one test
//! suite run all three, with no `--cfg loom` rebuild.
//!
//! The trait is deliberately narrow: a shared cell whose every access is one critical
//! section (one *step*), a way to block until a condition holds, spawn and join. Models
//! never touch raw atomics: loom models `SeqCst` weakly (loom #180) and would report
//! interleavings a real machine cannot produce.

use std::time::{Duration, Instant};

/// A concurrency runtime: real threads, loom or shuttle.
pub trait Runtime: Sized + Send + Sync + 'static {
    /// Short name used in messages (`"std"`, `"loom"`, `"shuttle"`).
    const NAME: &'static str;
    /// A mutex-protected cell with a condition variable, from this runtime.
    type Cell<T: Wake + Send + 'static>: SharedCell<T>;
    /// Handle returned by [`Runtime::spawn`].
    type Handle: JoinHandle;
    /// Start a named actor thread.
    fn spawn<F: FnOnce() + Send + 'static>(name: String, body: F) -> Self::Handle;
}

/// Waits for a spawned actor to finish.
pub trait JoinHandle {
    /// Blocks until the actor's thread has finished; re-raises its panic, if any.
    fn join(self);
}

/// State that can tell whether a change may let a blocked actor proceed, so a step
/// wakes waiters only when one of them can make progress. Every futile wake-up is a
/// scheduling point loom and shuttle would otherwise explore.
pub trait Wake {
    /// Whether some blocked actor may be able to proceed now. Those actors count as
    /// woken from here on (they re-register if still blocked when they run), so one
    /// change wakes them once, not at every later step.
    fn take_wakeups(&mut self) -> bool;
}

/// Shared state whose every access is one atomic step.
pub trait SharedCell<T: Wake>: Send + Sync + 'static {
    /// Wraps `value`.
    fn new(value: T) -> Self;
    /// Runs `f` on the state as one critical section.
    fn with<U>(&self, f: impl FnOnce(&mut T) -> U) -> U;
    /// Runs `f` as one critical section, blocking (on a condition variable) and
    /// retrying every time a step wakes it, until `f` returns `Some`. `f` may change
    /// bookkeeping even when it returns `None`; waiters are then woken if
    /// [`Wake::take_wakeups`] says so.
    fn wait_for<U>(&self, f: impl FnMut(&mut T) -> Option<U>) -> U;
}

/// The state inside a cell plus the number of actors blocked on it, so a step only
/// notifies the condition variable when someone is actually waiting (a notify is a
/// synchronisation event in loom and shuttle, and costs real time on real threads).
struct Slot<T> {
    value: T,
    waiters: usize,
}

/// Implements [`SharedCell`] for one runtime's `Mutex` + `Condvar` pair. The three
/// runtimes spell these types identically but share no trait, hence a macro rather
/// than three copies of the same two methods.
macro_rules! mutex_condvar_cell {
    ($cell:ident, $mutex:ty, $condvar:ty, $wait:expr) => {
        /// A [`SharedCell`] built from this runtime's mutex and condition variable.
        pub struct $cell<T> {
            slot: $mutex,
            changed: $condvar,
        }

        impl<T: Wake + Send + 'static> SharedCell<T> for $cell<T> {
            fn new(value: T) -> Self {
                $cell {
                    slot: <$mutex>::new(Slot { value, waiters: 0 }),
                    changed: <$condvar>::new(),
                }
            }

            fn with<U>(&self, f: impl FnOnce(&mut T) -> U) -> U {
                let mut slot = self
                    .slot
                    .lock()
                    .unwrap_or_else(|poison| poison.into_inner());
                let out = f(&mut slot.value);
                if slot.waiters > 0 && slot.value.take_wakeups() {
                    self.changed.notify_all();
                }
                out
            }

            fn wait_for<U>(&self, mut f: impl FnMut(&mut T) -> Option<U>) -> U {
                let mut slot = self
                    .slot
                    .lock()
                    .unwrap_or_else(|poison| poison.into_inner());
                let started = Instant::now();
                loop {
                    let out = f(&mut slot.value);
                    if slot.waiters > 0 && slot.value.take_wakeups() {
                        self.changed.notify_all();
                    }
                    if let Some(out) = out {
                        return out;
                    }
                    slot.waiters += 1;
                    slot = $wait(&self.changed, slot, started);
                    slot.waiters -= 1;
                }
            }
        }
    };
}

/// How long a real thread may wait for one condition before the run is declared
/// hung. The simulation detects deadlocks itself, so this only fires on a bug in a
/// model that blocks outside the kit; it keeps the real-threads engine from hanging.
const REAL_THREAD_WAIT_LIMIT: Duration = Duration::from_secs(20);

fn std_wait<'a, T>(
    cv: &std::sync::Condvar,
    guard: std::sync::MutexGuard<'a, Slot<T>>,
    started: Instant,
) -> std::sync::MutexGuard<'a, Slot<T>> {
    let left = REAL_THREAD_WAIT_LIMIT.saturating_sub(started.elapsed());
    assert!(
        !left.is_zero(),
        "hang: a real thread waited {REAL_THREAD_WAIT_LIMIT:?} for a condition that never held"
    );
    let (guard, _) = cv
        .wait_timeout(guard, left)
        .unwrap_or_else(|poison| poison.into_inner());
    guard
}

fn loom_wait<'a, T>(
    cv: &loom::sync::Condvar,
    guard: loom::sync::MutexGuard<'a, Slot<T>>,
    _: Instant,
) -> loom::sync::MutexGuard<'a, Slot<T>> {
    cv.wait(guard).unwrap_or_else(|poison| poison.into_inner())
}

fn shuttle_wait<'a, T>(
    cv: &shuttle::sync::Condvar,
    guard: shuttle::sync::MutexGuard<'a, Slot<T>>,
    _: Instant,
) -> shuttle::sync::MutexGuard<'a, Slot<T>> {
    cv.wait(guard).unwrap_or_else(|poison| poison.into_inner())
}

mutex_condvar_cell!(
    StdCell,
    std::sync::Mutex<Slot<T>>,
    std::sync::Condvar,
    std_wait
);
mutex_condvar_cell!(
    LoomCell,
    loom::sync::Mutex<Slot<T>>,
    loom::sync::Condvar,
    loom_wait
);
mutex_condvar_cell!(
    ShuttleCell,
    shuttle::sync::Mutex<Slot<T>>,
    shuttle::sync::Condvar,
    shuttle_wait
);

/// Real OS threads: no control over the schedule; used for stress runs and benchmarks.
#[derive(Debug, Clone, Copy)]
pub struct StdRuntime;

/// loom: every interleaving, in a deterministic order (optionally preemption-bounded).
#[derive(Debug, Clone, Copy)]
pub struct LoomRuntime;

/// shuttle: random, PCT or depth-first schedules chosen by a shuttle scheduler.
#[derive(Debug, Clone, Copy)]
pub struct ShuttleRuntime;

impl JoinHandle for std::thread::JoinHandle<()> {
    fn join(self) {
        if let Err(panic) = std::thread::JoinHandle::join(self) {
            std::panic::resume_unwind(panic);
        }
    }
}

impl JoinHandle for loom::thread::JoinHandle<()> {
    fn join(self) {
        if let Err(panic) = loom::thread::JoinHandle::join(self) {
            std::panic::resume_unwind(panic);
        }
    }
}

impl JoinHandle for shuttle::thread::JoinHandle<()> {
    fn join(self) {
        if let Err(panic) = shuttle::thread::JoinHandle::join(self) {
            std::panic::resume_unwind(panic);
        }
    }
}

impl Runtime for StdRuntime {
    const NAME: &'static str = "std";
    type Cell<T: Wake + Send + 'static> = StdCell<T>;
    type Handle = std::thread::JoinHandle<()>;

    fn spawn<F: FnOnce() + Send + 'static>(name: String, body: F) -> Self::Handle {
        let quiet = super::quiet::is_quiet();
        std::thread::Builder::new()
            .name(name)
            .spawn(move || {
                super::quiet::set_quiet(quiet);
                body()
            })
            .expect("the OS refused to start a thread")
    }
}

impl Runtime for LoomRuntime {
    const NAME: &'static str = "loom";
    type Cell<T: Wake + Send + 'static> = LoomCell<T>;
    type Handle = loom::thread::JoinHandle<()>;

    fn spawn<F: FnOnce() + Send + 'static>(_name: String, body: F) -> Self::Handle {
        loom::thread::spawn(body)
    }
}

impl Runtime for ShuttleRuntime {
    const NAME: &'static str = "shuttle";
    type Cell<T: Wake + Send + 'static> = ShuttleCell<T>;
    type Handle = shuttle::thread::JoinHandle<()>;

    fn spawn<F: FnOnce() + Send + 'static>(name: String, body: F) -> Self::Handle {
        shuttle::thread::Builder::new()
            .name(name)
            .spawn(body)
            .expect("shuttle refused to start a task")
    }
}
