//! Cart reservation (seed 004, catalogue section 5): users reserve every item of their
//! cart before paying, in a TTL cache; the owner releases after payment; a sweeper
//! removes expired entries. Two users ordering the last unit is how it was sold twice.
//!
//! Carts overlap in a ring: with three users X wants {a, b}, Y {b, c}, Z {c, a} (with
//! one item per cart, everyone wants a); every item has [`Config::stock`] units (one:
//! the last unit).
//!
//! The ladder, as [`Protocol`]s plus the faults a scenario adds:
//! - [`Protocol::NoReservation`]: check stock, pay, decrement (the original bug: both
//!   users see the last unit, both buy it).
//! - [`Protocol::TtlReservationCache`]: the write-up's fix, one in-memory map per server
//!   instance; the whole cart is checked and locked in one step (synchronous code in
//!   one Node process), expired entries count as free, the owner is the user id, the
//!   sale and then the release follow payment. Holds with one instance and payments
//!   that finish within the TTL. Its hazards are their own rungs: a payment slower
//!   than the TTL ([`Config::payments`]), a sweeper that finds an abandoned cart's
//!   entries expired and then deletes them by key ([`SweepStyle::FindThenDelete`],
//!   [`Config::abandons`]), two tabs of one user ([`Config::second_tab`]), two
//!   instances ([`Config::instances`]).
//! - [`Protocol::CheckAllThenSetAll`]: the same cache, but the check and the sets are
//!   separate steps (an `await` between them): two overlapping carts both pass.
//! - [`Protocol::SharedAtomicReservation`]: the correct fix, one store shared by every
//!   instance: the whole cart reserved in one step under a per-reservation token; the
//!   sale re-checks the live token and decrements stock with a `stock > 0` guard in
//!   one step; release deletes only its own token, the sweeper only an entry that still
//!   has the token it found and has expired.
//!
//! The sweeper is a timer: the ticker fires it at its tick, and tabs may take steps
//! between its find and its deletes. Safety is checked at the map (one live
//! reservation per item, only own or expired entries removed, all or nothing) and at
//! the shop (sold within stock, a sale needs a live reservation); liveness at every
//! refusal (only a live entry may refuse a cart) and by a step bound.

mod cache;
mod model;
mod reserve;
mod shop;
pub mod statements;
mod store;
mod sweeper;
mod user;
mod workload;
mod world;

pub use cache::{Cache, Entry, Owner};
pub use model::CartReservation;
pub use workload::CartWorkload;
pub use world::Item;

use crate::sim::{Property, Tick};

/// Two reservations believed live at once for one item: an entry was written for an
/// item while another reservation's live hold on it had not ended.
pub const ONE_LIVE_RESERVATION: Property = Property::safety("one-live-reservation");
/// More units of an item were sold than it had in stock.
pub const SOLD_WITHIN_STOCK: Property = Property::safety("sold-within-stock");
/// A reservation wrote entries for part of its cart only (it is all or nothing).
pub const ALL_OR_NOTHING: Property = Property::safety("all-or-nothing");
/// A release or sweep removed a live entry of another reservation.
pub const REMOVE_OWN_OR_EXPIRED: Property = Property::safety("remove-own-or-expired");
/// An item was sold to a user whose reservation of it was not live in the store.
pub const SALE_REQUIRES_LIVE_TOKEN: Property = Property::safety("sale-requires-live-token");
/// A reservation was refused although nothing held any item of the cart: reserving
/// free items must succeed. That it finishes in a bounded number of steps is the
/// kit's `step-bound` at [`Config::step_bound`] (reservations never wait, so there is
/// no deadlock to watch for).
pub const RESERVE_WHEN_FREE: Property = Property::liveness("reserve-when-free");
/// A reservation was refused by entries that had all expired: it would have had to
/// wait for the sweeper.
pub const RESERVE_AFTER_EXPIRY: Property = Property::liveness("reserve-after-expiry");

/// How a user's order reserves and buys its cart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// Check stock, pay, decrement stock: no reservation at all.
    NoReservation,
    /// The write-up's cache: check and lock the whole cart in one step, owner = user id;
    /// sell after payment with no re-check, then release by owner.
    TtlReservationCache,
    /// The write-up's cache with the check and the sets as separate steps.
    CheckAllThenSetAll,
    /// The correct fix: one shared store, per-reservation token, token-checked sale
    /// with a stock guard, token-checked release and sweep.
    SharedAtomicReservation,
}

