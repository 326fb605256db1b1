//! The cart reservation's correct rungs under faults: `ttl-reservation-cache` (the
//! write-up's in-process map, the unguarded autocommit sale; [`ttl_cache_orders`])
//! and `shared-atomic-reservation` (the shared store as rows of the shop's database,
//! a token per reservation, the sale consuming them and selling under `stock > 0` in
//! one transaction; [`shared_reservation_orders`]). The shop's stock is in PostgreSQL.
//!
//! Each client orders a cart of two of three items (every two carts overlap, so the
//! clients race for items), one order a millisecond after the last ended, until the
//! run ends: reserve, place the order (`ORDER_STOCK`, refused if an item is sold
//! out), "pay" (a sleep), sell, release, in the model's order for its rung
//! (`models/src/cart_reservation/user.rs`). Every item starts with the same stock,
//! which the caller picks small enough to run out during the run, so the later
//! orders are refused as sold out.
//!
//! The server's rows must show no item below zero (none sold beyond its stock) and,
//! per item, units sold between the sales the clients saw commit and those plus the
//! sales in doubt (the connection died with the sale's commit in flight); each rung
//! adds what its own store must show.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use locklab_models::cart_reservation::statements as cart;
use locklab_models::cart_reservation::Item;
use locklab_models::sim::store::sql::{Call, Outcome, Tag, Value};
use tokio_postgres::Client;

use super::{bump, get, Commits};
use crate::faults::query_call;

mod shared_store;
mod ttl_cache;

pub use shared_store::shared_reservation_orders;
pub use ttl_cache::ttl_cache_orders;

/// Items in the shop; every cart holds two of them, so every two carts overlap.
const ITEMS: usize = 3;
/// A payment, the "pay" between the order and the sale.
const PAYMENT: Duration = Duration::from_millis(1);
/// Between one order of a client and its next.
const THINK: Duration = Duration::from_millis(1);

/// Client `me`'s `k`th cart: two of the three items, so every two carts overlap.
fn cart_of(me: usize, k: u64) -> [Item; 2] {
    let first = (me + k as usize) % ITEMS;
    [first, (first + 1) % ITEMS]
}

/// What the clients of either run saw of the shop: the sales, and the orders refused.
#[derive(Default)]
struct Sales {
    /// Per item, the sales of a cart holding it that the clients saw commit, and those
    /// in doubt.
    sold: [Commits; ITEMS],
    /// Reservations refused: an item of the cart had a live entry.
    refused: AtomicU64,
    /// Orders refused by `ORDER_STOCK`: an item of the cart was sold out.
    sold_out: AtomicU64,
    /// When an order was first refused as sold out, in ms of the run (0: never).
    sold_out_at: AtomicU64,
    /// Orders whose statement failed after the reservation.
    failed_after_reserve: AtomicU64,
}

impl Sales {
    /// Counts the sale's committing statement for every item of the cart.
    fn count_sale<T, E>(&self, cart: &[Item], commit: &Result<T, E>) {
        for &x in cart {
            self.sold[x].count(commit);
        }
    }

    /// `placeOrder`'s stock check on `client` at `now_ms`: whether every item of
    /// `cart` has a unit left (a sold-out order is counted).
    async fn place_order(
        &self,
        client: &Client,
        cart: &[Item],
        now_ms: u64,
    ) -> Result<bool, tokio_postgres::Error> {
        let rows = stock_rows(client, &cart::order_stock(cart), Tag::Select).await?;
        if cart::sold_out(&rows, cart).is_empty() {
            return Ok(true);
        }
        bump(&self.sold_out);
        let _ =
            self.sold_out_at
                .compare_exchange(0, now_ms.max(1), Ordering::SeqCst, Ordering::SeqCst);
        Ok(false)
    }

    /// The stock the server holds at the end, against what the clients saw: no item
    /// below zero, and per item the units sold within the sales seen commit and those
    /// in doubt. What held, or what did not.
    fn stock_held(&self, start: i64, stock: &[Vec<i64>]) -> Result<String, String> {
        if stock.len() != ITEMS {
            return Err(format!(
                "{} items where the set-up made {ITEMS}",
                stock.len()
            ));
        }
        let mut held = Vec::new();
        let (mut known, mut in_doubt) = (0, 0);
        for (x, row) in stock.iter().enumerate() {
            let &[id, left] = row.as_slice() else {
                return Err(format!("item {x} reads {row:?}"));
            };
            if id != x as i64 {
                return Err(format!("item {id} where item {x} was expected"));
            }
            if left < 0 {
                return Err(format!(
                    "item {x} sold beyond its stock: {left} left of {start} ({} sales seen \
                     commit, {} in doubt)",
                    self.sold[x].known(),
                    self.sold[x].in_doubt()
                ));
            }
            let sold = self.sold[x].within(&format!("item {x}"), start - left, 1)?;
            known += self.sold[x].known();
            in_doubt += self.sold[x].in_doubt();
            held.push(format!("item {x}: {left} left, {sold} sold"));
        }
        let sold_out = match get(&self.sold_out_at) {
            0 => "none refused as sold out (the stock lasted the run)".to_owned(),
            at => format!(
                "{} orders refused as sold out (the first at {at} ms)",
                get(&self.sold_out)
            ),
        };
        Ok(format!(
            "no item sold beyond its stock of {start} ({}), per item within the sales seen \
             commit and in doubt ({known} item-sales acknowledged, {in_doubt} in doubt); \
             {sold_out}; {} reservations refused (an item taken)",
            held.join(", "),
            get(&self.refused),
        ))
    }
}

/// The `(item, stock)` rows a stock statement returned, through the model's
/// [`cart::stock_rows`].
async fn stock_rows(
    client: &Client,
    call: &Call,
    tag: Tag,
) -> Result<Vec<(Item, i64)>, tokio_postgres::Error> {
    let rows = query_call(client, call).await?;
    let outcome = Outcome {
        tag,
        affected: rows.len() as u64,
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    Value::Int(r.get::<_, i32>(0).into()),
                    Value::Int(r.get::<_, i64>(1)),
                ]
            })
            .collect(),
    };
    Ok(cart::stock_rows(&outcome))
}

/// The final stock, as the runs read it back.
const READ_STOCK: &str = "SELECT id, stock FROM items ORDER BY id";
