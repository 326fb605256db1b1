//! Faults on a real Redis: the correct lease rung's own commands
//! (`singleton-poller/renewed-lease`: `SET NX PXAT`, renew with compare-and-pexpireat
//! before each poll, release with compare-and-delete) under connections killed
//! mid-run (`CLIENT KILL ID` from a control connection) and, when asked, a server
//! restart.
//!
//! Each client loops: take the lease (retrying while another holds it), then "poll"
//! twice — renewing the lease before the second poll, as the rung does — and give it
//! back. A client is *in its critical section* from a granted `SET NX` until it stops
//! (before sending the release, or the moment a command fails or a renewal is
//! refused). The invariant is the rung's `single-poller`: no client enters while
//! another is inside. A client whose connection dies stops at once and the lease
//! lapses on the server by its deadline, so the others resume after at most one
//! lease.
//!
//! The rung assumes no holder pauses a whole lease between renewing and polling; a
//! run reports an overlap past the holder's deadline as that assumption failing on
//! this machine, and one before it as the protocol failing. Redis here keeps
//! nothing on disk, so a restart forgets the lease: a second client can take it
//! while the first is between its renewal and its poll — the run says so.
//!
//! `singleton-poller/late-renewal` ([`late_renewals`]) sends the same commands in the
//! same order; what differs is the renewal's timing: client 0 (the model's A) stalls
//! after its first poll, before renewing, past its lease, so another client can take
//! the lease meanwhile and A's compare-and-pexpireat must come back `0` (A then stops
//! without a second poll or a release, as the model's A does). The renewed-lease run
//! never sends a renewal late (a killed client's commands fail; it does not stall),
//! so it never takes that path under kills: this run does, with a shorter lease so
//! that stalls outlast it between kills.

use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use locklab_models::sim::RedisArg;
use locklab_models::singleton_poller::statements::{
    lease_params_until, release_params, ACQUIRE_LEASE, RELEASE_LEASE, RENEW_LEASE,
};
use locklab_models::singleton_poller::LEASE_KEY;
use redis::aio::MultiplexedConnection;
use redis::Value as RValue;

use crate::faults::{inject, keep_connecting, runtime, Counters, Fault, FaultReport};
use crate::redis_client::{connect, send, server_args, server_ms};
use crate::redis_probe::RedisConfig;
use crate::run_name::run_name;

/// The lease, in ms of real time: long against a poll (~1 ms), short against a run.
const LEASE_MS: u64 = 200;
/// The late-renewal run's lease: short, so that client 0's stall outlasts it
/// before the next kill of its connection (every 100 ms at 4 clients).
const LATE_LEASE_MS: u64 = 40;
/// Client 0's stall before each renewal in the late-renewal run: past its lease,
/// by more than the clock's slack.
const LATE_STALL_MS: u64 = LATE_LEASE_MS + 20;
/// Nobody in the critical section.
const NOBODY: usize = usize::MAX;
/// How far this process's estimate of the server's clock (its `TIME` at the start,
/// plus local elapsed time) may be off, in ms: deadlines within it of now count as
/// neither passed nor to come.
const CLOCK_SLACK_MS: i64 = 5;

/// Who is in the critical section, and until when their lease runs.
struct Section {
    holder: AtomicUsize,
    /// The holder's lease deadline, in server ms.
    deadline: AtomicI64,
    /// Overlaps: (entering client, holder, ms the holder's lease had left).
    overlaps: Mutex<Vec<(usize, usize, i64)>>,
    /// Polls that ended past their lease's deadline (the holder stood down).
    overran: AtomicU64,
    /// Stalls before a renewal (late-renewal run).
    stalls: AtomicU64,
    /// Renewals after a stall past the lease that the server answered.
    late_sent: AtomicU64,
    /// Late renewals the server refused (`0`): the lease had lapsed.
    late_refused: AtomicU64,
    /// Late renewals the server confirmed: a lease renewed after its deadline.
    late_confirmed: AtomicU64,
}

/// Server ms now, from the local clock and the offset read at the start (one host).
fn server_now(start: Instant, server_start_ms: i64) -> i64 {
    server_start_ms + start.elapsed().as_millis() as i64
}

