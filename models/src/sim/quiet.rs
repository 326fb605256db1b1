//! Marks threads whose panics are expected (a model stopping loom on a violation, a
//! model bug the harness turns into a verdict), so the harness's panic hook can keep
//! them off the terminal. Real threads started on [`Runtime::Threads`](super::Runtime::Threads)
//! inherit the mark of the thread that spawned them.

use std::cell::Cell;

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Whether panics on this thread are expected and handled.
pub fn is_quiet() -> bool {
    QUIET.with(Cell::get)
}

/// Marks (or unmarks) this thread's panics as expected; returns the previous mark.
pub fn set_quiet(quiet: bool) -> bool {
    QUIET.with(|q| q.replace(quiet))
}
