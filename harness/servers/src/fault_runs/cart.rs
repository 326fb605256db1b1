//! The cart reservation's correct rungs under faults: `ttl-reservation-cache` (the
//! write-up's in-process map, the unguarded autocommit sale) and
//! `shared-atomic-reservation` (a token per reservation, the sale re-checking it and
//! selling under `stock > 0` in one transaction). The shop's stock is in PostgreSQL;
//! the reservation map is in this process, one [`Cache`] behind one mutex shared by
//! the clients, as the bench's `CartWorkload` shares one map between its threads,
//! with the model's own map operations on it and a clock in ms from the run's start
//! for expiry. Each map step of the model holds the mutex; so does the correct fix's
//! sale, which is one step of the model over the map and the database (the token
//! check, the transaction, the reservation consumed), as the workload's store lock
//! spans it: the mutex is tokio's, held across that step's statements.
//!
//! Each client orders a cart of two of three items (every two carts overlap, so the
//! clients race for items), one order a millisecond after the last ended, until the
//! run ends: reserve (one step on the map), place
//! the order (`ORDER_STOCK`, refused if an item is sold out), "pay" (a sleep), sell,
//! release, in the model's order for its rung (`models/src/cart_reservation/user.rs`).
//! Every item starts with the same stock, which the caller picks small enough to run
//! out during the run, so the later orders are refused as sold out.
//!
//! The server's rows must show no item below zero (none sold beyond its stock) and,
//! per item, units sold between the sales the clients saw commit and those plus the
//! sales in doubt (the connection died with the sale's commit in flight). In the
//! process, as the model checks: no sale goes through once its reservation no longer
//! holds every item of the cart live (`sale-requires-live-token`), and no removal
//! deletes another reservation's live entry (`remove-own-or-expired`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use locklab_models::cart_reservation::statements as cart;
use locklab_models::cart_reservation::{Cache, Entry, Item, Owner};
use locklab_models::sim::store::sql::{Call, Outcome, Tag, Value};
use tokio_postgres::Client;

use super::{bump, get, Commits};
use crate::faults::{query_call, read_ints, run_call, with_faults, Fault, FaultReport};
use crate::pg::PgConfig;

/// Items in the shop; every cart holds two of them, so every two carts overlap.
const ITEMS: usize = 3;
/// A payment, the "pay" between the order and the sale.
const PAYMENT: Duration = Duration::from_millis(1);
/// Between one order of a client and its next.
const THINK: Duration = Duration::from_millis(1);

/// The reservation length of the ttl-reservation-cache run, in ms of the run's clock:
/// far longer than an order's reserve-to-sale (a few ms here), as the rung requires
/// (its sale is unguarded and holds only while payments finish within the TTL).
const CACHE_TTL_MS: u64 = 500;
/// The reservation length of the shared-atomic run: long against a fast order, short
/// enough that the entries a client left when its connection died lapse soon.
const SHARED_TTL_MS: u64 = 20;
/// The shared-atomic run's slow payer (client 0, the model's X) pays this long: past
/// its reservation, so the sale's token check must refuse it.
const SLOW_PAYMENT: Duration = Duration::from_millis(SHARED_TTL_MS + 5);

/// Which cart-reservation rung a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rung {
    /// The write-up's map: owner = user id, the `catch` releases by user id, the sale
    /// is `SELL` (autocommit, no guard) and the release follows it.
    TtlCache,
    /// The correct fix: owner = the reservation's token, the sale checks the token
    /// and runs `BEGIN; SELL_IF_IN_STOCK; COMMIT` (or `ROLLBACK`), then consumes the
    /// reservation; a refused order or sale releases by token.
    SharedAtomic,
}

impl Rung {
    fn name(self) -> &'static str {
        match self {
            Rung::TtlCache => "cart-reservation/ttl-reservation-cache",
            Rung::SharedAtomic => "cart-reservation/shared-atomic-reservation",
        }
    }

    fn ttl_ms(self) -> u64 {
        match self {
            Rung::TtlCache => CACHE_TTL_MS,
            Rung::SharedAtomic => SHARED_TTL_MS,
        }
    }
}

