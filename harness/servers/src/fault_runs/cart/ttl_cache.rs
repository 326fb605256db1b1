//! `cart-reservation/ttl-reservation-cache` under faults: the write-up's reservation
//! map is in this process, one [`Cache`] behind one mutex shared by the clients (as
//! the bench's `CartWorkload` shares one map between its threads), with the model's
//! own map operations on it and a clock in ms from the run's start for expiry. Each
//! map step of the model holds the mutex.
//!
//! In the process, as the model checks: no sale goes through once its reservation no
//! longer holds every item of the cart live (`sale-requires-live-token`), and no
//! removal deletes another reservation's live entry (`remove-own-or-expired`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use locklab_models::cart_reservation::statements as cart;
use locklab_models::cart_reservation::{Cache, Entry, Item, Owner};
use locklab_models::sim::store::sql::Tag;
use tokio_postgres::Client;

use super::{cart_of, stock_rows, Sales, PAYMENT, READ_STOCK, THINK};
use crate::fault_runs::{bump, get};
use crate::faults::{read_ints, with_faults, Fault, FaultReport};
use crate::pg::PgConfig;

/// The reservation length, in ms of the run's clock: far longer than an order's
/// reserve-to-sale (a few ms here), as the rung requires (its sale is unguarded and
/// holds only while payments finish within the TTL).
const TTL_MS: u64 = 500;

/// What the clients saw, and the reservation map.
#[derive(Default)]
struct MapState {
    cache: tokio::sync::Mutex<Cache>,
    /// The ghost reservation ids (the model's `rid`).
    next_rid: AtomicU64,
    sales: Sales,
    /// Sales that returned when their reservation no longer held every item live.
    late_sales: AtomicU64,
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

impl MapState {
    /// The map, for one step.
    async fn cache(&self) -> tokio::sync::MutexGuard<'_, Cache> {
        self.cache.lock().await
    }

    /// The release by user id, one step; a removed live entry must be reservation
    /// `rid`'s own.
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

    /// A sale of reservation `rid`'s cart at `now`: it needed `rid`'s live entry on
    /// every item (the model's ghost check: which reservation wrote each entry,
    /// whatever its owner says).
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
}

/// `cart-reservation/ttl-reservation-cache`'s orders under `fault`, every item with
/// `stock` units to start with: the write-up's map with owner = user id and a
/// `TTL_MS` (500 ms) reservation, far longer than an order (the rung holds only while
/// payments finish within the TTL; a 1 ms payment here). Reserve; if refused, the
/// `catch` releases the cart by user id; `ORDER_STOCK`, and if an item is sold out the
/// `catch` releases; pay; `SELL` (no guard, autocommit); release by user id. A
/// statement that fails after the reservation (the connection killed) lands in the
/// `catch` too, which releases the cart by user id, as the write-up's `try`/`catch`
/// does.
pub fn ttl_cache_orders(
    cfg: &PgConfig,
    clients: usize,
    time: Duration,
    fault: &Fault,
    stock: i64,
) -> Result<FaultReport, String> {
    let state = Arc::new(MapState::default());
    let st = Arc::clone(&state);
    let op = move |client: Arc<Client>, me: usize, k: u64, start: Instant| {
        let s = Arc::clone(&st);
        async move {
            // A user's next order comes a moment after the last one ended (refused or
            // not), so that every client races for the freed items, not the last
            // holder alone.
            tokio::time::sleep(THINK).await;
            let now = || start.elapsed().as_millis() as u64;
            let cart = cart_of(me, k);
            let rid = s.next_rid.fetch_add(1, Ordering::SeqCst) as usize;
            let t = now();
            let entry = Entry {
                owner: Owner::User(me),
                expires_at: t + TTL_MS,
                reservation: rid,
            };
            if !reserve(&mut *s.cache().await, &cart, entry, t) {
                bump(&s.sales.refused);
                // "Being processed by another user": the `catch` releases anyway.
                s.release(&mut *s.cache().await, &cart, entry.owner, rid, now());
                return Ok(false);
            }
            let ordered = order(&s, &client, &cart, entry, &now).await;
            if ordered.is_err() {
                bump(&s.sales.failed_after_reserve);
                s.release(&mut *s.cache().await, &cart, entry.owner, rid, now());
            }
            ordered
        }
    };
    let read = |reader: Client| async move { read_ints(&reader, READ_STOCK).await };
    let (counters, rows) = with_faults(
        cfg,
        cart::setup(super::ITEMS, stock),
        clients,
        time,
        fault,
        op,
        read,
    )?;
    let invariant = map_held(&state, stock, &rows);
    Ok(counters.report("cart-reservation/ttl-reservation-cache", invariant))
}

