//! The instance coordinator's lease rungs under faults: bot instances buying pets
//! under the atomic lease on `locks` and the shop's fence (`fenced-lease`), or under
//! the write-up's expiring lock rows (`expiring-lock-table`); the balances and pets
//! read back from the server, the leases granted checked for overlaps. What the
//! single transaction's rungs share with them (the read-back, the profile snapshot)
//! is here too.

mod expiring;
mod fenced;

pub use expiring::expiring_lock_purchases;
pub use fenced::fenced_purchases;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};

use locklab_models::instance_coordinator::statements::locks::{self, ReleaseBy};
use locklab_models::instance_coordinator::statements::{self as coordinator, shop};
use locklab_models::instance_coordinator::{Config as ShopConfig, Fence, Protocol};
use locklab_models::sim::store::sql::{Call, Value};
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

use super::{bump, get, Commits};
use crate::faults::{
    query_call, query_one_call, read_ints, run_call, with_faults, Fault, FaultReport,
};
use crate::pg::PgConfig;

/// A lease a client was granted, as it believes it holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Grant {
    token: i64,
    /// The `$now` its acquire sent, in ms of the run.
    sent_ms: u64,
    /// When its acquire returned, in µs of the run: the holder believes it holds
    /// the lease from here on.
    from_us: u64,
    /// Its lease ends here (`$now + lease`), in ms of the run.
    until_ms: u64,
    released: bool,
}

/// What the clients of the fenced-lease run saw, and the shop's memory.
#[derive(Default)]
struct ShopState {
    /// The sequence the tokens come from (the model's `next_token`).
    next_token: AtomicU64,
    /// Per lock key, the shop's fence register: the shop checks a fence and applies
    /// the write under it as one step, as the model's step does.
    fences: StdMutex<HashMap<String, Arc<tokio::sync::Mutex<Fence>>>>,
    /// Per lock key, the leases granted.
    grants: StdMutex<HashMap<String, Vec<Grant>>>,
    /// Grants while another client's lease on the key was live and not released:
    /// (key, the grant, the other's).
    overlaps: StdMutex<Vec<(String, Grant, Grant)>>,
    /// Grants whose `$now` came before another unreleased lease on the key ended,
    /// though they returned after it had (sent before it lapsed, run after).
    stale_now: AtomicU64,
    commands: AtomicU64,
    /// Purchases the clients saw commit, and in doubt.
    purchases: Commits,
    busy: AtomicU64,
    owned: AtomicU64,
    short: AtomicU64,
    fence_refused: AtomicU64,
    fence_backwards: AtomicU64,
    /// Expired lock rows swept (`DELETE … WHERE key`) before an insert.
    swept: AtomicU64,
    /// Holders whose release came after their lease had ended (not punctual).
    overran: AtomicU64,
}

impl ShopState {
    fn register(&self, key: &str) -> Arc<tokio::sync::Mutex<Fence>> {
        let mut fences = self.fences.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(fences.entry(key.to_owned()).or_default())
    }

    /// Records a grant. One that returned while another client's lease on the key
    /// was live (its end still to come) and unreleased is an overlap: two clients
    /// believed they held the key at once. The server grants only once the lease in
    /// the row has ended by the grant's `$now` (which comes before the grant returns),
    /// or the row was released or taken over (after *its* lease ended), so a correct
    /// lease never overlaps. (The grant's `$now` is no guide: sent before another
    /// lease lapsed, it can run after that lease lapsed and was released.)
    fn granted(&self, key: &str, g: Grant) {
        let mut grants = self.grants.lock().unwrap_or_else(|e| e.into_inner());
        let list = grants.entry(key.to_owned()).or_default();
        let live = |o: &&Grant| !o.released && o.from_us < g.until_ms * 1000;
        if let Some(o) = list
            .iter()
            .filter(live)
            .find(|o| g.from_us < o.until_ms * 1000)
        {
            let mut overlaps = self.overlaps.lock().unwrap_or_else(|e| e.into_inner());
            overlaps.push((key.to_owned(), g, *o));
        } else if list.iter().filter(live).any(|o| g.sent_ms < o.until_ms) {
            bump(&self.stale_now);
        }
        list.push(g);
    }

    fn released(&self, key: &str, token: i64) {
        let mut grants = self.grants.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(g) = grants
            .get_mut(key)
            .and_then(|l| l.iter_mut().find(|g| g.token == token))
        {
            g.released = true;
        }
    }
}

