//! Jackpot on OS threads, for the throughput bench: contributions (threads) adding to
//! a pool (key), with the model's own [`statements`] on the `jackpots` table. Here
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

use crate::sim::workload::{back_off, Store, Workload};

use super::statements::{self, Pools};
use super::world::PoolRow;
use super::{Config, Variant};

/// What a contribution adds.
const CONTRIBUTION: i64 = 1;

/// A jackpot rung, runnable on OS threads: the write-up's [`Variant::VersionCas`] or
/// the correct [`Variant::GuardedDecrement`].
pub struct JackpotWorkload {
    variant: Variant,
    /// Attempts a compare-and-set contribution makes (the model's default, 3).
    attempts: usize,
    pools: Store<Pools>,
}

impl JackpotWorkload {
    /// `keys` empty pools at version 1; an error for a variant the bench does not run.
    pub fn new(variant: Variant, keys: usize) -> Result<Self, String> {
        if !matches!(variant, Variant::VersionCas | Variant::GuardedDecrement) {
            return Err(format!("no workload for {variant:?}"));
        }
        let empty = PoolRow {
            amount: 0,
            version: 1,
        };
        Ok(JackpotWorkload {
            variant,
            attempts: Config::new(variant, keys).attempts,
            pools: Store::new(Pools::with_rows((0..keys).map(|g| (g, empty)))),
        })
    }

    /// The write-up's contribution: read, then compare-and-set, at most `attempts`
    /// times; whether it took effect.
    fn cas_contribution(&self, g: usize) -> bool {
        for _ in 0..self.attempts {
            let read = self.pools.statement(|t| statements::read_pool(t, g));
            let new = read.amount + CONTRIBUTION;
            if self
                .pools
                .statement(|t| statements::compare_and_set(t, g, read.version, new))
            {
                return true;
            }
            back_off();
        }
        false
    }
}

impl Workload for JackpotWorkload {
    fn operation(&self, _me: usize, g: usize) -> bool {
        match self.variant {
            Variant::VersionCas => self.cas_contribution(g),
            _ => {
                self.pools.statement(|t| {
                    statements::add(t, g, None, CONTRIBUTION)
                        .expect("no transaction holds a pool row in the bench")
                });
                true
            }
        }
    }

    fn completed_at_resource(&self, g: usize) -> u64 {
        let amount = self.pools.statement(|t| statements::read_pool(t, g).amount);
        u64::try_from(amount).expect("contributions never make a pool negative")
    }
}
