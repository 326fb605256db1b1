//! Jackpot (seed 002): pools receive contributions and pay wins; a win must never
//! exceed the pool, and no money may appear or vanish.
//!
//! The ladder, as [`Variant`]s:
//! - [`Variant::ReadModifyWrite`]: read the amount, pay, write the new amount (the
//!   original bug: two players both read 100 and both are paid 80).
//! - [`Variant::VersionCas`]: the write-up's fix for contributions, `UPDATE … SET
//!   amount=$new, version=version+1 WHERE id AND version=$read`, a bounded number of
//!   attempts. Holds while contenders ≤ attempts; with more, an operation fails after
//!   its last attempt (`retries-exhausted`), and that failure must leave no trace.
//! - [`Variant::RowLockWin`]: the write-up's win path, `SELECT … FOR UPDATE`, check,
//!   pay, commit. Holds.
//! - [`Variant::BlindWriter`]: a contribution path writes `amount=$computed` without
//!   checking the version: it overwrites a concurrent win.
//! - [`Variant::CheckOutsideLock`]: the balance check reads the pool before locking it,
//!   so a stale read approves a win the pool can no longer pay.
//! - [`Variant::BatchLockOrder`]: batches lock their groups in the order given; two
//!   batches with opposite orders deadlock, and PostgreSQL aborts one of them
//!   (`40P01`): a failed batch, whose contributions are lost.
//! - [`Variant::VersionReset`]: an admin reset restarts the row at version 1, so a
//!   version no longer names one state of the row (ABA).
//! - [`Variant::GuardedDecrement`]: correct. `SET amount=amount-$w WHERE amount>=$w`,
//!   contributions as `amount=amount+$c`, wins idempotent by win id.
//! - [`Variant::CanonicalLockOrder`]: correct batches, groups locked in id order.

mod actors;
mod locked;
mod model;
mod sql;
pub mod statements;
mod unlocked;
mod witness;
mod workload;
mod world;

pub use model::Jackpot;
pub use workload::JackpotWorkload;
pub use world::PoolRow;

use crate::sim::Property;

/// The pool never goes below zero: no win is paid that the pool could not cover.
pub const AMOUNT_NON_NEGATIVE: Property = Property::safety("amount-non-negative");
/// Seed + Σ contributions − Σ wins = amount, for every pool, after every commit.
pub const MONEY_CONSERVED: Property = Property::safety("money-conserved");
/// Each win (by win id) is paid at most once.
pub const WIN_PAID_ONCE: Property = Property::safety("win-paid-once");
/// The version strictly increases, by exactly one per committed update, so a version
/// names exactly one state of the row.
pub const VERSION_MONOTONIC: Property = Property::safety("version-monotonic");
/// An operation that gave up after its last attempt changed nothing.
pub const FAILED_OP_NO_EFFECT: Property = Property::safety("failed-op-no-effect");
/// Among the CAS attempts that read one version, exactly one succeeds.
pub const ONE_CAS_PER_VERSION: Property = Property::liveness("one-cas-per-version");
/// Every batch commits: one PostgreSQL aborts as a deadlock victim (`40P01`) loses
/// its contributions (the write-up's batches are not retried).
pub const BATCH_COMMITS: Property = Property::liveness("batch-commits");
/// Every operation succeeds within its attempts (with r contenders, r attempts do).
pub const OP_SUCCEEDS_WITHIN_ATTEMPTS: Property = Property::liveness("op-succeeds-within-attempts");

/// The properties a configuration checks. A failed operation's "no effect" is
/// checked whenever one fails, but is declared by none: where the rung is correct no
/// operation fails, so its check cannot run.
fn declared(cfg: &Config) -> Vec<Property> {
    let v = cfg.variant;
    let mut properties = vec![AMOUNT_NON_NEGATIVE, MONEY_CONSERVED];
    if v.versioned() {
        properties.push(VERSION_MONOTONIC);
    }
    if !matches!(
        v,
        Variant::VersionCas
            | Variant::VersionReset
            | Variant::BatchLockOrder
            | Variant::CanonicalLockOrder
    ) {
        properties.push(WIN_PAID_ONCE);
    }
    if matches!(v, Variant::VersionCas | Variant::VersionReset) {
        properties.extend([ONE_CAS_PER_VERSION, OP_SUCCEEDS_WITHIN_ATTEMPTS]);
    }
    if v.batched() {
        properties.push(BATCH_COMMITS);
    }
    properties
}

/// How the service updates its pools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// Players read the amount, check it covers the win, write `amount − win`.
    ReadModifyWrite,
    /// Contributors retry a version compare-and-set up to `attempts` times.
    VersionCas,
    /// Players lock the row, check, pay, commit.
    RowLockWin,
    /// One contributor writes its computed amount without the version check; the
    /// others pay wins under a row lock.
    BlindWriter,
    /// Players check the amount unlocked, then lock and pay.
    CheckOutsideLock,
    /// Batches contribute to two groups, locking them in the order they were given
    /// (alternately g1, g2 and g2, g1).
    BatchLockOrder,
    /// An admin resets the pool to its seed at version 1 while contributors CAS.
    VersionReset,
    /// Guarded single-statement decrement, additive contributions, idempotent wins.
    GuardedDecrement,
    /// Batches as in `BatchLockOrder`, but each sorts its groups by id before locking.
    CanonicalLockOrder,
}

impl Variant {
    /// Whether this variant keeps a version column (the original code had none).
    pub fn versioned(self) -> bool {
        self != Variant::ReadModifyWrite
    }

    /// Whether its actors work on two groups at once.
    pub fn batched(self) -> bool {
        matches!(self, Variant::BatchLockOrder | Variant::CanonicalLockOrder)
    }
}

/// Everything one jackpot execution needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Config {
    /// How the service updates pools.
    pub variant: Variant,
    /// Concurrent operations (one actor each).
    pub contenders: usize,
    /// Attempts a CAS operation makes before it gives up (the write-up says 3).
    pub attempts: usize,
    /// Amount in each pool at the start.
    pub pool: i64,
    /// What a win pays.
    pub win: i64,
    /// What a contribution adds.
    pub contribution: i64,
    /// What the admin reset sets the pool to ([`Variant::VersionReset`]).
    pub reset_to: i64,
}

impl Config {
    /// The incident's numbers: pool 100, wins of 80, contributions of 10, 3 attempts.
    pub fn new(variant: Variant, contenders: usize) -> Self {
        Config {
            variant,
            contenders,
            attempts: 3,
            pool: 100,
            win: 80,
            contribution: 10,
            reset_to: 20,
        }
    }

    /// Pools in the world: batches work on two, everything else on one.
    pub fn groups(&self) -> usize {
        if self.variant.batched() {
            2
        } else {
            1
        }
    }

    /// Checks the sizes make sense; the error says what to change.
    pub fn validate(&self) -> Result<(), String> {
        if self.contenders < 1 {
            return Err("needs at least one contender".into());
        }
        let needs_two = matches!(
            self.variant,
            Variant::BlindWriter | Variant::BatchLockOrder | Variant::VersionReset
        );
        if needs_two && self.contenders < 2 {
            return Err(format!(
                "{:?} needs at least 2 contenders (one of them is the odd one out)",
                self.variant
            ));
        }
        if self.attempts < 1 {
            return Err("attempts must be at least 1".into());
        }
        if self.pool < 0 || self.win <= 0 || self.contribution <= 0 || self.reset_to < 0 {
            return Err("pool and reset amount must be ≥ 0, win and contribution > 0".into());
        }
        Ok(())
    }
}
