//! The shop's side: placing the order (a stock check) and the sale after payment. The
//! properties that matter to the shop are checked here, where the harm happens: no
//! item sold beyond its stock, and no sale on a reservation that is not live.

use crate::sim::{Step, Tick};

use super::cache::{remove_entry, Owner};
use super::reserve::end;
use super::statements;
use super::world::{cart_name, item_name, CartWorld, Item};
use super::{Config, SALE_REQUIRES_LIVE_TOKEN, SOLD_WITHIN_STOCK};

/// `placeOrder`'s stock check: every item of the cart has a unit left. Returns the
/// tick at which the order was placed, or `None` if an item is sold out.
pub fn create_order(s: &mut Step<'_, CartWorld>, cfg: &Config, user: usize) -> Option<Tick> {
    let (cart, now) = (cfg.cart(user), s.now);
    let stock = stock_list(s.state, &cart);
    let sold_out = statements::sold_out(&s.state.stock, &cart);
    if !sold_out.is_empty() {
        s.saw(|| format!("stock {stock}: {} sold out, no order", cart_name(&sold_out)));
        return None;
    }
    let pay = cfg.payment(user);
    let abandons = cfg.abandons == Some(user);
    s.saw(|| {
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
pub fn sell_unchecked(s: &mut Step<'_, CartWorld>, cfg: &Config, user: usize, rid: Option<usize>) {
    let cart = cfg.cart(user);
    let before = stock_list(s.state, &cart);
    // The property looks at the reservation before the sale changes anything; the
    // write-up's code does not look, so the sale goes ahead regardless.
    if let Some(rid) = rid {
        check_live_token(s, rid);
    }
    decrement(s, &cart);
    let after = stock_list(s.state, &cart);
    s.saw(|| format!("payment confirmed: stock {before} → {after}"));
}

/// The correct sale, one transaction: the token must still hold every item of the
/// cart and every item must have a unit (`stock > 0`); then decrement and consume the
/// reservation. Returns whether it sold (if not, the payment is refunded).
pub fn sell_with_token(s: &mut Step<'_, CartWorld>, cfg: &Config, rid: usize) -> bool {
    let user = s.state.reservations[rid].user;
    let (cache, cart, now) = (cfg.cache_of(user), cfg.cart(user), s.now);
    let token = CartWorld::token(rid);
    // What the store can see: the entries that still carry this token, unexpired.
    let lapsed = statements::lapsed(&s.state.caches[cache], &cart, Owner::Token(token), now);
    if !lapsed.is_empty() {
        let state = s.state.cart_state(cache, &lapsed, now);
        s.saw(|| {
            format!(
                "token {token} no longer holds {}: {state}: sale refused, payment refunded",
                cart_name(&lapsed)
            )
        });
        return false;
    }
    let before = stock_list(s.state, &cart);
    // The `stock > 0` guard is redundant in this model at every size: the order's
    // stock check ran while this token held the items, and only a sale under a live
    // token takes stock, so none can go in between. It stays for a shop with other
    // ways to sell (a counter, a second channel), which the model does not have.
    if !statements::sold_out(&s.state.stock, &cart).is_empty() {
        s.saw(|| format!("stock {before}: sold out, payment refunded"));
        return false;
    }
    check_live_token(s, rid);
    decrement(s, &cart);
    let tab = s.state.names[user].clone();
    for &x in &cart {
        remove_entry(s, cache, x, &tab, Some(rid));
    }
    end(s, Some(rid));
    let after = stock_list(s.state, &cart);
    s.saw(|| {
        format!(
            "token {token} live on {}: stock {before} → {after}, reservation consumed",
            cart_name(&cart)
        )
    });
    true
}

/// The items of reservation `rid`'s cart its entry no longer holds at `now` (ghost:
/// which reservation wrote each entry, whatever its owner column says).
fn lapsed_items(w: &CartWorld, rid: usize, now: Tick) -> Vec<Item> {
    let res = &w.reservations[rid];
    res.cart
        .iter()
        .copied()
        .filter(|&x| {
            w.caches[res.cache]
                .get(x)
                .is_none_or(|e| e.reservation != rid || !e.live(now))
        })
        .collect()
}

/// A sale on reservation `rid` needs its live entry for every item it sells.
fn check_live_token(s: &mut Step<'_, CartWorld>, rid: usize) {
    let now = s.now;
    let lapsed = lapsed_items(s.state, rid, now);
    if lapsed.is_empty() {
        s.checked(SALE_REQUIRES_LIVE_TOKEN);
        return;
    }
    let res = &s.state.reservations[rid];
    let state = s.state.cart_state(res.cache, &lapsed, now);
    let sold_out = statements::sold_out(&s.state.stock, &res.cart);
    let oversold = if sold_out.is_empty() {
        String::new()
    } else {
        format!("; {} had no unit left: oversold", cart_name(&sold_out))
    };
    let detail = format!(
        "{}'s payment went through at t={now} and it bought {}, but its reservation no longer holds {} ({state}){oversold}",
        s.state.names[res.user],
        cart_name(&res.cart),
        cart_name(&lapsed)
    );
    s.violate(SALE_REQUIRES_LIVE_TOKEN, || detail);
}

/// `stock = stock - 1` and one more sold, for every item; then no item may have sold
/// more units than it had.
fn decrement(s: &mut Step<'_, CartWorld>, cart: &[Item]) {
    let w = &mut *s.state;
    statements::decrement(&mut w.stock, &mut w.sold, cart);
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

/// `a=1, b=0` for the timeline.
fn stock_list(w: &CartWorld, items: &[Item]) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|&x| format!("{}={}", item_name(x), w.stock[x]))
        .collect();
    parts.join(", ")
}
