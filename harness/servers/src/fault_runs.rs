//! More correct rungs under the faults of [`crate::faults`] (the same loop,
//! `with_faults`: killed backends or a server restart), each sending exactly the
//! statements its model sends, in the model's order, and each reading its invariant
//! back from the server's rows afterwards.
//!
//! A client whose connection died while the statement that commits was in flight
//! (`COMMIT`, or an autocommit compare-and-set) cannot know whether it committed: that
//! operation is *in doubt*. The server's rows must then show a number of committed
//! operations between those the clients saw commit (`known`) and `known + in doubt`.
//!
//! - `jackpot/version-cas` ([`jackpot_cas`]): contributions by `READ_POOL` then
//!   `COMPARE_AND_SET`, retried up to the model's attempts on a lost CAS.
//! - `jackpot/row-lock-win` ([`jackpot_row_lock_wins`]): `BEGIN; SELECT … FOR UPDATE`,
//!   `ROLLBACK` if the pool cannot cover the win, else the unversioned write of
//!   `amount − win` and `COMMIT`.
//! - `jackpot/canonical-lock-order` ([`jackpot_batches`]): batches adding to two of
//!   three pools in one transaction, the pools sorted by id before the first `UPDATE`.
//! - `device-claim/conditional-update` ([`device_conditional_claims`]): claim `WHERE
//!   owner IS NULL`, validate with `SELECT owner`, hold ~1 ms, clear.
//! - `instance-coordinator/fenced-lease` ([`fenced_purchases`]): the atomic lease on
//!   `locks` with its fence, the profile read as one snapshot, the fenced purchase,
//!   the release by token.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};

use locklab_models::device_claim::statements as device;
use locklab_models::instance_coordinator::statements::locks::{self, ReleaseBy};
use locklab_models::instance_coordinator::statements::{self as coordinator, shop};
use locklab_models::instance_coordinator::{Config as ShopConfig, Fence, Protocol};
use locklab_models::jackpot::statements as jackpot;
use locklab_models::jackpot::{Config as JackpotConfig, Variant};
use locklab_models::sim::store::sql::{Call, Value};
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

use crate::faults::{
    query_call, query_one_call, read_ints, run_call, runtime, with_faults, Fault, FaultReport,
};
use crate::pg::PgConfig;

/// Adds one to `n`.
fn bump(n: &AtomicU64) {
    n.fetch_add(1, Ordering::SeqCst);
}

fn get(n: &AtomicU64) -> u64 {
    n.load(Ordering::SeqCst)
}

/// Operations that committed on the server, from a change `delta` made of `unit`s:
/// `delta` must be a whole number `n` of units with `known ≤ n ≤ known + in_doubt`.
/// The error says what the server holds and what the clients allow.
fn committed_within(
    what: &str,
    delta: i64,
    unit: i64,
    known: u64,
    in_doubt: u64,
) -> Result<u64, String> {
    if delta % unit != 0 || delta < 0 {
        return Err(format!(
            "{what}: a change of {delta} is not a whole number of {unit}s"
        ));
    }
    let n = (delta / unit) as u64;
    if n < known || n > known + in_doubt {
        return Err(format!(
            "{what}: the server shows {n} committed, but the clients saw {known} commit \
             and {in_doubt} in doubt (allowed {known}..={})",
            known + in_doubt
        ));
    }
    Ok(n)
}

/// What the clients of a jackpot run saw.
#[derive(Default)]
struct Tally {
    /// Operations the clients saw commit.
    known: AtomicU64,
    /// Operations whose commit was in flight when their connection died.
    in_doubt: AtomicU64,
    /// Operations that ended without effect by the rung's own choice (a CAS that
    /// gave up after its attempts, a win the pool could not cover).
    declined: AtomicU64,
}

