//! [`PgProbe`]: forced interleavings on a real PostgreSQL, one step at a time.

use std::pin::pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use locklab_models::sim::store::sql::Value;
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls};

use crate::availability::ServerUnavailable;
use crate::pg_case::{Completion, Observed};
use crate::pg_value::{row_values, Param};
use crate::run_name::run_name;

/// How often the control connection asks whether a step is blocked.
const POLL: Duration = Duration::from_millis(1);
/// How long a step may take to either complete or block (or a waiting step to finish
/// before its connection is used again).
const SETTLE: Duration = Duration::from_secs(10);

/// Where the server is. `LOCKLAB_PG` overrides the default connection string.
#[derive(Debug, Clone)]
pub struct PgConfig {
    /// A libpq-style connection string.
    pub conninfo: String,
}

impl Default for PgConfig {
    fn default() -> Self {
        PgConfig {
            conninfo: std::env::var("LOCKLAB_PG").unwrap_or_else(|_| {
                "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3".into()
            }),
        }
    }
}

/// One step of a forced interleaving: `sql` with `params` on connection `conn` — or,
/// with `terminate`, that connection's backend terminated from the control
/// connection (a process crash, a killed connection).
#[derive(Debug, Clone)]
pub struct PgStep {
    /// Which of the probe's connections sends it.
    pub conn: usize,
    /// The statement text, exactly as the model parses it (empty for `terminate`).
    pub sql: String,
    /// `$1…`.
    pub params: Vec<Value>,
    /// Instead of a statement: end this connection's backend
    /// (`pg_terminate_backend`, waiting until it has exited, so its transaction has
    /// rolled back and its locks are gone). The connection is dead afterwards.
    pub terminate: bool,
}

impl PgStep {
    /// `sql` with `params` on connection `conn`.
    pub fn statement(conn: usize, sql: &str, params: &[Value]) -> PgStep {
        PgStep {
            conn,
            sql: sql.to_owned(),
            params: params.to_vec(),
            terminate: false,
        }
    }

    /// Connection `conn`'s backend terminated.
    pub fn terminate(conn: usize) -> PgStep {
        PgStep {
            conn,
            sql: String::new(),
            params: Vec::new(),
            terminate: true,
        }
    }

    /// The step as a message shows it.
    pub fn describe(&self) -> String {
        if self.terminate {
            format!("{}: (backend terminated)", self.conn)
        } else {
            format!("{}: {}", self.conn, self.sql)
        }
    }
}

/// SQLSTATE of a statement whose backend was terminated under it (`admin_shutdown`).
pub const TERMINATED: &str = "57P01";

type StepResult = Result<(Vec<Vec<Value>>, u64), String>;

struct Conn {
    client: Arc<Client>,
    pid: i32,
    /// A step still running on this connection: its index and task.
    running: Option<(usize, JoinHandle<StepResult>)>,
    /// Its backend was terminated by a step.
    dead: bool,
}

/// N step connections and a control connection to a real PostgreSQL, inside a fresh
/// schema (`locklab_<pid>_<n>_<nanos>`) that is dropped when the probe is dropped —
/// also when a test panics.
pub struct PgProbe {
    rt: Runtime,
    control: Client,
    conns: Vec<Conn>,
    schema: String,
}

