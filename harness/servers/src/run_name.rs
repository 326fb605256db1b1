//! Names unique to one run: a schema or key prefix no other run (or process) shares.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// `locklab_<pid>_<counter>_<nanos>`: the process, a per-process counter and the wall
/// clock, so parallel tests and concurrent processes never collide.
pub fn run_name() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("locklab_{}_{n}_{nanos}", std::process::id())
}

/// The prefix every run name of this process starts with (for leak checks).
pub fn process_prefix() -> String {
    format!("locklab_{}_", std::process::id())
}
