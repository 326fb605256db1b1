//! The real-server bench: the correct device-claim and jackpot fixes' own statements
//! at 1, 4 and 8 clients on PostgreSQL (durable defaults), beside pgbench running the same statements
//! on the same server in the same run, alternating with ours; then the correct
//! singleton-poller lease's own commands at 1, 4 and 8 clients on Redis, beside
//! redis-benchmark sending the same commands, alternating likewise. Writes
//! `reports/servers.json`; `locklab report` turns it into the report's "Real servers"
//! section (`locklab report --measure` runs this first).
//!
//! `cargo run --release -p locklab-servers --bin locklab-pgload [-- SECONDS RUNS FILE]`
//!
//! `… locklab-pgload -- faults [--restart COMMAND] [--redis-restart COMMAND]`:
//! instead, the correct rungs' statements under killed connections (and, with
//! `--restart`, one PostgreSQL restart by COMMAND half-way, e.g. `pg_ctlcluster 15
//! main restart`; with `--redis-restart`, one Redis restart), each run's invariant
//! read back from the server (PostgreSQL) or from the clients' critical sections
//! (the Redis lease). On PostgreSQL: `jackpot/guarded-decrement`, `version-cas`,
//! `row-lock-win` and `canonical-lock-order`; `device-claim/epoch-lease` and
//! `conditional-update`; `instance-coordinator/fenced-lease`, `expiring-lock-table`,
//! `single-transaction`, `insufficient-balance` and `profile-snapshot`;
//! `cart-reservation/ttl-reservation-cache` and `shared-atomic-reservation`. On
//! Redis: `singleton-poller/renewed-lease` and `late-renewal`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use locklab::server_bench::{Rate, ServerBench, ServerBenchRow};
use locklab_servers::{
    device_claims, device_conditional_claims, expiring_lock_purchases, fenced_purchases,
    jackpot_batches, jackpot_cas, jackpot_row_lock_wins, jackpot_wins, late_renewals,
    lease_holders, shared_reservation_orders, single_transactions, ttl_cache_orders, Claim, Fault,
    FaultReport, LeaseLoad, LoadDb, Measured, PgConfig, RedisConfig, SingleTransactionRung,
};

const CLIENTS: [usize; 3] = [1, 4, 8];
/// Wins the row-lock-win run's pool holds (and half a win) under kills: about what
/// its clients pay in the first half of the run here, so the pool runs dry and the
/// rest of the wins are refused.
const POOL_WINS: i64 = 500;
/// Units of each cart item under kills (3 s), for the ttl-reservation-cache and the
/// shared-atomic runs: about what their clients sell of an item in half the run here
/// (the shared-atomic run sells far slower under kills, its dead clients' entries
/// blocking every cart until they lapse), so the stock runs out part-way.
const CART_STOCK_KILLS: [i64; 2] = [150, 30];
/// The same under a restart (8 s, restarted half-way): enough to sell on through the
/// restart and run out after it.
const CART_STOCK_RESTART: [i64; 2] = [600, 450];
const USAGE: &str =
    "usage: locklab-pgload [SECONDS RUNS FILE] (defaults: 2 3 reports/servers.json)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("faults") {
        let (mut restart, mut redis_restart) = (None, None);
        for pair in args[1..].chunks(2) {
            match pair {
                [flag, command] if flag == "--restart" => restart = Some(command.clone()),
                [flag, command] if flag == "--redis-restart" => {
                    redis_restart = Some(command.clone())
                }
                _ => {
                    eprintln!(
                        "error: usage: locklab-pgload faults [--restart COMMAND] \
                         [--redis-restart COMMAND]"
                    );
                    return ExitCode::from(2);
                }
            }
        }
        return faults(restart, redis_restart);
    }
    let number = |i: usize, default: u64| -> Result<u64, String> {
        args.get(i).map_or(Ok(default), |a| {
            a.parse::<u64>()
                .ok()
                .filter(|n| (1..=600).contains(n))
                .ok_or_else(|| format!("'{a}' is not a whole number from 1 to 600; {USAGE}"))
        })
    };
    let parsed = number(0, 2).and_then(|secs| Ok((secs, number(1, 3)?)));
    let file = PathBuf::from(args.get(2).map_or("reports/servers.json", String::as_str));
    let result = parsed
        .map_err(|e| e.to_string())
        .and_then(|(secs, runs)| measure(Duration::from_secs(secs), runs as usize, &file));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Each correct rung under killed connections, then (if given) under a restart.
