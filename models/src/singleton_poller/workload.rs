//! The singleton poller on OS threads, for the throughput bench: bot processes
//! (threads) that must poll a bot token (key) one at a time, with the model's own
//! [`statements`] on a [`Host`] or the shared store (the kit's [`Redis`] model).
//!
//! One operation is one process's turn: its start-up guard (retried, as its
//! supervisor starts it again after it exits on EEXIST, or as it stands by for the
//! lease), its poll (the critical section), and its clean shutdown.
//!
//! What the workload leaves out, and why:
//! - The messaging server and the bot's database, which the guard protects: the
//!   critical section is the bench's counter instead of `getUpdates` and the handler.
//! - The lock-file guard's threads are processes of one host (the only setting where
//!   the file excludes), one lock file per bot token. The supervisor's restart does
//!   not re-enter the process table: this guard never probes a pid.
//! - No ticker: the lease's clock advances one tick per acquire attempt, and the
//!   lease is [`LEASE_TTL`] long, so it never lapses under its holder. A holder's turn
//!   spans two ticks of the model's polling loop: it renews the lease once (the
//!   guard before its next poll) and then shuts down, releasing it.
//! - No kill, pause or stale file, no property checks and no timeline.

use crate::sim::store::redis::Redis;
use crate::sim::store::Host;
use crate::sim::workload::{back_off, Clocked, Resource, Store, Workload, LEASE_TTL};

use super::{statements, Config, Protocol};

/// The guard's shared state: a host's lock files, or the lease store.
enum Guard {
    LockFiles {
        host: Store<Host>,
        /// The lock file of each bot token.
        paths: Vec<String>,
    },
    Lease {
        store: Store<Clocked<Redis>>,
        /// The lease key of each bot token.
        keys: Vec<String>,
    },
}

/// A singleton-poller rung, runnable on OS threads: the write-up's
/// [`Protocol::ExclusiveLockFile`] or the correct [`Protocol::RenewedLease`].
pub struct PollerWorkload {
    cfg: Config,
    guard: Guard,
    polls: Resource,
}

impl PollerWorkload {
    /// `keys` bot tokens, for up to as many processes, and no lock held; an error
    /// for a protocol the bench does not run.
    pub fn new(protocol: Protocol, keys: usize) -> Result<Self, String> {
        let cfg = Config::new(protocol, keys);
        let guard = match protocol {
            Protocol::ExclusiveLockFile => Guard::LockFiles {
                host: Store::new(Host::new("h1", (0..keys).map(|i| cfg.pid_of(i)))),
                paths: (0..keys).map(|k| format!("/tmp/bot{k}.lock")).collect(),
            },
            Protocol::RenewedLease => Guard::Lease {
                store: Store::new(Clocked::new(Redis::new())),
                keys: (0..keys).map(|k| format!("bot{k}-poller")).collect(),
            },
            _ => return Err(format!("no workload for {protocol:?}")),
        };
        Ok(PollerWorkload {
            cfg,
            guard,
            polls: Resource::new(keys),
        })
    }
}

impl Workload for PollerWorkload {
    fn operation(&self, me: usize, bot: usize) -> bool {
        match &self.guard {
            Guard::LockFiles { host, paths } => {
                let (path, pid) = (paths[bot].as_str(), self.cfg.pid_of(me));
                // `open(O_CREAT|O_EXCL)`, and on EEXIST the process exits: one step.
                while !host.statement(|h| match statements::create_lock_file(h, path, pid) {
                    Ok(()) => true,
                    Err(_) => {
                        statements::exit(h, pid);
                        false
                    }
                }) {
                    back_off();
                }
                self.polls.increment(bot);
                host.statement(|h| statements::remove_lock_file(h, path, pid));
            }
            Guard::Lease { store, keys } => {
                let key = keys[bot].as_str();
                while !store.statement(|s| {
                    let now = s.tick();
                    statements::acquire_lease(&mut s.world, key, me, LEASE_TTL, now)
                }) {
                    back_off();
                }
                self.polls.increment(bot);
                // A lost lease would stop the polling; there is no next poll here.
                store.statement(|s| {
                    statements::renew_lease(&mut s.world, key, me, LEASE_TTL, s.now)
                });
                store.statement(|s| statements::release_lease(&mut s.world, key, me, s.now));
            }
        }
        true
    }

    fn completed_at_resource(&self, bot: usize) -> u64 {
        self.polls.count(bot)
    }
}