/// A cart reserved with `entry`: its order, payment, the unguarded sale and the
/// release. `Ok(true)` if it sold.
async fn order(
    s: &MapState,
    client: &Client,
    cart: &[Item],
    entry: Entry,
    now: &impl Fn() -> u64,
) -> Result<bool, tokio_postgres::Error> {
    let (owner, rid) = (entry.owner, entry.reservation);
    if !s.sales.place_order(client, cart, now()).await? {
        // The write-up's `catch`.
        s.release(&mut *s.cache().await, cart, owner, rid, now());
        return Ok(false);
    }
    tokio::time::sleep(PAYMENT).await;
    // The write-up's sale: no re-check of the reservation, no guard.
    let sale = stock_rows(client, &cart::sell(cart), Tag::Update).await;
    s.sales.count_sale(cart, &sale);
    sale?;
    s.check_sale(&*s.cache().await, cart, rid, now());
    s.release(&mut *s.cache().await, cart, owner, rid, now());
    Ok(true)
}

fn map_held(s: &MapState, start: i64, stock: &[Vec<i64>]) -> Result<String, String> {
    let held = s.sales.stock_held(start, stock)?;
    let late = get(&s.late_sales);
    if late > 0 {
        return Err(format!(
            "{late} sales went through when their reservation no longer held every item \
             of the cart live (the rung's assumption, payments within the TTL, failed here)"
        ));
    }
    let foreign = get(&s.foreign_removals);
    if foreign > 0 {
        return Err(format!(
            "{foreign} removals deleted another reservation's live entry"
        ));
    }
    Ok(format!(
        "{held}; every sale held its reservation and no removal took another's live \
         entry; the unguarded SELL held within stock with a {TTL_MS} ms reservation (far \
         longer than a 1 ms payment: the rung holds only while payments finish within \
         the TTL); {} orders whose statement failed after the reservation were released \
         by the catch",
        get(&s.sales.failed_after_reserve)
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
        let (s, mut c) = (MapState::default(), Cache::default());
        assert!(reserve(&mut c, &[0, 1], entry(Owner::User(0), 0, 20), 0));
        assert!(!reserve(&mut c, &[1, 2], entry(Owner::User(1), 1, 30), 10));
        // Expired at 20: free, and overwritten.
        assert!(reserve(&mut c, &[1, 2], entry(Owner::User(1), 1, 40), 20));
        // Reservation 0's sale now finds item 1 taken by another: a late sale.
        s.check_sale(&c, &[0, 1], 0, 21);
        assert_eq!(get(&s.late_sales), 1);
        s.check_sale(&c, &[1, 2], 1, 21);
        assert_eq!(get(&s.late_sales), 1);
        // Releasing by its user id removes only user 0's own (expired) entry.
        s.release(&mut c, &[0, 1], Owner::User(0), 0, 21);
        assert!(c.get(0).is_none());
        assert_eq!(c.get(1).map(|e| e.reservation), Some(1));
        assert_eq!(get(&s.foreign_removals), 0);
    }

    #[test]
    fn removing_another_reservations_live_entry_is_counted() {
        let (s, mut c) = (MapState::default(), Cache::default());
        assert!(reserve(&mut c, &[0, 1], entry(Owner::User(0), 0, 20), 0));
        // The write-up's release by user id, from another order of the same user.
        s.release(&mut c, &[0, 1], Owner::User(0), 5, 10);
        assert_eq!(get(&s.foreign_removals), 2);
    }
}