/// Connects, and names the connection for `CLIENT KILL ID`.
async fn connect_with_id(
    client: &redis::Client,
    url: &str,
) -> Result<(MultiplexedConnection, i64), String> {
    let mut conn = connect(client, url).await?;
    let id: i64 = redis::cmd("CLIENT")
        .arg("ID")
        .query_async(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    Ok((conn, id))
}

/// [`connect_with_id`] until the server takes connections again.
async fn reconnect(
    client: &redis::Client,
    url: &str,
) -> Result<(MultiplexedConnection, i64), String> {
    keep_connecting(|| connect_with_id(client, url)).await
}

/// When the holder renews: the two rungs' only difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Renewal {
    /// `renewed-lease`: right after its first poll.
    OnTime,
    /// `late-renewal`: client 0 stalls past its lease first.
    Late,
}

impl Renewal {
    fn lease_ms(self) -> u64 {
        match self {
            Renewal::OnTime => LEASE_MS,
            Renewal::Late => LATE_LEASE_MS,
        }
    }

    /// How long client `me` stalls before a renewal.
    fn stall(self, me: usize) -> Option<Duration> {
        (self == Renewal::Late && me == 0).then_some(Duration::from_millis(LATE_STALL_MS))
    }
}

/// `renewed-lease`'s commands at `clients` clients for `time` under `fault`.
pub fn lease_holders(
    cfg: &RedisConfig,
    clients: usize,
    time: Duration,
    fault: &Fault,
) -> Result<FaultReport, String> {
    runtime()?.block_on(run(cfg, clients, time, fault, Renewal::OnTime))
}

/// `late-renewal`'s commands at `clients` clients for `time` under `fault`: those of
/// [`lease_holders`], with client 0 stalling 60 ms before each renewal, past its
/// 40 ms lease. Besides the single poller, every late renewal must be refused.
pub fn late_renewals(
    cfg: &RedisConfig,
    clients: usize,
    time: Duration,
    fault: &Fault,
) -> Result<FaultReport, String> {
    runtime()?.block_on(run(cfg, clients, time, fault, Renewal::Late))
}

async fn run(
    cfg: &RedisConfig,
    clients: usize,
    time: Duration,
    fault: &Fault,
    renewal: Renewal,
) -> Result<FaultReport, String> {
    let client = redis::Client::open(cfg.url.as_str()).map_err(|e| e.to_string())?;
    let (mut admin, _) = connect_with_id(&client, &cfg.url).await?;
    let server_start_ms = server_ms(&mut admin).await?;
    let start = Instant::now();
    let prefix = format!("{}:", run_name());
    let section = Arc::new(Section {
        holder: AtomicUsize::new(NOBODY),
        deadline: AtomicI64::new(0),
        overlaps: Mutex::new(Vec::new()),
        overran: AtomicU64::new(0),
        stalls: AtomicU64::new(0),
        late_sent: AtomicU64::new(0),
        late_refused: AtomicU64::new(0),
        late_confirmed: AtomicU64::new(0),
    });
    let counters = Arc::new(Counters::new());
    let ids = Arc::new(Mutex::new(vec![0i64; clients]));
    let mut tasks = Vec::new();
    for me in 0..clients {
        let (client, prefix, url) = (client.clone(), prefix.clone(), cfg.url.clone());
        let (section, counters, ids) = (section.clone(), counters.clone(), ids.clone());
        tasks.push(tokio::spawn(async move {
            let (mut conn, id) = connect_with_id(&client, &url).await?;
            ids.lock().unwrap()[me] = id;
            while start.elapsed() < time {
                let now = || server_now(start, server_start_ms);
                match turn(&mut conn, me, &prefix, &section, now, renewal).await {
                    Ok(true) => {
                        counters.completed.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(false) => tokio::task::yield_now().await,
                    Err(_) => {
                        counters.failed.fetch_add(1, Ordering::Relaxed);
                        let (c, id) = reconnect(&client, &url).await?;
                        conn = c;
                        ids.lock().unwrap()[me] = id;
                    }
                }
            }
            Ok::<_, String>(())
        }));
    }
    kill_clients(&mut admin, fault, time, start, &ids, &counters).await?;
    for t in tasks {
        t.await.map_err(|e| e.to_string())??;
    }
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut admin)
        .await
        .unwrap_or_default();
    if !keys.is_empty() {
        let _: redis::RedisResult<i64> = redis::cmd("DEL").arg(&keys).query_async(&mut admin).await;
    }
    let overlaps = section.overlaps.lock().unwrap().clone();
    let completed = counters.completed.load(Ordering::Relaxed);
    let overran = section.overran.load(Ordering::Relaxed);
    let late = |n: &AtomicU64| n.load(Ordering::Relaxed);
    let (stalls, late_sent, late_refused, late_confirmed) = (
        late(&section.stalls),
        late(&section.late_sent),
        late(&section.late_refused),
        late(&section.late_confirmed),
    );
    let lates = match renewal {
        Renewal::OnTime => String::new(),
        Renewal::Late => format!(
            "; client 0 stalled {LATE_STALL_MS} ms before each renewal, past its \
             {LATE_LEASE_MS} ms lease, {stalls} times: {late_sent} late renewals \
             answered, {late_refused} refused (it stopped without polling again), the \
             rest failed with the connection killed during the stall"
        ),
    };
    let invariant = match overlaps.iter().max_by_key(|o| o.2) {
        None if late_confirmed > 0 => Err(format!(
            "{late_confirmed} of {late_sent} late renewals were confirmed: the server \
             renewed a lease after its deadline"
        )),
        None => Ok(format!(
            "single poller: no client took the lease while another's was live and it was \
             in its critical section ({completed} turns; {overran} polls ran past their \
             lease and stood down){lates}"
        )),
        Some(&(entering, holder, left)) => Err(format!(
            "{} overlaps: client {entering} took the lease while client {holder}'s had \
             {left} ms left{}",
            overlaps.len(),
            match fault {
                Fault::Restart { .. } => {
                    " (the server had lost it: a restart without persistence forgets every lease)"
                }
                Fault::KillConnections { .. } => " (the protocol failed)",
            }
        )),
    };
    let rung = match renewal {
        Renewal::OnTime => "singleton-poller/renewed-lease",
        Renewal::Late => "singleton-poller/late-renewal",
    };
    let counters = Arc::try_unwrap(counters).map_err(|_| "clients still running".to_owned())?;
    Ok(counters.report(rung, invariant))
}