async fn connect(cfg: &PgConfig) -> Result<Client, ServerUnavailable> {
    let unavailable = |e: tokio_postgres::Error| ServerUnavailable {
        server: format!("PostgreSQL at '{}'", cfg.conninfo),
        reason: e.to_string(),
    };
    let (client, connection) = tokio_postgres::connect(&cfg.conninfo, NoTls)
        .await
        .map_err(unavailable)?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

fn sqlstate(e: &tokio_postgres::Error) -> String {
    match e.code() {
        Some(code) => code.code().to_owned(),
        // The backend exited before it could send an error (a terminated waiter
        // usually gets 57P01 first; when the socket closes first, say the same).
        None if e.is_closed() => TERMINATED.to_owned(),
        None => format!("client error: {e}"),
    }
}

async fn run_statement(client: Arc<Client>, sql: String, params: Vec<Value>) -> StepResult {
    let params: Vec<Param> = params.iter().map(Param).collect();
    let refs = params.iter().map(|p| p as &(dyn ToSql + Sync));
    let stream = client
        .query_raw(sql.as_str(), refs)
        .await
        .map_err(|e| sqlstate(&e))?;
    let mut stream = pin!(stream);
    let mut rows = Vec::new();
    while let Some(row) = stream.next().await {
        rows.push(row_values(&row.map_err(|e| sqlstate(&e))?)?);
    }
    let affected = stream.rows_affected().unwrap_or(0);
    Ok((rows, affected))
}

fn completion(r: StepResult) -> Completion {
    match r {
        Ok((rows, affected)) => Completion::Rows { rows, affected },
        Err(code) => Completion::Error { code },
    }
}

/// Waits until connection `c`'s running step completes (recording its result) or is
/// seen blocked (recording that it waited).
async fn settle(control: &Client, conns: &mut [Conn], c: usize, out: &mut [Observed]) {
    let start = Instant::now();
    loop {
        let Some((j, handle)) = conns[c].running.as_ref() else {
            return;
        };
        let j = *j;
        if handle.is_finished() {
            let (_, handle) = conns[c].running.take().expect("running step");
            out[j].completion = completion(handle.await.expect("step task"));
            return;
        }
        let blocked: i32 = control
            .query_one("SELECT cardinality(pg_blocking_pids($1))", &[&conns[c].pid])
            .await
            .expect("control connection")
            .get(0);
        if blocked > 0 {
            out[j].waited = true;
            return;
        }
        assert!(
            start.elapsed() < SETTLE,
            "step {j} neither completed nor blocked within {SETTLE:?}"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// Terminates connection `c`'s backend and waits until it has exited (its
/// transaction rolled back, its locks released); a step it had running ends with the
/// error the server sent it.
async fn terminate(control: &Client, conns: &mut [Conn], c: usize, out: &mut [Observed]) {
    let ended: bool = control
        .query_one("SELECT pg_terminate_backend($1, 10000)", &[&conns[c].pid])
        .await
        .expect("control connection")
        .get(0);
    assert!(ended, "backend {} did not exit within 10 s", conns[c].pid);
    conns[c].dead = true;
    if let Some((j, handle)) = conns[c].running.take() {
        let done = tokio::time::timeout(SETTLE, handle).await;
        let r = done.expect("a terminated backend's statement ends");
        out[j].completion = completion(r.expect("step task"));
    }
}

impl PgProbe {
    /// Opens `conns` step connections and creates the run's schema. Each connection
    /// gets `search_path` set to it and a `deadlock_timeout` of 1 s: a case closes
    /// every cycle well within it, so the first waiter is the victim, as the model
    /// assumes. (100 ms was not enough on a loaded CI runner: the step closing the
    /// cycle came later, the first waiter's one check had found no cycle yet, and the
    /// second waiter became the victim.)
    pub fn open(cfg: &PgConfig, conns: usize) -> Result<PgProbe, ServerUnavailable> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a current-thread tokio runtime");
        let schema = run_name();
        let (control, conns) = rt.block_on(async {
            let control = connect(cfg).await?;
            let fail = |e: tokio_postgres::Error| ServerUnavailable {
                server: "PostgreSQL".into(),
                reason: e.to_string(),
            };
            control
                .batch_execute(&format!(
                    "CREATE SCHEMA {schema}; SET search_path TO {schema}; SET lock_timeout = '10s'"
                ))
                .await
                .map_err(fail)?;
            let mut out = Vec::new();
            for _ in 0..conns {
                let client = connect(cfg).await?;
                client
                    .batch_execute(&format!(
                        "SET search_path TO {schema}; SET deadlock_timeout = '1s'; \
                         SET statement_timeout = '30s'"
                    ))
                    .await
                    .map_err(fail)?;
                let pid: i32 = client
                    .query_one("SELECT pg_backend_pid()", &[])
                    .await
                    .map_err(fail)?
                    .get(0);
                out.push(Conn {
                    client: Arc::new(client),
                    pid,
                    running: None,
                    dead: false,
                });
            }
            Ok::<_, ServerUnavailable>((control, out))
        })?;
        Ok(PgProbe {
            rt,
            control,
            conns,
            schema,
        })
    }

    /// The run's schema name.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// Runs set-up statements (autocommit) on the control connection.
    pub fn setup(&self, sqls: &[&str]) -> Result<(), String> {
        self.rt.block_on(async {
            for sql in sqls {
                self.control
                    .batch_execute(sql)
                    .await
                    .map_err(|e| format!("set-up '{sql}': {e}"))?;
            }
            Ok(())
        })
    }

    /// Runs set-up statements with parameters (autocommit) on the control connection.
    pub fn setup_with_params(&self, sqls: &[(String, Vec<Value>)]) -> Result<(), String> {
        self.rt.block_on(async {
            for (sql, params) in sqls {
                let params: Vec<Param> = params.iter().map(Param).collect();
                let refs: Vec<&(dyn ToSql + Sync)> =
                    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
                self.control
                    .execute(sql.as_str(), &refs)
                    .await
                    .map_err(|e| format!("set-up '{sql}': {e}"))?;
            }
            Ok(())
        })
    }

    /// A query returning one boolean, on the control connection.
    pub fn query_bool(&self, sql: &str) -> Result<bool, String> {
        self.rt.block_on(async {
            let row = self
                .control
                .query_one(sql, &[])
                .await
                .map_err(|e| format!("'{sql}': {e}"))?;
            row.try_get::<_, bool>(0)
                .map_err(|e| format!("'{sql}': {e}"))
        })
    }

    /// Whether a step terminated one of the probe's connections (it cannot be used
    /// for another run).
    pub fn any_terminated(&self) -> bool {
        self.conns.iter().any(|c| c.dead)
    }

    /// Whether a step connection is inside a transaction (or still running a step).
    pub fn any_in_transaction(&self) -> Result<bool, String> {
        let pids: Vec<i32> = self.conns.iter().map(|c| c.pid).collect();
        self.rt.block_on(async {
            let busy: i64 = self
                .control
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1) AND state <> 'idle'",
                    &[&pids],
                )
                .await
                .map_err(|e| format!("reading pg_stat_activity: {e}"))?
                .get(0);
            Ok(busy > 0)
        })
    }

    /// Runs the steps in order and reports each one: whether it was seen waiting, and
    /// how it completed (rows and count, or SQLSTATE) — a waiting step's result is
    /// collected when it completes, attributed to it; one still waiting at the end is
    /// [`Completion::StillWaiting`].
    pub fn run(&mut self, steps: &[PgStep]) -> Vec<Observed> {
        let mut out: Vec<Observed> = steps
            .iter()
            .map(|_| Observed {
                waited: false,
                completion: Completion::StillWaiting,
            })
            .collect();
        let PgProbe {
            rt, control, conns, ..
        } = self;
        rt.block_on(async {
            for (i, step) in steps.iter().enumerate() {
                if step.terminate {
                    terminate(control, conns, step.conn, &mut out).await;
                    out[i].completion = Completion::Rows {
                        rows: vec![],
                        affected: 0,
                    };
                    for c in 0..conns.len() {
                        settle(control, conns, c, &mut out).await;
                    }
                    continue;
                }
                // A connection with a step still running: let it finish first.
                if let Some((j, handle)) = conns[step.conn].running.take() {
                    let done = tokio::time::timeout(SETTLE, handle).await;
                    match done {
                        Ok(r) => out[j].completion = completion(r.expect("step task")),
                        Err(_) => panic!(
                            "step {i} needs connection {} but step {j} is still waiting there",
                            step.conn
                        ),
                    }
                }
                let conn = &mut conns[step.conn];
                let task = tokio::spawn(run_statement(
                    conn.client.clone(),
                    step.sql.clone(),
                    step.params.clone(),
                ));
                conn.running = Some((i, task));
                // Settle: the new step, then every other running one, must each either
                // complete or be seen blocked.
                let order: Vec<usize> = std::iter::once(step.conn)
                    .chain((0..conns.len()).filter(|c| *c != step.conn))
                    .collect();
                for c in order {
                    settle(control, conns, c, &mut out).await;
                }
            }
            // Steps still waiting at the end stay StillWaiting; give ones that were
            // just released a moment to finish.
            for c in 0..conns.len() {
                settle(control, conns, c, &mut out).await;
            }
        });
        out
    }

    /// Every committed row of `table`, sorted (read on the control connection).
    pub fn committed_rows(&self, table: &str) -> Result<Vec<Vec<Value>>, String> {
        self.rt.block_on(async {
            let rows = self
                .control
                .query(&format!("SELECT * FROM {table}"), &[])
                .await
                .map_err(|e| format!("reading {table}: {e}"))?;
            let mut out = rows.iter().map(row_values).collect::<Result<Vec<_>, _>>()?;
            out.sort();
            Ok(out)
        })
    }

    /// Schemas this process created that still exist (a leak check).
    pub fn leftover_schemas(&self) -> Vec<String> {
        let prefix = crate::run_name::process_prefix();
        self.rt.block_on(async {
            self.control
                .query(
                    "SELECT nspname::text FROM pg_namespace WHERE starts_with(nspname, $1) AND nspname <> $2",
                    &[&prefix, &self.schema],
                )
                .await
                .map(|rows| rows.iter().map(|r| r.get(0)).collect())
                .unwrap_or_default()
        })
    }
}

impl Drop for PgProbe {
    fn drop(&mut self) {
        let pids: Vec<i32> = self.conns.iter().map(|c| c.pid).collect();
        let conns = std::mem::take(&mut self.conns);
        let (control, schema) = (&self.control, &self.schema);
        self.rt.block_on(async move {
            drop(conns);
            // Step connections may hold locks in the schema: end them first.
            let _ = control
                .execute(
                    "SELECT pg_terminate_backend(p) FROM unnest($1::int[]) AS p",
                    &[&pids],
                )
                .await;
            let drop_sql = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
            for _ in 0..50 {
                if control.batch_execute(&drop_sql).await.is_ok() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            eprintln!("warning: could not drop schema {schema}");
        });
    }
}
