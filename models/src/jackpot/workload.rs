//! Jackpot on OS threads, for the throughput bench: contributions (threads) adding to
//! a pool (key), with the model's own [`statements`] (the same SQL, interpreted by the
//! same PostgreSQL model) on the `jackpots` table, thread `me` on session `me + 1`. Here
//! the statements are the lock: the pool row is the resource, and its amount counts
//! the contributions that took effect (each adds 1 to a pool that starts at 0).
//!
//! What the workload leaves out, and why:
//! - Wins. Both rungs are compared on their contribution path, which is what the
//!   write-up's compare-and-set guards; the correct rung's wins are one guarded
//!   statement each, and a pool paid out would no longer count contributions.
//! - The model's contributor retries at once (any waiting is just another
//!   interleaving to an engine); on threads it yields the CPU between attempts.
//! - The ledger, the version tallies and the other property checks, and the timeline.

use crate::sim::store::sql::{Db, Outcome};
use crate::sim::workload::{back_off, Store, Workload};

use super::statements::{self, Call};
use super::world::JackpotWorld;
use super::{Config, Variant};

/// What a contribution adds.
const CONTRIBUTION: i64 = 1;

/// A jackpot rung, runnable on OS threads: the write-up's [`Variant::VersionCas`] or
/// the correct [`Variant::GuardedDecrement`].
pub struct JackpotWorkload {
    variant: Variant,
    /// Attempts a compare-and-set contribution makes (the model's default, 3).
    attempts: usize,
    db: Store<Db>,
}

impl JackpotWorkload {
    /// `keys` empty pools at version 1, for up to `keys` threads; an error for a
    /// variant the bench does not run.
    pub fn new(variant: Variant, keys: usize) -> Result<Self, String> {
        if !matches!(variant, Variant::VersionCas | Variant::GuardedDecrement) {
            return Err(format!("no workload for {variant:?}"));
        }
        statements::prepare();
        let db = Db::set_up(&statements::setup(keys, 0), keys)?;
        Ok(JackpotWorkload {
            variant,
            attempts: Config::new(variant, keys).attempts,
            db: Store::new(db),
        })
    }

    /// One autocommit statement on thread `me`'s session, as one critical section.
    fn sql(&self, me: usize, call: Call) -> Outcome {
        self.db.statement(|db| {
            db.execute(JackpotWorld::session(me), call.stmt, &call.params)
                .unwrap_or_else(|e| panic!("{}: {e:?}", call.stmt.sql()))
        })
    }

    /// The write-up's contribution: read, then compare-and-set, at most `attempts`
    /// times; whether it took effect.
    fn cas_contribution(&self, me: usize, g: usize) -> bool {
        for _ in 0..self.attempts {
            let read = self.sql(me, statements::read_pool(g));
            let read = statements::pool_row(&read).expect("pools are never deleted");
            let new = read.amount + CONTRIBUTION;
            if self
                .sql(me, statements::compare_and_set(g, read.version, new))
                .affected
                == 1
            {
                return true;
            }
            back_off();
        }
        false
    }
}

impl Workload for JackpotWorkload {
    fn operation(&self, me: usize, g: usize) -> bool {
        match self.variant {
            Variant::VersionCas => self.cas_contribution(me, g),
            _ => {
                self.sql(me, statements::add(g, CONTRIBUTION));
                true
            }
        }
    }

    fn completed_at_resource(&self, g: usize) -> u64 {
        let row = self.sql(0, statements::read_pool(g));
        let amount = statements::pool_row(&row)
            .expect("pools are never deleted")
            .amount;
        u64::try_from(amount).expect("contributions never make a pool negative")
    }
}