/// `jackpot/version-cas`'s contributions under `fault`: each reads the pool
/// (`READ_POOL`) and compare-and-sets `amount + contribution` at the version read,
/// up to the model's attempts (3); the pool, contribution and attempts are the
/// model's. The server must show `amount = seed + c × n` and `version = 1 + n` for
/// the `n` committed CASes, `n` within the clients' known and in-doubt counts.
pub fn jackpot_cas(
    cfg: &PgConfig,
    clients: usize,
    time: Duration,
    fault: &Fault,
) -> Result<FaultReport, String> {
    let model = JackpotConfig::new(Variant::VersionCas, clients);
    let (seed, c, attempts) = (model.pool, model.contribution, model.attempts);
    let tally = Arc::new(Tally::default());
    let t = Arc::clone(&tally);
    let op = move |client: Arc<Client>, _: usize, _: u64, _: Instant| {
        let t = Arc::clone(&t);
        async move {
            for _ in 0..attempts {
                let read = query_one_call(&client, &jackpot::read_pool(0)).await?;
                let (amount, version): (i64, i64) = (read.get(0), read.get(1));
                let cas = jackpot::compare_and_set(0, version as u64, amount + c);
                match run_call(&client, &cas).await {
                    Ok(1) => {
                        bump(&t.known);
                        return Ok(true);
                    }
                    Ok(_) => {}
                    Err(e) => {
                        bump(&t.in_doubt);
                        return Err(e);
                    }
                }
            }
            bump(&t.declined);
            Ok(false)
        }
    };
    let read = |reader: Client| async move {
        read_ints(&reader, "SELECT amount, version FROM jackpots WHERE id = 0").await
    };
    let (counters, rows) = runtime()?.block_on(with_faults(
        cfg,
        jackpot::setup(1, seed),
        clients,
        time,
        fault,
        op,
        read,
    ))?;
    let (known, in_doubt, gave_up) = (
        get(&tally.known),
        get(&tally.in_doubt),
        get(&tally.declined),
    );
    let invariant = match rows.as_slice() {
        [row] => match *row.as_slice() {
            [amount, version] => {
                committed_within("money conserved", amount - seed, c, known, in_doubt).and_then(
                    |n| {
                        if version != 1 + n as i64 {
                            return Err(format!(
                        "version not monotonic: the pool is at version {version} after {n} \
                         committed CASes (amount {amount} = {seed} + {c} × {n}); expected {}",
                        1 + n
                    ));
                        }
                        Ok(format!(
                            "money conserved: the pool holds {seed} + {c} × {n} = {amount}; {n} \
                     contributions committed = {known} acknowledged + {} of {in_doubt} in \
                     doubt (the connection died with the CAS in flight); version {version} = \
                     1 + {n} (one bump per committed CAS); {gave_up} contributions gave up \
                     after {attempts} lost CASes",
                            n - known
                        ))
                    },
                )
            }
            _ => Err(format!("the pool row reads {row:?}")),
        },
        _ => Err(format!(
            "{} pool rows where the set-up made one",
            rows.len()
        )),
    };
    Ok(counters.report("jackpot/version-cas", invariant))
}

