//! The instance coordinator on OS threads, for the throughput bench: bot instances
//! (threads) taking the lock of a purchase key, buying (the critical section) and
//! releasing the lock in `finally`, with the model's own [`statements`] (the same SQL
//! text, interpreted by the same PostgreSQL model) and [`ShopWorld`]; instance `me`
//! uses its own session.
//!
//! What the workload leaves out, and why:
//! - The purchase itself. The model's purchase debits one user's balance and inserts
//!   a pet, once: repeated a million times it would run out of money and grow
//!   `user_pets` without bound. The critical section is the bench's counter instead;
//!   for the fenced lease it is guarded by the model's fence statements (the read
//!   that shows the shop the fence, the fenced write), and counted only if the shop
//!   accepted the write.
//! - The shop's fence register is per key here (one shop record per purchase key):
//!   the model has one key, and one register for all keys would refuse every
//!   disjoint key's writes but the newest.
//! - No ticker: the clock advances one tick per acquire attempt and leases are
//!   [`LEASE_TTL`] long, so none expires under its holder (a sweep still runs if a
//!   row has expired). No pause, crash, skewed clock or shared instance id, no
//!   property checks and no timeline.

use crate::sim::store::sql::{ExecError, Outcome, SqlError};
use crate::sim::workload::{back_off, Clocked, Padded, Resource, Store, Workload, LEASE_TTL};

use super::statements::locks::{self, ReleaseBy};
use super::statements::{self, shop, Call};
use super::world::{Fence, ShopWorld};
use super::{Config, Protocol};

/// An instance-coordinator rung, runnable on OS threads: the write-up's
/// [`Protocol::ExpiringLockTable`] or the correct [`Protocol::FencedLease`].
pub struct CoordinatorWorkload {
    protocol: Protocol,
    db: Store<Clocked<ShopWorld>>,
    /// The lock key of each purchase key: `pet_buy_1_<key>`.
    keys: Vec<String>,
    /// Per purchase key, the shop's fence register.
    fences: Vec<Padded<Store<Fence>>>,
    purchases: Resource,
}

impl CoordinatorWorkload {
    /// No lock rows; `keys` purchase keys, for up to as many instances; an error for
    /// a protocol the bench does not run.
    pub fn new(protocol: Protocol, keys: usize) -> Result<Self, String> {
        if !matches!(
            protocol,
            Protocol::ExpiringLockTable | Protocol::FencedLease
        ) {
            return Err(format!("no workload for {protocol:?}"));
        }
        let cfg = Config::new(protocol, keys);
        statements::prepare();
        Ok(CoordinatorWorkload {
            protocol,
            db: Store::new(Clocked::new(ShopWorld::new(&cfg))),
            keys: (0..keys).map(|k| format!("pet_buy_1_{k}")).collect(),
            fences: (0..keys).map(|_| Padded::default()).collect(),
            purchases: Resource::new(keys),
        })
    }

    /// One autocommit statement on instance `me`'s session, in the critical section
    /// `w` is: none of them ever waits.
    fn execute(w: &mut Clocked<ShopWorld>, me: usize, call: &Call) -> Result<Outcome, SqlError> {
        match w
            .world
            .db
            .execute(ShopWorld::session(me), call.stmt, &call.params)
        {
            Ok(o) => Ok(o),
            Err(ExecError::Failed(e)) => Err(e),
            Err(ExecError::Blocked { .. }) => panic!("{}: autocommit waited", call.stmt.sql()),
        }
    }

    /// As [`CoordinatorWorkload::execute`], as one critical section, for a statement
    /// that cannot fail.
    fn sql(&self, me: usize, call: Call) -> Outcome {
        self.db.statement(|w| {
            Self::execute(w, me, &call).unwrap_or_else(|e| panic!("{}: {e:?}", call.stmt.sql()))
        })
    }

    /// The write-up's acquire, retried until it holds the lock: `SELECT` the row,
    /// sweep it if it has expired, `INSERT` mine (a duplicate key means busy).
    fn acquire_expiring(&self, me: usize, key: &str) {
        loop {
            let found = self.db.statement(|w| {
                let now = w.tick();
                let row = Self::execute(w, me, &locks::select_lock(key)).expect("a SELECT");
                locks::lock_row(&row).map(|r| r.live_at(now))
            });
            if found == Some(true) {
                back_off();
                continue;
            }
            if found == Some(false) {
                self.sql(me, locks::delete_lock(key));
            }
            let inserted = self.db.statement(|w| {
                let call = locks::insert_lock(key, me, w.world.next_token, w.now + LEASE_TTL);
                // A duplicate key (busy) uses up no token.
                let inserted = Self::execute(w, me, &call).is_ok();
                if inserted {
                    w.world.next_token += 1;
                }
                inserted
            });
            if inserted {
                return;
            }
            back_off();
        }
    }

    /// The fenced acquire, retried until it returns a fence.
    fn acquire_fenced(&self, me: usize, key: &str) -> u64 {
        loop {
            let won = self.db.statement(|w| {
                let now = w.tick();
                let call = locks::acquire_lease(key, me, w.world.next_token, now, LEASE_TTL);
                let won = Self::execute(w, me, &call)
                    .ok()
                    .as_ref()
                    .and_then(locks::fence_won);
                if won.is_some() {
                    w.world.next_token += 1;
                }
                won
            });
            match won {
                Some(fence) => return fence,
                None => back_off(),
            }
        }
    }
}

impl Workload for CoordinatorWorkload {
    fn operation(&self, me: usize, k: usize) -> bool {
        let key = self.keys[k].as_str();
        let (bought, release) = match self.protocol {
            Protocol::FencedLease => {
                let fence = self.acquire_fenced(me, key);
                let shop = &self.fences[k].0;
                shop.statement(|f| shop::note_fence(f, fence));
                let accepted = shop.statement(|f| shop::fenced_write(f, fence).is_ok());
                if accepted {
                    self.purchases.increment(k);
                }
                // A refused write is a purchase that did not happen.
                (accepted, ReleaseBy::Token(fence))
            }
            _ => {
                self.acquire_expiring(me, key);
                self.purchases.increment(k);
                (true, ReleaseBy::Holder(me))
            }
        };
        self.sql(me, locks::release_lock(key, release));
        bought
    }

    fn completed_at_resource(&self, k: usize) -> u64 {
        self.purchases.count(k)
    }
}