/// One client's turn: `Ok(false)` if it did not poll to the end (the lease was held
/// by another, a renewal was refused, or its own deadline came first).
async fn turn(
    conn: &mut MultiplexedConnection,
    me: usize,
    prefix: &str,
    section: &Section,
    now: impl Fn() -> i64,
    renewal: Renewal,
) -> Result<bool, String> {
    // Deadlines in real server ms (so sent with base 0).
    let params = |deadline: i64| lease_params_until(LEASE_KEY, me, RedisArg::At(deadline as u64));
    let lease_ms = renewal.lease_ms() as i64;
    let deadline = now() + lease_ms;
    let granted = send(
        conn,
        &server_args(ACQUIRE_LEASE, &params(deadline), prefix, 0),
    )
    .await?;
    if granted != RValue::Okay {
        return Ok(false);
    }
    enter(section, me, deadline, &now);
    let outcome = async {
        if !poll(section, deadline, &now).await {
            return Ok(false);
        }
        let stall = renewal.stall(me);
        if let Some(stall) = stall {
            section.stalls.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(stall).await;
        }
        let late = stall.is_some() && now() > deadline + CLOCK_SLACK_MS;
        let deadline = now() + lease_ms;
        let renewed = send(
            conn,
            &server_args(RENEW_LEASE, &params(deadline), prefix, 0),
        )
        .await?;
        if late {
            section.late_sent.fetch_add(1, Ordering::Relaxed);
            section
                .late_refused
                .fetch_add(u64::from(renewed == RValue::Int(0)), Ordering::Relaxed);
            section
                .late_confirmed
                .fetch_add(u64::from(renewed == RValue::Int(1)), Ordering::Relaxed);
        }
        if renewed != RValue::Int(1) {
            return Ok(false);
        }
        still_mine(section, me, &now);
        section.deadline.store(deadline, Ordering::SeqCst);
        Ok::<_, String>(poll(section, deadline, &now).await)
    }
    .await;
    leave(section, me);
    let polled = outcome?;
    if polled {
        send(
            conn,
            &server_args(RELEASE_LEASE, &release_params(LEASE_KEY, me), prefix, 0),
        )
        .await?;
    }
    Ok(polled)
}

/// One poll (1 ms), counted only if it ended before the lease's deadline: a holder
/// that finds it ran out stands down, as the rung's assumption asks of it.
async fn poll(section: &Section, deadline: i64, now: &impl Fn() -> i64) -> bool {
    tokio::time::sleep(Duration::from_millis(1)).await;
    let in_time = now() < deadline - CLOCK_SLACK_MS;
    if !in_time {
        section.overran.fetch_add(1, Ordering::Relaxed);
    }
    in_time
}

