//! Command-line interface: argument definitions and dispatch.

mod check;
mod explore;
mod render;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use locklab::engine::Engine;
use locklab_scenarios::Scenario;

/// Bad input: printed as `error: …` with exit code 2.
pub struct UsageError(pub String);

/// Explore the interleavings of locking schemes; find, replay and explain their races.
#[derive(Debug, Parser)]
#[command(name = "locklab", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the built-in scenarios and what each is expected to conclude.
    List,
    /// Search one scenario for a violation and print its timeline.
    Explore(ExploreArgs),
    /// Re-run exactly the execution a replay string names.
    Replay(ReplayArgs),
    /// Run every scenario against its expected verdict (loom and shuttle PCT).
    Check(CheckArgs),
    /// Write reports/REPORT.md, charts and timelines from benchmark and check results.
    Report(ReportArgs),
}

#[derive(Debug, Args)]
struct ExploreArgs {
    /// Scenario id, e.g. device-claim/select-then-update (see `locklab list`).
    id: String,
    /// Engine: loom, random, pct, dfs or threads.
    #[arg(long, default_value = "pct")]
    engine: Engine,
    /// Executions to run at most.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    iterations: u64,
    /// Seed for the random and PCT schedulers.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Number of actors (the scenario's main size: servers, instances, ...).
    #[arg(long)]
    actors: Option<u64>,
    /// Any scenario parameter, as name=value (repeatable), e.g. --set ttl=4.
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_assignment)]
    set: Vec<(String, u64)>,
    /// loom: max preemptions per execution; 'none' explores every interleaving.
    #[arg(long, default_value = "2", value_parser = parse_bound)]
    preemption_bound: PreemptionBound,
    /// PCT: bug depth.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
    depth: u64,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    max_time: u64,
    /// On a violation, also draw its timeline as an SVG picture into FILE.
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ReplayArgs {
    /// Scenario id the replay string came from.
    id: String,
    /// The string printed after `replay:` by explore or check.
    replay: String,
    /// On a violation, also draw its timeline as an SVG picture into FILE.
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Search deeper: this many times the default shuttle executions per scenario.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1000))]
    deep: u64,
    /// Seed for shuttle.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Only scenarios whose id starts with this (e.g. device-claim/).
    #[arg(long)]
    only: Option<String>,
    /// Print the results as JSON on stdout instead of the matrix.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct ReportArgs {
    /// The criterion output directory [default: $CRITERION_HOME, else
    /// $CARGO_TARGET_DIR/criterion, else target/criterion, as criterion chooses].
    #[arg(long, value_name = "DIR")]
    criterion: Option<PathBuf>,
    /// The JSON of `locklab check --json` (--measure writes it here).
    #[arg(long, value_name = "FILE", default_value = "reports/check.json")]
    check: PathBuf,
    /// Where REPORT.md, charts/ and timelines/ go.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    out: PathBuf,
    /// First run the benchmarks (`cargo bench -p locklab`) and `locklab check`, then
    /// write the report: regenerates everything. Run it from the workspace root.
    #[arg(long)]
    measure: bool,
}

fn parse_assignment(s: &str) -> Result<(String, u64), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("'{s}' is not NAME=VALUE (e.g. ttl=4)"))?;
    let v = v
        .parse()
        .map_err(|_| format!("'{v}' is not a whole number (in '{s}')"))?;
    Ok((k.to_owned(), v))
}

/// loom's preemption bound; `None` is unbounded. (A newtype, because clap reads a
/// bare `Option<usize>` field as an optional `usize`.)
#[derive(Debug, Clone, Copy)]
struct PreemptionBound(Option<usize>);

fn parse_bound(s: &str) -> Result<PreemptionBound, String> {
    if s == "none" {
        return Ok(PreemptionBound(None));
    }
    s.parse()
        .map(|n| PreemptionBound(Some(n)))
        .map_err(|_| format!("'{s}' is not a number or 'none'"))
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode, UsageError> {
    match cli.command {
        Command::List => {
            render::list(&locklab_scenarios::all());
            Ok(ExitCode::SUCCESS)
        }
        Command::Explore(args) => explore::explore(args),
        Command::Replay(args) => explore::replay(args),
        Command::Check(args) => check::check(args),
        Command::Report(args) => report::report(args),
    }
}

/// The scenario with `id`, or a usage error listing close matches.
fn scenario(id: &str) -> Result<&'static Scenario, UsageError> {
    locklab_scenarios::find(id).ok_or_else(|| {
        let close = locklab_scenarios::suggest(id);
        let hint = if close.is_empty() {
            "run `locklab list` to see every scenario".to_owned()
        } else {
            format!(
                "did you mean one of: {}? (`locklab list` shows all)",
                close.join(", ")
            )
        };
        UsageError(format!("unknown scenario '{id}': {hint}"))
    })
}
