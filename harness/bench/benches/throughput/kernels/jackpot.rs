//! Jackpot (seed 002) on OS threads: the `jackpots` table, one pool row per key,
//! contributions (threads) adding 1 to a pool. Here the statements are the lock: the
//! pool row is the resource, and its amount counts the contributions that took effect.

use locklab::sim::store::Table;

use crate::kernel::{back_off, LockKernel, Store};

const AUTOCOMMIT: &str = "autocommit statements never wait for a row lock";

/// The write-up's retry limit.
const ATTEMPTS: usize = 3;

/// A row of `jackpots`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PoolRow {
    amount: u64,
    version: u64,
}

fn pools(keys: usize) -> Store<Table<usize, PoolRow>> {
    let empty = PoolRow {
        amount: 0,
        version: 1,
    };
    Store::new(Table::with_rows((0..keys).map(|g| (g, empty))))
}

fn amount(pools: &Store<Table<usize, PoolRow>>, g: usize) -> u64 {
    pools.statement(|t| t.select(&g, None).map_or(0, |r| r.amount))
}

/// The write-up's fix for contributions: read the row, then `UPDATE … SET amount =
/// $read + 1, version = version + 1 WHERE id = $g AND version = $read`; on 0 rows back
/// off and retry, at most [`ATTEMPTS`] attempts, then the contribution fails (and
/// changed nothing; the driver counts only completed ones).
pub struct VersionCas {
    pools: Store<Table<usize, PoolRow>>,
}

impl VersionCas {
    /// `keys` empty pools at version 1.
    pub fn new(keys: usize) -> Self {
        VersionCas { pools: pools(keys) }
    }
}

impl LockKernel for VersionCas {
    fn operation(&self, _me: usize, g: usize) -> bool {
        for _ in 0..ATTEMPTS {
            let read = self
                .pools
                .statement(|t| t.select(&g, None).expect("pools are never deleted"));
            let updated = self.pools.statement(|t| {
                t.update_where(
                    &g,
                    None,
                    |r| r.version == read.version,
                    |r| {
                        r.amount = read.amount + 1;
                        r.version += 1;
                    },
                )
                .expect(AUTOCOMMIT)
            });
            if updated == 1 {
                return true;
            }
            back_off();
        }
        false
    }

    fn completed_at_resource(&self, g: usize) -> u64 {
        amount(&self.pools, g)
    }
}

/// The correct fix's contribution path: one statement,
/// `UPDATE … SET amount = amount + 1, version = version + 1 WHERE id = $g`, which needs
/// no lock and never retries.
/// (The rung's wins are the guarded `SET amount = amount − $w WHERE amount >= $w`,
/// also one statement; contributions are what the write-up's CAS is compared with.)
pub struct GuardedDecrement {
    pools: Store<Table<usize, PoolRow>>,
}

impl GuardedDecrement {
    /// `keys` empty pools at version 1.
    pub fn new(keys: usize) -> Self {
        GuardedDecrement { pools: pools(keys) }
    }
}

impl LockKernel for GuardedDecrement {
    fn operation(&self, _me: usize, g: usize) -> bool {
        let updated = self.pools.statement(|t| {
            t.update_where(
                &g,
                None,
                |_| true,
                |r| {
                    r.amount += 1;
                    r.version += 1;
                },
            )
            .expect(AUTOCOMMIT)
        });
        updated == 1
    }

    fn completed_at_resource(&self, g: usize) -> u64 {
        amount(&self.pools, g)
    }
}