impl Protocol {
    /// Whether users reserve their carts before paying.
    pub fn reserves(self) -> bool {
        self != Protocol::NoReservation
    }

    /// Whether every instance uses one shared store (instead of its own map).
    pub fn shared_store(self) -> bool {
        self == Protocol::SharedAtomicReservation
    }
}

/// How the sweeper removes expired entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SweepStyle {
    /// The write-up's 30-second lock cleanup: one synchronous pass deleting every entry
    /// that has expired, one step.
    OneScan,
    /// The order cleanup: find the expired entries, then delete each in its own step.
    /// In the write-up's protocols the delete is by key alone; with the shared store it
    /// deletes only an entry that still has the token it found and has expired.
    FindThenDelete,
}

/// The sweeper: how it sweeps and the tick at which it runs (once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sweeper {
    /// How it sweeps.
    pub style: SweepStyle,
    /// The tick at which the ticker fires it.
    pub at: Tick,
}

/// A crash fault: user `user` (0-based actor index) crashes at tick `at`, at any step
/// boundary of that tick. Its cache entries stay until they expire or are swept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Crash {
    /// Index of the victim.
    pub user: usize,
    /// Tick at which the ticker crashes it.
    pub at: Tick,
}

/// Everything one cart-reservation execution needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Config {
    /// How orders reserve and buy.
    pub protocol: Protocol,
    /// Browser tabs placing orders (actors).
    pub users: usize,
    /// Items in each cart (consecutive items of the ring, so carts overlap).
    pub cart_items: usize,
    /// Units of each item in stock before the run.
    pub stock: u32,
    /// Reservation length in ticks (the write-up's 5 minutes).
    pub ttl: Tick,
    /// Server instances; user `i` is served by instance `i % instances`. In the
    /// write-up's protocols each has its own map; the shared store is one for all.
    pub instances: usize,
    /// The second tab (index 1) belongs to the first tab's user: same user id, same cart.
    pub second_tab: bool,
    /// Tick at which each user places the order (missing entries: 0).
    pub arrivals: Vec<Tick>,
    /// Ticks each user's payment takes (missing entries: 0, confirmed at once).
    pub payments: Vec<Tick>,
    /// The clock runs from 0 to `horizon`; 0 means no clock and no ticker.
    pub horizon: Tick,
    /// Index of a user that may be paused anywhere while the clock moves.
    pub pausable: Option<usize>,
    /// Index of a user who places the order and then abandons the cart without paying
    /// (closes the tab): its entries stay until they expire or are swept.
    pub abandons: Option<usize>,
    /// A crash fault, if any.
    pub crash: Option<Crash>,
    /// The sweeper, if any.
    pub sweeper: Option<Sweeper>,
    /// The cache treats any entry as taken, expired or not (`locks.has(item)`), so an
    /// expired item is only free again once swept.
    pub expired_entries_block: bool,
}

impl Config {
    /// A config with no clock and no faults: every user orders at t = 0 and pays at once.
    pub fn new(protocol: Protocol, users: usize) -> Self {
        Config {
            protocol,
            users,
            cart_items: 2,
            stock: 1,
            ttl: 3,
            instances: 1,
            second_tab: false,
            arrivals: Vec::new(),
            payments: Vec::new(),
            horizon: 0,
            pausable: None,
            abandons: None,
            crash: None,
            sweeper: None,
            expired_entries_block: false,
        }
    }

    /// When user `i` places the order.
    pub fn arrival(&self, i: usize) -> Tick {
        self.arrivals.get(i).copied().unwrap_or(0)
    }

    /// How long user `i`'s payment takes (nothing for a user who never pays).
    pub fn payment(&self, i: usize) -> Tick {
        if self.abandons == Some(i) {
            return 0;
        }
        self.payments.get(i).copied().unwrap_or(0)
    }

    /// The user (account) behind tab `i`: the second tab shares the first's.
    pub fn user_of(&self, i: usize) -> usize {
        if self.second_tab && i >= 1 {
            i - 1
        } else {
            i
        }
    }

