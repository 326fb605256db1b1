//! What a browser tab does with its cart, according to the [`Protocol`]: reserve it
//! (or not), place the order, pay, sell, release.

use std::fmt::Debug;
use std::hash::Hash;

use crate::sim::store::sql::Db;
use crate::sim::{Actor, Halt, Tick};

use super::reserve::{check_cart, release_by_owner, reserve_whole_cart, set_item};
use super::shop::{create_order, sell_unchecked, sell_with_token, ShopStep};
use super::world::CartWorld;
use super::{store, Config, Protocol};

/// A tab's life: wait for the moment it orders, then order.
pub fn run(a: &Actor<CartWorld>, cfg: &Config, me: usize) -> Result<(), Halt> {
    let arrival = cfg.arrival(me);
    if arrival > 0 && !a.sleep_until(arrival)? {
        return Ok(());
    }
    match cfg.protocol {
        Protocol::NoReservation => no_reservation(a, cfg, me),
        Protocol::TtlReservationCache | Protocol::CheckAllThenSetAll => write_up(a, cfg, me),
        Protocol::SharedAtomicReservation => shared_atomic(a, cfg, me),
    }
}

/// The original: check stock, pay, decrement.
fn no_reservation(a: &Actor<CartWorld>, cfg: &Config, me: usize) -> Result<(), Halt> {
    let Some(at) = shop(a, "place order", me, |b| create_order(b, cfg, me))? else {
        return Ok(());
    };
    if !pay(a, cfg, me, at)? {
        return Ok(());
    }
    shop(a, "sell", me, |b| sell_unchecked(b, cfg, me, None))
}

/// The write-up: reserve the cart, place the order, pay, sell, release. Any failure
/// lands in the `catch` block, which releases the cart by user id.
fn write_up(a: &Actor<CartWorld>, cfg: &Config, me: usize) -> Result<(), Halt> {
    let reserved = if cfg.protocol == Protocol::CheckAllThenSetAll {
        match a.step("check cart", |s| check_cart(s, cfg, me))? {
            Some(rid) => {
                for item in cfg.cart(me) {
                    a.step("lock item", |s| set_item(s, cfg, rid, item))?;
                }
                Some(rid)
            }
            None => None,
        }
    } else {
        a.step("reserve cart", |s| reserve_whole_cart(s, cfg, me))?
    };
    let Some(rid) = reserved else {
        // "Item is currently being processed by another user": the `catch` block
        // releases the cart anyway, to clean up any partial locks.
        return a.step("catch: release cart", |s| {
            release_by_owner(s, cfg, me, None)
        });
    };
    let Some(at) = shop(a, "place order", me, |b| create_order(b, cfg, me))? else {
        return a.step("catch: release cart", |s| {
            release_by_owner(s, cfg, me, Some(rid))
        });
    };
    if !pay(a, cfg, me, at)? {
        return Ok(());
    }
    shop(a, "sell", me, |b| sell_unchecked(b, cfg, me, Some(rid)))?;
    a.step("release cart", |s| release_by_owner(s, cfg, me, Some(rid)))
}

/// The correct fix: reserve under a token, place the order, pay, sell only while the
/// token holds; release the token if the order or the sale fails.
fn shared_atomic(a: &Actor<CartWorld>, cfg: &Config, me: usize) -> Result<(), Halt> {
    let Some(rid) = shop(a, "reserve cart", me, |b| store::reserve(b, cfg, me))? else {
        return Ok(());
    };
    let Some(at) = shop(a, "place order", me, |b| create_order(b, cfg, me))? else {
        return shop(a, "release token", me, |b| store::release(b, cfg, rid));
    };
    if !pay(a, cfg, me, at)? {
        return Ok(());
    }
    if !shop(a, "sell if token live", me, |b| {
        sell_with_token(b, cfg, rid)
    })? {
        shop(a, "release token", me, |b| store::release(b, cfg, rid))?;
    }
    Ok(())
}

/// Waits for the payment placed at `ordered_at` to be confirmed; `false` if the user
/// abandons the cart or the clock stops first (the tab never hears back).
fn pay(a: &Actor<CartWorld>, cfg: &Config, me: usize, ordered_at: Tick) -> Result<bool, Halt> {
    if cfg.abandons == Some(me) {
        return Ok(false);
    }
    let ticks = cfg.payment(me);
    if ticks == 0 {
        return Ok(true);
    }
    a.sleep_until(ordered_at + ticks)
}

/// A shop step of tab `me`: its statements on its connection to the shop's database,
/// as one step ([`Actor::sql_batch`]).
fn shop<U: Hash + Debug>(
    a: &Actor<CartWorld>,
    label: &'static str,
    me: usize,
    f: impl Fn(&mut ShopStep<'_, '_>) -> U,
) -> Result<U, Halt> {
    let db: fn(&mut CartWorld) -> &mut Db = CartWorld::db;
    a.sql_batch(label, db, CartWorld::session(me), f)
}