/// `jackpot/row-lock-win`'s wins under `fault`: `BEGIN; SELECT … FOR UPDATE`; if the
/// locked amount covers the model's win (80), `UPDATE … SET amount = $read − win`
/// (the unversioned write, which bumps the version) and `COMMIT`, else `ROLLBACK`.
/// The pool is seeded with `pool_wins` wins and half a win, so a long enough run
/// drains it and goes on refusing wins at 40. The server must show `amount =
/// seed − win × n ≥ 0` and `version = 1 + n`, `n` within known and in doubt.
pub fn jackpot_row_lock_wins(
    cfg: &PgConfig,
    clients: usize,
    time: Duration,
    fault: &Fault,
    pool_wins: i64,
) -> Result<FaultReport, String> {
    let win = JackpotConfig::new(Variant::RowLockWin, clients).win;
    let seed = win * pool_wins + win / 2;
    let tally = Arc::new(Tally::default());
    let t = Arc::clone(&tally);
    let op = move |client: Arc<Client>, _: usize, _: u64, _: Instant| {
        let t = Arc::clone(&t);
        async move {
            run_call(&client, &jackpot::begin()).await?;
            let locked = query_one_call(&client, &jackpot::lock_pool(0)).await?;
            let amount: i64 = locked.get(0);
            if amount < win {
                // The pool cannot cover the win.
                run_call(&client, &jackpot::rollback()).await?;
                bump(&t.declined);
                return Ok(false);
            }
            run_call(&client, &jackpot::write_unversioned(0, amount - win)).await?;
            match run_call(&client, &jackpot::commit()).await {
                Ok(_) => {
                    bump(&t.known);
                    Ok(true)
                }
                Err(e) => {
                    bump(&t.in_doubt);
                    Err(e)
                }
            }
        }
    };
    let read = |reader: Client| async move {
        read_ints(&reader, "SELECT amount, version FROM jackpots WHERE id = 0").await
    };
    let (counters, rows) = runtime()?.block_on(with_faults(
        cfg,
        jackpot::setup(1, seed),
        clients,
        time,
        fault,
        op,
        read,
    ))?;
    let (known, in_doubt, refused) = (
        get(&tally.known),
        get(&tally.in_doubt),
        get(&tally.declined),
    );
    let invariant = match rows.as_slice() {
        [row] => match *row.as_slice() {
            [amount, _] if amount < 0 => Err(format!("the pool is below zero: {amount}")),
            [amount, version] => {
                committed_within("money conserved", seed - amount, win, known, in_doubt).and_then(
                    |n| {
                        if version != 1 + n as i64 {
                            return Err(format!(
                                "version not monotonic: the pool is at version {version} \
                                 after {n} committed wins; expected {}",
                                1 + n
                            ));
                        }
                        let dry = if amount < win {
                            format!(
                                "the pool ran dry and refused {refused} wins it could not cover"
                            )
                        } else {
                            format!("the pool never ran dry ({refused} wins refused)")
                        };
                        Ok(format!(
                            "money conserved, never negative: the pool holds {seed} − {win} × \
                             {n} = {amount}; {n} wins committed = {known} acknowledged + {} of \
                             {in_doubt} in doubt (the connection died with COMMIT in flight); \
                             version {version} = 1 + {n}; {dry}",
                            n - known
                        ))
                    },
                )
            }
            _ => Err(format!("the pool row reads {row:?}")),
        },
        _ => Err(format!(
            "{} pool rows where the set-up made one",
            rows.len()
        )),
    };
    Ok(counters.report("jackpot/row-lock-win", invariant))
}

/// Pools of the batch run.
const POOLS: usize = 3;

/// What the clients of the batch run saw, per pool.
struct BatchTally {
    /// Per pool, contributions in batches the clients saw commit.
    known: Vec<AtomicU64>,
    /// Per pool, contributions in batches whose `COMMIT` was in flight when their
    /// connection died.
    in_doubt: Vec<AtomicU64>,
    /// Batches seen to commit, and in doubt.
    batches: AtomicU64,
    batches_in_doubt: AtomicU64,
    /// Batches PostgreSQL aborted as deadlock victims (`40P01`).
    deadlocks: AtomicU64,
}

