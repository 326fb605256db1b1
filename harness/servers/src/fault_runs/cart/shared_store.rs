//! `cart-reservation/shared-atomic-reservation` under faults: the shared store is the
//! `reservations` table of the shop's own database, driven by the model's statements
//! (`models/src/cart_reservation/statements.rs`), with a clock in ms from the run's
//! start passed as a parameter for expiry. Nothing of the store is in this process:
//! the server alone decides which cart is reserved, and a killed connection's
//! transaction is rolled back by the server.
//!
//! Besides the stock, the server's rows must show every reservation whose sale the
//! clients saw commit consumed: no row of its token left in the store (the sale's
//! token check and its stock decrement are one transaction, so a sale cannot commit
//! and leave its reservation behind).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use locklab_models::cart_reservation::statements as cart;
use locklab_models::cart_reservation::Item;
use tokio_postgres::Client;

use super::{cart_of, Sales, PAYMENT, READ_STOCK, THINK};
use crate::fault_runs::{bump, get};
use crate::faults::{read_ints, run_call, with_faults, Fault, FaultReport};
use crate::pg::PgConfig;

/// The reservation length, in ms of the run's clock: long against a fast order,
/// short enough that the rows a client left when its connection died lapse soon.
const TTL_MS: u64 = 20;
/// The slow payer (client 0, the model's X) pays this long: past its reservation, so
/// the sale's token check must refuse it.
const SLOW_PAYMENT: Duration = Duration::from_millis(TTL_MS + 5);

/// What the clients saw.
#[derive(Default)]
struct StoreState {
    /// The last token drawn (a reservation's token is the model's `rid + 1`).
    tokens: AtomicU64,
    sales: Sales,
    /// Sales refused by the token check (the slow payer's, mostly).
    token_lapsed: AtomicU64,
    /// Sales rolled back: `SELL_IF_IN_STOCK` found an item without a unit.
    rolled_back: AtomicU64,
    /// Tokens whose sale the clients saw commit.
    sold_tokens: Mutex<BTreeSet<u64>>,
}

/// `cart-reservation/shared-atomic-reservation`'s orders under `fault`, every item
/// with `stock` units to start with: a token per reservation and a `TTL_MS` (20 ms)
/// reservation; client 0 pays for 25 ms, past its reservation (the model's slow payer
/// X), the others 1 ms. Reserve (one transaction: `RESERVE_ITEM` per item in id
/// order, `ROLLBACK` if one is taken; refused: the order ends); `ORDER_STOCK`, and if
/// an item is sold out release by token; pay; the sale, one transaction: `CONSUME`
/// the token's live rows (fewer than the cart: `ROLLBACK`, release), then
/// `SELL_IF_IN_STOCK` (an item without a unit: `ROLLBACK`, release), `COMMIT`. A
/// client whose statement fails leaves its rows to lapse, as a crashed tab does.
pub fn shared_reservation_orders(
    cfg: &PgConfig,
    clients: usize,
    time: Duration,
    fault: &Fault,
    stock: i64,
) -> Result<FaultReport, String> {
    let state = Arc::new(StoreState::default());
    let st = Arc::clone(&state);
    let op = move |client: Arc<Client>, me: usize, k: u64, start: Instant| {
        let s = Arc::clone(&st);
        async move {
            // A user's next order comes a moment after the last one ended.
            tokio::time::sleep(THINK).await;
            let now = || start.elapsed().as_millis() as u64;
            let cart = cart_of(me, k);
            let token = s.tokens.fetch_add(1, Ordering::SeqCst) + 1;
            if !reserve(&client, &cart, token, now()).await? {
                bump(&s.sales.refused);
                return Ok(false);
            }
            let ordered = order(&s, &client, me, &cart, token, &now).await;
            if ordered.is_err() {
                bump(&s.sales.failed_after_reserve);
            }
            ordered
        }
    };
    let read = |reader: Client| async move {
        let stock = read_ints(&reader, READ_STOCK).await?;
        let left = read_ints(&reader, "SELECT token FROM reservations ORDER BY token").await?;
        Ok((stock, left))
    };
    let (counters, (stock_rows, left)) = with_faults(
        cfg,
        cart::setup_with_store(super::ITEMS, stock, true),
        clients,
        time,
        fault,
        op,
        read,
    )?;
    let invariant = store_held(&state, stock, &stock_rows, &left);
    Ok(counters.report("cart-reservation/shared-atomic-reservation", invariant))
}

/// The whole cart reserved for `token` at `now` in one transaction: whether it was.
async fn reserve(
    client: &Client,
    cart: &[Item],
    token: u64,
    now: u64,
) -> Result<bool, tokio_postgres::Error> {
    run_call(client, &cart::begin()).await?;
    for x in cart::in_lock_order(cart) {
        let call = cart::reserve_item(x, token, now + TTL_MS, now);
        if run_call(client, &call).await? == 0 {
            run_call(client, &cart::rollback()).await?;
            return Ok(false);
        }
    }
    run_call(client, &cart::commit()).await?;
    Ok(true)
}

/// A cart reserved under `token`: its order, payment and sale, releasing the token
/// if the order or the sale is refused. `Ok(true)` if it sold.
async fn order(
    s: &StoreState,
    client: &Client,
    me: usize,
    cart: &[Item],
    token: u64,
    now: &impl Fn() -> u64,
) -> Result<bool, tokio_postgres::Error> {
    if !s.sales.place_order(client, cart, now()).await? {
        run_call(client, &cart::release(cart, token)).await?;
        return Ok(false);
    }
    tokio::time::sleep(if me == 0 { SLOW_PAYMENT } else { PAYMENT }).await;
    let whole = cart.len() as u64;
    run_call(client, &cart::begin()).await?;
    let refused = if run_call(client, &cart::consume(cart, token, now())).await? < whole {
        Some(&s.token_lapsed)
    } else if run_call(client, &cart::sell_if_in_stock(cart)).await? < whole {
        Some(&s.rolled_back)
    } else {
        None
    };
    if let Some(counter) = refused {
        run_call(client, &cart::rollback()).await?;
        bump(counter);
        run_call(client, &cart::release(cart, token)).await?;
        return Ok(false);
    }
    let commit = run_call(client, &cart::commit()).await;
    s.sales.count_sale(cart, &commit);
    commit?;
    s.sold_tokens
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(token);
    Ok(true)
}

fn store_held(
    s: &StoreState,
    start: i64,
    stock: &[Vec<i64>],
    left: &[Vec<i64>],
) -> Result<String, String> {
    let held = s.sales.stock_held(start, stock)?;
    let sold = s.sold_tokens.lock().unwrap_or_else(|p| p.into_inner());
    let unconsumed: Vec<i64> = left
        .iter()
        .filter_map(|row| row.first().copied())
        .filter(|&t| sold.contains(&(t as u64)))
        .collect();
    if !unconsumed.is_empty() {
        return Err(format!(
            "the store still holds rows of tokens whose sale committed: {unconsumed:?}"
        ));
    }
    Ok(format!(
        "{held}; every reservation whose sale committed was consumed ({} sales, {} rows \
         left in the store); {} sales refused by the token check (client 0 pays past its \
         {TTL_MS} ms reservation), {} rolled back by the stock guard; {} orders whose \
         statement failed left their rows to lapse",
        sold.len(),
        left.len(),
        get(&s.token_lapsed),
        get(&s.rolled_back),
        get(&s.sales.failed_after_reserve)
    ))
}
