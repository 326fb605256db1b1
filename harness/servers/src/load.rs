//! What a scheme's real statements cost on a real PostgreSQL: N clients (one tokio
//! task and one connection each) claiming and releasing one hot device with the
//! device-claim rung's own statements ([`statements`]), beside `pgbench` running
//! the same statements against the same server in the same run.
//!
//! An *attempt* is one claim statement; a *success* is a claim that updated its row
//! (the client then holds the device and releases it with the write-up's clear). The
//! comparable number is statements per second: pgbench runs the claim and the clear
//! as one script (two statements per transaction it counts).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use locklab_models::device_claim::statements::{self, Call};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls};

use crate::pg::PgConfig;
use crate::pg_value::Param;
use crate::run_name::run_name;

/// Which rung's claim the clients run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// `device-claim/conditional-update`: `… WHERE owner IS NULL`.
    ConditionalUpdate,
    /// `device-claim/epoch-lease`: the epoch lease's claim, at the clients' clock.
    EpochLease,
}

impl Claim {
    /// The rung's scenario id.
    pub fn id(self) -> &'static str {
        match self {
            Claim::ConditionalUpdate => "device-claim/conditional-update",
            Claim::EpochLease => "device-claim/epoch-lease",
        }
    }

    /// The claim of the hot device by client `me` at tick `now`.
    fn call(self, me: usize, now: u64) -> Call {
        match self {
            Claim::ConditionalUpdate => statements::claim_if_unowned(0, me),
            // A long lease: it never lapses under a holder (expiry is not measured).
            Claim::EpochLease => statements::claim_if_free_or_expired(0, me, now, LEASE, true),
        }
    }

    /// pgbench's script of the same two statements (`:me` a client's id, `:now` its
    /// clock), in pgbench's syntax.
    fn pgbench_script(self) -> String {
        let claim = match self {
            Claim::ConditionalUpdate => statements::CLAIM_IF_UNOWNED
                .replace("$1", ":me")
                .replace("$2", "0"),
            Claim::EpochLease => statements::CLAIM_EPOCH_LEASE
                .replace("$1", ":me")
                .replace("$2", ":until")
                .replace("$3", "0")
                .replace("$4", ":now"),
        };
        let clear = statements::CLEAR_OWNER.replace("$1", ":me");
        format!("\\set me :client_id + 1\n\\set now 0\n\\set until {LEASE}\n{claim};\n{clear};\n")
    }
}

/// Ticks a lease lasts in the load (longer than any run).
const LEASE: u64 = 1 << 40;

/// One timed run of the clients.
#[derive(Debug, Clone, Copy)]
pub struct Measured {
    /// Claims that won, per second.
    pub successes_per_s: f64,
    /// Claim statements, per second.
    pub attempts_per_s: f64,
    /// Statements (claims and releases), per second.
    pub statements_per_s: f64,
}

/// A schema of its own with the `devices` table, dropped when done.
pub struct LoadDb {
    cfg: PgConfig,
    schema: String,
    rt: tokio::runtime::Runtime,
}

/// A connection with `search_path` set to `schema` (its driver on a task of its own).
pub(crate) async fn connect(cfg: &PgConfig, schema: &str) -> Result<Client, String> {
    let (client, conn) = tokio_postgres::connect(&cfg.conninfo, NoTls)
        .await
        .map_err(|e| format!("PostgreSQL at '{}' is unreachable: {e}", cfg.conninfo))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    client
        .batch_execute(&format!("SET search_path TO {schema}"))
        .await
        .map_err(|e| e.to_string())?;
    Ok(client)
}