/// `jackpot/canonical-lock-order`'s batches under `fault`: client `me`'s `k`-th batch
/// names two of three pools, in either order (as the model's callers do); it sorts
/// them by id, then `BEGIN`, `ADD` to each, `COMMIT` (the model's pool and
/// contribution). Every pool must show `amount = seed + c × n_g` and `version = 1 +
/// n_g`, `n_g` within its known and in-doubt contributions; the `n_g` add up to two
/// per committed batch (no half batch); no batch was a deadlock victim.
pub fn jackpot_batches(
    cfg: &PgConfig,
    clients: usize,
    time: Duration,
    fault: &Fault,
) -> Result<FaultReport, String> {
    let model = JackpotConfig::new(Variant::CanonicalLockOrder, clients);
    let (seed, c) = (model.pool, model.contribution);
    let per_pool = || (0..POOLS).map(|_| AtomicU64::new(0)).collect();
    let tally = Arc::new(BatchTally {
        known: per_pool(),
        in_doubt: per_pool(),
        batches: AtomicU64::new(0),
        batches_in_doubt: AtomicU64::new(0),
        deadlocks: AtomicU64::new(0),
    });
    let t = Arc::clone(&tally);
    let op = move |client: Arc<Client>, me: usize, k: u64, _: Instant| {
        let t = Arc::clone(&t);
        async move {
            let first = (me + k as usize) % POOLS;
            let second = (first + 1) % POOLS;
            let mut order = if k % 2 == 0 {
                [first, second]
            } else {
                [second, first]
            };
            // The fix: lock in id order, whatever order the caller named.
            order.sort_unstable();
            run_call(&client, &jackpot::begin()).await?;
            for g in order {
                if let Err(e) = run_call(&client, &jackpot::add(g, c)).await {
                    if e.code() == Some(&SqlState::T_R_DEADLOCK_DETECTED) {
                        bump(&t.deadlocks);
                    }
                    return Err(e);
                }
            }
            match run_call(&client, &jackpot::commit()).await {
                Ok(_) => {
                    order.iter().for_each(|&g| bump(&t.known[g]));
                    bump(&t.batches);
                    Ok(true)
                }
                Err(e) => {
                    order.iter().for_each(|&g| bump(&t.in_doubt[g]));
                    bump(&t.batches_in_doubt);
                    Err(e)
                }
            }
        }
    };
    let read = |reader: Client| async move {
        read_ints(
            &reader,
            "SELECT id, amount, version FROM jackpots ORDER BY id",
        )
        .await
    };
    let (counters, rows) = runtime()?.block_on(with_faults(
        cfg,
        jackpot::setup(POOLS, seed),
        clients,
        time,
        fault,
        op,
        read,
    ))?;
    let invariant = batches_held(&rows, seed, c, &tally);
    Ok(counters.report("jackpot/canonical-lock-order", invariant))
}

fn batches_held(rows: &[Vec<i64>], seed: i64, c: i64, t: &BatchTally) -> Result<String, String> {
    if rows.len() != POOLS {
        return Err(format!(
            "{} pools where the set-up made {POOLS}",
            rows.len()
        ));
    }
    let mut held = Vec::new();
    let mut total = 0;
    for (g, row) in rows.iter().enumerate() {
        let &[_, amount, version] = row.as_slice() else {
            return Err(format!("pool {g} reads {row:?}"));
        };
        if amount < 0 {
            return Err(format!("pool {g} is below zero: {amount}"));
        }
        let (known, in_doubt) = (get(&t.known[g]), get(&t.in_doubt[g]));
        let n = committed_within(
            &format!("pool {g}'s money"),
            amount - seed,
            c,
            known,
            in_doubt,
        )?;
        if version != 1 + n as i64 {
            return Err(format!(
                "pool {g} is at version {version} after {n} committed contributions; expected {}",
                1 + n
            ));
        }
        total += n;
        held.push(format!(
            "pool {g} {seed} + {c} × {n} = {amount} ({known} known, {in_doubt} in doubt)"
        ));
    }
    let (batches, in_doubt) = (get(&t.batches), get(&t.batches_in_doubt));
    if total % 2 != 0 || total / 2 < batches || total / 2 > batches + in_doubt {
        return Err(format!(
            "half a batch: the pools show {total} committed contributions, but each batch \
             makes two and {batches} batches committed, {in_doubt} in doubt"
        ));
    }
    let deadlocks = get(&t.deadlocks);
    if deadlocks > 0 {
        return Err(format!(
            "{deadlocks} batches were aborted as deadlock victims (40P01), which locking \
             in id order should make impossible"
        ));
    }
    Ok(format!(
        "money conserved, never negative, no deadlock: {}; {} batches committed = \
         {batches} acknowledged + {} of {in_doubt} in doubt, two contributions each; \
         versions = 1 + contributions",
        held.join(", "),
        total / 2,
        total / 2 - batches
    ))
}

/// What the clients of the conditional-update run saw.
#[derive(Default)]
struct ClaimState {
    /// Clients that believe they hold the device right now.
    holders: AtomicU64,
    /// Claims won (and validated) while another client held the device.
    overlaps: AtomicU64,
    /// Validations after a won claim that read another owner.
    foreign: AtomicU64,
    /// Claims refused since the last one that won.
    refused_since_win: AtomicU64,
    /// When the last claim won, in ms of the run.
    last_win_ms: AtomicU64,
}

