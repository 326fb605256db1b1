//! The real-server bench: each correct device-claim fix's own statements at 1, 4 and 8
//! clients on PostgreSQL (durable defaults), beside pgbench running the same statements
//! on the same server in the same run, alternating with ours. Writes
//! `reports/servers.json`; `locklab report` turns it into the report's "Real servers"
//! section (`locklab report --measure` runs this first).
//!
//! `cargo run --release -p locklab-servers --bin locklab-pgload [-- SECONDS RUNS FILE]`

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use locklab::server_bench::{Rate, ServerBench, ServerBenchRow};
use locklab_servers::{Claim, LoadDb, PgConfig};

const CLIENTS: [usize; 3] = [1, 4, 8];
const USAGE: &str =
    "usage: locklab-pgload [SECONDS RUNS FILE] (defaults: 2 3 reports/servers.json)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
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

fn measure(time: Duration, runs: usize, file: &Path) -> Result<(), String> {
    let db = LoadDb::create(&PgConfig::default())?;
    let mut rows = Vec::new();
    for claim in [Claim::ConditionalUpdate, Claim::EpochLease] {
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
                "{} at {clients} clients: {:.0} successful claims/s of {:.0} attempts/s; {:.0} statements/s, pgbench {:.0}",
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
