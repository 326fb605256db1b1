//! What a throughput kernel is, and the pieces every kernel is built from: a store
//! behind one `std::sync::Mutex` (one statement = one critical section, exactly what
//! the std runtime does), a virtual clock inside it, per-acquisition tokens, and the
//! resource the lock protects.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use locklab::sim::Tick;

/// Lease length for the TTL schemes, in virtual ticks. The store's clock advances one
/// tick per acquire, so a lease could only expire under a holder that stalls while
/// four billion other operations complete: leases are as long, relative to one
/// operation, as a 30 s lease is to a microsecond-scale statement. Expiry is not what
/// is measured; the statements that carry a TTL are.
pub const LEASE_TTL: Tick = 1 << 32;

/// One scheme variant, made runnable on OS threads.
pub trait LockKernel: Send + Sync {
    /// One lock operation by `thread` on `key`: acquire (a contended acquire retries,
    /// yielding the CPU, as the scheme's clients would), the critical section, release.
    /// Returns whether it completed; `false` only from a scheme whose clients give up
    /// after bounded retries, and then it changed nothing.
    fn operation(&self, thread: usize, key: usize) -> bool;

    /// How many critical sections took effect at the resource `key` guards. The
    /// driver compares it with the operations it counted: a lock that let two holders
    /// in shows up as a lost update.
    fn completed_at_resource(&self, key: usize) -> u64;
}

/// A kernel's store: shared state that OS threads reach only through
/// [`Store::statement`], one atomic statement at a time.
#[derive(Debug, Default)]
pub struct Store<S>(Mutex<S>);

impl<S> Store<S> {
    /// A store holding `state`.
    pub fn new(state: S) -> Self {
        Store(Mutex::new(state))
    }

    /// Runs one statement as one critical section.
    pub fn statement<U>(&self, f: impl FnOnce(&mut S) -> U) -> U {
        // A panicking statement fails the bench anyway; the state is not inspected after.
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// A value on its own cache line, so threads working on different keys do not slow
/// each other down through false sharing.
#[derive(Debug, Default)]
#[repr(align(128))]
pub struct Padded<T>(pub T);

/// The resource the lock protects: one counter per key, incremented by the critical
/// section with a plain load and store (deliberately not an atomic read-modify-write),
/// so two holders at once lose updates and [`LockKernel::completed_at_resource`]
/// comes up short.
#[derive(Debug)]
pub struct Resource(Vec<Padded<AtomicU64>>);

impl Resource {
    /// `keys` counters at zero.
    pub fn new(keys: usize) -> Self {
        Resource((0..keys).map(|_| Padded(AtomicU64::new(0))).collect())
    }

    /// The critical section: what the lock holder does to the resource.
    pub fn increment(&self, key: usize) {
        let counter = &self.0[key].0;
        counter.store(counter.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }

    /// The counter at `key`.
    pub fn count(&self, key: usize) -> u64 {
        self.0[key].0.load(Ordering::Relaxed)
    }
}

/// Per-acquisition tokens (a uuid in the real clients): unique across threads, and
/// drawn from a per-thread sequence so that drawing one is not a point of contention.
#[derive(Debug)]
pub struct Tokens(Vec<Padded<AtomicU64>>);

impl Tokens {
    /// Sequences for `threads` threads.
    pub fn new(threads: usize) -> Self {
        Tokens((0..threads).map(|_| Padded(AtomicU64::new(0))).collect())
    }

    /// A token no other acquisition has used.
    pub fn next(&self, thread: usize) -> u64 {
        let seq = self.0[thread].0.fetch_add(1, Ordering::Relaxed);
        ((thread as u64) << 48) | seq
    }
}

/// Gives the CPU to another thread before a contended acquire is retried.
pub fn back_off() {
    std::thread::yield_now();
}
