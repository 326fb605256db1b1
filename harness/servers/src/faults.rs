//! Faults on a real PostgreSQL: correct rungs' own statements under connections
//! killed mid-transaction (`pg_terminate_backend` from a control connection) and,
//! when asked, a server restart mid-run. The invariants are read from the server
//! afterwards, not from what the clients believe (a client whose connection died at
//! `COMMIT` cannot know whether it committed; the server can).
//!
//! - `jackpot/guarded-decrement`: wins (`BEGIN; INSERT paid_wins …; UPDATE … WHERE
//!   amount >= $w; COMMIT`), some of them redelivered. Money is conserved (the pool
//!   holds its seed less one win per `paid_wins` row), never negative, no win paid
//!   twice.
//! - `device-claim/epoch-lease`: claims of one hot device with a short lease; a client
//!   counts itself holder from a won claim until its release or its connection's
//!   death. No claim may win while another client holds the device.
//!
//! [`crate::fault_runs`] has more rungs under the same loop ([`with_faults`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use locklab_models::device_claim::statements as device;
use locklab_models::jackpot::statements as jackpot;
use locklab_models::sim::store::sql::{Call, Value};
use tokio::sync::Mutex;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Row};

use crate::pg::PgConfig;
use crate::pg_value::{row_values, Param};
use crate::run_name::run_name;

/// Which fault to inject, and how often.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Terminate one client's backend every `every`, in turn.
    KillConnections {
        /// The interval between kills.
        every: Duration,
    },
    /// Run this shell command once, half-way through (e.g. `pg_ctlcluster 15 main
    /// restart`): every connection dies; clients reconnect until the server is back.
    Restart {
        /// The command.
        command: String,
    },
}

/// What a fault run did and what the server holds afterwards.
#[derive(Debug, Clone)]
pub struct FaultReport {
    /// The rung.
    pub rung: &'static str,
    /// Operations the clients saw complete.
    pub completed: u64,
    /// Connections the fault ended (kills sent, or reconnects after a restart).
    pub connections_lost: u64,
    /// Statements that failed because of the fault (the clients' count).
    pub failed_statements: u64,
    /// The invariant, as read from the server: `Ok(what held)` or `Err(what broke)`.
    pub invariant: Result<String, String>,
}

const WIN: i64 = 80;
const SEED: i64 = 80_000_000;
/// Lease of the device-claim run, in ms of the run's clock.
const LEASE_MS: u64 = 50;

async fn connect(cfg: &PgConfig, schema: &str) -> Result<(Client, i32), String> {
    let client = crate::load::connect(cfg, schema).await?;
    let pid: i32 = client
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .map_err(|e| e.to_string())?
        .get(0);
    Ok((client, pid))
}

