//! Singleton poller (seed 001, catalogue section 2): bot processes long-polling one
//! token, guarded by lock files, kernel locks or a renewed lease.
//!
//! The messaging server (Telegram's `getUpdates`) keeps one long-poll consumer per
//! token: a second process polling answers the first one's long poll with "409
//! Conflict: terminated by other getUpdates request", and an update is confirmed only
//! by the next poll with a higher offset, so an update one process fetched can be
//! fetched again by another (or by a fresh process after a kill) and handled twice.
//!
//! The ladder, as [`Protocol`]s (the start-up guard) plus the world a scenario puts
//! them in (one host or several, a kill, a stale lock file):
//! - [`Protocol::Unguarded`]: every process polls (the original bug: 409s).
//! - [`Protocol::ExclusiveLockFile`]: `open(O_CREAT|O_EXCL)` on `/tmp/bot.lock` at
//!   start-up, exit if it exists, unlink it on clean shutdown (the write-up's fix).
//!   Exclusive on one host; on [`Config::separate_hosts`] each host has its own
//!   `/tmp` and both pollers run; after a kill ([`Config::kill_at`]) the file stays
//!   behind and every restart exits, so nothing polls again.
//! - [`Protocol::PidTakeover`]: the lock file plus "if the pid in it is dead, remove it
//!   and create mine": two processes both judge a stale file dead and the second one
//!   removes the file the first just created.
//! - [`Protocol::KernelFileLock`]: `flock(LOCK_EX|LOCK_NB)` held for the process's
//!   lifetime; the kernel drops it when the process dies (correct on one host).
//! - [`Protocol::RenewedLease`]: a lease in the shared store (`SET NX PX`), renewed
//!   (compare-and-expire) before every poll; polling stops when renewal fails
//!   (correct across hosts, under the stated assumption below).
//!
//! Two things the ladder makes explicit rather than hiding:
//! - Exclusive polling alone does not make effects happen at most once: the server
//!   redelivers every update no later poll confirmed, so a process killed between
//!   handling an update and its next poll leaves that update to be handled again by
//!   the fresh process. The correct rungs set [`Config::idempotent_handler`]: the
//!   effect and the id of the last update handled commit in one transaction of the
//!   bot's database, and an update already handled is skipped.
//! - `getUpdates` takes no fencing token, so nothing at the server can refuse a poll
//!   from a process that woke from a pause with an expired lease. The renewed lease is
//!   exclusive only while a process is never paused between its renewal and the poll
//!   it guards for as long as the lease lasts; the correct rung runs punctual
//!   processes (killed, never paused), and a [`Config::pausable`] process shows the
//!   assumption is needed.

mod guard;
mod model;
mod process;
mod server;
pub mod statements;
mod witness;
mod workload;
mod world;

pub use crate::sim::store::{Host, Pid};
pub use model::SingletonPoller;
pub use server::{Answer, Server, LONG_POLL_TIMEOUT};
pub use workload::PollerWorkload;
pub use world::{PollerWorld, LEASE_KEY};

use crate::sim::{Property, Tick};

/// A `getUpdates` reached the server while another process was still polling the
/// token: the server answers the older long poll with 409 Conflict.
pub const SINGLE_POLLER: Property = Property::safety("single-poller");
/// An update's effect was committed more than once (the user got two replies).
pub const UPDATE_ONCE: Property = Property::safety("update-once");
/// After every process was killed, no fresh process polled within TTL + ε.
pub const POLLER_RESUMES: Property = Property::liveness("poller-resumes");
/// An update that reached the server was never handled by the end of the run.
pub const UPDATE_HANDLED: Property = Property::liveness("update-handled");

/// The write-up's lock file.
pub const LOCK_PATH: &str = "/tmp/bot.lock";

/// How long the supervisor takes to start a fresh process after a kill: the ε of the
/// liveness bound TTL + ε.
pub const RESTART_DELAY: Tick = 1;

/// How a bot process makes sure it is the only one polling (its start-up guard).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// No guard: every process polls (the original bot).
    Unguarded,
    /// `open(O_CREAT|O_EXCL)` the lock file at start-up, exit if it exists, unlink it
    /// on clean shutdown (the write-up's fix).
    ExclusiveLockFile,
    /// The lock file, and if it exists but the pid written in it is dead: unlink it and
    /// create it again.
    PidTakeover,
    /// `flock(LOCK_EX|LOCK_NB)` on the lock file, held for the process's lifetime; the
    /// kernel releases it when the process dies. The file itself is never unlinked.
    KernelFileLock,
    /// A lease in the shared store: `SET NX PX` to take it (a process that cannot stands
    /// by and retries every tick), renewed with compare-and-expire before every poll;
    /// a failed renewal stops polling.
    RenewedLease,
}

