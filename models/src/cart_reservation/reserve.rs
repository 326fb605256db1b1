//! Reserving and releasing a cart in the write-up's in-process map. Every function
//! here is the body of one step: one synchronous pass over the map in one Node
//! process. (The correct fix's shared store is SQL: [`super::store`].)

use crate::sim::Step;

use super::cache::{check_granted, check_removed, refuse, write_entry, Owner};
use super::statements;
use super::world::{cart_name, item_name, CartWorld, Item};
use super::Config;

/// What the write-up's map writes as the owner of tab `user`'s entries: the account,
/// shared by all of a user's tabs.
fn owner_for(cfg: &Config, user: usize) -> Owner {
    Owner::User(cfg.user_of(user))
}

/// The items of `cart` that stop a reservation: a live entry, or with
/// [`Config::expired_entries_block`] any entry at all.
fn blocked(s: &Step<'_, CartWorld>, cfg: &Config, cache: usize, cart: &[Item]) -> bool {
    statements::taken(
        &s.state.caches[cache],
        cart,
        s.now,
        cfg.expired_entries_block,
    )
}

/// A cart as the timeline shows it, with the instance whose map it is in when each
/// instance keeps its own.
fn shown_cart(cfg: &Config, user: usize, cart: &[Item]) -> String {
    if cfg.caches() > 1 {
        format!(
            "instance {}: {}",
            cfg.instance_of(user) + 1,
            cart_name(cart)
        )
    } else {
        cart_name(cart)
    }
}

/// The check both reserving protocols start with: is any item of the user's cart
/// taken? If so the cart is refused (and the refusal handled); otherwise returns the
/// cart, what its items looked like, and its name for the timeline.
fn check_whole_cart(
    s: &mut Step<'_, CartWorld>,
    cfg: &Config,
    user: usize,
) -> Option<(Vec<Item>, String, String)> {
    let (cache, cart) = (cfg.cache_of(user), cfg.cart(user));
    let before = s.state.cart_state(cache, &cart, s.now);
    let shown = shown_cart(cfg, user, &cart);
    if blocked(s, cfg, cache, &cart) {
        s.saw(|| format!("{shown}: {before}: refused"));
        refuse(s, user, cache, &cart);
        return None;
    }
    Some((cart, before, shown))
}

/// Checks every item of the cart and, if none is taken, writes them all, in one step
/// (`reserveItemsInCart`, or the shared store's script). Expired entries are
/// overwritten. Returns the reservation, or `None` if it was refused.
pub fn reserve_whole_cart(s: &mut Step<'_, CartWorld>, cfg: &Config, user: usize) -> Option<usize> {
    let (cart, before, shown) = check_whole_cart(s, cfg, user)?;
    let now = s.now;
    let rid = s.state.open_reservation(cfg, user);
    let owner = owner_for(cfg, user);
    for &x in &cart {
        write_entry(s, rid, x, owner);
    }
    check_granted(s, rid);
    let (who, until) = (s.state.owner_name(owner), now + cfg.ttl);
    s.saw(|| format!("{shown}: {before}: reserved for {who} until t={until}"));
    Some(rid)
}

/// The first half of check-all-then-set-all: checks every item; if none is taken the
/// reservation is opened and the sets follow, each in its own step.
pub fn check_cart(s: &mut Step<'_, CartWorld>, cfg: &Config, user: usize) -> Option<usize> {
    let (_, before, shown) = check_whole_cart(s, cfg, user)?;
    s.saw(|| format!("{shown}: {before}: will lock them"));
    Some(s.state.open_reservation(cfg, user))
}

/// The second half: `locks.set(item, …)` for one item, whatever is there now (the
/// check said it was free). After the last item the reservation is reported granted.
pub fn set_item(s: &mut Step<'_, CartWorld>, cfg: &Config, rid: usize, item: Item) {
    let user = s.state.reservations[rid].user;
    let (cache, now) = (cfg.cache_of(user), s.now);
    let replaced = s.state.caches[cache]
        .get(item)
        .map(|_| s.state.item_state(cache, item, now));
    let owner = owner_for(cfg, user);
    write_entry(s, rid, item, owner);
    let cart = s.state.reservations[rid].cart.clone();
    let last = cart.last() == Some(&item);
    if last {
        check_granted(s, rid);
    }
    let who = s.state.owner_name(owner);
    s.saw(|| {
        let over = replaced.map_or(String::new(), |r| format!(", overwriting {r}"));
        let done = if last {
            format!(": {} reserved", cart_name(&cart))
        } else {
            String::new()
        };
        format!(
            "{} ← {who} until t={}{over}{done}",
            item_name(item),
            now + cfg.ttl
        )
    });
}

/// The write-up's `releaseLock(item, userId)` for every item of the cart, one
/// synchronous pass: deletes each entry whose owner is this user id. `rid` is the
/// reservation the tab holds, if any (none after a refused reserve: the `catch`
/// block releases anyway, to clean up partial locks).
pub fn release_by_owner(
    s: &mut Step<'_, CartWorld>,
    cfg: &Config,
    user: usize,
    rid: Option<usize>,
) {
    let (cache, cart) = (cfg.cache_of(user), cfg.cart(user));
    let me = Owner::User(cfg.user_of(user));
    let removed = remove_owned(s, (cache, &cart), user, me, rid);
    end(s, rid);
    let who = s.state.owner_name(me);
    s.saw(|| deleted(&cart, &format!("owner = {who}"), &removed));
}

/// Tab `user`'s release of `cart` in map `cache`: every entry owned by `me` goes,
/// each checked as a removal for reservation `rid`. What was removed, described.
fn remove_owned(
    s: &mut Step<'_, CartWorld>,
    (cache, cart): (usize, &[Item]),
    user: usize,
    me: Owner,
    rid: Option<usize>,
) -> Vec<String> {
    let (now, tab) = (s.now, s.state.names[user].clone());
    let removed = statements::remove_owned(&mut s.state.caches[cache], cart, me);
    let mut shown = Vec::new();
    for (x, e) in removed {
        shown.push(s.state.entry_state(x, &e, now));
        check_removed(s, x, &e, &tab, rid);
    }
    shown
}

/// The holder no longer counts on its reservation.
pub fn end(s: &mut Step<'_, CartWorld>, rid: Option<usize>) {
    if let Some(rid) = rid {
        s.state.reservations[rid].ended = true;
    }
}

/// `DELETE {a, b} WHERE …: removed …` for the timeline.
fn deleted(cart: &[Item], clause: &str, removed: &[String]) -> String {
    if removed.is_empty() {
        format!(
            "DELETE {} WHERE {clause}: nothing to remove",
            cart_name(cart)
        )
    } else {
        format!(
            "DELETE {} WHERE {clause}: removed {}",
            cart_name(cart),
            removed.join("; ")
        )
    }
}