/// Runs a scheme's set-up statements (with their parameters), autocommitted.
pub(crate) async fn setup(
    client: &Client,
    rows: Vec<(&'static str, Vec<locklab_models::sim::store::sql::Value>)>,
) -> Result<(), String> {
    for (sql, params) in rows {
        let params: Vec<Param> = params.iter().map(Param).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        client
            .execute(sql, &refs)
            .await
            .map_err(|e| format!("{sql}: {e}"))?;
    }
    Ok(())
}

/// Runs `call` as the prepared statement `prepared` (prepared once per connection,
/// as pgbench's `-M prepared` does).
async fn execute(
    client: &Client,
    prepared: &tokio_postgres::Statement,
    call: &Call,
) -> Result<u64, String> {
    let params: Vec<Param> = call.params.iter().map(Param).collect();
    let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
    client
        .execute(prepared, &refs)
        .await
        .map_err(|e| format!("{}: {e}", call.stmt.sql()))
}

async fn prepare(client: &Client, call: &Call) -> Result<tokio_postgres::Statement, String> {
    client
        .prepare(call.stmt.sql())
        .await
        .map_err(|e| format!("{}: {e}", call.stmt.sql()))
}

impl LoadDb {
    /// Creates the schema and one unowned device.
    pub fn create(cfg: &PgConfig) -> Result<LoadDb, String> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let schema = run_name();
        rt.block_on(async {
            connect(cfg, "public")
                .await?
                .batch_execute(&format!("CREATE SCHEMA {schema}"))
                .await
                .map_err(|e| e.to_string())
        })?;
        let db = LoadDb {
            cfg: cfg.clone(),
            schema,
            rt,
        };
        db.reset()?;
        Ok(db)
    }

    /// The server's `SELECT version()`.
    pub fn version(&self) -> Result<String, String> {
        self.rt.block_on(async {
            let client = connect(&self.cfg, &self.schema).await?;
            let row = client
                .query_one("SELECT version()", &[])
                .await
                .map_err(|e| e.to_string())?;
            Ok(row.get::<_, String>(0))
        })
    }

    /// The schema's name (for `PGOPTIONS=-c search_path=…`).
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// Drops and recreates the table with its one unowned device.
    pub fn reset(&self) -> Result<(), String> {
        self.rt.block_on(async {
            let client = connect(&self.cfg, &self.schema).await?;
            client
                .batch_execute("DROP TABLE IF EXISTS devices")
                .await
                .map_err(|e| e.to_string())?;
            setup(&client, statements::setup(1)).await
        })
    }

    /// `clients` tasks, each on its own connection, claiming and releasing the hot
    /// device for `time`. Checks on the way that no claim wins while another client
    /// holds the device (the server's answers, counted).
    pub fn run(&self, claim: Claim, clients: usize, time: Duration) -> Result<Measured, String> {
        self.reset()?;
        let holders = Arc::new(AtomicU64::new(0));
        let (attempts, successes) = self.rt.block_on(async {
            let mut conns = Vec::new();
            for _ in 0..clients {
                conns.push(connect(&self.cfg, &self.schema).await?);
            }
            let start = Instant::now();
            let mut tasks = Vec::new();
            for (me, client) in conns.into_iter().enumerate() {
                let holders = Arc::clone(&holders);
                tasks.push(tokio::spawn(async move {
                    let claim_stmt = prepare(&client, &claim.call(me, 0)).await?;
                    let clear_stmt = prepare(&client, &statements::clear_owner(me)).await?;
                    let (mut attempts, mut successes) = (0u64, 0u64);
                    while start.elapsed() < time {
                        let now = start.elapsed().as_millis() as u64;
                        attempts += 1;
                        if execute(&client, &claim_stmt, &claim.call(me, now)).await? == 1 {
                            if holders.fetch_add(1, Ordering::SeqCst) != 0 {
                                return Err("two clients won the device at once".to_owned());
                            }
                            successes += 1;
                            holders.fetch_sub(1, Ordering::SeqCst);
                            execute(&client, &clear_stmt, &statements::clear_owner(me)).await?;
                        }
                    }
                    Ok::<_, String>((attempts, successes))
                }));
            }
            let (mut a, mut s) = (0, 0);
            for t in tasks {
                let (ta, ts) = t.await.map_err(|e| e.to_string())??;
                a += ta;
                s += ts;
            }
            Ok::<_, String>((a, s))
        })?;
        let secs = time.as_secs_f64();
        Ok(Measured {
            successes_per_s: successes as f64 / secs,
            attempts_per_s: attempts as f64 / secs,
            statements_per_s: (attempts + successes) as f64 / secs,
        })
    }

    /// pgbench on the same schema and server: the same two statements at `clients`
    /// clients for `time`; statements per second (two per pgbench transaction).
    pub fn pgbench(&self, claim: Claim, clients: usize, time: Duration) -> Result<f64, String> {
        self.reset()?;
        let script = std::env::temp_dir().join(format!("{}.sql", self.schema));
        std::fs::write(&script, claim.pgbench_script()).map_err(|e| e.to_string())?;
        let out = std::process::Command::new("pgbench")
            .args(["-n", "-M", "prepared", "-f"])
            .arg(&script)
            .args([
                "-c",
                &clients.to_string(),
                "-j",
                &clients.min(2).to_string(),
            ])
            .args(["-T", &time.as_secs().max(1).to_string()])
            .args(["-h", "127.0.0.1", "-U", "postgres", "test"])
            .env("PGOPTIONS", format!("-c search_path={}", self.schema))
            .output();
        let _ = std::fs::remove_file(&script);
        let out = out.map_err(|e| format!("pgbench did not run: {e}"))?;
        let text = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            return Err(format!(
                "pgbench failed: {}{text}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let tps = text
            .lines()
            .find(|l| l.starts_with("tps = "))
            .and_then(|l| l.trim_start_matches("tps = ").split_whitespace().next())
            .and_then(|n| n.parse::<f64>().ok())
            .ok_or_else(|| format!("no tps in pgbench's output: {text}"))?;
        Ok(tps * 2.0)
    }
}

impl Drop for LoadDb {
    fn drop(&mut self) {
        let (cfg, schema) = (&self.cfg, &self.schema);
        let _ = self.rt.block_on(async {
            let client = connect(cfg, "public").await?;
            client
                .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                .await
                .map_err(|e| e.to_string())
        });
    }
}
