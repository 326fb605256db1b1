//! Cart reservation (seed 004) on OS threads: users (threads) reserving every item of
//! a two-item cart (key `k` is the cart {`2k`, `2k+1`}), buying it (the critical
//! section) and releasing the reservations. Written from the catalogue, independently
//! of the cart-reservation model.

use locklab::sim::store::{Kv, Table};
use locklab::sim::Tick;

use crate::kernel::{back_off, LockKernel, Resource, Store, Tokens, LEASE_TTL};

/// Items per cart.
const CART: usize = 2;

fn items(cart: usize) -> impl Iterator<Item = usize> + Clone {
    cart * CART..(cart + 1) * CART
}

/// Reservations by item, with expiry, and the clock they expire on.
struct Reservations {
    entries: Kv<usize, u64>,
    now: Tick,
}

impl Reservations {
    fn new() -> Self {
        Reservations {
            entries: Kv::new(),
            now: 0,
        }
    }

    /// The whole cart, all or nothing, in one step: whether it is now reserved.
    fn reserve(&mut self, cart: usize, token: u64) -> bool {
        self.now += 1;
        let now = self.now;
        if items(cart).any(|i| self.entries.get(&i, now).is_some()) {
            return false;
        }
        for i in items(cart) {
            self.entries.set_px(i, token, LEASE_TTL, now);
        }
        true
    }

    /// Only the owner releases: each item's entry is deleted if it still holds `token`.
    fn release(&mut self, cart: usize, token: u64) {
        let now = self.now;
        for i in items(cart) {
            self.entries.compare_and_delete(&i, &token, now);
        }
    }
}

/// The write-up's fix: an in-memory TTL lock cache in the server process; the whole
/// cart checked and set in one map step, the sale converts the reservation without
/// re-checking it, the owner releases.
pub struct TtlReservationCache {
    cache: Store<Reservations>,
    tokens: Tokens,
    sales: Resource,
}

impl TtlReservationCache {
    /// An empty cache; `keys` carts for up to `keys` users.
    pub fn new(keys: usize) -> Self {
        TtlReservationCache {
            cache: Store::new(Reservations::new()),
            tokens: Tokens::new(keys),
            sales: Resource::new(keys),
        }
    }
}

impl LockKernel for TtlReservationCache {
    fn operation(&self, me: usize, cart: usize) -> bool {
        let token = self.tokens.next(me);
        while !self.cache.statement(|c| c.reserve(cart, token)) {
            back_off();
        }
        self.sales.increment(cart);
        self.cache.statement(|c| c.release(cart, token));
        true
    }

    fn completed_at_resource(&self, cart: usize) -> u64 {
        self.sales.count(cart)
    }
}

/// Stock of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StockRow {
    stock: u64,
    sold: u64,
}

/// The shared store: reservations and stock, changed together by one script.
struct SharedStore {
    reservations: Reservations,
    stock: Table<usize, StockRow>,
}

/// The correct fix: the whole cart reserved with a per-reservation token in one
/// atomic step of the shared store; the sale re-checks the live token and decrements
/// the stock with a `stock > 0` guard in one step; the release deletes only its own
/// token.
pub struct SharedAtomicReservation {
    store: Store<SharedStore>,
    tokens: Tokens,
}

impl SharedAtomicReservation {
    /// `keys` carts, every item stocked more than any run can sell.
    pub fn new(keys: usize) -> Self {
        let row = StockRow {
            stock: u64::MAX / 2,
            sold: 0,
        };
        SharedAtomicReservation {
            store: Store::new(SharedStore {
                reservations: Reservations::new(),
                stock: Table::with_rows((0..keys * CART).map(|i| (i, row))),
            }),
            tokens: Tokens::new(keys),
        }
    }

    /// The sale, one step: whether every item was still reserved by `token` and in stock.
    fn sell(s: &mut SharedStore, cart: usize, token: u64) -> bool {
        let now = s.reservations.now;
        let live = items(cart).all(|i| s.reservations.entries.get(&i, now) == Some(&token));
        let in_stock = items(cart).all(|i| s.stock.select(&i, None).is_some_and(|r| r.stock > 0));
        if !(live && in_stock) {
            return false;
        }
        for i in items(cart) {
            s.stock
                .update_where(
                    &i,
                    None,
                    |r| r.stock > 0,
                    |r| {
                        r.stock -= 1;
                        r.sold += 1;
                    },
                )
                .expect("autocommit statements never wait for a row lock");
        }
        true
    }
}

impl LockKernel for SharedAtomicReservation {
    fn operation(&self, me: usize, cart: usize) -> bool {
        let token = self.tokens.next(me);
        while !self
            .store
            .statement(|s| s.reservations.reserve(cart, token))
        {
            back_off();
        }
        let sold = self.store.statement(|s| Self::sell(s, cart, token));
        self.store
            .statement(|s| s.reservations.release(cart, token));
        // A refused sale (reservation lost, out of stock) is not a completed operation.
        sold
    }

    fn completed_at_resource(&self, cart: usize) -> u64 {
        self.store
            .statement(|s| s.stock.select(&(cart * CART), None).map_or(0, |r| r.sold))
    }
}
