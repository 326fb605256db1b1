//! What the tabs (and the sweeper) do to the reservation map and the shop's stock,
//! one function per operation of the store. The model's steps call these, and so
//! does [`super::CartWorkload`] on OS threads: the bench runs the statements that were
//! checked. A step may run several of them (the write-up's synchronous pass over the
//! map, the shared store's script); the property checks and the ghost state around
//! them stay in the steps.

use crate::sim::Tick;

use super::cache::{Cache, Entry, Owner};
use super::world::Item;

/// Whether any item of `cart` is taken: it has a live entry, or (with
/// `expired_block`, the write-up's `locks.has(item)`) any entry at all.
pub fn taken(cache: &Cache, cart: &[Item], now: Tick, expired_block: bool) -> bool {
    cart.iter()
        .any(|&x| cache.get(x).is_some_and(|e| e.live(now) || expired_block))
}

/// `locks.set(item, entry)`: whatever was there is replaced.
pub fn lock_item(cache: &mut Cache, item: Item, entry: Entry) {
    cache.set(item, entry);
}

/// Deletes the entry for `item`, whatever it holds: the entry removed.
pub fn remove_entry(cache: &mut Cache, item: Item) -> Option<Entry> {
    cache.remove(item)
}

/// The release: deletes each entry of `cart` whose owner is `owner` (a user id in the
/// write-up, a reservation's token in the shared store). The entries it removed.
pub fn remove_owned(cache: &mut Cache, cart: &[Item], owner: Owner) -> Vec<(Item, Entry)> {
    let mut removed = Vec::new();
    for &x in cart {
        if cache.get(x).is_some_and(|e| e.owner == owner) {
            removed.extend(cache.remove(x).map(|e| (x, e)));
        }
    }
    removed
}

/// The items of `cart` whose entry no longer carries `owner` unexpired: what the
/// shared store sees of a reservation that lapsed.
pub fn lapsed(cache: &Cache, cart: &[Item], owner: Owner, now: Tick) -> Vec<Item> {
    cart.iter()
        .copied()
        .filter(|&x| {
            cache
                .get(x)
                .is_none_or(|e| e.owner != owner || !e.live(now))
        })
        .collect()
}

/// The items of `cart` without a unit left in `stock`.
pub fn sold_out(stock: &[i64], cart: &[Item]) -> Vec<Item> {
    cart.iter().copied().filter(|&x| stock[x] < 1).collect()
}

/// `stock = stock - 1` and one more sold, for every item of `cart`.
pub fn decrement(stock: &mut [i64], sold: &mut [u32], cart: &[Item]) {
    for &x in cart {
        stock[x] -= 1;
        sold[x] += 1;
    }
}
