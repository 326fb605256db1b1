//! The world's cell and the actors' threads, for each [`Runtime`]. The three runtimes
//! spell their `Mutex`, `Condvar` and `thread` types identically but share no trait,
//! hence a macro for the cell and a match for everything else.

use std::time::{Duration, Instant};

use super::Runtime;

/// State that can tell whether a change may let a blocked actor proceed, so a step
/// wakes waiters only when one of them can make progress. Every futile wake-up is a
/// scheduling point loom and shuttle would otherwise explore.
pub(crate) trait Wake {
    /// Whether some blocked actor may be able to proceed now. Those actors count as
    /// woken from here on (they re-register if still blocked when they run), so one
    /// change wakes them once, not at every later step.
    fn take_wakeups(&mut self) -> bool;
}

/// The state inside a cell plus the number of actors blocked on it, so a step only
/// notifies the condition variable when someone is actually waiting (a notify is a
/// synchronisation event in loom and shuttle, and costs real time on real threads).
struct Slot<T> {
    value: T,
    waiters: usize,
}

macro_rules! mutex_condvar_cell {
    ($cell:ident, $mutex:ty, $condvar:ty, $wait:expr) => {
        /// Shared state whose every access is one critical section on this runtime's
        /// mutex, with a condition variable to wait on.
        pub(crate) struct $cell<T> {
            slot: $mutex,
            changed: $condvar,
        }

        impl<T: Wake> $cell<T> {
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
/// hung. The kit detects deadlocks itself, so this only fires on a model that blocks
/// outside the kit; it keeps the real-threads engine from hanging.
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

/// The world's cell on one of the runtimes. One per execution, behind an `Arc`: its
/// size does not matter, a pointer chase on every step would.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Cell<T> {
    Threads(StdCell<T>),
    Loom(LoomCell<T>),
    Shuttle(ShuttleCell<T>),
    Coop(super::coop::CoopCell<T>),
}

impl<T: Wake> Cell<T> {
    /// Wraps `value` in `runtime`'s cell. The cooperative runtime also fingerprints
    /// the value after every access, and halts it to wind an execution up.
    pub(crate) fn new(
        runtime: Runtime,
        value: T,
        fingerprint: fn(&T) -> u64,
        owed: fn(&T) -> Vec<crate::sim::Property>,
        halt: fn(&mut T),
    ) -> Self {
        match runtime {
            Runtime::Threads => Cell::Threads(StdCell::new(value)),
            Runtime::Loom => Cell::Loom(LoomCell::new(value)),
            Runtime::Shuttle => Cell::Shuttle(ShuttleCell::new(value)),
            Runtime::Coop => Cell::Coop(super::coop::CoopCell::new(value, fingerprint, owed, halt)),
        }
    }

    /// Runs `f` on the state as one critical section.
    pub(crate) fn with<U>(&self, f: impl FnOnce(&mut T) -> U) -> U {
        match self {
            Cell::Threads(c) => c.with(f),
            Cell::Loom(c) => c.with(f),
            Cell::Shuttle(c) => c.with(f),
            Cell::Coop(c) => c.with(f),
        }
    }

    /// Runs `f` as one critical section that the cooperative runtime does not treat
    /// as a scheduling point (see `CoopCell::quiet`); everywhere else the same as
    /// [`Cell::with`].
    pub(crate) fn quiet<U>(&self, f: impl FnOnce(&mut T) -> U) -> U {
        match self {
            Cell::Coop(c) => c.quiet(f),
            other => other.with(f),
        }
    }

    /// Runs `f` as one critical section, blocking (on the condition variable) and
    /// retrying every time a step wakes it, until `f` returns `Some`. `f` may change
    /// bookkeeping even when it returns `None`; waiters are then woken if
    /// [`Wake::take_wakeups`] says so.
    pub(crate) fn wait_for<U>(&self, f: impl FnMut(&mut T) -> Option<U>) -> U {
        match self {
            Cell::Threads(c) => c.wait_for(f),
            Cell::Loom(c) => c.wait_for(f),
            Cell::Shuttle(c) => c.wait_for(f),
            Cell::Coop(c) => c.wait_for(f),
        }
    }
}

/// A spawned actor's thread.
pub(crate) enum Handle {
    Threads(std::thread::JoinHandle<()>),
    Loom(loom::thread::JoinHandle<()>),
    Shuttle(shuttle::thread::JoinHandle<()>),
    /// The cooperative task's index.
    Coop(usize),
}

/// Stack of each loom thread, in words (1 MiB), reserved lazily by the OS, so unused pages cost
/// nothing.
const LOOM_STACK: usize = 1 << 17;

impl Handle {
    /// Starts `body` on a new thread of `runtime`, named `name` where the runtime keeps
    /// names.
    pub(crate) fn spawn(
        runtime: Runtime,
        name: &str,
        body: impl FnOnce() + Send + 'static,
    ) -> Self {
        match runtime {
            Runtime::Threads => {
                let quiet = crate::sim::quiet::is_quiet();
                let thread = std::thread::Builder::new()
                    .name(name.to_owned())
                    .spawn(move || {
                        crate::sim::quiet::set_quiet(quiet);
                        body()
                    })
                    .expect("the OS refused to start a thread");
                Handle::Threads(thread)
            }
            // loom runs each thread on a generator with a small default stack; a
            // step that interprets SQL (parse, plan, MVCC) needs more.
            Runtime::Loom => Handle::Loom(
                loom::thread::Builder::new()
                    .name(name.to_owned())
                    .stack_size(LOOM_STACK)
                    .spawn(body)
                    .expect("loom refused to start a thread"),
            ),
            Runtime::Shuttle => Handle::Shuttle(
                shuttle::thread::Builder::new()
                    .name(name.to_owned())
                    .spawn(body)
                    .expect("shuttle refused to start a task"),
            ),
            Runtime::Coop => Handle::Coop(super::coop::spawn(body)),
        }
    }

    /// Blocks until the thread has finished; re-raises its panic, if any.
    pub(crate) fn join(self) {
        let result = match self {
            Handle::Threads(h) => h.join(),
            Handle::Loom(h) => h.join(),
            Handle::Shuttle(h) => h.join(),
            // A task's panic ends the whole cooperative execution, so there is
            // nothing to re-raise here.
            Handle::Coop(task) => {
                super::coop::join(task);
                Ok(())
            }
        };
        if let Err(panic) = result {
            std::panic::resume_unwind(panic);
        }
    }
}
