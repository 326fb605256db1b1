//! `locklab report`: regenerate `reports/` from saved results, or (`--measure`) run
//! the benchmarks and `check` first.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use locklab::agreement::AgreementReport;
use locklab::check::{CheckDepth, CheckReport, CheckRow};
use locklab_report::{generate, Inputs, Meta};

use crate::args::ReportArgs;
use crate::backend::Backend;
use crate::UsageError;

pub fn report(args: ReportArgs) -> Result<u8, UsageError> {
    if args.measure {
        let states = args.check.with_file_name(STATES_FILE);
        if let Err(message) = run_benchmarks()
            .and_then(|()| run_check(&args.check))
            .and_then(|()| run_states(&states))
            .and_then(|()| run_server_bench(&args.check.with_file_name(SERVERS_FILE)))
            .and_then(|()| run_agreement(&args.check.with_file_name(AGREEMENT_FILE)))
        {
            eprintln!("error: {message}; the report was not regenerated");
            return Ok(1);
        }
    }
    let inputs = Inputs {
        criterion_dir: args.criterion.unwrap_or_else(default_criterion_dir),
        states_file: args.check.with_file_name(STATES_FILE),
        servers_file: args.check.with_file_name(SERVERS_FILE),
        agreement_file: args.check.with_file_name(AGREEMENT_FILE),
        check_file: args.check,
        meta: Meta::gather(Path::new(".")),
    };
    eprintln!(
        "reading {} and {}; replaying the buggy rungs for their timelines…",
        inputs.criterion_dir.display(),
        inputs.check_file.display()
    );
    let summary = generate(&inputs, &args.out).map_err(|e| UsageError(e.to_string()))?;
    for t in &summary.timelines {
        if let Some(note) = &t.note {
            eprintln!("note: {}: {note}", t.scenario);
        }
    }
    let drawn = summary
        .timelines
        .iter()
        .filter(|t| t.path.is_some())
        .count();
    println!(
        "wrote {}: {} charts, {drawn} timelines (from {} benchmarks and {} check runs)",
        summary.report.display(),
        summary.charts.len(),
        summary.benchmarks,
        summary.checks
    );
    if summary.failed_expectations > 0 {
        println!(
            "{} check expectations FAILED (see the report's verdicts)",
            summary.failed_expectations
        );
        return Ok(1);
    }
    Ok(0)
}

/// Where criterion writes, chosen as criterion itself chooses (minus its
/// `cargo metadata` fallback): `$CRITERION_HOME`, `$CARGO_TARGET_DIR/criterion`,
/// `target/criterion`.
fn default_criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| PathBuf::from("target"), PathBuf::from)
        .join("criterion")
}

/// `cargo bench -p locklab-bench`, its output streamed to the terminal.
fn run_benchmarks() -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("running the benchmarks: cargo bench -p locklab-bench (this takes a while)…");
    let status = Command::new(&cargo)
        .args(["bench", "-p", "locklab-bench"])
        .status()
        .map_err(|e| format!("cannot run cargo bench: {e}"))?;
    if !status.success() {
        return Err(format!("cargo bench -p locklab-bench failed ({status})"));
    }
    Ok(())
}

/// `locklab check --json > check_file`, run in this process: a subprocess of this
/// binary would fail, because `cargo bench` has just relinked the file it runs from.
/// Failed expectations still produce the file: the report shows them.
fn run_check(check_file: &Path) -> Result<(), String> {
    if let Some(dir) = check_file.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| format!("{}: cannot create: {e}", dir.display()))?;
    }
    eprintln!("running locklab check --json > {}…", check_file.display());
    let scenarios: Vec<_> = locklab::scenarios::all().iter().collect();
    let rows = crate::check::run_matrix(&scenarios, CheckDepth::default());
    let report = CheckReport {
        results: rows.iter().map(CheckRow::record).collect(),
    };
    let json = serde_json::to_string_pretty(&report).expect("a check report serialises");
    fs::write(check_file, json + "\n")
        .map_err(|e| format!("{}: cannot write: {e}", check_file.display()))
}

/// The file beside the check JSON that the real-server section reads.
const SERVERS_FILE: &str = "servers.json";

/// The real-server bench (`locklab-pgload`), writing `file`.
fn run_server_bench(file: &Path) -> Result<(), String> {
    eprintln!("measuring the correct fixes on PostgreSQL beside pgbench…");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(&cargo)
        .args(["run", "--release", "-q", "-p", "locklab-servers"])
        .args(["--bin", "locklab-pgload", "--", "2", "3"])
        .arg(file)
        .status()
        .map_err(|e| format!("could not start the real-server bench: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the real-server bench failed ({status})"))
    }
}

/// The file beside the check JSON that the "Model against server" table reads.
const AGREEMENT_FILE: &str = "agreement.json";

/// `check --backend postgres` and `--backend redis` on every built-in rung, in this
/// process, writing `file`.
fn run_agreement(file: &Path) -> Result<(), String> {
    let scenarios: Vec<_> = locklab::scenarios::all().iter().collect();
    let mut report = AgreementReport::default();
    for on in [Backend::Postgres, Backend::Redis] {
        eprintln!("holding the models against {}…", on.server());
        let held = crate::check_server::held_against(&scenarios, on).map_err(|e| e.0)?;
        report.servers.push(held);
    }
    let json = serde_json::to_string_pretty(&report).expect("an agreement serialises");
    fs::write(file, json + "\n").map_err(|e| format!("{}: cannot write: {e}", file.display()))
}

/// The file beside the check JSON that the states section reads.
const STATES_FILE: &str = "states.json";

/// Each search of the states section is capped at this: loom's unbounded searches of
/// the correct rungs at 3–4 actors mostly do not finish, and the table says so.
const STATES_SEARCH_TIME: std::time::Duration = std::time::Duration::from_secs(20);

/// The state-caching engine beside loom on every correct rung, and its growth, in
/// this process.
fn run_states(file: &Path) -> Result<(), String> {
    eprintln!(
        "measuring the state-caching engine beside loom (each search up to {} s) > {}…",
        STATES_SEARCH_TIME.as_secs(),
        file.display()
    );
    let scenarios: Vec<_> = locklab::scenarios::all().iter().collect();
    let report = locklab::comparison::measure(&scenarios, STATES_SEARCH_TIME, |what| {
        eprintln!("  {what}");
    });
    let json = serde_json::to_string_pretty(&report).expect("a states report serialises");
    fs::write(file, json + "\n").map_err(|e| format!("{}: cannot write: {e}", file.display()))
}
