//! Instance coordinator (seed 000): several bot instances share one database; a
//! purchase debits a user's balance and inserts a pet. Two instances handling the
//! same "buy pet 7" command is how pets were bought twice and paid once.
//!
//! The ladder, as [`Protocol`]s plus the faults a scenario adds:
//! - [`Protocol::UnlockedPurchase`]: read the balance, write `balance = read − price`
//!   and insert the pet (the original bug: a lost update, two pets for one payment).
//! - [`Protocol::ExpiringLockTable`]: the write-up's fix, a `locks` row per key
//!   `pet_buy_{user}_{pet}` with holder and expiry, an expired row swept on acquire
//!   (`SELECT` then `DELETE`), released in `finally`. Holds with punctual instances;
//!   a paused holder ([`Config::pausable`]), a release by key alone
//!   ([`Config::release_by_key_alone`]), two tasks sharing an instance id
//!   ([`Config::shared_process`]), two contenders racing to sweep a stale row
//!   ([`Config::stale_lock`]) or a clock running ahead ([`Config::clock_ahead`])
//!   break it.
//! - [`Protocol::SingleTransaction`]: no lease at all: lock the user row `FOR UPDATE`,
//!   guarded debit, insert under a unique (user, pet), commit.
//! - [`Protocol::FencedLease`]: acquire is one statement and hands out a fence; the
//!   shop remembers the highest fence it has seen and refuses older writes; release
//!   deletes only its own token.
//!
//! With [`Config::profile`] a viewer also shows the user's profile while purchases
//! run: read in two statements it can show a balance and pet list that never existed
//! together (the "flicker"); read as one snapshot it cannot.

mod instance;
mod lease;
mod model;
mod profile;
mod sql;
pub mod statements;
mod witness;
mod workload;
mod world;

pub use model::InstanceCoordinator;
pub use workload::CoordinatorWorkload;
pub use world::{Fence, LockRow, ShopWorld};

use crate::sim::{Property, Tick};

/// The user's balance is not the initial balance minus the prices of the pets they
/// own (money lost or pets for free), or is below zero (a pet paid with money the
/// user did not have), checked at every commit.
pub const BALANCE_CONSERVED: Property = Property::safety("balance-conserved");
/// The user owns the same pet more than once.
pub const PURCHASE_ONCE: Property = Property::safety("purchase-once");
/// The shop accepted a write whose fence is older than one it accepted before.
pub const FENCE_MONOTONIC: Property = Property::safety("fence-monotonic");
/// An instance acquired the lock while another instance's lease on it was live.
pub const EXCLUSIVE_HOLDER: Property = Property::safety("exclusive-holder");
/// A release deleted a live lease that was not its own.
pub const RELEASE_OWN_TOKEN: Property = Property::safety("release-own-token");
/// A profile showed a balance and pet list that were never committed together.
pub const CONSISTENT_PROFILE: Property = Property::safety("consistent-profile");
/// An acquire failed although the lease it ran into had already expired.
pub const ACQUIRE_WHEN_FREE: Property = Property::liveness("acquire-when-free");
/// A contender arriving alone after a crashed holder's lease expired did not get the
/// lock on its first try.
pub const LONE_CONTENDER_ACQUIRES: Property = Property::liveness("lone-contender-acquires");

/// How an instance buys a pet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// Read the balance, then write `balance = read − price` and insert the pet.
    UnlockedPurchase,
    /// The write-up's lock table: sweep an expired row, insert mine, buy, delete mine.
    ExpiringLockTable,
    /// One transaction: user row `FOR UPDATE`, guarded debit, unique insert, commit.
    SingleTransaction,
    /// An atomic lease with a fence the shop checks on every request.
    FencedLease,
}

/// How the viewer reads the profile shown next to the purchases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProfileRead {
    /// `SELECT balance`, then `SELECT pets`: two statements, two snapshots.
    TwoStatements,
    /// Both in one statement (or one `REPEATABLE READ` transaction): one snapshot.
    Snapshot,
}

/// A crash fault: instance `instance` (0-based) crashes at tick `at`, at any step
/// boundary of that tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Crash {
    /// Index of the victim.
    pub instance: usize,
    /// Tick at which the ticker crashes it.
    pub at: Tick,
}

