//! The reservation map (the write-up's in-memory `Map`, or the shared store) and the
//! three things every protocol does to it: write an entry, remove one, refuse a cart.
//! The lock-side properties are checked here, whoever does it and however.

use std::collections::BTreeMap;

use crate::sim::{Step, Tick};

use super::statements;
use super::world::{cart_name, item_name, CartWorld, Item};
use super::{
    ALL_OR_NOTHING, ONE_LIVE_RESERVATION, REMOVE_OWN_OR_EXPIRED, RESERVE_AFTER_EXPIRY,
    RESERVE_WHEN_FREE,
};

/// What an entry says about who holds the item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    /// The write-up's owner: the user id (account), shared by all of a user's tabs.
    User(usize),
    /// A per-reservation token.
    Token(u64),
}

/// One reserved item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Entry {
    /// What the protocol compares on release.
    pub owner: Owner,
    /// Expired from this tick on.
    pub expires_at: Tick,
    /// The reservation that wrote it (ghost: the protocols never read it).
    pub reservation: usize,
}

impl Entry {
    /// Whether the entry still holds its item at `now`.
    pub fn live(&self, now: Tick) -> bool {
        self.expires_at > now
    }
}

/// Items to entries. Unlike the kit's Redis-like `Kv`, an expired entry stays until
/// something deletes it, as in the write-up's map, so a sweeper can find it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Cache {
    entries: BTreeMap<Item, Entry>,
}

impl Cache {
    /// The entry for `item`, live or expired.
    pub fn get(&self, item: Item) -> Option<&Entry> {
        self.entries.get(&item)
    }

    /// Writes `entry` for `item`, replacing whatever was there.
    pub fn set(&mut self, item: Item, entry: Entry) {
        self.entries.insert(item, entry);
    }

    /// Deletes the entry for `item`: the entry it removed.
    pub fn remove(&mut self, item: Item) -> Option<Entry> {
        self.entries.remove(&item)
    }

    /// Every expired entry, in item order.
    pub fn expired(&self, now: Tick) -> Vec<(Item, Entry)> {
        self.entries
            .iter()
            .filter(|(_, e)| !e.live(now))
            .map(|(&x, &e)| (x, e))
            .collect()
    }
}

/// Writes reservation `rid`'s entry for `item` in its in-process map (replacing
/// whatever was there), checked as [`claim`] checks it.
pub fn write_entry(s: &mut Step<'_, CartWorld>, rid: usize, item: Item, owner: Owner) {
    let expires_at = claim(s, rid, item);
    let cache = s.state.reservations[rid].cache;
    let entry = Entry {
        owner,
        expires_at,
        reservation: rid,
    };
    statements::lock_item(&mut s.state.caches[cache], item, entry);
}

/// Reservation `rid` takes `item` (its entry written now, in a map or the shared
/// store): nobody else may hold the item — the hold of any other reservation on it
/// must have ended or expired, wherever that reservation lives. Returns when the new
/// entry expires.
pub fn claim(s: &mut Step<'_, CartWorld>, rid: usize, item: Item) -> Tick {
    let now = s.now;
    let other = s
        .state
        .reservations
        .iter()
        .enumerate()
        .find(|&(r, res)| r != rid && res.holds(item, now))
        .map(|(r, _)| r);
    if let Some(other) = other {
        let w = &*s.state;
        let o = &w.reservations[other];
        let until = o
            .written
            .iter()
            .find(|(x, _)| *x == item)
            .map_or(0, |w| w.1);
        let mine = &w.reservations[rid];
        let place = if o.cache == mine.cache {
            String::new()
        } else {
            // Per-instance maps: the map index is the instance.
            format!(
                " ({}'s instance {} and {}'s instance {} each keep their own map)",
                w.names[mine.user],
                mine.cache + 1,
                w.names[o.user],
                o.cache + 1
            )
        };
        let detail = format!(
            "{} reserved {} at t={now} while {}'s reservation of it is live until t={until}{place}",
            w.names[mine.user],
            item_name(item),
            w.names[o.user]
        );
        s.violate(ONE_LIVE_RESERVATION, || detail);
    } else {
        s.checked(ONE_LIVE_RESERVATION);
    }
    let expires_at = now + s.state.ttl;
    let res = &mut s.state.reservations[rid];
    res.written.retain(|(x, _)| *x != item);
    res.written.push((item, expires_at));
    expires_at
}