/// Enters the critical section. Another client still inside before its deadline is
/// an overlap: the lease was granted twice.
fn enter(section: &Section, me: usize, deadline: i64, now: &impl Fn() -> i64) {
    if let Err(holder) =
        section
            .holder
            .compare_exchange(NOBODY, me, Ordering::SeqCst, Ordering::SeqCst)
    {
        let left = section.deadline.load(Ordering::SeqCst) - now();
        if left > CLOCK_SLACK_MS {
            section.overlaps.lock().unwrap().push((me, holder, left));
        }
        section.holder.store(me, Ordering::SeqCst);
    }
    section.deadline.store(deadline, Ordering::SeqCst);
}

/// A renewal of the lease `me` took was confirmed: if another client entered since
/// and its lease is live, the two overlap.
fn still_mine(section: &Section, me: usize, now: &impl Fn() -> i64) {
    let holder = section.holder.load(Ordering::SeqCst);
    if holder != me && holder != NOBODY {
        let left = section.deadline.load(Ordering::SeqCst) - now();
        if left > CLOCK_SLACK_MS {
            section.overlaps.lock().unwrap().push((me, holder, left));
        }
        section.holder.store(me, Ordering::SeqCst);
    }
}

fn leave(section: &Section, me: usize) {
    let _ = section
        .holder
        .compare_exchange(me, NOBODY, Ordering::SeqCst, Ordering::SeqCst);
}

/// [`inject`] on Redis: a kill is `CLIENT KILL ID` of the next client in turn from
/// the control connection, counted as a lost connection when the server killed one;
/// a restart loses every client's.
async fn kill_clients(
    admin: &mut MultiplexedConnection,
    fault: &Fault,
    time: Duration,
    start: Instant,
    ids: &Mutex<Vec<i64>>,
    counters: &Counters,
) -> Result<(), String> {
    let mut next = 0;
    inject(fault, time, start, async || {
        let id = {
            let ids = ids.lock().unwrap();
            let id = ids[next % ids.len()];
            next += 1;
            id
        };
        let killed: redis::RedisResult<i64> = redis::cmd("CLIENT")
            .arg("KILL")
            .arg("ID")
            .arg(id)
            .query_async(admin)
            .await;
        if killed == Ok(1) {
            counters.lost.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    })
    .await?;
    if let Fault::Restart { .. } = fault {
        let clients = ids.lock().unwrap().len() as u64;
        counters.lost.fetch_add(clients, Ordering::Relaxed);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section() -> Section {
        Section {
            holder: AtomicUsize::new(NOBODY),
            deadline: AtomicI64::new(0),
            overlaps: Mutex::new(Vec::new()),
            overran: AtomicU64::new(0),
            stalls: AtomicU64::new(0),
            late_sent: AtomicU64::new(0),
            late_refused: AtomicU64::new(0),
            late_confirmed: AtomicU64::new(0),
        }
    }

    #[test]
    fn entering_while_a_live_holder_is_inside_is_an_overlap() {
        let s = section();
        enter(&s, 0, 1_200, &|| 1_000);
        enter(&s, 1, 1_300, &|| 1_100);
        assert_eq!(*s.overlaps.lock().unwrap(), [(1, 0, 100)]);
    }

    #[test]
    fn a_renewal_confirmed_while_another_holds_a_live_lease_is_an_overlap() {
        let s = section();
        enter(&s, 0, 1_040, &|| 1_000);
        // Client 0's lease ran out at 1_040; client 1 took it until 1_100.
        enter(&s, 1, 1_100, &|| 1_060);
        assert!(s.overlaps.lock().unwrap().is_empty());
        still_mine(&s, 1, &|| 1_061);
        assert!(s.overlaps.lock().unwrap().is_empty());
        still_mine(&s, 0, &|| 1_061);
        assert_eq!(*s.overlaps.lock().unwrap(), [(0, 1, 39)]);
    }

    #[test]
    fn entering_after_the_holder_left_or_its_lease_ran_out_is_not() {
        let s = section();
        enter(&s, 0, 1_200, &|| 1_000);
        leave(&s, 0);
        enter(&s, 1, 1_400, &|| 1_100);
        // Client 1 is still marked inside, but its lease ran out at 1_400.
        enter(&s, 2, 1_600, &|| 1_400);
        assert!(s.overlaps.lock().unwrap().is_empty());
    }
}