/// `device-claim/conditional-update`'s claims of one hot device under `fault`: the
/// claim `… WHERE owner IS NULL`, the write-up's validation (`SELECT owner`), a hold of
/// ~1 ms, then the write-up's clear. A client counts itself holder from its validated
/// claim until it sends the clear; no claim may win while another client holds the
/// device, and no validation may read another owner.
///
/// The rung has no lease: a holder whose connection dies before its clear ran leaves
/// the device owned for good (the model's `ManualRecovery`), and every claim after is
/// refused. That is its known liveness cost, reported, not a safety failure.
pub fn device_conditional_claims(
    cfg: &PgConfig,
    clients: usize,
    time: Duration,
    fault: &Fault,
) -> Result<FaultReport, String> {
    let state = Arc::new(ClaimState::default());
    let st = Arc::clone(&state);
    let op = move |client: Arc<Client>, me: usize, _: u64, start: Instant| {
        let s = Arc::clone(&st);
        async move {
            let won = run_call(&client, &device::claim_if_unowned(0, me)).await? == 1;
            if !won {
                bump(&s.refused_since_win);
                return Ok(false);
            }
            s.refused_since_win.store(0, Ordering::SeqCst);
            s.last_win_ms
                .store(start.elapsed().as_millis() as u64, Ordering::SeqCst);
            let valid = query_one_call(&client, &device::select_owner(0)).await?;
            let owner: Option<i32> = valid.get(0);
            if owner != Some(me as i32) {
                bump(&s.foreign);
                return Ok(false);
            }
            if s.holders.fetch_add(1, Ordering::SeqCst) != 0 {
                bump(&s.overlaps);
            }
            // Hold it briefly; a fault here leaves the device owned (no lease).
            tokio::time::sleep(Duration::from_millis(1)).await;
            s.holders.fetch_sub(1, Ordering::SeqCst);
            run_call(&client, &device::clear_owner(me)).await?;
            Ok(true)
        }
    };
    let read = |reader: Client| async move {
        let row = reader
            .query_one("SELECT owner FROM devices WHERE id = 0", &[])
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(row.get::<_, Option<i32>>(0))
    };
    let (counters, owner) = runtime()?.block_on(with_faults(
        cfg,
        device::setup(1),
        clients,
        time,
        fault,
        op,
        read,
    ))?;
    let (overlaps, foreign) = (get(&state.overlaps), get(&state.foreign));
    let invariant = if overlaps > 0 {
        Err(format!(
            "{overlaps} claims won while another client held the device"
        ))
    } else if foreign > 0 {
        Err(format!(
            "{foreign} validations after a won claim read another owner"
        ))
    } else {
        let liveness = match owner {
            Some(o) => format!(
                "device left owned by a dead client: client {o}'s connection died between \
                 its claim and its clear, and nothing frees it in this rung (no lease), so \
                 the {} claims after its last win (at {} ms of {} ms) were refused",
                get(&state.refused_since_win),
                get(&state.last_win_ms),
                time.as_millis()
            ),
            None => "the device ended unowned".to_owned(),
        };
        Ok(format!(
            "no double claim: no claim won while another client held the device, every \
             validation read its own claim; {liveness}"
        ))
    };
    Ok(counters.report("device-claim/conditional-update", invariant))
}

/// Lease of the fenced-lease run, in ms of the run's clock: the model's 3 ticks, so
/// leases do lapse under live holders and the shop's fence has work to do.
const SHOP_LEASE_MS: u64 = 3;
/// Every this many ms the "buy" command changes: all clients handle the same one.
const COMMAND_MS: u64 = 4;

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
    known: AtomicU64,
    in_doubt: AtomicU64,
    busy: AtomicU64,
    owned: AtomicU64,
    short: AtomicU64,
    fence_refused: AtomicU64,
    fence_backwards: AtomicU64,
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

/// `call`'s statement with other parameters (the model's helpers bind its one user
/// and pet; the run buys many).
fn with_params(call: Call, params: Vec<i64>) -> Call {
    Call {
        stmt: call.stmt,
        params: params.into_iter().map(Value::Int).collect(),
    }
}