/// Removes the entry for `item` from map `cache` on behalf of `by` (a tab's name, or
/// the sweeper) acting for reservation `remover` (none for a sweeper or a tab that
/// holds no reservation). Only an expired entry or the remover's own may go.
pub fn remove_entry(
    s: &mut Step<'_, CartWorld>,
    cache: usize,
    item: Item,
    by: &str,
    remover: Option<usize>,
) -> Option<Entry> {
    let removed = statements::remove_entry(&mut s.state.caches[cache], item)?;
    check_removed(s, item, &removed, by, remover);
    Some(removed)
}

/// An entry was removed on behalf of `by` for reservation `remover`: only an expired
/// entry or the remover's own may go.
pub fn check_removed(
    s: &mut Step<'_, CartWorld>,
    item: Item,
    removed: &Entry,
    by: &str,
    remover: Option<usize>,
) {
    let now = s.now;
    let foreign_live = removed.live(now) && remover != Some(removed.reservation);
    if !foreign_live {
        s.checked(REMOVE_OWN_OR_EXPIRED);
    } else {
        let owner = s.state.names[s.state.reservations[removed.reservation].user].clone();
        s.violate(REMOVE_OWN_OR_EXPIRED, || {
            format!(
                "{by} removed {owner}'s entry for {}, still live until t={}",
                item_name(item),
                removed.expires_at
            )
        });
    }
}

/// A reservation of `cart` in map `cache` was refused. Only a live entry may refuse
/// it: an expired one counts as free, without waiting for the sweeper.
pub fn refuse(s: &mut Step<'_, CartWorld>, user: usize, cache: usize, cart: &[Item]) {
    let now = s.now;
    let entries: Vec<Entry> = cart
        .iter()
        .filter_map(|&x| s.state.entry(cache, x))
        .collect();
    if entries.iter().any(|e| e.live(now)) {
        s.checked(RESERVE_WHEN_FREE);
        s.checked(RESERVE_AFTER_EXPIRY);
        return;
    }
    let tab = s.state.names[user].clone();
    let state = s.state.cart_state(cache, cart, now);
    if entries.is_empty() {
        s.violate(RESERVE_WHEN_FREE, || {
            format!(
                "{tab} was refused {} at t={now} although every item was free",
                cart_name(cart)
            )
        });
    } else {
        s.violate(RESERVE_AFTER_EXPIRY, || {
            format!("{tab} was refused {} at t={now} by expired entries only ({state}): it would have had to wait for the sweeper", cart_name(cart))
        });
    }
}

/// A reservation was reported granted: the map holds its live entry for every item of
/// the cart, not for some.
pub fn check_granted(s: &mut Step<'_, CartWorld>, rid: usize) {
    // A grant is a reservation nothing refused: free and expired items were reserved.
    s.checked(RESERVE_WHEN_FREE);
    s.checked(RESERVE_AFTER_EXPIRY);
    let now = s.now;
    let res = &s.state.reservations[rid];
    let missing: Vec<Item> = res
        .cart
        .iter()
        .copied()
        .filter(|&x| {
            s.state
                .entry(res.cache, x)
                .is_none_or(|e| e.reservation != rid || !e.live(now))
        })
        .collect();
    if !missing.is_empty() {
        let detail = format!(
            "{} was granted {} but holds no live entry for {}",
            s.state.names[res.user],
            cart_name(&res.cart),
            cart_name(&missing)
        );
        s.violate(ALL_OR_NOTHING, || detail);
    } else {
        s.checked(ALL_OR_NOTHING);
    }
}
