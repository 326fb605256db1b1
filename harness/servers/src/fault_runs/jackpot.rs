//! The jackpot's correct rungs under faults: `guarded-decrement`'s wins,
//! `version-cas`'s contributions, `row-lock-win`'s wins and
//! `canonical-lock-order`'s batches, each pool read back from the server.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant};

use locklab_models::jackpot::statements as jackpot;
use locklab_models::jackpot::{Config as JackpotConfig, Variant};
use locklab_models::sim::store::sql::Value;
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

use super::{bump, get, Commits};
use crate::faults::{query_one_call, read_ints, run_call, with_faults, Fault, FaultReport};
use crate::pg::PgConfig;
use crate::pg_value::row_values;

/// The guarded-decrement run's win and pool.
const WIN: i64 = 80;
const SEED: i64 = 80_000_000;

/// `jackpot/guarded-decrement`'s wins under `fault`; every fourth win redelivers the
/// previous id.
pub fn jackpot_wins(
    cfg: &PgConfig,
    clients: usize,
    time: Duration,
    fault: &Fault,
) -> Result<FaultReport, String> {
    let op = |client: Arc<Client>, me: usize, k: u64, _: Instant| async move {
        let id = (me as u64) * 10_000_000 + if k % 4 == 0 { k - 1 } else { k };
        run_call(&client, &jackpot::begin()).await?;
        let fresh = run_call(&client, &jackpot::record_win(id as u32)).await? == 1;
        let paid = fresh && run_call(&client, &jackpot::guarded_decrement(0, WIN)).await? == 1;
        let end = if paid {
            jackpot::commit()
        } else {
            jackpot::rollback()
        };
        run_call(&client, &end).await?;
        Ok(paid)
    };
    let read = |reader: Client| async move {
        let pool = reader
            .query_one("SELECT amount FROM jackpots WHERE id = 0", &[])
            .await
            .map_err(|e| e.to_string())?;
        let amount = row_values(&pool)?[0].clone();
        let paid: i64 = reader
            .query_one("SELECT count(*) FROM paid_wins", &[])
            .await
            .map_err(|e| e.to_string())?
            .get(0);
        Ok::<_, String>((amount, paid))
    };
    let (counters, (amount, paid)) =
        with_faults(cfg, jackpot::setup(1, SEED), clients, time, fault, op, read)?;
    let expected = Value::Int(SEED - WIN * paid);
    let invariant = if amount == expected {
        Ok(format!(
            "money conserved: the pool holds {SEED} − {WIN} × {paid} paid wins = {amount}; \
             no win id twice (primary key)"
        ))
    } else {
        Err(format!(
            "money lost: the pool holds {amount}, but {SEED} − {WIN} × {paid} paid wins = \
             {expected}"
        ))
    };
    Ok(counters.report("jackpot/guarded-decrement", invariant))
}

/// What the clients of a one-pool run saw.
#[derive(Default)]
struct Tally {
    commits: Commits,
    /// Operations that ended without effect by the rung's own choice (a CAS that
    /// gave up after its attempts, a win the pool could not cover).
    declined: AtomicU64,
}

impl Tally {
    /// Operations known to have committed, in doubt, and declined.
    fn counts(&self) -> (u64, u64, u64) {
        let c = &self.commits;
        (c.known(), c.in_doubt(), get(&self.declined))
    }
}

/// Reads the one pool of a one-pool run back from the server.
async fn read_pool(reader: Client) -> Result<Vec<Vec<i64>>, String> {
    read_ints(&reader, "SELECT amount, version FROM jackpots WHERE id = 0").await
}