impl ShopState {
    /// What the profile snapshot says: buy only if the pet is not owned and the
    /// balance covers the price (the model's `read_profile`).
    fn should_buy(&self, profile: Profile, price: i64) -> bool {
        if profile.pets > 0 {
            bump(&self.owned);
        } else if profile.balance < price {
            bump(&self.short);
        }
        profile.pets == 0 && profile.balance >= price
    }

    /// The locked handler's write (the model's `pay`): `BEGIN`, the guarded debit
    /// (`ROLLBACK` if it paid nothing), the pet, `COMMIT`. Whether it bought.
    async fn pay(
        &self,
        client: &Client,
        user: i64,
        pet: i64,
        price: i64,
    ) -> Result<bool, tokio_postgres::Error> {
        run_call(client, &coordinator::begin()).await?;
        let debit = with_params(shop::debit(0), vec![price, user]);
        if run_call(client, &debit).await? == 0 {
            run_call(client, &coordinator::rollback()).await?;
            bump(&self.short);
            return Ok(false);
        }
        let insert = with_params(shop::insert_pet(0), vec![user, pet, price]);
        run_call(client, &insert).await?;
        let commit = run_call(client, &coordinator::commit()).await;
        self.purchases.count(&commit);
        commit?;
        Ok(true)
    }
}

/// A user's profile as one snapshot read it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Profile {
    pub(super) balance: i64,
    /// Pets of this kind owned.
    pub(super) pets: i64,
    /// What they paid for them.
    pub(super) paid: i64,
}

/// The profile as one snapshot (the model's `snapshot`): `BEGIN ISOLATION LEVEL
/// REPEATABLE READ`, `SELECT_BALANCE`, `SELECT_PETS`, `COMMIT`.
pub(super) async fn snapshot(
    client: &Client,
    user: i64,
    pet: i64,
) -> Result<Profile, tokio_postgres::Error> {
    run_call(client, &coordinator::begin_snapshot()).await?;
    let balance: i64 = query_one_call(client, &with_params(shop::select_balance(), vec![user]))
        .await?
        .get(0);
    let pets = query_one_call(client, &with_params(shop::select_pets(), vec![user, pet])).await?;
    let (count, paid): (i64, Option<i64>) = (pets.get(0), pets.get(1));
    run_call(client, &coordinator::commit()).await?;
    Ok(Profile {
        balance,
        pets: count,
        paid: paid.unwrap_or(0),
    })
}

/// The two users of a purchase run, `(id, balance)`: user 1 with a large balance,
/// user 2 with 5½ prices, so its purchases run out.
pub(super) fn rich_and_poor(price: i64) -> [(i64, i64); 2] {
    [(1, price * 1_000_000), (2, price * 5 + price / 2)]
}

/// The set-up of a shop run: the model's tables with `users[0]` as the model's user
/// (its balance made the model's), then the other users.
pub(super) fn shop_setup(
    model: &mut ShopConfig,
    users: &[(i64, i64)],
) -> Vec<(&'static str, Vec<Value>)> {
    model.balance = users[0].1 as u64;
    let mut setup = coordinator::setup(model);
    for &(id, balance) in &users[1..] {
        setup.push((
            coordinator::INSERT_USER,
            vec![Value::Int(id), Value::Int(balance)],
        ));
    }
    setup
}

/// `call`'s statement with other parameters (the model's helpers bind its one user
/// and pet; the run buys many).
pub(super) fn with_params(call: Call, params: Vec<i64>) -> Call {
    Call {
        stmt: call.stmt,
        params: params.into_iter().map(Value::Int).collect(),
    }
}

/// What a shop run reads back from the server.
pub(super) struct ShopRows {
    /// `(user, pet, count)` of every pet owned more than once.
    twice: Vec<Vec<i64>>,
    /// `(user, balance, sum of their pets' prices, pets)`, by user.
    balances: Vec<Vec<i64>>,
    /// Rows left in `locks`.
    locks_left: i64,
}

/// Reads [`ShopRows`] from the server.
pub(super) async fn read_shop(reader: Client) -> Result<ShopRows, String> {
    let twice = read_ints(
        &reader,
        "SELECT user_id, pet_id, count(*) FROM user_pets GROUP BY user_id, pet_id \
         HAVING count(*) > 1 ORDER BY user_id, pet_id",
    )
    .await?;
    let balances = read_ints(
        &reader,
        "SELECT u.id, u.balance, coalesce(sum(p.price), 0), count(p.pet_id) FROM users u \
         LEFT JOIN user_pets p ON p.user_id = u.id GROUP BY u.id, u.balance ORDER BY u.id",
    )
    .await?;
    let locks_left = read_ints(&reader, "SELECT count(*) FROM locks").await?;
    let locks_left = locks_left
        .first()
        .and_then(|r| r.first())
        .copied()
        .unwrap_or(0);
    Ok(ShopRows {
        twice,
        balances,
        locks_left,
    })
}

