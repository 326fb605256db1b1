//! The shop's side: placing the order (a stock check) and the sale after payment. The
//! properties that matter to the shop are checked here, where the harm happens: no
//! item sold beyond its stock, and no sale on a reservation that is not live.

use crate::sim::store::sql::Db;
use crate::sim::{SqlBatch, Step, Tick};

use super::reserve::end;
use super::statements::{self, stock_rows};
use super::world::{cart_name, item_name, CartWorld, Item};
use super::{Config, SALE_REQUIRES_LIVE_TOKEN, SOLD_WITHIN_STOCK};

/// A shop step: statements on a tab's connection to the shop's database, none of
/// which waits (each autocommits, or the step is the whole transaction).
pub type ShopStep<'s, 'w> = SqlBatch<'s, 'w, CartWorld, fn(&mut CartWorld) -> &mut Db>;

/// `placeOrder`'s stock check: every item of the cart has a unit left. Returns the
/// tick at which the order was placed, or `None` if an item is sold out.
pub fn create_order(b: &mut ShopStep<'_, '_>, cfg: &Config, user: usize) -> Option<Tick> {
    let (cart, now) = (cfg.cart(user), b.s.now);
    let rows = stock_rows(&b.ok(statements::order_stock(&cart)));
    let stock = stock_list(&rows);
    let sold_out = statements::sold_out(&rows, &cart);
    if !sold_out.is_empty() {
        b.s.saw(|| format!("stock {stock}: {} sold out, no order", cart_name(&sold_out)));
        return None;
    }
    let pay = cfg.payment(user);
    let abandons = cfg.abandons == Some(user);
    b.s.saw(|| {
        if abandons {
            format!("stock {stock}: order placed; the user closes the tab without paying")
        } else if pay == 0 {
            format!("stock {stock}: order placed")
        } else {
            format!(
                "stock {stock}: order placed, payment takes until t={}",
                now + pay
            )
        }
    });
    Some(now)
}

/// Payment confirmed: "process inventory", `stock = stock - 1` for every item, with no
/// guard and no look at the reservation (the original and the write-up's code).
/// `rid` is the reservation the tab believes it holds, if the protocol reserves.
pub fn sell_unchecked(b: &mut ShopStep<'_, '_>, cfg: &Config, user: usize, rid: Option<usize>) {
    let cart = cfg.cart(user);
    let lapsed = rid.map(|rid| lapsed_items(b.s.state, rid, b.s.now));
    let after = stock_rows(&b.ok(statements::sell(&cart)));
    // The property looks at the reservation the sale should have needed; the
    // write-up's code does not look, so the sale went ahead regardless.
    if let (Some(rid), Some(lapsed)) = (rid, lapsed) {
        check_live_token(b.s, rid, &lapsed, &after);
    }
    count_sold(b.s, &cart);
    let (before, after) = (stock_list(&unsold(&after)), stock_list(&after));
    b.s.saw(|| format!("payment confirmed: stock {before} → {after}"));
}

/// The correct sale, one transaction: the reservation is consumed — the cart's rows
/// that still carry the token unexpired deleted — and every item must have a unit
/// (`stock > 0`); unless both hold for the whole cart it rolls back. Returns whether
/// it sold (if not, the payment is refunded and the tab releases its token).
pub fn sell_with_token(b: &mut ShopStep<'_, '_>, cfg: &Config, rid: usize) -> bool {
    let user = b.s.state.reservations[rid].user;
    let (cart, now) = (cfg.cart(user), b.s.now);
    let token = CartWorld::token(rid);
    // What the property judges the sale by, as the store stands before it.
    let lapsed_before = lapsed_items(b.s.state, rid, now);
    b.ok(statements::begin());
    let consumed = statements::removed_rows(&b.ok(statements::consume(&cart, token, now)));
    if consumed.len() < cart.len() {
        b.ok(statements::rollback());
        let lapsed = not_among(&cart, &consumed);
        // Rolled back: the store's committed rows are as the sale found them.
        let state = b.s.state.cart_state(0, &lapsed, now);
        b.s.saw(|| {
            format!(
                "token {token} no longer holds {}: {state}: sale refused, payment refunded",
                cart_name(&lapsed)
            )
        });
        return false;
    }
    // The `stock > 0` guard is redundant in this model at every size: the order's
    // stock check ran while this token held the items, and only a sale under a live
    // token takes stock, so none can go in between. It stays for a shop with other
    // ways to sell (a counter, a second channel), which the model does not have.
    let after = stock_rows(&b.ok(statements::sell_if_in_stock(&cart)));
    if after.len() < cart.len() {
        b.ok(statements::rollback());
        let sold_out = not_among(&cart, &after);
        b.s.saw(|| {
            format!(
                "{} sold out: rolled back, payment refunded",
                cart_name(&sold_out)
            )
        });
        return false;
    }
    b.ok(statements::commit());
    check_live_token(b.s, rid, &lapsed_before, &after);
    count_sold(b.s, &cart);
    super::store::removed_by(b, &consumed, token, Some(rid));
    end(b.s, Some(rid));
    let (before, after) = (stock_list(&unsold(&after)), stock_list(&after));
    b.s.saw(|| {
        format!(
            "token {token} live on {}: reservation consumed, stock {before} → {after}",
            cart_name(&cart)
        )
    });
    true
}

