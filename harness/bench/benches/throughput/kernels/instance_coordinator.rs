//! Instance coordinator (seed 000) on OS threads: the `locks` table, one lock row per
//! purchase key, bot instances (threads) taking the lock, buying (the critical
//! section) and releasing it in `finally`.

use std::sync::{Mutex, PoisonError};

use locklab::sim::store::Table;
use locklab::sim::Tick;

use crate::kernel::{back_off, LockKernel, Padded, Resource, Store, LEASE_TTL};

const AUTOCOMMIT: &str = "autocommit statements never wait for a row lock";

/// A row of `locks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LockRow {
    holder: usize,
    token: u64,
    expires_at: Tick,
}

/// The locks table, the database's clock and the token sequence.
struct Locks {
    rows: Table<usize, LockRow>,
    now: Tick,
    next_token: u64,
}

impl Locks {
    fn new() -> Self {
        Locks {
            rows: Table::new(),
            now: 0,
            next_token: 1,
        }
    }
}

/// The write-up's fix: `SELECT` the lock row; if it has expired, `DELETE` it (the
/// sweep); `INSERT` mine with holder and expiry (a duplicate key means busy); buy;
/// `DELETE … WHERE key = $k AND holder = $me` in `finally`.
pub struct ExpiringLockTable {
    locks: Store<Locks>,
    purchases: Resource,
}

impl ExpiringLockTable {
    /// No lock rows; `keys` purchase keys.
    pub fn new(keys: usize) -> Self {
        ExpiringLockTable {
            locks: Store::new(Locks::new()),
            purchases: Resource::new(keys),
        }
    }

    /// One acquire attempt: whether this instance now holds the lock.
    fn try_acquire(&self, me: usize, key: usize) -> bool {
        let found = self.locks.statement(|s| {
            s.now += 1;
            let now = s.now;
            s.rows.select(&key, None).map(|r| r.expires_at > now)
        });
        match found {
            Some(true) => return false,
            Some(false) => {
                self.locks
                    .statement(|s| s.rows.delete_where(&key, None, |_| true).expect(AUTOCOMMIT));
            }
            None => {}
        }
        self.locks.statement(|s| {
            let row = LockRow {
                holder: me,
                token: s.next_token,
                expires_at: s.now + LEASE_TTL,
            };
            let inserted = s.rows.insert(key, row, None).expect(AUTOCOMMIT).is_ok();
            s.next_token += u64::from(inserted);
            inserted
        })
    }
}

impl LockKernel for ExpiringLockTable {
    fn operation(&self, me: usize, key: usize) -> bool {
        while !self.try_acquire(me, key) {
            back_off();
        }
        self.purchases.increment(key);
        self.locks.statement(|s| {
            s.rows
                .delete_where(&key, None, |r| r.holder == me)
                .expect(AUTOCOMMIT)
        });
        true
    }

    fn completed_at_resource(&self, key: usize) -> u64 {
        self.purchases.count(key)
    }
}

/// The shop's side of fencing: the newest fence it has accepted, and the purchases.
#[derive(Debug, Default)]
struct FencedShop {
    newest_fence: u64,
    purchases: u64,
}

/// The correct fix: one statement takes the lease where it is free or expired and
/// returns a fence from a sequence (`INSERT … ON CONFLICT DO UPDATE … WHERE expired
/// RETURNING token`); the shop accepts the purchase only if its fence is not older
/// than one it has seen (checked and applied atomically, at the shop); the release
/// deletes only its own token.
pub struct FencedLease {
    locks: Store<Locks>,
    shop: Vec<Padded<Mutex<FencedShop>>>,
}

impl FencedLease {
    /// No lock rows; `keys` purchase keys, each with its own shop record.
    pub fn new(keys: usize) -> Self {
        FencedLease {
            locks: Store::new(Locks::new()),
            shop: (0..keys).map(|_| Padded::default()).collect(),
        }
    }

    fn acquire(&self, me: usize, key: usize) -> Option<u64> {
        self.locks.statement(|s| {
            s.now += 1;
            let now = s.now;
            if s.rows
                .select(&key, None)
                .is_some_and(|r| r.expires_at > now)
            {
                return None;
            }
            let token = s.next_token;
            s.next_token += 1;
            let row = LockRow {
                holder: me,
                token,
                expires_at: now + LEASE_TTL,
            };
            s.rows
                .upsert(key, row, None, |r| *r = row)
                .expect(AUTOCOMMIT);
            Some(token)
        })
    }

    /// The fenced write: whether the shop accepted it.
    fn buy(&self, key: usize, fence: u64) -> bool {
        let mut shop = self.shop[key]
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if fence < shop.newest_fence {
            return false;
        }
        shop.newest_fence = fence;
        shop.purchases += 1;
        true
    }
}

impl LockKernel for FencedLease {
    fn operation(&self, me: usize, key: usize) -> bool {
        let token = loop {
            match self.acquire(me, key) {
                Some(token) => break token,
                None => back_off(),
            }
        };
        let bought = self.buy(key, token);
        self.locks.statement(|s| {
            s.rows
                .delete_where(&key, None, |r| r.token == token)
                .expect(AUTOCOMMIT)
        });
        // A refused write is a purchase that did not happen: the client retries it.
        bought
    }

    fn completed_at_resource(&self, key: usize) -> u64 {
        self.shop[key]
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .purchases
    }
}