/// What the clients of a cart run saw, and the reservation map.
#[derive(Default)]
struct CartState {
    cache: tokio::sync::Mutex<Cache>,
    /// The ghost reservation ids (the model's `rid`; the token is `rid + 1`).
    next_rid: AtomicU64,
    /// Per item, the sales of a cart holding it that the clients saw commit, and those
    /// in doubt.
    sold: [Commits; ITEMS],
    /// Reservations refused: an item of the cart had a live entry.
    refused: AtomicU64,
    /// Orders refused by `ORDER_STOCK`: an item of the cart was sold out.
    sold_out: AtomicU64,
    /// Shared-atomic sales refused by the token check (the slow payer's, mostly).
    token_lapsed: AtomicU64,
    /// Shared-atomic sales rolled back: `SELL_IF_IN_STOCK` found an item without a unit.
    rolled_back: AtomicU64,
    /// Orders whose statement failed after the reservation: the write-up's `catch`
    /// released the cart (ttl cache), or the entries were left to lapse (shared).
    failed_after_reserve: AtomicU64,
    /// Sales that returned when their reservation no longer held every item live.
    late_sales: AtomicU64,
    /// When an order was first refused as sold out, in ms of the run (0: never).
    sold_out_at: AtomicU64,
    /// Removals of another reservation's live entry.
    foreign_removals: AtomicU64,
}

/// The whole cart, checked and reserved in one step: whether it was.
fn reserve(cache: &mut Cache, cart: &[Item], entry: Entry, now: u64) -> bool {
    if cart::taken(cache, cart, now, false) {
        return false;
    }
    for &x in cart {
        cart::lock_item(cache, x, entry);
    }
    true
}

