//! Running a scheme's own statements on OS threads, for the throughput bench.
//!
//! A scheme's workload (`device_claim::DeviceClaimWorkload`, …) strings together the
//! statement functions its actors' steps call (each scheme's `statements` module)
//! into one lock operation: acquire, retrying while contended as the scheme's clients
//! do; the critical section; release. Each statement runs as one critical section of
//! a `std::sync::Mutex` around the store ([`Store::statement`]), which is exactly the
//! atomicity a step has under the kit's std runtime. So a throughput number is the
//! cost of the code that was checked, not of a copy written for the bench.
//!
//! What a workload cannot take from its model — the ticker's virtual clock, pauses,
//! crashes, the property checks and their ghost state, the timeline's text — each
//! workload says in its own docs, with why.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use super::Tick;

/// Lease length for the TTL schemes, in virtual ticks. A workload's clock advances
/// one tick per acquire attempt, so a lease could only expire under a holder that
/// stalls while four billion other attempts are made: leases are as long, relative
/// to one operation, as a 30 s lease is to a microsecond-scale statement. Expiry is
/// not what is measured; the statements that carry a TTL are.
pub const LEASE_TTL: Tick = 1 << 32;

/// One scheme variant, made runnable on OS threads.
pub trait Workload: Send + Sync {
    /// One lock operation by `thread` on `key`: acquire (a contended acquire retries,
    /// yielding the CPU, as the scheme's clients would), the critical section, release.
    /// Returns whether it completed; `false` only where the scheme's clients give up
    /// (bounded retries) or its resource refuses the write, and then its critical
    /// section did not take effect.
    fn operation(&self, thread: usize, key: usize) -> bool;

    /// How many critical sections took effect at the resource `key` guards. The
    /// driver compares it with the operations it counted: a lock that let two holders
    /// in shows up as a lost update.
    fn completed_at_resource(&self, key: usize) -> u64;
}

/// A workload's store: shared state that OS threads reach only through
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

/// A scheme's world with the clock a workload runs it on: advanced by the workload
/// itself ([`Clocked::tick`]), since no ticker actor runs on OS threads.
#[derive(Debug, Default)]
pub struct Clocked<W> {
    /// The scheme's state, as its model keeps it.
    pub world: W,
    /// Virtual time.
    pub now: Tick,
}

impl<W> Clocked<W> {
    /// `world` at t = 0.
    pub fn new(world: W) -> Self {
        Clocked { world, now: 0 }
    }

    /// Advances the clock one tick and returns the new time.
    pub fn tick(&mut self) -> Tick {
        self.now += 1;
        self.now
    }
}

/// A value on its own cache line, so threads working on different keys do not slow
/// each other down through false sharing.
#[derive(Debug, Default)]
#[repr(align(128))]
pub struct Padded<T>(pub T);

/// The resource a lock protects: one counter per key, incremented by the critical
/// section with a plain load and store (deliberately not an atomic read-modify-write),
/// so two holders at once lose updates and the count comes up short.
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

/// Per-acquisition numbers (a uuid or a sequence value in the real clients): unique
/// across threads, drawn from a per-thread sequence so that drawing one is not a
/// point of contention.
#[derive(Debug)]
pub struct Tokens(Vec<Padded<AtomicU64>>);

impl Tokens {
    /// Sequences for `threads` threads.
    pub fn new(threads: usize) -> Self {
        Tokens((0..threads).map(|_| Padded(AtomicU64::new(0))).collect())
    }

    /// A number no other acquisition has drawn.
    pub fn next(&self, thread: usize) -> u64 {
        let seq = self.0[thread].0.fetch_add(1, Ordering::Relaxed);
        ((thread as u64) << 48) | seq
    }
}

/// Gives the CPU to another thread before a contended acquire is retried.
pub fn back_off() {
    std::thread::yield_now();
}
