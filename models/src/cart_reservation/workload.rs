//! Cart reservation on OS threads, for the throughput bench: users (threads)
//! reserving every item of a two-item cart (key `k` is the cart {`2k`, `2k+1`}),
//! placing the order, paying (the critical section), and selling and releasing, with
//! the model's own [`statements`] on the write-up's [`Cache`] or the shared store's
//! table, and the shop's database. Each step of the model (one synchronous pass over
//! the map, one transaction of the shared store, one shop transaction) is one
//! critical section here, running the same statements in the same order.
//!
//! What the workload leaves out, and why:
//! - The model's carts overlap in a ring, to make users race for items; here carts
//!   are disjoint, so that disjoint keys share nothing but the store.
//! - A refused user of the model gives up (the write-up's tab reports "being
//!   processed by another user", after its `catch` block released by user id); here
//!   the user tries again, as a person would, and the write-up's `catch` runs first.
//! - Stock is more than any run can sell, payment is confirmed at once, and no
//!   ticker runs: the clock advances one tick per reserve attempt and a reservation
//!   is [`LEASE_TTL`] long, so none lapses during a payment. No sweeper, crash,
//!   pause, second tab or second instance, no property checks (nor the ghost
//!   reservations they read) and no timeline.
//!
//! The payment is the critical section and comes before the correct fix's sale, as in
//! the model; that sale cannot be refused here, and if it were, the resource would
//! count one more payment than the operations that completed, and the bench stops.

use crate::sim::store::sql::{Call, Db, Outcome};
use crate::sim::workload::{back_off, Clocked, Resource, Store, Tokens, Workload, LEASE_TTL};

use super::cache::{Cache, Entry, Owner};
use super::statements::{self, stock_rows};
use super::world::{CartWorld, Item};
use super::Protocol;

/// Items per cart.
const CART: usize = 2;

/// The reservation map and the shop's database: the in-process map of the write-up,
/// or the one shared store of the correct fix; the `items` table with the stock.
struct Shop {
    cache: Cache,
    db: Db,
}

impl Shop {
    /// `call` on user `me`'s connection; every statement here succeeds.
    fn sql(&mut self, me: usize, call: Call) -> Outcome {
        self.db
            .execute(CartWorld::session(me), call.stmt, &call.params)
            .unwrap_or_else(|e| panic!("{}: {e:?}", call.stmt.sql()))
    }
}

/// A cart-reservation rung, runnable on OS threads: the write-up's
/// [`Protocol::TtlReservationCache`] or the correct
/// [`Protocol::SharedAtomicReservation`].
pub struct CartWorkload {
    protocol: Protocol,
    shop: Store<Clocked<Shop>>,
    tokens: Tokens,
    /// The payments that went through: the critical section.
    paid: Resource,
}

impl CartWorkload {
    /// `keys` carts for up to as many users, every item stocked beyond what a run
    /// can sell; an error for a protocol the bench does not run.
    pub fn new(protocol: Protocol, keys: usize) -> Result<Self, String> {
        if !matches!(
            protocol,
            Protocol::TtlReservationCache | Protocol::SharedAtomicReservation
        ) {
            return Err(format!("no workload for {protocol:?}"));
        }
        statements::prepare();
        let units = i64::MAX / 2;
        let shared = protocol.shared_store();
        let shop = Shop {
            cache: Cache::default(),
            db: Db::set_up(
                &statements::setup_with_store(keys * CART, units, shared),
                keys,
            )?,
        };
        Ok(CartWorkload {
            protocol,
            shop: Store::new(Clocked::new(shop)),
            tokens: Tokens::new(keys),
            paid: Resource::new(keys),
        })
    }