impl CartState {
    /// The map, for one step.
    async fn cache(&self) -> tokio::sync::MutexGuard<'_, Cache> {
        self.cache.lock().await
    }

    /// The release by owner (user id or token), one step; a removed live entry must
    /// be reservation `rid`'s own.
    fn release(&self, cache: &mut Cache, cart: &[Item], owner: Owner, rid: usize, now: u64) {
        let removed = cart::remove_owned(cache, cart, owner);
        self.check_removed(removed.iter().map(|(_, e)| e), rid, now);
    }

    fn check_removed<'a>(&self, removed: impl Iterator<Item = &'a Entry>, rid: usize, now: u64) {
        for e in removed {
            if e.live(now) && e.reservation != rid {
                bump(&self.foreign_removals);
            }
        }
    }

    /// A sale of reservation `rid`'s cart at `now`: it needed `rid`'s live
    /// entry on every item (the model's ghost check: which reservation wrote each
    /// entry, whatever its owner says).
    fn check_sale(&self, cache: &Cache, cart: &[Item], rid: usize, now: u64) {
        let held = cart.iter().all(|&x| {
            cache
                .get(x)
                .is_some_and(|e| e.reservation == rid && e.live(now))
        });
        if !held {
            bump(&self.late_sales);
        }
    }

    /// Counts the sale's committing statement for every item of the cart.
    fn count_sale<T, E>(&self, cart: &[Item], commit: &Result<T, E>) {
        for &x in cart {
            self.sold[x].count(commit);
        }
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

/// `cart-reservation/ttl-reservation-cache`'s orders under `fault`, every item with
/// `stock` units to start with: the write-up's
/// map with owner = user id and a `CACHE_TTL_MS` (500 ms) reservation, far longer
/// than an order (the rung holds only while payments finish within the TTL; a 1 ms
/// payment here). Reserve; if refused, the `catch` releases the cart by user id;
/// `ORDER_STOCK`, and if an item is sold out the `catch` releases; pay; `SELL` (no
/// guard, autocommit); release by user id. A statement that fails after the
/// reservation (the connection killed) lands in the `catch` too, which releases the
/// cart by user id, as the write-up's `try`/`catch` does.
pub fn ttl_cache_orders(
    cfg: &PgConfig,
    clients: usize,
    time: Duration,
    fault: &Fault,
    stock: i64,
) -> Result<FaultReport, String> {
    cart_orders(Rung::TtlCache, cfg, clients, time, fault, stock)
}

/// `cart-reservation/shared-atomic-reservation`'s orders under `fault`, every item
/// with `stock` units to start with: the map with
/// a token per reservation and a `SHARED_TTL_MS` (20 ms) reservation; client 0 pays
/// for 25 ms, past its reservation (the model's slow payer X), the others 1 ms.
/// Reserve (refused: the order ends); `ORDER_STOCK`, and if an item is sold out
/// release by token; pay; the sale: the token check on the map (refused: release by
/// token), `BEGIN; SELL_IF_IN_STOCK` (an item without a unit: `ROLLBACK`, release by
/// token), `COMMIT`, then the cart's entries removed (the reservation consumed). A
/// client whose statement fails leaves its entries to lapse, as a crashed tab does.
///
/// The sale is one step over the map and the database, as in the model: the map is
/// held from the token check until the reservation is consumed, and the sale is
/// judged at the time of its token check (so the map's entries cannot change under
/// it, however long its statements take).
pub fn shared_reservation_orders(
    cfg: &PgConfig,
    clients: usize,
    time: Duration,
    fault: &Fault,
    stock: i64,
) -> Result<FaultReport, String> {
    cart_orders(Rung::SharedAtomic, cfg, clients, time, fault, stock)
}

fn cart_orders(
    rung: Rung,
    cfg: &PgConfig,
    clients: usize,
    time: Duration,
    fault: &Fault,
    stock: i64,
) -> Result<FaultReport, String> {
    let state = Arc::new(CartState::default());
    let st = Arc::clone(&state);
    let op = move |client: Arc<Client>, me: usize, k: u64, start: Instant| {
        let s = Arc::clone(&st);
        async move {
            // A user's next order comes a moment after the last one ended (refused or
            // not), so that every client races for the freed items, not the last
            // holder alone.
            tokio::time::sleep(THINK).await;
            let now = || start.elapsed().as_millis() as u64;
            let first = (me + k as usize) % ITEMS;
            let cart = [first, (first + 1) % ITEMS];
            let rid = s.next_rid.fetch_add(1, Ordering::SeqCst) as usize;
            // The write-up's owner is the user id; the correct fix's, the token.
            let owner = match rung {
                Rung::TtlCache => Owner::User(me),
                Rung::SharedAtomic => Owner::Token(rid as u64 + 1),
            };
            let t = now();
            let entry = Entry {
                owner,
                expires_at: t + rung.ttl_ms(),
                reservation: rid,
            };
            if !reserve(&mut *s.cache().await, &cart, entry, t) {
                bump(&s.refused);
                if rung == Rung::TtlCache {
                    // "Being processed by another user": the `catch` releases anyway.
                    s.release(&mut *s.cache().await, &cart, owner, rid, now());
                }
                return Ok(false);
            }
            let ordered = order(&s, rung, &client, me, &cart, entry, &now).await;
            if ordered.is_err() {
                bump(&s.failed_after_reserve);
                if rung == Rung::TtlCache {
                    s.release(&mut *s.cache().await, &cart, owner, rid, now());
                }
            }
            ordered
        }
    };
    let read = |reader: Client| async move {
        read_ints(&reader, "SELECT id, stock FROM items ORDER BY id").await
    };
    let (counters, rows) = with_faults(
        cfg,
        cart::setup(ITEMS, stock),
        clients,
        time,
        fault,
        op,
        read,
    )?;
    let invariant = cart_held(&state, rung, stock, &rows);
    Ok(counters.report(rung.name(), invariant))
}

/// A cart reserved with `entry`: its order, payment, sale and release, in the rung's
/// order. `Ok(true)` if it sold.
async fn order(
    s: &CartState,
    rung: Rung,
    client: &Client,
    me: usize,
    cart: &[Item],
    entry: Entry,
    now: &impl Fn() -> u64,
) -> Result<bool, tokio_postgres::Error> {
    let (owner, rid) = (entry.owner, entry.reservation);
    let rows = stock_rows(client, &cart::order_stock(cart), Tag::Select).await?;
    if !cart::sold_out(&rows, cart).is_empty() {
        bump(&s.sold_out);
        let _ = s
            .sold_out_at
            .compare_exchange(0, now().max(1), Ordering::SeqCst, Ordering::SeqCst);
        // The write-up's `catch`, or the correct fix's release of its token.
        s.release(&mut *s.cache().await, cart, owner, rid, now());
        return Ok(false);
    }
    let slow = rung == Rung::SharedAtomic && me == 0;
    tokio::time::sleep(if slow { SLOW_PAYMENT } else { PAYMENT }).await;
    match rung {
        Rung::TtlCache => {
            // The write-up's sale: no re-check of the reservation, no guard.
            let sale = stock_rows(client, &cart::sell(cart), Tag::Update).await;
            s.count_sale(cart, &sale);
            sale?;
            s.check_sale(&*s.cache().await, cart, rid, now());
            s.release(&mut *s.cache().await, cart, owner, rid, now());
            Ok(true)
        }
        Rung::SharedAtomic => {
            // One step, the map held throughout, at one time (as the model's step):
            // the token check, the transaction, the reservation consumed. A statement
            // that fails leaves the entries to lapse.
            let mut cache = s.cache().await;
            let t = now();
            if !cart::lapsed(&cache, cart, owner, t).is_empty() {
                bump(&s.token_lapsed);
                s.release(&mut cache, cart, owner, rid, t);
                return Ok(false);
            }
            run_call(client, &cart::begin()).await?;
            let after = stock_rows(client, &cart::sell_if_in_stock(cart), Tag::Update).await?;
            if after.len() < cart.len() {
                run_call(client, &cart::rollback()).await?;
                bump(&s.rolled_back);
                s.release(&mut cache, cart, owner, rid, t);
                return Ok(false);
            }
            let commit = run_call(client, &cart::commit()).await;
            s.count_sale(cart, &commit);
            commit?;
            s.check_sale(&cache, cart, rid, t);
            // The reservation is consumed: each entry removed by key.
            let removed: Vec<Entry> = cart
                .iter()
                .filter_map(|&x| cart::remove_entry(&mut cache, x))
                .collect();
            s.check_removed(removed.iter(), rid, t);
            Ok(true)
        }
    }
}

fn cart_held(s: &CartState, rung: Rung, start: i64, stock: &[Vec<i64>]) -> Result<String, String> {
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
                s.sold[x].known(),
                s.sold[x].in_doubt()
            ));
        }
        let sold = s.sold[x].within(&format!("item {x}"), start - left, 1)?;
        known += s.sold[x].known();
        in_doubt += s.sold[x].in_doubt();
        held.push(format!("item {x}: {left} left, {sold} sold"));
    }
    let late = get(&s.late_sales);
    if late > 0 {
        let why = match rung {
            Rung::TtlCache => " (the rung's assumption, payments within the TTL, failed here)",
            Rung::SharedAtomic => "",
        };
        return Err(format!(
            "{late} sales went through when their reservation no longer held every item \
             of the cart live{why}"
        ));
    }
    let foreign = get(&s.foreign_removals);
    if foreign > 0 {
        return Err(format!(
            "{foreign} removals deleted another reservation's live entry"
        ));
    }
    let sales = match rung {
        Rung::TtlCache => format!(
            "the unguarded SELL held within stock with a {CACHE_TTL_MS} ms reservation \
             (far longer than a 1 ms payment: the rung holds only while payments finish \
             within the TTL); {} orders whose statement failed after the reservation \
             were released by the catch",
            get(&s.failed_after_reserve)
        ),
        Rung::SharedAtomic => format!(
            "{} sales refused by the token check (client 0 pays past its {SHARED_TTL_MS} \
             ms reservation), {} rolled back by the stock guard; {} orders whose \
             statement failed left their entries to lapse",
            get(&s.token_lapsed),
            get(&s.rolled_back),
            get(&s.failed_after_reserve)
        ),
    };
    let sold_out = match get(&s.sold_out_at) {
        0 => "none refused as sold out (the stock lasted the run)".to_owned(),
        at => format!(
            "{} orders refused as sold out (the first at {at} ms)",
            get(&s.sold_out)
        ),
    };
    Ok(format!(
        "no item sold beyond its stock of {start} ({}), per item within the sales seen \
         commit and in doubt ({known} item-sales acknowledged, {in_doubt} in doubt); \
         every sale held its reservation and no removal took another's live entry; \
         {sold_out}; {} reservations refused (an item taken); {sales}",
        held.join(", "),
        get(&s.refused),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(owner: Owner, reservation: usize, expires_at: u64) -> Entry {
        Entry {
            owner,
            expires_at,
            reservation,
        }
    }

    #[test]
    fn an_overlapping_cart_is_refused_while_live_and_reserved_once_expired() {
        let (s, mut c) = (CartState::default(), Cache::default());
        assert!(reserve(&mut c, &[0, 1], entry(Owner::Token(1), 0, 20), 0));
        assert!(!reserve(&mut c, &[1, 2], entry(Owner::Token(2), 1, 30), 10));
        // Expired at 20: free, and overwritten.
        assert!(reserve(&mut c, &[1, 2], entry(Owner::Token(2), 1, 40), 20));
        // Reservation 0's sale now finds item 1 taken by another: a late sale.
        s.check_sale(&c, &[0, 1], 0, 21);
        assert_eq!(get(&s.late_sales), 1);
        s.check_sale(&c, &[1, 2], 1, 21);
        assert_eq!(get(&s.late_sales), 1);
        // Releasing by its token removes only reservation 0's own (expired) entry.
        s.release(&mut c, &[0, 1], Owner::Token(1), 0, 21);
        assert!(c.get(0).is_none());
        assert_eq!(c.get(1).map(|e| e.reservation), Some(1));
        assert_eq!(get(&s.foreign_removals), 0);
    }

    #[test]
    fn removing_another_reservations_live_entry_is_counted() {
        let (s, mut c) = (CartState::default(), Cache::default());
        assert!(reserve(&mut c, &[0, 1], entry(Owner::User(0), 0, 20), 0));
        // The write-up's release by user id, from another order of the same user.
        s.release(&mut c, &[0, 1], Owner::User(0), 5, 10);
        assert_eq!(get(&s.foreign_removals), 2);
    }
}
