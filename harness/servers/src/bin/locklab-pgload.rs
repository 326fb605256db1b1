//! The real-server bench: the correct device-claim and jackpot fixes' own statements
//! at 1, 4 and 8 clients on PostgreSQL (durable defaults), beside pgbench running the same statements
//! on the same server in the same run, alternating with ours. Writes
//! `reports/servers.json`; `locklab report` turns it into the report's "Real servers"
//! section (`locklab report --measure` runs this first).
//!
//! `cargo run --release -p locklab-servers --bin locklab-pgload [-- SECONDS RUNS FILE]`
//!
//! `… locklab-pgload -- faults [--restart COMMAND]`: instead, the correct rungs'
//! statements under killed connections (and, with `--restart`, one server restart
//! by COMMAND half-way, e.g. `pg_ctlcluster 15 main restart`), each run's invariant
//! read back from the server.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use locklab::server_bench::{Rate, ServerBench, ServerBenchRow};
use locklab_servers::{device_claims, jackpot_wins, Claim, Fault, LoadDb, PgConfig};

const CLIENTS: [usize; 3] = [1, 4, 8];
const USAGE: &str =
    "usage: locklab-pgload [SECONDS RUNS FILE] (defaults: 2 3 reports/servers.json)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("faults") {
        let restart = match args.get(1..).unwrap_or_default() {
            [] => None,
            [flag, command] if flag == "--restart" => Some(command.clone()),
            _ => {
                eprintln!("error: usage: locklab-pgload faults [--restart COMMAND]");
                return ExitCode::from(2);
            }
        };
        return faults(restart);
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
fn faults(restart: Option<String>) -> ExitCode {
    let cfg = PgConfig::default();
    let mut plan = vec![Fault::KillConnections {
        every: Duration::from_millis(25),
    }];
    plan.extend(restart.map(|command| Fault::Restart { command }));
    let mut broken = false;
    for fault in &plan {
        let time = match fault {
            Fault::KillConnections { .. } => Duration::from_secs(3),
            Fault::Restart { .. } => Duration::from_secs(8),
        };
        for run in [jackpot_wins, device_claims] {
            match run(&cfg, 4, time, fault) {
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

fn measure(time: Duration, runs: usize, file: &Path) -> Result<(), String> {
    let db = LoadDb::create(&PgConfig::default())?;
    let mut rows = Vec::new();
    for claim in Claim::ALL {
        for clients in CLIENTS {
            let (mut won, mut tried, mut sent, mut pgbench) = (vec![], vec![], vec![], vec![]);
            for _ in 0..runs {
                let m = db.run(claim, clients, time)?;
                won.push(m.successes_per_s);
                tried.push(m.attempts_per_s);
                sent.push(m.statements_per_s);
                pgbench.push(db.pgbench(claim, clients, time)?);
            }
            let row = ServerBenchRow {
                rung: claim.id().to_owned(),
                clients,
                successes: Rate::of(&won),
                attempts: Rate::of(&tried),
                statements: Rate::of(&sent),
                pgbench_statements: Rate::of(&pgbench),
            };
            eprintln!(
                "{} at {clients} clients: {:.0} successful ops/s of {:.0} attempts/s; {:.0} statements/s, pgbench {:.0}",
                row.rung, row.successes.mean, row.attempts.mean, row.statements.mean, row.pgbench_statements.mean
            );
            rows.push(row);
        }
    }
    let bench = ServerBench {
        server: db.version()?,
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