/// `instance-coordinator/fenced-lease`'s purchases under `fault`. Every
/// [`COMMAND_MS`] ms of the run's clock a new "buy pet p for user u" command arrives,
/// and every client handles it (as each bot instance does), as the model's instance
/// does: `ACQUIRE_LEASE` of `pet_buy_{u}_{p}` at `$now` (ms of the run) with a token
/// from a sequence, busy if refused; show the shop the fence and read the profile as
/// one snapshot (`BEGIN ISOLATION LEVEL REPEATABLE READ`, balance, pets, `COMMIT`);
/// buy only if the pet is not owned and the balance covers it: the shop refuses a
/// fence older than one it has seen, else `BEGIN`, guarded debit (`ROLLBACK` if it
/// paid nothing), insert the pet, `COMMIT`; release by token. The model's price; user
/// 1 with a large balance, user 2 with 5½ prices, so its purchases run out.
///
/// The server's rows must show no pet owned twice (`user_pets` has no unique key in
/// this rung: only the lease and fence stop a second one), every balance ≥ 0, and
/// every balance plus the prices of its user's pets equal to the starting balance;
/// and the pets between the purchases the clients saw commit and those in doubt. No
/// client may be granted a lease while another's is live and unreleased.
pub fn fenced_purchases(
    cfg: &PgConfig,
    clients: usize,
    time: Duration,
    fault: &Fault,
) -> Result<FaultReport, String> {
    let mut model = ShopConfig::new(Protocol::FencedLease, clients);
    let price = model.price as i64;
    let users: [(i64, i64); 2] = [(1, price * 1_000_000), (2, price * 5 + price / 2)];
    model.balance = users[0].1 as u64;
    let mut setup = coordinator::setup(&model);
    setup.push((
        coordinator::INSERT_USER,
        vec![Value::Int(users[1].0), Value::Int(users[1].1)],
    ));
    let state = Arc::new(ShopState {
        next_token: AtomicU64::new(1),
        ..ShopState::default()
    });
    let st = Arc::clone(&state);
    let op = move |client: Arc<Client>, me: usize, _: u64, start: Instant| {
        let s = Arc::clone(&st);
        async move {
            let now = start.elapsed().as_millis() as u64;
            let command = now / COMMAND_MS;
            s.commands.fetch_max(command + 1, Ordering::SeqCst);
            let user = users[command as usize % users.len()].0;
            let pet = command as i64 + 1;
            let key = format!("pet_buy_{user}_{pet}");
            let token = s.next_token.fetch_add(1, Ordering::SeqCst);
            let won = query_call(
                &client,
                &locks::acquire_lease(&key, me, token, now, SHOP_LEASE_MS),
            )
            .await?;
            let Some(fence) = won.first().map(|r| r.get::<_, i64>(0)) else {
                bump(&s.busy);
                return Ok(false);
            };
            s.granted(
                &key,
                Grant {
                    token: fence,
                    sent_ms: now,
                    from_us: start.elapsed().as_micros() as u64,
                    until_ms: now + SHOP_LEASE_MS,
                    released: false,
                },
            );
            let register = s.register(&key);
            let buy = {
                let mut shop_fence = register.lock().await;
                shop::note_fence(&mut shop_fence, fence as u64);
                run_call(&client, &coordinator::begin_snapshot()).await?;
                let balance: i64 =
                    query_one_call(&client, &with_params(shop::select_balance(), vec![user]))
                        .await?
                        .get(0);
                let pets: i64 =
                    query_one_call(&client, &with_params(shop::select_pets(), vec![user, pet]))
                        .await?
                        .get(0);
                run_call(&client, &coordinator::commit()).await?;
                if pets > 0 {
                    bump(&s.owned);
                } else if balance < price {
                    bump(&s.short);
                }
                pets == 0 && balance >= price
            };
            let mut bought = false;
            if buy {
                let mut shop_fence = register.lock().await;
                match shop::fenced_write(&mut shop_fence, fence as u64) {
                    Err(_) => bump(&s.fence_refused),
                    Ok(last) => {
                        if last.is_some_and(|l| l > fence as u64) {
                            bump(&s.fence_backwards);
                        }
                        run_call(&client, &coordinator::begin()).await?;
                        let debit = with_params(shop::debit(0), vec![price, user]);
                        if run_call(&client, &debit).await? == 0 {
                            run_call(&client, &coordinator::rollback()).await?;
                            bump(&s.short);
                        } else {
                            let insert = with_params(shop::insert_pet(0), vec![user, pet, price]);
                            run_call(&client, &insert).await?;
                            match run_call(&client, &coordinator::commit()).await {
                                Ok(_) => {
                                    bump(&s.known);
                                    bought = true;
                                }
                                Err(e) => {
                                    bump(&s.in_doubt);
                                    return Err(e);
                                }
                            }
                        }
                    }
                }
            }
            s.released(&key, fence);
            run_call(
                &client,
                &locks::release_lock(&key, ReleaseBy::Token(fence as u64)),
            )
            .await?;
            Ok(bought)
        }
    };
    let read = |reader: Client| async move {
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
        Ok::<_, String>((twice, balances, locks_left))
    };
    let (counters, (twice, balances, locks_left)) =
        runtime()?.block_on(with_faults(cfg, setup, clients, time, fault, op, read))?;
    let overlaps = state
        .overlaps
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let invariant = purchases_held(&state, &users, &twice, &balances, &locks_left, &overlaps);
    Ok(counters.report("instance-coordinator/fenced-lease", invariant))
}

