//! What the tabs (and the sweeper) do to the write-up's reservation map, one function
//! per operation of the map; the SQL of the correct fix's shared store; and the SQL
//! the shop runs on its stock. The model's steps call these, and so does
//! [`super::CartWorkload`] on OS threads: the bench runs the statements that were
//! checked. A step may run several of them (the write-up's synchronous pass over the
//! map, the shared store's transaction); the property checks and the ghost state
//! around them stay in the steps.

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

/// The correct fix's shared reservation store, in the shop's database: one row per
/// reserved item, the reservation's token and when it expires (in the caller's clock:
/// ticks in the model, ms on a server). An expired row stays until something deletes
/// or overwrites it, as the write-up's map keeps its entries.
pub const CREATE_RESERVATIONS: &str = "CREATE TABLE reservations \
     (item int PRIMARY KEY, token bigint NOT NULL, expires_at bigint NOT NULL)";
/// Reserves one item for a token, inside the transaction that reserves the whole cart
/// (`$4` is now): inserted if free, taken over if its row has expired, untouched (0
/// rows) if another reservation's row is live. A row being written by a transaction
/// still in progress is waited for, then judged as it ended.
pub const RESERVE_ITEM: &str = "INSERT INTO reservations VALUES ($1, $2, $3) \
     ON CONFLICT (item) DO UPDATE SET token = EXCLUDED.token, expires_at = EXCLUDED.expires_at \
     WHERE reservations.expires_at <= $4";
/// The sale's token check, inside the sale's transaction: consumes the cart's rows
/// that still carry the token unexpired (`$5` is now). Fewer rows than items: the
/// reservation lapsed, and the transaction rolls back.
pub const CONSUME: &str = "DELETE FROM reservations \
     WHERE (item = $1 OR item = $2 OR item = $3) AND token = $4 AND expires_at > $5 \
     RETURNING item, expires_at";
/// The release: deletes the cart's rows that still carry the token, live or expired.
pub const RELEASE: &str = "DELETE FROM reservations \
     WHERE (item = $1 OR item = $2 OR item = $3) AND token = $4 RETURNING item, expires_at";
/// The sweeper's find (`$1` is now): the expired rows, with the token each carries.
pub const FIND_EXPIRED: &str =
    "SELECT item, token, expires_at FROM reservations WHERE expires_at <= $1 ORDER BY item";
/// The sweeper's delete of one row it found: only if it still carries the token it
/// found and has expired (`$3` is now).
pub const DELETE_EXPIRED: &str = "DELETE FROM reservations \
     WHERE item = $1 AND token = $2 AND expires_at <= $3 RETURNING item, expires_at";

/// The set-up of a fresh database: every item with `stock` units.
pub fn setup(items: usize, stock: i64) -> Vec<(&'static str, Vec<Value>)> {
    let mut setup = vec![(CREATE_ITEMS, vec![])];
    setup.extend((0..items).map(|x| (INSERT_ITEM, vec![Value::Int(x as i64), Value::Int(stock)])));
    setup
}

/// [`setup`], and the shared reservation store when the protocol keeps one.
pub fn setup_with_store(items: usize, stock: i64, shared: bool) -> Vec<(&'static str, Vec<Value>)> {
    let mut setup = setup(items, stock);
    if shared {
        setup.push((CREATE_RESERVATIONS, vec![]));
    }
    setup
}

/// Parses every statement now (once per process), so no engine's task parses on its
/// small coroutine stack or counts the parse as part of a step.
pub fn prepare() {
    for _ in [
        order_stock(&[0]),
        sell(&[0]),
        sell_if_in_stock(&[0]),
        reserve_item(0, 1, 1, 0),
        consume(&[0], 1, 0),
        release(&[0], 1),
        find_expired(0),
        delete_expired(0, 1, 0),
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

/// The items of `cart` in the order the reserving transaction takes their rows: by
/// id, so that two overlapping carts never wait for each other in a cycle on a real
/// server.
pub fn in_lock_order(cart: &[Item]) -> Vec<Item> {
    let mut items = cart.to_vec();
    items.sort_unstable();
    items
}

/// [`RESERVE_ITEM`]: `item` for `token` until `until`, at `now`.
pub fn reserve_item(item: Item, token: u64, until: Tick, now: Tick) -> Call {
    sql_call!(RESERVE_ITEM, item, token, until, now)
}

/// [`CONSUME`] of `cart` by `token`, at `now`.
pub fn consume(cart: &[Item], token: u64, now: Tick) -> Call {
    let [a, b, c] = cart_ids(cart);
    sql_call!(CONSUME, a, b, c, token, now)
}

/// [`RELEASE`] of `cart` by `token`.
pub fn release(cart: &[Item], token: u64) -> Call {
    let [a, b, c] = cart_ids(cart);
    sql_call!(RELEASE, a, b, c, token)
}

/// [`FIND_EXPIRED`] at `now`.
pub fn find_expired(now: Tick) -> Call {
    sql_call!(FIND_EXPIRED, now)
}

/// [`DELETE_EXPIRED`] of `item` if it still carries `token`, at `now`.
pub fn delete_expired(item: Item, token: u64, now: Tick) -> Call {
    sql_call!(DELETE_EXPIRED, item, token, now)
}

/// The `(item, expires_at)` rows a [`CONSUME`], [`RELEASE`] or [`DELETE_EXPIRED`]
/// removed, by item.
pub fn removed_rows(o: &Outcome) -> Vec<(Item, Tick)> {
    let mut rows: Vec<(Item, Tick)> = o
        .rows
        .iter()
        .filter_map(|r| match r.as_slice() {
            [Value::Int(item), Value::Int(until)] => Some((*item as Item, *until as Tick)),
            _ => None,
        })
        .collect();
    rows.sort_unstable();
    rows
}

/// The `(item, token, expires_at)` rows of [`FIND_EXPIRED`] (or of the
/// `reservations` table), by item.
pub fn reservation_rows(rows: &[Vec<Value>]) -> Vec<(Item, u64, Tick)> {
    let mut found: Vec<(Item, u64, Tick)> = rows
        .iter()
        .filter_map(|r| match r.as_slice() {
            [Value::Int(item), Value::Int(token), Value::Int(until)] => {
                Some((*item as Item, *token as u64, *until as Tick))
            }
            _ => None,
        })
        .collect();
    found.sort_unstable();
    found
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
