//! The command line: argument definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use locklab::engine::LOOM_MAX_PREEMPTION_BOUND;

use crate::backend::Backend;

/// The most executions a search may be asked for: more than any search here runs in
/// a day, and far from where counting could wrap.
const MAX_EXECUTIONS: u64 = 1_000_000_000_000;

/// The longest time cap, in seconds (a week).
const MAX_SECONDS: u64 = 7 * 24 * 3600;

/// Explore the interleavings of locking schemes; find, replay and explain their races.
#[derive(Debug, Parser)]
#[command(name = "locklab", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the scenarios and what each is expected to conclude.
    List,
    /// Search one scenario for a violation and print its timeline.
    Explore(ExploreArgs),
    /// Re-run exactly the execution a replay string names.
    Replay(ReplayArgs),
    /// Run scenarios against their expected verdicts (loom and shuttle PCT).
    Check(CheckArgs),
    /// Write reports/REPORT.md, charts and timelines from benchmark and check results.
    Report(ReportArgs),
}

#[derive(Debug, Args)]
pub struct ExploreArgs {
    /// Scenario id, e.g. device-claim/select-then-update (see `locklab list`).
    pub id: String,
    /// Engine: states (every state once; the first violation it prints is a
    /// shortest one), loom, dfs, pct, random or threads.
    #[arg(long, default_value = "states")]
    pub engine: String,
    /// Executions: how many the sampling engines (pct, random, threads) run
    /// [default: 10000]; for loom and dfs a cap, and a capped search is not a proof
    /// [default: no cap].
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(u64).range(1..=MAX_EXECUTIONS))]
    pub iterations: Option<u64>,
    /// Seed for the random and PCT schedulers.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub seed: u64,
    /// Number of actors (the scenario's main size: servers, instances, ...).
    #[arg(long, allow_negative_numbers = true)]
    pub actors: Option<u64>,
    /// Any scenario parameter, as name=value (repeatable), e.g. --set ttl=4.
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_assignment)]
    pub set: Vec<(String, u64)>,
    /// loom: max preemptions per execution (0 to 255); 'none' explores every
    /// interleaving.
    #[arg(long, default_value = "2", allow_negative_numbers = true, value_parser = parse_bound)]
    pub preemption_bound: PreemptionBound,
    /// PCT: bug depth (1 to 1000).
    #[arg(long, default_value_t = 3, allow_negative_numbers = true, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub depth: u64,
    /// Give up after this many seconds (the verdict then says the search is incomplete).
    #[arg(long, default_value_t = 60, allow_negative_numbers = true, value_parser = clap::value_parser!(u64).range(1..=MAX_SECONDS))]
    pub max_time: u64,
    /// Look for this property alone (e.g. sold-within-stock): the others' violations
    /// are let pass, noted in the timeline, so the search follows a bug to where it
    /// does its harm. The replay string carries it.
    #[arg(long, value_name = "NAME")]
    pub property: Option<String>,
    /// On a violation, also draw its timeline as an SVG picture into FILE.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Where the statements also run: postgres reproduces a counterexample's
    /// statements on the server (or, for a pass, compares every schedule of a loom
    /// search at these sizes, ≤ --preemption-bound preemptions, statement by statement).
    #[arg(long, value_enum, default_value_t = Backend::Model)]
    pub backend: Backend,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The string printed after `replay:` by explore or check (it names its scenario
    /// and parameters). A scenario id may come first; it must be the string's.
    #[arg(value_name = "[ID] REPLAY", num_args = 1..=2, required = true)]
    pub words: Vec<String>,
    /// On a violation, also draw its timeline as an SVG picture into FILE.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// postgres: also run the replayed execution's statements on a real PostgreSQL,
    /// in the same order, and compare every answer.
    #[arg(long, value_enum, default_value_t = Backend::Model)]
    pub backend: Backend,
}

impl ReplayArgs {
    /// The scenario id given before the replay string, if any, and the string.
    pub fn id_and_string(&self) -> (Option<&str>, &str) {
        let replay = self.words.last().map_or("", String::as_str);
        let id = (self.words.len() == 2).then(|| self.words[0].as_str());
        (id, replay)
    }
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Search deeper: this many times the default shuttle executions per scenario.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub deep: u64,
    /// Seed for shuttle.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub seed: u64,
    /// Only scenarios whose id starts with this (e.g. device-claim/).
    #[arg(long)]
    pub only: Option<String>,
    /// Also check the built-in scenarios (a CLI of your own checks only yours unless
    /// told so; the `locklab` binary has only built-ins).
    #[arg(long)]
    pub all: bool,
    /// Give up on one run after this many seconds; a proof cut short is an unmet
    /// expectation.
    #[arg(long, default_value_t = 120, allow_negative_numbers = true, value_parser = clap::value_parser!(u64).range(1..=MAX_SECONDS))]
    pub max_time: u64,
    /// Print the results as JSON on stdout instead of the matrix (with --backend:
    /// the rungs held against the server, as the report's agreement.json).
    #[arg(long)]
    pub json: bool,
    /// postgres: instead of the model matrix, hold every rung that has a server form
    /// against a real PostgreSQL (its counterexample reproduced; every schedule at 2
    /// actors with ≤2 preemptions compared statement by statement).
    #[arg(long, value_enum, default_value_t = Backend::Model)]
    pub backend: Backend,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The criterion output directory [default: $CRITERION_HOME, else
    /// $CARGO_TARGET_DIR/criterion, else target/criterion, as criterion chooses].
    #[arg(long, value_name = "DIR")]
    pub criterion: Option<PathBuf>,
    /// The JSON of `locklab check --json` (--measure writes it here).
    #[arg(long, value_name = "FILE", default_value = "reports/check.json")]
    pub check: PathBuf,
    /// Where REPORT.md, charts/ and timelines/ go.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
    /// First run the benchmarks (`cargo bench -p locklab-bench`) and `locklab check`,
    /// then write the report: regenerates everything. Run it from the workspace root.
    #[arg(long)]
    pub measure: bool,
}

fn parse_assignment(s: &str) -> Result<(String, u64), String> {
    locklab::replay::parse_assignment(s)
}

/// loom's preemption bound; `None` is unbounded. (A newtype, because clap reads a
/// bare `Option<usize>` field as an optional `usize`.)
#[derive(Debug, Clone, Copy)]
pub struct PreemptionBound(pub Option<usize>);

fn parse_bound(s: &str) -> Result<PreemptionBound, String> {
    if s == "none" {
        return Ok(PreemptionBound(None));
    }
    match s.parse::<usize>() {
        Ok(n) if n <= LOOM_MAX_PREEMPTION_BOUND => Ok(PreemptionBound(Some(n))),
        _ => Err(format!(
            "'{s}' is not a bound from 0 to {LOOM_MAX_PREEMPTION_BOUND} or 'none' (every interleaving)"
        )),
    }
}