    /// The write-up's map: the whole cart, checked and reserved for `owner` in one
    /// step: whether it is.
    fn reserve(&self, cart: &[Item], owner: Owner, reservation: usize) -> bool {
        self.shop.statement(|s| {
            let now = s.tick();
            if statements::taken(&s.world.cache, cart, now, false) {
                return false;
            }
            let entry = Entry {
                owner,
                expires_at: now + LEASE_TTL,
                reservation,
            };
            for &x in cart {
                statements::lock_item(&mut s.world.cache, x, entry);
            }
            true
        })
    }

    /// The shared store's reservation of the whole cart for `token`, one transaction
    /// in one step (the model's [`super::store::reserve`]): whether it was granted.
    fn reserve_in_store(&self, me: usize, cart: &[Item], token: u64) -> bool {
        self.shop.statement(|s| {
            let now = s.tick();
            let w = &mut s.world;
            w.sql(me, statements::begin());
            let granted = statements::in_lock_order(cart).into_iter().all(|x| {
                let call = statements::reserve_item(x, token, now + LEASE_TTL, now);
                w.sql(me, call).affected == 1
            });
            let end = if granted {
                statements::commit()
            } else {
                statements::rollback()
            };
            w.sql(me, end);
            granted
        })
    }

    /// Deletes every entry of the cart `owner` still holds, in one step: from the
    /// write-up's map by user id, or the shared store's rows by token.
    fn release(&self, me: usize, cart: &[Item], owner: Owner) {
        self.shop.statement(|s| match owner {
            Owner::Token(token) => {
                s.world.sql(me, statements::release(cart, token));
            }
            Owner::User(_) => {
                statements::remove_owned(&mut s.world.cache, cart, owner);
            }
        });
    }

    /// `placeOrder`'s stock check: whether every item has a unit left.
    fn place_order(&self, me: usize, cart: &[Item]) -> bool {
        self.shop.statement(|s| {
            let rows = stock_rows(&s.world.sql(me, statements::order_stock(cart)));
            statements::sold_out(&rows, cart).is_empty()
        })
    }

    /// The correct sale, one transaction in one step (the model's
    /// `sell_with_token`): the reservation's live rows consumed, then one unit off
    /// every item under `stock > 0`; sold only if both covered the whole cart.
    fn sell_with_token(&self, me: usize, cart: &[Item], token: u64) -> bool {
        self.shop.statement(|s| {
            let (w, now) = (&mut s.world, s.now);
            let whole = cart.len() as u64;
            w.sql(me, statements::begin());
            if w.sql(me, statements::consume(cart, token, now)).affected < whole
                || w.sql(me, statements::sell_if_in_stock(cart)).affected < whole
            {
                w.sql(me, statements::rollback());
                return false;
            }
            w.sql(me, statements::commit());
            true
        })
    }
}

impl Workload for CartWorkload {
    fn operation(&self, me: usize, k: usize) -> bool {
        let cart: Vec<Item> = (k * CART..(k + 1) * CART).collect();
        let rid = self.tokens.next(me);
        // The write-up's owner is the user id; the correct fix's, the reservation's token.
        let shared = self.protocol.shared_store();
        let token = rid + 1;
        let owner = if shared {
            Owner::Token(token)
        } else {
            Owner::User(me)
        };
        loop {
            let granted = if shared {
                self.reserve_in_store(me, &cart, token)
            } else {
                self.reserve(&cart, owner, rid as usize)
            };
            if granted {
                break;
            }
            if !shared {
                // The `catch` block releases the cart by user id anyway.
                self.release(me, &cart, owner);
            }
            back_off();
        }
        if !self.place_order(me, &cart) {
            self.release(me, &cart, owner);
            return false;
        }
        self.paid.increment(k);
        if shared {
            let sold = self.sell_with_token(me, &cart, token);
            if !sold {
                self.release(me, &cart, owner);
            }
            return sold;
        }
        // The write-up's sale: no re-check of the reservation, then the release.
        self.shop
            .statement(|s| s.world.sql(me, statements::sell(&cart)));
        self.release(me, &cart, owner);
        true
    }

    fn completed_at_resource(&self, k: usize) -> u64 {
        self.paid.count(k)
    }
}
