//! What a scheme's real statements cost on a real PostgreSQL: N clients (one tokio
//! task and one connection each) running a correct rung's own statements on one hot
//! row — a device-claim claim and release, a jackpot contribution — beside `pgbench`
//! running the same statements against the same server in the same run.
//!
//! An *attempt* is one claim (or compare-and-set) statement; a *success* is one that
//! updated its row (a device-claim client then holds the device and releases it with
//! the write-up's clear). The comparable number is statements per second, which both
//! count. Afterwards the server's rows are checked: no two clients held the device at
//! once, and a pool holds exactly the contributions that succeeded.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use locklab_models::device_claim::statements;
use locklab_models::jackpot::statements as jackpot;
use locklab_models::sim::store::sql::{Call, Value};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls};

use crate::pg::PgConfig;
use crate::pg_value::Param;
use crate::run_name::run_name;

/// Which correct rung the clients run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// `device-claim/conditional-update`: `… WHERE owner IS NULL`, then the clear.
    ConditionalUpdate,
    /// `device-claim/epoch-lease`: the epoch lease's claim at the clients' clock,
    /// then the clear.
    EpochLease,
    /// `jackpot/guarded-decrement`'s contribution: `SET amount = amount + $1`.
    AdditiveContribution,
    /// `jackpot/version-cas`'s contribution: read, then compare-and-set (retried).
    CasContribution,
}

impl Claim {
    /// Every rung the bench measures.
    pub const ALL: [Claim; 4] = [
        Claim::ConditionalUpdate,
        Claim::EpochLease,
        Claim::AdditiveContribution,
        Claim::CasContribution,
    ];