    /// Distinct users (accounts).
    pub fn accounts(&self) -> usize {
        self.users - usize::from(self.second_tab)
    }

    /// Items in the shop: enough for each account's cart to start at its own item,
    /// and one more than a cart so that two carts never coincide. Single-item carts
    /// all hold the one item (the incident: everyone wants the last unit).
    pub fn items(&self) -> usize {
        if self.cart_items == 1 {
            1
        } else {
            self.accounts().max(self.cart_items + 1)
        }
    }

    /// The items in user `i`'s cart: `cart_items` consecutive items of the ring,
    /// starting at the account's own.
    pub fn cart(&self, i: usize) -> Vec<usize> {
        let first = self.user_of(i);
        (0..self.cart_items)
            .map(|j| (first + j) % self.items())
            .collect()
    }

    /// The server instance that handles user `i`.
    pub fn instance_of(&self, i: usize) -> usize {
        i % self.instances
    }

    /// The reservation map user `i`'s orders use.
    pub fn cache_of(&self, i: usize) -> usize {
        if self.protocol.shared_store() {
            0
        } else {
            self.instance_of(i)
        }
    }

    /// Reservation maps in the world.
    pub fn caches(&self) -> usize {
        if self.protocol.shared_store() {
            1
        } else {
            self.instances
        }
    }

    /// The most steps a complete execution can take. Each tab's order is straight-line
    /// code (reservations never wait or retry), so it is bounded: two sleeps, the check
    /// or whole-cart reserve, one set per item, order, sale, release and the `catch`;
    /// the ticker crashes and ticks once per tick and sweeps at most every entry.
    /// Past this the kit reports `step-bound`: an order that did not finish.
    pub fn step_bound(&self) -> usize {
        let per_tab = 2 + 1 + self.cart_items + 4;
        let ticks = self.horizon as usize + 1;
        let sweep = 1 + self.items() * self.caches();
        self.users * per_tab + 2 * ticks + sweep
    }

    /// Checks the sizes make sense; the error says what to change.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=6).contains(&self.users) {
            return Err("users must be between 1 and 6".into());
        }
        if self.second_tab && self.users < 2 {
            return Err("a second tab needs at least two users".into());
        }
        if !(1..=3).contains(&self.cart_items) {
            return Err("carts hold between 1 and 3 items".into());
        }
        if self.stock < 1 || self.ttl < 1 {
            return Err("stock and ttl must be at least 1".into());
        }
        if !(1..=self.users).contains(&self.instances) {
            return Err("instances must be between 1 and the number of users".into());
        }
        let bad = |i: Option<usize>| i.is_some_and(|i| i >= self.users);
        if bad(self.pausable) || bad(self.abandons) || bad(self.crash.map(|c| c.user)) {
            return Err(format!(
                "a user index is out of range ({} users)",
                self.users
            ));
        }
        if let Some(c) = self.crash {
            if c.at >= self.horizon.max(1) {
                return Err(format!(
                    "the crash tick ({}) must come before the horizon ({})",
                    c.at, self.horizon
                ));
            }
        }
        if let Some(sw) = self.sweeper {
            if !self.protocol.reserves() {
                return Err("without reservations there is nothing to sweep".into());
            }
            if sw.at > self.horizon || self.horizon == 0 {
                return Err(format!(
                    "the sweeper (t={}) needs a clock that reaches it (horizon {})",
                    sw.at, self.horizon
                ));
            }
        }
        let latest = (0..self.users)
            .map(|i| self.arrival(i) + self.payment(i))
            .max()
            .unwrap_or(0);
        if latest > self.horizon {
            return Err(format!(
                "horizon ({}) must reach the latest arrival plus payment (t={latest})",
                self.horizon
            ));
        }
        Ok(())
    }
}

/// The properties a configuration checks.
fn declared(_cfg: &Config) -> Vec<Property> {
    vec![
        ONE_LIVE_RESERVATION,
        SOLD_WITHIN_STOCK,
        ALL_OR_NOTHING,
        REMOVE_OWN_OR_EXPIRED,
        SALE_REQUIRES_LIVE_TOKEN,
        RESERVE_WHEN_FREE,
        RESERVE_AFTER_EXPIRY,
    ]
}
