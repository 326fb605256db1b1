//! The real-server section: what the correct fixes' own statements cost on a real
//! PostgreSQL, beside pgbench running the same statements in the same run; and the
//! correct lease's own commands on a real Redis, beside redis-benchmark.

use std::fmt::Write as _;
use std::path::Path;

use locklab::server_bench::{Rate, ServerBench, ServerBenchRow};

use super::criterion_data::read_json;
use super::error::ReportError;
use super::format::{cell, code, ratio, si, table, Align};

/// The command that measures it.
pub const MEASURE: &str = "cargo run --release -p locklab-servers --bin locklab-pgload";

/// Reads `reports/servers.json`, if it is there (the section then says how to make it).
pub fn load(path: &Path) -> Result<Option<ServerBench>, ReportError> {
    if !path.is_file() {
        return Ok(None);
    }
    read_json(path).map(Some)
}

fn with_range(r: &Rate) -> String {
    format!("{} [{}–{}]", si(r.mean), si(r.min), si(r.max))
}

/// *yes* only when every run cleared 1000 successful operations per second.
fn floor(r: &Rate) -> &'static str {
    if r.min >= 1000.0 {
        "yes"
    } else if r.mean >= 1000.0 {
        "not in every run"
    } else {
        "no"
    }
}

/// The section's markdown.
pub fn markdown(bench: Option<&ServerBench>, file: &Path) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "## Real servers\n");
    let Some(bench) = bench else {
        let _ = writeln!(
            md,
            "No {} yet: `{MEASURE}` writes it (and `locklab report --measure` runs it).\n",
            code(&file.display().to_string())
        );
        return md;
    };
    let (pg, redis): (Vec<&ServerBenchRow>, Vec<&ServerBenchRow>) =
        bench.rows.iter().partition(|r| r.server != "Redis");
    if !redis.is_empty() {
        let _ = writeln!(md, "### PostgreSQL\n");
    }
    let _ = writeln!(
        md,
        "{}, durable defaults. One hot row; each client (one tokio task, one connection) \
         sends the rung's own statements — the SQL text the model checked, \
         `models/src/<scheme>/statements.rs`: a device-claim claim and, when it wins, the \
         write-up's clear; a jackpot contribution (additive, or read then compare-and-set, \
         retried). An *attempt* is a claim or compare-and-set, a *success* one that updated \
         its row; afterwards the server's rows are checked (a pool holds exactly the \
         successful contributions). pgbench runs the same statements as a script \
         (`-M prepared`) on the same server, alternating with ours, {} runs of {} s each; \
         mean [slowest–fastest run]. The ratio compares statements per second, the unit \
         both count: pgbench's device-claim script sends the clear even after a lost \
         claim, ours only after a won one, and a claim that matches no row writes nothing, \
         so ours can pass pgbench when most claims lose. *≥ 1000* is *yes* only when every \
         run made 1000 successful operations per second.\n",
        cell(&bench.server),
        bench.runs,
        bench.seconds_per_run
    );
    let _ = writeln!(md, "{}", rows_table(&pg, "statements/s"));
    if !redis.is_empty() {
        let _ = writeln!(
            md,
            "### Redis\n\n{}. All clients contend for one lease key (one bot token); each \
             client (one tokio task, one connection) runs `singleton-poller/renewed-lease`'s \
             own commands, `models/src/singleton_poller/statements.rs`: one operation is \
             `SET key me NX PXAT <server now + 30 s>` sent again at once until granted, the \
             critical section (an in-process counter), one renewal (compare-and-pexpireat) and \
             the release (compare-and-delete). An *attempt* is an acquire sent, a *success* a \
             grant; every grant's renewal and release must return 1, no two clients may hold \
             the lease at once, and the key must be gone afterwards. redis-benchmark \
             (`-c` clients, one command in flight each, no pipelining, no think time) sends \
             each of the three commands to the same key on the same server, alternating with \
             ours, {} runs of {} s each; its column weights its three rates by the mix of \
             commands our run sent, and the ratio compares commands per second. Our operation \
             waits for three replies or more in turn, deciding on each, so the ratio is the \
             cost of the protocol's round trips and our client, not of the server.\n",
            cell(bench.redis_server.as_deref().unwrap_or("Redis")),
            bench.runs,
            bench.seconds_per_run
        );
        let _ = writeln!(md, "{}", rows_table(&redis, "commands/s"));
    }
    md
}

/// The table of `rows` (one server's), sent counts in `unit`, the reference tool
/// named by the rows.
fn rows_table(rows: &[&ServerBenchRow], unit: &str) -> String {
    let reference = rows.first().map_or("pgbench", |r| r.reference.as_str());
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                cell(&r.rung),
                r.clients.to_string(),
                with_range(&r.successes),
                si(r.attempts.mean),
                with_range(&r.statements),
                with_range(&r.reference_statements),
                ratio(r.statements.mean / r.reference_statements.mean.max(f64::MIN_POSITIVE)),
                floor(&r.successes).to_owned(),
            ]
        })
        .collect();
    let by_reference = format!("{reference} {unit}");
    let times = format!("× {reference}");
    table(
        &[
            ("rung", Align::Left),
            ("clients", Align::Right),
            ("successful ops/s", Align::Right),
            ("attempts/s", Align::Right),
            (unit, Align::Right),
            (by_reference.as_str(), Align::Right),
            (times.as_str(), Align::Right),
            ("≥ 1000 successful/s", Align::Left),
        ],
        &body,
    )
}
