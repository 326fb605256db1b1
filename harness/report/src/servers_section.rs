//! The real-server section: what the correct fixes' own statements cost on a real
//! PostgreSQL, beside pgbench running the same statements in the same run.

use std::fmt::Write as _;
use std::path::Path;

use locklab::server_bench::{Rate, ServerBench};

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
    let rows: Vec<Vec<String>> = bench
        .rows
        .iter()
        .map(|r| {
            vec![
                cell(&r.rung),
                r.clients.to_string(),
                with_range(&r.successes),
                si(r.attempts.mean),
                with_range(&r.statements),
                with_range(&r.pgbench_statements),
                ratio(r.statements.mean / r.pgbench_statements.mean.max(f64::MIN_POSITIVE)),
                floor(&r.successes).to_owned(),
            ]
        })
        .collect();
    let _ = writeln!(
        md,
        "{}",
        table(
            &[
                ("rung", Align::Left),
                ("clients", Align::Right),
                ("successful ops/s", Align::Right),
                ("attempts/s", Align::Right),
                ("statements/s", Align::Right),
                ("pgbench statements/s", Align::Right),
                ("× pgbench", Align::Right),
                ("≥ 1000 successful/s", Align::Left),
            ],
            &rows
        )
    );
    md
}