/// The one pool's `(amount, version)` in `rows` ([`read_pool`]'s), or what is wrong
/// with them (the run's broken invariant).
fn the_pool(rows: &[Vec<i64>]) -> Result<(i64, i64), String> {
    match rows {
        [row] => match *row.as_slice() {
            [amount, version] => Ok((amount, version)),
            _ => Err(format!("the pool row reads {row:?}")),
        },
        _ => Err(format!(
            "{} pool rows where the set-up made one",
            rows.len()
        )),
    }
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
                    // Lost the CAS: read again.
                    Ok(n) if n != 1 => {}
                    commit => {
                        t.commits.count(&commit);
                        return commit.map(|_| true);
                    }
                }
            }
            bump(&t.declined);
            Ok(false)
        }
    };
    let setup = jackpot::setup(1, seed);
    let (counters, rows) = with_faults(cfg, setup, clients, time, fault, op, read_pool)?;
    let (known, in_doubt, gave_up) = tally.counts();
    let invariant = the_pool(&rows).and_then(|(amount, version)| {
        let n = tally.commits.within("money conserved", amount - seed, c)?;
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
    });
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
            let commit = run_call(&client, &jackpot::commit()).await;
            t.commits.count(&commit);
            commit.map(|_| true)
        }
    };
    let setup = jackpot::setup(1, seed);
    let (counters, rows) = with_faults(cfg, setup, clients, time, fault, op, read_pool)?;
    let (known, in_doubt, refused) = tally.counts();
    let invariant = the_pool(&rows).and_then(|(amount, version)| {
        if amount < 0 {
            return Err(format!("the pool is below zero: {amount}"));
        }
        let n = tally
            .commits
            .within("money conserved", seed - amount, win)?;
        if version != 1 + n as i64 {
            return Err(format!(
                "version not monotonic: the pool is at version {version} after {n} \
                 committed wins; expected {}",
                1 + n
            ));
        }
        let dry = if amount < win {
            format!("the pool ran dry and refused {refused} wins it could not cover")
        } else {
            format!("the pool never ran dry ({refused} wins refused)")
        };
        Ok(format!(
            "money conserved, never negative: the pool holds {seed} − {win} × {n} = \
             {amount}; {n} wins committed = {known} acknowledged + {} of {in_doubt} in \
             doubt (the connection died with COMMIT in flight); version {version} = 1 + \
             {n}; {dry}",
            n - known
        ))
    });
    Ok(counters.report("jackpot/row-lock-win", invariant))
}

/// Pools of the batch run.
const POOLS: usize = 3;

/// What the clients of the batch run saw.
struct BatchTally {
    /// Per pool, contributions in batches the clients saw commit, and in batches
    /// whose `COMMIT` was in flight when their connection died.
    pools: Vec<Commits>,
    /// Batches seen to commit, and in doubt.
    batches: Commits,
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
    let tally = Arc::new(BatchTally {
        pools: (0..POOLS).map(|_| Commits::default()).collect(),
        batches: Commits::default(),
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
            let commit = run_call(&client, &jackpot::commit()).await;
            order.iter().for_each(|&g| t.pools[g].count(&commit));
            t.batches.count(&commit);
            commit.map(|_| true)
        }
    };
    let read = |reader: Client| async move {
        read_ints(
            &reader,
            "SELECT id, amount, version FROM jackpots ORDER BY id",
        )
        .await
    };
    let setup = jackpot::setup(POOLS, seed);
    let (counters, rows) = with_faults(cfg, setup, clients, time, fault, op, read)?;
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
    for (g, (row, pool)) in rows.iter().zip(&t.pools).enumerate() {
        let &[_, amount, version] = row.as_slice() else {
            return Err(format!("pool {g} reads {row:?}"));
        };
        if amount < 0 {
            return Err(format!("pool {g} is below zero: {amount}"));
        }
        let n = pool.within(&format!("pool {g}'s money"), amount - seed, c)?;
        if version != 1 + n as i64 {
            return Err(format!(
                "pool {g} is at version {version} after {n} committed contributions; expected {}",
                1 + n
            ));
        }
        total += n;
        held.push(format!(
            "pool {g} {seed} + {c} × {n} = {amount} ({} known, {} in doubt)",
            pool.known(),
            pool.in_doubt()
        ));
    }
    let (batches, in_doubt) = (t.batches.known(), t.batches.in_doubt());
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