/// The items of `cart` that none of a statement's `(item, …)` rows names.
fn not_among<T>(cart: &[Item], rows: &[(Item, T)]) -> Vec<Item> {
    cart.iter()
        .copied()
        .filter(|x| !rows.iter().any(|r| r.0 == *x))
        .collect()
}

/// The items of reservation `rid`'s cart its entry no longer holds at `now` (ghost:
/// which reservation wrote each entry, whatever its owner column says).
fn lapsed_items(w: &CartWorld, rid: usize, now: Tick) -> Vec<Item> {
    let res = &w.reservations[rid];
    res.cart
        .iter()
        .copied()
        .filter(|&x| {
            w.entry(res.cache, x)
                .is_none_or(|e| e.reservation != rid || !e.live(now))
        })
        .collect()
}

/// A sale on reservation `rid` needs its live entry for every item it sells:
/// `lapsed` are those it no longer held when the sale began, `after` the stock the
/// sale left.
fn check_live_token(
    s: &mut Step<'_, CartWorld>,
    rid: usize,
    lapsed: &[Item],
    after: &[(Item, i64)],
) {
    let now = s.now;
    if lapsed.is_empty() {
        s.checked(SALE_REQUIRES_LIVE_TOKEN);
        return;
    }
    let res = &s.state.reservations[rid];
    let state = s.state.cart_state(res.cache, lapsed, now);
    let oversold: Vec<Item> = after.iter().filter(|r| r.1 < 0).map(|r| r.0).collect();
    let oversold = if oversold.is_empty() {
        String::new()
    } else {
        format!("; {} had no unit left: oversold", cart_name(&oversold))
    };
    let detail = format!(
        "{}'s payment went through at t={now} and it bought {}, but its reservation no longer holds {} ({state}){oversold}",
        s.state.names[res.user],
        cart_name(&res.cart),
        cart_name(lapsed)
    );
    s.violate(SALE_REQUIRES_LIVE_TOKEN, || detail);
}

/// One more unit sold of every item (the ghost count); then no item may have sold
/// more units than it had.
fn count_sold(s: &mut Step<'_, CartWorld>, cart: &[Item]) {
    for &x in cart {
        s.state.sold[x] += 1;
    }
    let initial = s.state.initial_stock;
    if let Some(&x) = cart.iter().find(|&&x| s.state.sold[x] > initial) {
        let sold = s.state.sold[x];
        s.violate(SOLD_WITHIN_STOCK, || {
            format!("{} sold {sold} times with {initial} in stock", item_name(x))
        });
    } else {
        s.checked(SOLD_WITHIN_STOCK);
    }
}

/// The stock before a sale that left `after`.
fn unsold(after: &[(Item, i64)]) -> Vec<(Item, i64)> {
    after.iter().map(|&(x, n)| (x, n + 1)).collect()
}

/// `a=1, b=0` for the timeline.
fn stock_list(rows: &[(Item, i64)]) -> String {
    let parts: Vec<String> = rows
        .iter()
        .map(|&(x, n)| format!("{}={n}", item_name(x)))
        .collect();
    parts.join(", ")
}