/// Keeps calling `connect` for 30 s: a restarting server refuses connections for a
/// while. The last error if it never succeeds.
pub(crate) async fn keep_connecting<T, Fut>(mut connect: impl FnMut() -> Fut) -> Result<T, String>
where
    Fut: std::future::Future<Output = Result<T, String>>,
{
    let start = Instant::now();
    loop {
        match connect().await {
            Ok(c) => return Ok(c),
            Err(e) if start.elapsed() > Duration::from_secs(30) => return Err(e),
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

async fn reconnect(cfg: &PgConfig, schema: &str) -> Result<(Client, i32), String> {
    keep_connecting(|| connect(cfg, schema)).await
}

/// Sends `call`; the rows it affected.
pub(crate) async fn run_call(client: &Client, call: &Call) -> Result<u64, tokio_postgres::Error> {
    let params: Vec<Param> = call.params.iter().map(Param).collect();
    let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
    client.execute(call.stmt.sql(), &refs).await
}

/// Sends `call`; the rows it returned.
pub(crate) async fn query_call(
    client: &Client,
    call: &Call,
) -> Result<Vec<Row>, tokio_postgres::Error> {
    let params: Vec<Param> = call.params.iter().map(Param).collect();
    let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
    client.query(call.stmt.sql(), &refs).await
}

/// Sends `call`, which returns exactly one row (an error otherwise).
pub(crate) async fn query_one_call(
    client: &Client,
    call: &Call,
) -> Result<Row, tokio_postgres::Error> {
    let params: Vec<Param> = call.params.iter().map(Param).collect();
    let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
    client.query_one(call.stmt.sql(), &refs).await
}

/// The rows `sql` returns, every column an integer (`NULL` is an error naming it):
/// how the runs read the invariant back from the server.
pub(crate) async fn read_ints(client: &Client, sql: &str) -> Result<Vec<Vec<i64>>, String> {
    let rows = client
        .query(sql, &[])
        .await
        .map_err(|e| format!("{sql}: {e}"))?;
    rows.iter()
        .map(|row| {
            row_values(row)?
                .into_iter()
                .map(|v| match v {
                    Value::Int(n) => Ok(n),
                    other => Err(format!("{sql}: {other} where an integer was expected")),
                })
                .collect()
        })
        .collect()
}

/// The pids clients currently use, for the killer.
type Pids = Arc<Mutex<Vec<i32>>>;

/// What the clients of one run counted.
pub(crate) struct Counters {
    completed: AtomicU64,
    failed: AtomicU64,
    lost: AtomicU64,
}

impl Counters {
    /// The run's report: these counts, and the invariant as read from the server.
    pub(crate) fn report(
        self,
        rung: &'static str,
        invariant: Result<String, String>,
    ) -> FaultReport {
        FaultReport {
            rung,
            completed: self.completed.into_inner(),
            connections_lost: self.lost.into_inner(),
            failed_statements: self.failed.into_inner(),
            invariant,
        }
    }
}

/// Runs `clients` clients of `op` for `time` under `fault`, in a fresh schema set up
/// with `rows`; then `check` reads what the invariant needs from the server, on a
/// fresh connection in the schema. Drops the schema, whatever happened.
///
/// Each client loops `op(client, me, k, start)` (its `k`-th operation; `start` the
/// run's start, for a virtual clock) until `time` is up; `Ok(true)` is a completed
/// operation. An error counts as a failed statement; one that closed the connection
/// also as a lost connection, and the client reconnects (for 30 s at most); one that
/// left it open is followed by a `ROLLBACK`.
pub(crate) async fn with_faults<F, Fut, C, CFut, T>(
    cfg: &PgConfig,
    rows: Vec<(&'static str, Vec<Value>)>,
    clients: usize,
    time: Duration,
    fault: &Fault,
    op: F,
    check: C,
) -> Result<(Counters, T), String>
where
    F: Fn(Arc<Client>, usize, u64, Instant) -> Fut + Send + Sync + 'static + Clone,
    Fut: std::future::Future<Output = Result<bool, tokio_postgres::Error>> + Send,
    C: FnOnce(Client) -> CFut,
    CFut: std::future::Future<Output = Result<T, String>>,
{
    let schema = run_name();
    let (admin, _) = connect(cfg, "public").await?;
    admin
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .map_err(|e| e.to_string())?;
    let outcome = run_clients(cfg, &schema, admin, rows, clients, time, fault, op, check).await;
    drop_schema(cfg, &schema).await;
    outcome
}

/// [`with_faults`] once its schema exists.
#[allow(clippy::too_many_arguments)]
async fn run_clients<F, Fut, C, CFut, T>(
    cfg: &PgConfig,
    schema: &str,
    admin: Client,
    rows: Vec<(&'static str, Vec<Value>)>,
    clients: usize,
    time: Duration,
    fault: &Fault,
    op: F,
    check: C,
) -> Result<(Counters, T), String>
where
    F: Fn(Arc<Client>, usize, u64, Instant) -> Fut + Send + Sync + 'static + Clone,
    Fut: std::future::Future<Output = Result<bool, tokio_postgres::Error>> + Send,
    C: FnOnce(Client) -> CFut,
    CFut: std::future::Future<Output = Result<T, String>>,
{
    admin
        .batch_execute(&format!("SET search_path TO {schema}"))
        .await
        .map_err(|e| e.to_string())?;
    crate::load::setup(&admin, rows).await?;
    drop(admin);
    let counters = Arc::new(Counters {
        completed: AtomicU64::new(0),
        failed: AtomicU64::new(0),
        lost: AtomicU64::new(0),
    });
    let pids: Pids = Arc::new(Mutex::new(vec![0; clients]));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for me in 0..clients {
        let (cfg, schema, op) = (cfg.clone(), schema.to_owned(), op.clone());
        let (counters, pids) = (Arc::clone(&counters), Arc::clone(&pids));
        tasks.push(tokio::spawn(async move {
            let mut k = 0u64;
            'connection: while start.elapsed() < time {
                let (client, pid) = reconnect(&cfg, &schema).await?;
                pids.lock().await[me] = pid;
                let client = Arc::new(client);
                while start.elapsed() < time {
                    k += 1;
                    match op(Arc::clone(&client), me, k, start).await {
                        Ok(done) => {
                            counters
                                .completed
                                .fetch_add(u64::from(done), Ordering::Relaxed);
                        }
                        Err(e) => {
                            counters.failed.fetch_add(1, Ordering::Relaxed);
                            if client.is_closed() || e.is_closed() {
                                counters.lost.fetch_add(1, Ordering::Relaxed);
                                continue 'connection;
                            }
                            // An error that left the connection open (a transaction
                            // aborted by the fault elsewhere): end the transaction.
                            let _ = client.batch_execute("ROLLBACK").await;
                        }
                    }
                }
            }
            Ok::<_, String>(())
        }));
    }
    let injector = {
        let (cfg, fault, pids) = (cfg.clone(), fault.clone(), Arc::clone(&pids));
        tokio::spawn(async move { inject(&cfg, &fault, &pids, time, start).await })
    };
    for t in tasks {
        t.await.map_err(|e| e.to_string())??;
    }
    injector.await.map_err(|e| e.to_string())??;
    let counters = Arc::try_unwrap(counters).map_err(|_| "clients still running".to_owned())?;
    // The admin connection does not survive a restart: read with a fresh one.
    let (reader, _) = reconnect(cfg, schema).await?;
    Ok((counters, check(reader).await?))
}

async fn inject(
    cfg: &PgConfig,
    fault: &Fault,
    pids: &Pids,
    time: Duration,
    start: Instant,
) -> Result<(), String> {
    match fault {
        Fault::KillConnections { every } => {
            let (control, _) = connect(cfg, "public").await?;
            let mut victim = 0;
            while start.elapsed() + *every < time {
                tokio::time::sleep(*every).await;
                let pid = {
                    let pids = pids.lock().await;
                    victim = (victim + 1) % pids.len();
                    pids[victim]
                };
                let _ = control
                    .execute("SELECT pg_terminate_backend($1)", &[&pid])
                    .await;
            }
            Ok(())
        }
        Fault::Restart { command } => {
            tokio::time::sleep(time / 2).await;
            let status = tokio::process::Command::new("sh")
                .args(["-c", command])
                .status()
                .await
                .map_err(|e| format!("'{command}': {e}"))?;
            if status.success() {
                Ok(())
            } else {
                Err(format!("'{command}' failed ({status})"))
            }
        }
    }
}

async fn drop_schema(cfg: &PgConfig, schema: &str) {
    if let Ok((c, _)) = reconnect(cfg, "public").await {
        let _ = c
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
            .await;
    }
}

/// A run's own runtime (two workers: the machines this runs on are small).
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

/// `jackpot/guarded-decrement`'s wins under `fault`; every fourth win redelivers the
/// previous id.
pub fn jackpot_wins(
    cfg: &PgConfig,
    clients: usize,
    time: Duration,
    fault: &Fault,
) -> Result<FaultReport, String> {
    runtime()?.block_on(async {
        let op = |client: Arc<Client>, me: usize, k: u64, _: Instant| async move {
            let id = (me as u64) * 10_000_000 + if k % 4 == 0 { k - 1 } else { k };
            run_call(&client, &jackpot::begin()).await?;
            let fresh = run_call(&client, &jackpot::record_win(id as u32)).await? == 1;
            let paid = fresh && run_call(&client, &jackpot::guarded_decrement(0, WIN)).await? == 1;
            let end = if paid { jackpot::commit() } else { jackpot::rollback() };
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
            with_faults(cfg, jackpot::setup(1, SEED), clients, time, fault, op, read).await?;
        let expected = Value::Int(SEED - WIN * paid);
        let invariant = if amount == expected {
            Ok(format!("money conserved: the pool holds {SEED} − {WIN} × {paid} paid wins = {amount}; no win id twice (primary key)"))
        } else {
            Err(format!("money lost: the pool holds {amount}, but {SEED} − {WIN} × {paid} paid wins = {expected}"))
        };
        Ok(counters.report("jackpot/guarded-decrement", invariant))
    })
}

/// `device-claim/epoch-lease`'s claims of one hot device under `fault`.
pub fn device_claims(
    cfg: &PgConfig,
    clients: usize,
    time: Duration,
    fault: &Fault,
) -> Result<FaultReport, String> {
    let holders = Arc::new(AtomicU64::new(0));
    let overlaps = Arc::new(AtomicU64::new(0));
    let report = runtime()?.block_on(async {
        let (h, o) = (Arc::clone(&holders), Arc::clone(&overlaps));
        let op = move |client: Arc<Client>, me: usize, _: u64, start: Instant| {
            let (holders, overlaps) = (Arc::clone(&h), Arc::clone(&o));
            async move {
                let now = start.elapsed().as_millis() as u64;
                let won = run_call(
                    &client,
                    &device::claim_if_free_or_expired(0, me, now, LEASE_MS, true),
                )
                .await?
                    == 1;
                if !won {
                    return Ok(false);
                }
                if holders.fetch_add(1, Ordering::SeqCst) != 0 {
                    overlaps.fetch_add(1, Ordering::SeqCst);
                }
                // Hold it briefly; a fault here leaves the lease to expire.
                tokio::time::sleep(Duration::from_millis(1)).await;
                holders.fetch_sub(1, Ordering::SeqCst);
                run_call(&client, &device::clear_owner(me)).await?;
                Ok(true)
            }
        };
        let nothing = |_: Client| async { Ok(()) };
        let (counters, ()) =
            with_faults(cfg, device::setup(1), clients, time, fault, op, nothing).await?;
        Ok::<_, String>(counters)
    })?;
    let overlaps = overlaps.load(Ordering::SeqCst);
    let invariant = if overlaps == 0 {
        Ok("no double claim: no claim won while another client held the device".to_owned())
    } else {
        Err(format!(
            "{overlaps} claims won while another client held the device"
        ))
    };
    Ok(report.report("device-claim/epoch-lease", invariant))
}