/// The lease's side: no grant while another client's lease was live and unreleased.
fn no_overlap(s: &ShopState) -> Result<(), String> {
    let overlaps = s.overlaps.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((key, g, o)) = overlaps.first() {
        return Err(format!(
            "{} leases granted while another's was live: {key} to token {} (sent $now = \
             {} ms, returned at {} µs, until {} ms) while token {} held it (sent {} ms, \
             returned at {} µs, until {} ms, not released)",
            overlaps.len(),
            g.token,
            g.sent_ms,
            g.from_us,
            g.until_ms,
            o.token,
            o.sent_ms,
            o.from_us,
            o.until_ms
        ));
    }
    Ok(())
}

/// The server's rows: no pet owned twice, every balance ≥ 0 and plus the prices of
/// its user's pets equal to its start, and the pets between the purchases the
/// clients saw commit and those plus the ones in doubt. What held, said.
pub(super) fn rows_held(
    purchases: &Commits,
    users: &[(i64, i64)],
    rows: &ShopRows,
) -> Result<String, String> {
    if let Some(row) = rows.twice.first() {
        return Err(format!(
            "a pet owned twice: {} (user, pet, count) rows over 1, first {row:?}",
            rows.twice.len()
        ));
    }
    if rows.balances.len() != users.len() {
        return Err(format!(
            "{} users where the set-up made {}",
            rows.balances.len(),
            users.len()
        ));
    }
    let mut held = Vec::new();
    let mut pets = 0;
    for (row, &(id, initial)) in rows.balances.iter().zip(users) {
        let &[user, balance, paid, owned] = row.as_slice() else {
            return Err(format!("user {id} reads {row:?}"));
        };
        if user != id {
            return Err(format!("user {user} where user {id} was expected"));
        }
        if balance < 0 {
            return Err(format!("user {user}'s balance is below zero: {balance}"));
        }
        if balance + paid != initial {
            return Err(format!(
                "money not conserved: user {user} has {balance} and {owned} pets worth \
                 {paid}, but started with {initial}"
            ));
        }
        pets += owned as u64;
        held.push(format!(
            "user {user} {balance} + {paid} = {initial} ({owned} pets)"
        ));
    }
    if held.len() > 3 {
        held = vec![format!(
            "each of {} users' balance + its pets' prices = its start",
            held.len()
        )];
    }
    let (known, in_doubt) = (purchases.known(), purchases.in_doubt());
    if pets < known || pets > known + in_doubt {
        return Err(format!(
            "the server holds {pets} pets, but the clients saw {known} purchases commit \
             and {in_doubt} in doubt"
        ));
    }
    Ok(format!(
        "no pet owned twice, balances never negative and conserved: {}; {pets} purchases \
         = {known} acknowledged + {} of {in_doubt} in doubt (COMMIT in flight)",
        held.join(", "),
        pets - known,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_overlapping_a_live_unreleased_lease_is_an_overlap() {
        let s = ShopState::default();
        // Sent at `sent` ms, returned `late` µs after it.
        let g = |token, sent: u64, late: u64| Grant {
            token,
            sent_ms: sent,
            from_us: sent * 1000 + late,
            until_ms: sent + 3,
            released: false,
        };
        s.granted("k", g(1, 0, 100));
        // Lapsed by the second grant's clock: not an overlap.
        s.granted("k", g(2, 3, 100));
        s.released("k", 2);
        // Released: not an overlap.
        s.granted("k", g(3, 4, 100));
        // Sent before 3's lease ended, returned after: not an overlap, but stale.
        s.granted("k", g(4, 5, 2_500));
        assert!(s.overlaps.lock().unwrap().is_empty());
        assert_eq!(get(&s.stale_now), 1);
        // Returned at 6.1 ms, while 3's lease (until 7 ms) was live and unreleased.
        s.granted("k", g(5, 6, 100));
        let overlaps = s.overlaps.lock().unwrap().clone();
        assert_eq!(overlaps, [("k".to_owned(), g(5, 6, 100), g(3, 4, 100))]);
    }
}