fn purchases_held(
    s: &ShopState,
    users: &[(i64, i64)],
    twice: &[Vec<i64>],
    balances: &[Vec<i64>],
    locks_left: &[Vec<i64>],
    overlaps: &[(String, Grant, Grant)],
) -> Result<String, String> {
    if let Some(row) = twice.first() {
        return Err(format!(
            "a pet owned twice: {} (user, pet, count) rows over 1, first {row:?}",
            twice.len()
        ));
    }
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
    let backwards = get(&s.fence_backwards);
    if backwards > 0 {
        return Err(format!(
            "the shop accepted {backwards} writes with a fence older than one it had accepted"
        ));
    }
    if balances.len() != users.len() {
        return Err(format!(
            "{} users where the set-up made {}",
            balances.len(),
            users.len()
        ));
    }
    let mut held = Vec::new();
    let mut pets = 0;
    for (row, &(id, initial)) in balances.iter().zip(users) {
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
    let (known, in_doubt) = (get(&s.known), get(&s.in_doubt));
    if pets < known || pets > known + in_doubt {
        return Err(format!(
            "the server holds {pets} pets, but the clients saw {known} purchases commit \
             and {in_doubt} in doubt"
        ));
    }
    let left = locks_left
        .first()
        .and_then(|r| r.first())
        .copied()
        .unwrap_or(0);
    Ok(format!(
        "no pet owned twice, balances never negative and conserved: {}; {pets} purchases \
         = {known} acknowledged + {} of {in_doubt} in doubt (COMMIT in flight), over {} \
         commands; no lease granted while another's was live ({} grants sent a $now \
         before an earlier lease ended but ran after it had); the shop refused {} writes \
         with an old fence; {} acquires found the lease busy, {} handlings found the pet \
         owned, {} the balance short; {left} lock rows left by holders that died before \
         their release",
        held.join(", "),
        pets - known,
        get(&s.commands),
        get(&s.stale_now),
        get(&s.fence_refused),
        get(&s.busy),
        get(&s.owned),
        get(&s.short),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_operations_must_lie_within_known_and_in_doubt() {
        assert_eq!(committed_within("x", 30, 10, 2, 1), Ok(3));
        assert_eq!(committed_within("x", 20, 10, 2, 0), Ok(2));
        assert!(committed_within("x", 10, 10, 2, 3).is_err());
        assert!(committed_within("x", 40, 10, 2, 1).is_err());
        assert!(committed_within("x", 25, 10, 2, 1).is_err());
        assert!(committed_within("x", -10, 10, 0, 0).is_err());
    }

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