/// Everything one instance-coordinator execution needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Config {
    /// How instances buy.
    pub protocol: Protocol,
    /// Number of bot instances handling the same "buy pet" command (actors).
    pub instances: usize,
    /// Lease length in ticks (the write-up's 30 s).
    pub ttl: Tick,
    /// The user's balance before the run.
    pub balance: u64,
    /// The pet's price.
    pub price: u64,
    /// Tick at which each instance receives the command (missing entries: 0).
    pub arrivals: Vec<Tick>,
    /// The clock runs from 0 to `horizon`; 0 means no clock and no ticker.
    pub horizon: Tick,
    /// Index of an instance that may be paused (a GC pause, a frozen container).
    pub pausable: Option<usize>,
    /// A crash fault, if any.
    pub crash: Option<Crash>,
    /// Index of an instance whose `finally` runs only at t = `ttl` (a slow reply to
    /// the chat API between the purchase and the release).
    pub slow_finally: Option<usize>,
    /// Release by `DELETE … WHERE key = $k` alone instead of `AND holder = $me`.
    pub release_by_key_alone: bool,
    /// Instance `i`'s clock runs this many ticks ahead of the others': it computes and
    /// checks lock expiry on its own clock (`Date.now() + 30000` in the instance).
    pub clock_ahead: Option<(usize, Tick)>,
    /// The last instance is another task of A's process: it writes A's instance id as
    /// the lock's holder.
    pub shared_process: bool,
    /// The run starts with a lock row left by an instance that crashed earlier,
    /// expired at t = 0.
    pub stale_lock: bool,
    /// Index of an instance expected to find the lock free on its first try (it
    /// arrives alone after any crashed holder's lease has expired).
    pub lone_contender: Option<usize>,
    /// A viewer shows the profile while the purchases run.
    pub profile: Option<ProfileRead>,
}

impl Config {
    /// A config with no clock and no faults: every instance arrives at t = 0.
    pub fn new(protocol: Protocol, instances: usize) -> Self {
        Config {
            protocol,
            instances,
            ttl: 3,
            balance: 100,
            price: 50,
            arrivals: Vec::new(),
            horizon: 0,
            pausable: None,
            crash: None,
            slow_finally: None,
            release_by_key_alone: false,
            clock_ahead: None,
            shared_process: false,
            stale_lock: false,
            lone_contender: None,
            profile: None,
        }
    }

    /// When instance `i` receives the command.
    pub fn arrival(&self, i: usize) -> Tick {
        self.arrivals.get(i).copied().unwrap_or(0)
    }

    /// What instance `i`'s own clock reads when the true time is `now`.
    pub fn local_now(&self, i: usize, now: Tick) -> Tick {
        match self.clock_ahead {
            Some((who, ahead)) if who == i => now + ahead,
            _ => now,
        }
    }

    /// The instance id instance `i` writes as the lock's holder: the last instance
    /// shares A's when they are tasks of one process.
    pub fn holder_id(&self, i: usize) -> usize {
        if self.shared_process && i + 1 == self.instances {
            0
        } else {
            i
        }
    }

    /// Checks the sizes make sense; the error says what to change.
    pub fn validate(&self) -> Result<(), String> {
        if self.instances < 1 {
            return Err("needs at least one instance".into());
        }
        if self.ttl < 1 {
            return Err("ttl must be at least 1".into());
        }
        if self.price == 0 {
            return Err("the price must be positive".into());
        }
        // Only the guarded debit (`WHERE balance >= price`) can face a price the
        // balance does not cover; the others would write a negative balance.
        let guarded = matches!(
            self.protocol,
            Protocol::SingleTransaction | Protocol::FencedLease
        );
        if self.price > self.balance && !guarded {
            return Err("the price must be at most the balance (except in single-transaction and fenced-lease)".into());
        }
        let bad = |i: Option<usize>| i.is_some_and(|i| i >= self.instances);
        let skewed = self.clock_ahead.map(|(i, _)| i);
        if bad(self.pausable) || bad(self.slow_finally) || bad(self.lone_contender) || bad(skewed) {
            return Err(format!(
                "an instance index is out of range ({} instances)",
                self.instances
            ));
        }
        if let Some(c) = self.crash {
            if c.instance >= self.instances {
                return Err(format!("crash victim {} does not exist", c.instance + 1));
            }
            if c.at >= self.horizon.max(1) {
                return Err(format!(
                    "the crash tick ({}) must come before the horizon ({})",
                    c.at, self.horizon
                ));
            }
        }
        let latest = (0..self.instances)
            .map(|i| self.arrival(i))
            .max()
            .unwrap_or(0);
        let finally = if self.slow_finally.is_some() {
            self.ttl
        } else {
            0
        };
        if latest.max(finally) > self.horizon {
            return Err(format!(
                "horizon ({}) must reach the latest arrival or slow finally (t={})",
                self.horizon,
                latest.max(finally)
            ));
        }
        Ok(())
    }
}

/// The properties a configuration checks.
fn declared(cfg: &Config) -> Vec<Property> {
    let mut properties = vec![BALANCE_CONSERVED, PURCHASE_ONCE];
    if matches!(
        cfg.protocol,
        Protocol::ExpiringLockTable | Protocol::FencedLease
    ) {
        properties.extend([EXCLUSIVE_HOLDER, RELEASE_OWN_TOKEN, ACQUIRE_WHEN_FREE]);
    }
    if cfg.protocol == Protocol::FencedLease {
        properties.push(FENCE_MONOTONIC);
    }
    if cfg.profile.is_some() {
        properties.push(CONSISTENT_PROFILE);
    }
    if cfg.lone_contender.is_some() {
        properties.push(LONE_CONTENDER_ACQUIRES);
    }
    properties
}
