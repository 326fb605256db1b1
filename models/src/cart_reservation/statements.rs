//! What the tabs (and the sweeper) do to the reservation map, one function per
//! operation of the map, and the SQL the shop runs on its stock. The model's steps
//! call these, and so does [`super::CartWorkload`] on OS threads: the bench runs the
//! statements that were checked. A step may run several of them (the write-up's synchronous pass over the
//! map, the shared store's script); the property checks and the ghost state around
//! them stay in the steps.

/// The transaction statements every scheme shares (the kit's).
pub use crate::sim::store::sql::{begin, commit, rollback, BEGIN, COMMIT, ROLLBACK};
use crate::sim::store::sql::{Call, Outcome, Value};
use crate::sim::Tick;
use crate::sql_call;

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

/// The shop's inventory, in its database (the write-up's "process inventory"); stock
/// is signed, with no check, so an oversold item shows below zero.
pub const CREATE_ITEMS: &str = "CREATE TABLE items (id int PRIMARY KEY, stock bigint NOT NULL)";
/// One item and its units.
pub const INSERT_ITEM: &str = "INSERT INTO items VALUES ($1, $2)";
/// `placeOrder`'s stock check of a cart (up to three items; a shorter cart repeats
/// its last item).
pub const ORDER_STOCK: &str =
    "SELECT id, stock FROM items WHERE id = $1 OR id = $2 OR id = $3 ORDER BY id";
/// The write-up's sale after payment: one unit off every item, no guard.
pub const SELL: &str = "UPDATE items SET stock = stock - 1 \
     WHERE id = $1 OR id = $2 OR id = $3 RETURNING id, stock";
/// The correct sale: one unit off every item that has one (inside a transaction
/// that rolls back unless every item of the cart had one).
pub const SELL_IF_IN_STOCK: &str = "UPDATE items SET stock = stock - 1 \
     WHERE (id = $1 OR id = $2 OR id = $3) AND stock > 0 RETURNING id, stock";

/// The set-up of a fresh database: every item with `stock` units.
pub fn setup(items: usize, stock: i64) -> Vec<(&'static str, Vec<Value>)> {
    let mut setup = vec![(CREATE_ITEMS, vec![])];
    setup.extend((0..items).map(|x| (INSERT_ITEM, vec![Value::Int(x as i64), Value::Int(stock)])));
    setup
}

/// Parses every statement now (once per process), so no engine's task parses on its
/// small coroutine stack or counts the parse as part of a step.
pub fn prepare() {
    for _ in [
        order_stock(&[0]),
        sell(&[0]),
        sell_if_in_stock(&[0]),
        begin(),
        commit(),
        rollback(),
    ] {}
}

/// `$1, $2, $3`: the cart's items, the last repeated to fill three.
fn cart_ids(cart: &[Item]) -> [usize; 3] {
    assert!(
        (1..=3).contains(&cart.len()),
        "the cart statements take 1 to 3 items, not {}",
        cart.len()
    );
    let at = |i: usize| cart[i.min(cart.len() - 1)];
    [at(0), at(1), at(2)]
}

/// [`ORDER_STOCK`] of `cart`.
pub fn order_stock(cart: &[Item]) -> Call {
    let [a, b, c] = cart_ids(cart);
    sql_call!(ORDER_STOCK, a, b, c)
}

/// [`SELL`] of `cart`.
pub fn sell(cart: &[Item]) -> Call {
    let [a, b, c] = cart_ids(cart);
    sql_call!(SELL, a, b, c)
}

/// [`SELL_IF_IN_STOCK`] of `cart`.
pub fn sell_if_in_stock(cart: &[Item]) -> Call {
    let [a, b, c] = cart_ids(cart);
    sql_call!(SELL_IF_IN_STOCK, a, b, c)
}

/// The `(item, stock)` rows a stock statement returned, by item (an `UPDATE …
/// RETURNING` returns them in no defined order).
pub fn stock_rows(o: &Outcome) -> Vec<(Item, i64)> {
    let mut rows: Vec<(Item, i64)> = o
        .rows
        .iter()
        .filter_map(|r| match r.as_slice() {
            [Value::Int(id), Value::Int(stock)] => Some((*id as Item, *stock)),
            _ => None,
        })
        .collect();
    rows.sort_unstable();
    rows
}

/// The items of `cart` without a unit left, by the rows of [`ORDER_STOCK`].
pub fn sold_out(rows: &[(Item, i64)], cart: &[Item]) -> Vec<Item> {
    cart.iter()
        .copied()
        .filter(|x| !rows.iter().any(|&(id, stock)| id == *x && stock >= 1))
        .collect()
}
