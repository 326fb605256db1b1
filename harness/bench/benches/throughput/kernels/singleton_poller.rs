//! Singleton poller (seed 001) on OS threads: poller processes (threads) that must
//! poll a bot token (key) one at a time. Written from the catalogue, independently of
//! the singleton-poller model.

use locklab::sim::store::{Kv, Table};
use locklab::sim::Tick;

use crate::kernel::{back_off, LockKernel, Resource, Store, Tokens, LEASE_TTL};

/// The write-up's fix: `open(O_CREAT | O_EXCL)` on the token's lock file in the host's
/// directory (an insert that fails if the path exists), poll, `unlink` on shutdown.
/// Every thread is a process on the same host, the only setting where it excludes.
pub struct ExclusiveLockFile {
    /// The host's lock directory: path (key) → pid of the creator.
    files: Store<Table<usize, usize>>,
    polls: Resource,
}

impl ExclusiveLockFile {
    /// An empty lock directory; `keys` bot tokens.
    pub fn new(keys: usize) -> Self {
        ExclusiveLockFile {
            files: Store::new(Table::new()),
            polls: Resource::new(keys),
        }
    }
}

impl LockKernel for ExclusiveLockFile {
    fn operation(&self, pid: usize, path: usize) -> bool {
        loop {
            let created = self.files.statement(|dir| {
                dir.insert(path, pid, None)
                    .expect("files are never locked")
                    .is_ok()
            });
            if created {
                break;
            }
            // The file exists: the process exits; its supervisor starts it again.
            back_off();
        }
        self.polls.increment(path);
        // `unlink` removes the path whoever created it.
        self.files.statement(|dir| {
            dir.delete_where(&path, None, |_| true)
                .expect("files are never locked")
        });
        true
    }

    fn completed_at_resource(&self, path: usize) -> u64 {
        self.polls.count(path)
    }
}

/// The shared store's keys and its clock.
struct LeaseStore {
    leases: Kv<usize, u64>,
    now: Tick,
}

/// The correct fix across hosts: `SET lease:{bot} $token NX PX ttl` in the shared
/// store, poll while holding it, release with the compare-and-delete script.
pub struct RenewedLease {
    store: Store<LeaseStore>,
    tokens: Tokens,
    polls: Resource,
}

impl RenewedLease {
    /// An empty store; `keys` bot tokens polled by up to `keys` processes.
    pub fn new(keys: usize) -> Self {
        RenewedLease {
            store: Store::new(LeaseStore {
                leases: Kv::new(),
                now: 0,
            }),
            tokens: Tokens::new(keys),
            polls: Resource::new(keys),
        }
    }
}

impl LockKernel for RenewedLease {
    fn operation(&self, me: usize, bot: usize) -> bool {
        let token = self.tokens.next(me);
        while !self.store.statement(|s| {
            s.now += 1;
            s.leases.set_nx_px(bot, token, LEASE_TTL, s.now)
        }) {
            back_off();
        }
        self.polls.increment(bot);
        self.store
            .statement(|s| s.leases.compare_and_delete(&bot, &token, s.now));
        true
    }

    fn completed_at_resource(&self, bot: usize) -> u64 {
        self.polls.count(bot)
    }
}