    /// The rung's scenario id.
    pub fn id(self) -> &'static str {
        match self {
            Claim::ConditionalUpdate => "device-claim/conditional-update",
            Claim::EpochLease => "device-claim/epoch-lease",
            Claim::AdditiveContribution => "jackpot/guarded-decrement",
            Claim::CasContribution => "jackpot/version-cas",
        }
    }

    fn is_jackpot(self) -> bool {
        matches!(self, Claim::AdditiveContribution | Claim::CasContribution)
    }

    /// The hot row's table, set up as the model sets it up (one device, or one
    /// empty pool that counts contributions).
    fn setup(self) -> Vec<(&'static str, Vec<Value>)> {
        if self.is_jackpot() {
            jackpot::setup(1, 0)
        } else {
            statements::setup(1)
        }
    }

    /// The claim of the hot device by client `me` at tick `now`.
    fn call(self, me: usize, now: u64) -> Call {
        match self {
            Claim::ConditionalUpdate => statements::claim_if_unowned(0, me),
            // A long lease: it never lapses under a holder (expiry is not measured).
            Claim::EpochLease => statements::claim_if_free_or_expired(0, me, now, LEASE, true),
            Claim::AdditiveContribution => jackpot::add(0, 1),
            // Prepared with placeholder values; each attempt binds what it read.
            Claim::CasContribution => jackpot::compare_and_set(0, 0, 0),
        }
    }

    /// pgbench's script of the same statements (`:me` a client's id), in pgbench's
    /// syntax, and how many statements one of its transactions sends.
    fn pgbench_script(self) -> (String, f64) {
        let clear = statements::CLEAR_OWNER.replace("$1", ":me");
        let me = "\\set me :client_id + 1\n";
        match self {
            Claim::ConditionalUpdate => {
                let claim = statements::CLAIM_IF_UNOWNED
                    .replace("$1", ":me")
                    .replace("$2", "0");
                (format!("{me}{claim};\n{clear};\n"), 2.0)
            }
            Claim::EpochLease => {
                let claim = statements::CLAIM_EPOCH_LEASE
                    .replace("$1", ":me")
                    .replace("$2", &LEASE.to_string())
                    .replace("$3", "0")
                    .replace("$4", "0");
                (format!("{me}{claim};\n{clear};\n"), 2.0)
            }
            Claim::AdditiveContribution => (
                format!("{};\n", jackpot::ADD.replace("$1", "1").replace("$2", "0")),
                1.0,
            ),
            Claim::CasContribution => {
                let read = jackpot::READ_POOL.replace("$1", "0");
                let cas = jackpot::COMPARE_AND_SET
                    .replace("$1", ":amount + 1")
                    .replace("$2", "0")
                    .replace("$3", ":version");
                (format!("{read} \\gset\n{cas};\n"), 2.0)
            }
        }
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
        let rt = crate::faults::runtime()?;
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
        db.reset(Claim::ConditionalUpdate)?;
        Ok(db)
    }

    /// The server's `SELECT version()`.
    pub fn version(&self) -> Result<String, String> {
        self.value("SELECT version()")
    }

    /// The one value `sql` returns, read on a fresh connection in the schema.
    fn value<T: for<'a> tokio_postgres::types::FromSql<'a>>(&self, sql: &str) -> Result<T, String> {
        self.rt.block_on(async {
            let client = connect(&self.cfg, &self.schema).await?;
            let row = client
                .query_one(sql, &[])
                .await
                .map_err(|e| e.to_string())?;
            row.try_get::<_, T>(0).map_err(|e| e.to_string())
        })
    }

    /// The schema's name (for `PGOPTIONS=-c search_path=…`).
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// Drops every table and sets up `rung`'s hot row afresh.
    pub fn reset(&self, rung: Claim) -> Result<(), String> {
        self.rt.block_on(async {
            let client = connect(&self.cfg, &self.schema).await?;
            client
                .batch_execute("DROP TABLE IF EXISTS devices, jackpots, paid_wins")
                .await
                .map_err(|e| e.to_string())?;
            setup(&client, rung.setup()).await
        })
    }

    /// `clients` tasks, each on its own connection, running `rung` on the hot row
    /// for `time`. Checks on the way that no claim wins while another client holds
    /// the device, and afterwards that the pool holds every successful contribution.
    pub fn run(&self, rung: Claim, clients: usize, time: Duration) -> Result<Measured, String> {
        self.reset(rung)?;
        let holders = Arc::new(AtomicU64::new(0));
        let (attempts, successes, sent) = self.rt.block_on(async {
            let mut conns = Vec::new();
            for _ in 0..clients {
                conns.push(connect(&self.cfg, &self.schema).await?);
            }
            let start = Instant::now();
            let mut tasks = Vec::new();
            for (me, client) in conns.into_iter().enumerate() {
                let holders = Arc::clone(&holders);
                tasks.push(tokio::spawn(async move {
                    let main = prepare(&client, &rung.call(me, 0)).await?;
                    // Each rung's other statement, prepared where its table exists.
                    let other = match rung {
                        Claim::CasContribution => jackpot::read_pool(0),
                        Claim::AdditiveContribution => jackpot::add(0, 1),
                        _ => statements::clear_owner(me),
                    };
                    let other = prepare(&client, &other).await?;
                    let (mut attempts, mut successes, mut sent) = (0u64, 0u64, 0u64);
                    while start.elapsed() < time {
                        let now = start.elapsed().as_millis() as u64;
                        let call = match rung {
                            Claim::CasContribution => {
                                sent += 1;
                                let row = client
                                    .query_one(&other, &[&0i32])
                                    .await
                                    .map_err(|e| e.to_string())?;
                                let (amount, version): (i64, i64) = (row.get(0), row.get(1));
                                jackpot::compare_and_set(0, version as u64, amount + 1)
                            }
                            _ => rung.call(me, now),
                        };
                        attempts += 1;
                        sent += 1;
                        if execute(&client, &main, &call).await? != 1 {
                            continue;
                        }
                        successes += 1;
                        if !rung.is_jackpot() {
                            if holders.fetch_add(1, Ordering::SeqCst) != 0 {
                                return Err("two clients won the device at once".to_owned());
                            }
                            holders.fetch_sub(1, Ordering::SeqCst);
                            sent += 1;
                            execute(&client, &other, &statements::clear_owner(me)).await?;
                        }
                    }
                    Ok::<_, String>((attempts, successes, sent))
                }));
            }
            let (mut a, mut s, mut n) = (0, 0, 0);
            for t in tasks {
                let (ta, ts, tn) = t.await.map_err(|e| e.to_string())??;
                a += ta;
                s += ts;
                n += tn;
            }
            Ok::<_, String>((a, s, n))
        })?;
        if rung.is_jackpot() {
            let amount: i64 = self.value("SELECT amount FROM jackpots WHERE id = 0")?;
            if amount != successes as i64 {
                return Err(format!(
                    "{}: the pool holds {amount} after {successes} successful contributions of 1",
                    rung.id()
                ));
            }
        }
        let secs = time.as_secs_f64();
        Ok(Measured {
            successes_per_s: successes as f64 / secs,
            attempts_per_s: attempts as f64 / secs,
            statements_per_s: sent as f64 / secs,
        })
    }

    /// pgbench on the same schema and server: the same statements at `clients`
    /// clients for `time`; statements per second.
    pub fn pgbench(&self, rung: Claim, clients: usize, time: Duration) -> Result<f64, String> {
        self.reset(rung)?;
        let script = std::env::temp_dir().join(format!("{}.sql", self.schema));
        let (text, per_transaction) = rung.pgbench_script();
        std::fs::write(&script, text).map_err(|e| e.to_string())?;
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
        Ok(tps * per_transaction)
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