/// Everything one singleton-poller execution needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Config {
    /// The start-up guard.
    pub protocol: Protocol,
    /// Bot processes started at t = 0 (actors `A`, `B`, …).
    pub processes: usize,
    /// Every process runs on its own host (its own `/tmp`, its own kernel); otherwise
    /// they all share host `h1`.
    pub separate_hosts: bool,
    /// Lease length in ticks; also the TTL of the liveness bound TTL + ε.
    pub ttl: Tick,
    /// Tick at which each update reaches the server (update ids 1, 2, …).
    pub updates: Vec<Tick>,
    /// The clock runs from 0 to `horizon`, every process polling once a tick; 0 means
    /// no clock: a process polls once, handles what it got and shuts down cleanly.
    pub horizon: Tick,
    /// Every process started at t = 0 is killed (SIGKILL, OOM) at this tick, at any step
    /// boundary of it; [`RESTART_DELAY`] later the supervisor starts a fresh process
    /// (`A'`) on `h1`.
    pub kill_at: Option<Tick>,
    /// `h1` starts with a lock file holding the pid of a process killed before the run.
    pub stale_lock_file: bool,
    /// Index of a process that may be paused (a GC pause, a frozen container) while the
    /// clock moves; the others are punctual.
    pub pausable: Option<usize>,
    /// Index of a punctual process that may stall (any number of ticks) just before
    /// it renews its lease, and nowhere else: a renewal that comes too late and fails.
    pub stall_before_renewal: Option<usize>,
    /// The handler commits an update's effect and `last_update_id` in one transaction
    /// of the bot's database, skipping an update it has already handled.
    pub idempotent_handler: bool,
}

impl Config {
    /// One host, no clock, no faults, one update waiting at t = 0.
    pub fn new(protocol: Protocol, processes: usize) -> Self {
        Config {
            protocol,
            processes,
            separate_hosts: false,
            ttl: 2,
            updates: vec![0],
            horizon: 0,
            kill_at: None,
            stale_lock_file: false,
            pausable: None,
            stall_before_renewal: None,
            idempotent_handler: false,
        }
    }

    /// The liveness bound: after every process is killed, a fresh one must poll within
    /// this many ticks (TTL + ε).
    pub fn resume_bound(&self) -> Tick {
        self.ttl + RESTART_DELAY
    }

    /// Processes in the run: those started at t = 0, plus the fresh one after a kill.
    pub fn all_processes(&self) -> usize {
        self.processes + usize::from(self.kill_at.is_some())
    }

    /// Index of the fresh process the supervisor starts after the kill.
    pub fn fresh(&self) -> Option<usize> {
        self.kill_at.map(|_| self.processes)
    }

    /// When process `i` starts.
    pub fn start_of(&self, i: usize) -> Tick {
        match self.kill_at {
            Some(at) if i == self.processes => at + RESTART_DELAY,
            _ => 0,
        }
    }

    /// The host process `i` runs on (the fresh process replaces A on `h1`).
    pub fn host_of(&self, i: usize) -> usize {
        if self.separate_hosts && i < self.processes {
            i
        } else {
            0
        }
    }

    /// Number of hosts.
    pub fn hosts(&self) -> usize {
        if self.separate_hosts {
            self.processes
        } else {
            1
        }
    }

    /// Process `i`'s pid on its host.
    pub fn pid_of(&self, i: usize) -> Pid {
        101 + i as Pid
    }

    /// Process `i`'s name in the timeline: `A`, `B`, …, and `A'` for the fresh one.
    pub fn name_of(&self, i: usize) -> String {
        if Some(i) == self.fresh() {
            "A'".to_owned()
        } else {
            char::from(b'A' + (i % 26) as u8).to_string()
        }
    }

    /// Checks the sizes make sense; the error says what to change.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=6).contains(&self.processes) {
            return Err("needs between 1 and 6 processes".into());
        }
        if self.ttl < 1 {
            return Err("ttl must be at least 1".into());
        }
        if self.protocol == Protocol::RenewedLease && self.ttl < 2 {
            // A holder renews once a tick: a lease of one tick lapses at the very tick
            // its renewal comes, and the standby takes it every other tick.
            return Err(
                "the renewed lease needs a ttl of at least 2 (one poll interval and a margin)"
                    .into(),
            );
        }
        if self.updates.is_empty() {
            return Err("needs at least one update".into());
        }
        let last_arrival = self.updates.iter().copied().max().unwrap_or(0);
        if last_arrival > self.horizon {
            return Err(format!(
                "every update must arrive by the horizon ({}); the last arrives at t={last_arrival}",
                self.horizon
            ));
        }
        if self.pausable.is_some_and(|p| p >= self.processes) {
            return Err("the pausable process does not exist".into());
        }
        if let Some(at) = self.kill_at {
            if self.horizon < at + self.resume_bound() {
                return Err(format!(
                    "horizon ({}) must reach the kill tick + ttl + {RESTART_DELAY} ({})",
                    self.horizon,
                    at + self.resume_bound()
                ));
            }
        }
        Ok(())
    }
}
