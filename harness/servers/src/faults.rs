//! The loop every PostgreSQL fault run shares, and its faults: clients sending a
//! correct rung's own statements under connections killed mid-transaction
//! (`pg_terminate_backend` from a control connection) and, when asked, a server
//! restart mid-run ([`with_faults`]); then the invariant is read from the server,
//! not from what the clients believe (a client whose connection died at `COMMIT`
//! cannot know whether it committed; the server can).
//!
//! The runs themselves, one file a scheme, are in [`crate::fault_runs`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

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
    pub(crate) completed: AtomicU64,
    pub(crate) failed: AtomicU64,
    pub(crate) lost: AtomicU64,
}

impl Counters {
    /// All zero.
    pub(crate) fn new() -> Counters {
        Counters {
            completed: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            lost: AtomicU64::new(0),
        }
    }

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
/// with `rows`, on a runtime of its own; then `check` reads what the invariant needs
/// from the server, on a fresh connection in the schema. Drops the schema, whatever
/// happened.
///
/// Each client loops `op(client, me, k, start)` (its `k`-th operation; `start` the
/// run's start, for a virtual clock) until `time` is up; `Ok(true)` is a completed
/// operation. An error counts as a failed statement; one that closed the connection
/// also as a lost connection, and the client reconnects (for 30 s at most); one that
/// left it open is followed by a `ROLLBACK`.
pub(crate) fn with_faults<F, Fut, C, CFut, T>(
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
    runtime()?.block_on(async {
        let schema = run_name();
        let (admin, _) = connect(cfg, "public").await?;
        admin
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .await
            .map_err(|e| e.to_string())?;
        // Once the schema exists: whatever happens here, it is dropped after.
        let outcome = async {
            admin
                .batch_execute(&format!("SET search_path TO {schema}"))
                .await
                .map_err(|e| e.to_string())?;
            crate::load::setup(&admin, rows).await?;
            drop(admin);
            let counters = run_clients(cfg, &schema, clients, time, fault, op).await?;
            // The admin connection does not survive a restart: read with a fresh one.
            let (reader, _) = reconnect(cfg, &schema).await?;
            Ok((counters, check(reader).await?))
        }
        .await;
        drop_schema(cfg, &schema).await;
        outcome
    })
}

/// [`with_faults`]' clients and its fault injector, in the schema set up, until
/// `time` is up; what the clients counted.
async fn run_clients<F, Fut>(
    cfg: &PgConfig,
    schema: &str,
    clients: usize,
    time: Duration,
    fault: &Fault,
    op: F,
) -> Result<Counters, String>
where
    F: Fn(Arc<Client>, usize, u64, Instant) -> Fut + Send + Sync + 'static + Clone,
    Fut: std::future::Future<Output = Result<bool, tokio_postgres::Error>> + Send,
{
    let counters = Arc::new(Counters::new());
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
    // The injector runs here while the clients run in their tasks.
    let injected = kill_backends(cfg, fault, &pids, time, start).await;
    for t in tasks {
        t.await.map_err(|e| e.to_string())??;
    }
    injected?;
    Arc::try_unwrap(counters).map_err(|_| "clients still running".to_owned())
}

/// [`inject`] on PostgreSQL: a kill terminates the next client's backend from a
/// control connection (opened at the first kill).
async fn kill_backends(
    cfg: &PgConfig,
    fault: &Fault,
    pids: &Pids,
    time: Duration,
    start: Instant,
) -> Result<(), String> {
    let (mut control, mut victim) = (None, 0);
    inject(fault, time, start, async || {
        if control.is_none() {
            control = Some(connect(cfg, "public").await?.0);
        }
        let pid = {
            let pids = pids.lock().await;
            victim = (victim + 1) % pids.len();
            pids[victim]
        };
        if let Some(control) = &control {
            let _ = control
                .execute("SELECT pg_terminate_backend($1)", &[&pid])
                .await;
        }
        Ok(())
    })
    .await
}

/// The fault injector of every fault run, PostgreSQL's and Redis's: `kill` (the
/// server's way to kill one client's connection) every `every` until the run's
/// `time` is up, or the restart command once, half-way through.
pub(crate) async fn inject(
    fault: &Fault,
    time: Duration,
    start: Instant,
    mut kill: impl AsyncFnMut() -> Result<(), String>,
) -> Result<(), String> {
    match fault {
        Fault::KillConnections { every } => {
            while start.elapsed() + *every < time {
                tokio::time::sleep(*every).await;
                kill().await?;
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

/// A run's own runtime, for every load and fault run's clients (two workers: the
/// machines this runs on are small).
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}