fn faults(restart: Option<String>, redis_restart: Option<String>) -> ExitCode {
    let kills = Fault::KillConnections {
        every: Duration::from_millis(25),
    };
    let mut plan = vec![(Server::Postgres, kills.clone())];
    plan.extend(restart.map(|command| (Server::Postgres, Fault::Restart { command })));
    plan.push((Server::Redis, kills));
    plan.extend(redis_restart.map(|command| (Server::Redis, Fault::Restart { command })));
    let mut broken = false;
    for (server, fault) in &plan {
        let time = match fault {
            Fault::KillConnections { .. } => Duration::from_secs(3),
            Fault::Restart { .. } => Duration::from_secs(8),
        };
        let runs: Vec<FaultRun> = match server {
            Server::Postgres => vec![
                Box::new(|t, f: &Fault| jackpot_wins(&PgConfig::default(), 4, t, f)),
                Box::new(|t, f: &Fault| jackpot_cas(&PgConfig::default(), 4, t, f)),
                Box::new(|t, f: &Fault| {
                    // Under kills the pool runs dry part-way; a restart run keeps paying.
                    let wins = match f {
                        Fault::KillConnections { .. } => POOL_WINS,
                        Fault::Restart { .. } => 100 * POOL_WINS,
                    };
                    jackpot_row_lock_wins(&PgConfig::default(), 4, t, f, wins)
                }),
                Box::new(|t, f: &Fault| jackpot_batches(&PgConfig::default(), 4, t, f)),
                Box::new(|t, f: &Fault| device_claims(&PgConfig::default(), 4, t, f)),
                Box::new(|t, f: &Fault| device_conditional_claims(&PgConfig::default(), 4, t, f)),
                Box::new(|t, f: &Fault| fenced_purchases(&PgConfig::default(), 4, t, f)),
                Box::new(|t, f: &Fault| expiring_lock_purchases(&PgConfig::default(), 4, t, f)),
                Box::new(|t, f: &Fault| {
                    single_transactions(
                        &PgConfig::default(),
                        4,
                        t,
                        f,
                        SingleTransactionRung::Purchases,
                    )
                }),
                Box::new(|t, f: &Fault| {
                    single_transactions(
                        &PgConfig::default(),
                        4,
                        t,
                        f,
                        SingleTransactionRung::CannotPay,
                    )
                }),
                Box::new(|t, f: &Fault| {
                    single_transactions(
                        &PgConfig::default(),
                        4,
                        t,
                        f,
                        SingleTransactionRung::ProfileSnapshot,
                    )
                }),
                Box::new(|t, f: &Fault| {
                    ttl_cache_orders(&PgConfig::default(), 4, t, f, cart_stock(f, 0))
                }),
                Box::new(|t, f: &Fault| {
                    shared_reservation_orders(&PgConfig::default(), 4, t, f, cart_stock(f, 1))
                }),
            ],
            Server::Redis => vec![
                Box::new(|t, f: &Fault| lease_holders(&RedisConfig::default(), 4, t, f)),
                Box::new(|t, f: &Fault| late_renewals(&RedisConfig::default(), 4, t, f)),
            ],
        };
        for run in runs {
            match run(time, fault) {
                Ok(r) => {
                    println!(
                        "{} under {fault:?} for {time:?}: {} operations completed, {} connections lost, {} statements failed; {}",
                        r.rung,
                        r.completed,
                        r.connections_lost,
                        r.failed_statements,
                        match &r.invariant {
                            Ok(held) => format!("held: {held}"),
                            Err(broke) => format!("BROKEN: {broke}"),
                        }
                    );
                    broken |= r.invariant.is_err();
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            }
        }
    }
    ExitCode::from(u8::from(broken))
}

/// The cart rung `rung`'s stock per item under `fault`.
fn cart_stock(fault: &Fault, rung: usize) -> i64 {
    match fault {
        Fault::KillConnections { .. } => CART_STOCK_KILLS[rung],
        Fault::Restart { .. } => CART_STOCK_RESTART[rung],
    }
}

/// Which server a fault run is on.
enum Server {
    Postgres,
    Redis,
}

/// One correct rung's run under a fault, for `time`.
type FaultRun = Box<dyn Fn(Duration, &Fault) -> Result<FaultReport, String>>;

/// One row's runs: ours, each beside the reference tool's rate in the same run.
#[derive(Default)]
struct Samples {
    won: Vec<f64>,
    tried: Vec<f64>,
    sent: Vec<f64>,
    reference: Vec<f64>,
}

impl Samples {
    fn add(&mut self, ours: &Measured, reference: f64) {
        self.won.push(ours.successes_per_s);
        self.tried.push(ours.attempts_per_s);
        self.sent.push(ours.statements_per_s);
        self.reference.push(reference);
    }

    fn row(&self, server: &str, rung: &str, clients: usize, tool: &str) -> ServerBenchRow {
        ServerBenchRow {
            server: server.to_owned(),
            rung: rung.to_owned(),
            clients,
            successes: Rate::of(&self.won),
            attempts: Rate::of(&self.tried),
            statements: Rate::of(&self.sent),
            reference: tool.to_owned(),
            reference_statements: Rate::of(&self.reference),
        }
    }
}

fn measure(time: Duration, runs: usize, file: &Path) -> Result<(), String> {
    let db = LoadDb::create(&PgConfig::default())?;
    let mut rows = Vec::new();
    for claim in Claim::ALL {
        for clients in CLIENTS {
            let mut samples = Samples::default();
            for _ in 0..runs {
                let m = db.run(claim, clients, time)?;
                samples.add(&m, db.pgbench(claim, clients, time)?);
            }
            let row = samples.row("PostgreSQL", claim.id(), clients, "pgbench");
            eprintln!(
                "{} at {clients} clients: {:.0} successful ops/s of {:.0} attempts/s; {:.0} statements/s, pgbench {:.0}",
                row.rung, row.successes.mean, row.attempts.mean, row.statements.mean, row.reference_statements.mean
            );
            rows.push(row);
        }
    }
    let server = db.version()?;
    drop(db);
    let lease = LeaseLoad::create(&RedisConfig::default())?;
    for clients in CLIENTS {
        let mut samples = Samples::default();
        for _ in 0..runs {
            let m = lease.run(clients, time)?;
            // redis-benchmark's rates, weighted by the mix of commands this run sent.
            let rb = lease.redis_benchmark(clients, time)?;
            eprintln!(
                "  lease at {clients} clients: {:.0} ops/s, {:.0} attempts/s, {:.0} commands/s; redis-benchmark SET NX PXAT {:.0}, renew {:.0}, release {:.0} requests/s",
                m.successes_per_s, m.attempts_per_s, m.statements_per_s, rb.acquire_per_s, rb.renew_per_s, rb.release_per_s
            );
            samples.add(&m, rb.commands_per_s_for(&m));
        }
        let row = samples.row(
            "Redis",
            "singleton-poller/renewed-lease",
            clients,
            "redis-benchmark",
        );
        eprintln!(
            "{} at {clients} clients: {:.0} successful ops/s of {:.0} attempts/s; {:.0} commands/s, redis-benchmark {:.0} on the same mix",
            row.rung, row.successes.mean, row.attempts.mean, row.statements.mean, row.reference_statements.mean
        );
        rows.push(row);
    }
    let bench = ServerBench {
        server,
        redis_server: Some(lease.version()?),
        seconds_per_run: time.as_secs(),
        runs,
        rows,
    };
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let json = serde_json::to_string_pretty(&bench).expect("the bench serialises");
    std::fs::write(file, json + "\n").map_err(|e| format!("{}: {e}", file.display()))?;
    eprintln!("wrote {}", file.display());
    Ok(())
}
