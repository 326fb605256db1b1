//! `check`: the matrix of scenarios against their expected verdicts.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use locklab::check::{check_scenario, CheckDepth, CheckReport, CheckRow};
use locklab::Scenario;

use crate::args::CheckArgs;
use crate::backend::Backend;
use crate::{Registry, UsageError};

pub fn check(args: CheckArgs, registry: &Registry) -> Result<u8, UsageError> {
    // A CLI of the user's own checks the user's scenarios; the built-ins only on
    // request (or when there is nothing else).
    let pool: Vec<&Scenario> = if registry.mine().is_empty() || args.all {
        registry.all().collect()
    } else {
        registry.mine().iter().collect()
    };
    let scenarios: Vec<&Scenario> = pool
        .into_iter()
        .filter(|s| args.only.as_deref().is_none_or(|p| s.id().starts_with(p)))
        .collect();
    if scenarios.is_empty() {
        return Err(UsageError(format!(
            "no scenario id starts with '{}': run `{} list` to see every scenario",
            args.only.unwrap_or_default(),
            registry.program
        )));
    }
    if args.backend != Backend::Model {
        return crate::check_server::check_on_server(&scenarios, args.backend, args.json);
    }
    let depth = CheckDepth {
        shuttle_factor: args.deep,
        seed: args.seed,
        max_time: Duration::from_secs(args.max_time),
    };
    let rows = run_matrix(&scenarios, depth);
    let failed = rows.iter().filter(|r| !r.met()).count();
    if args.json {
        let report = CheckReport {
            results: rows.iter().map(CheckRow::record).collect(),
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("a check report serialises")
        );
    } else {
        print_matrix(&rows);
        let total: f64 = rows.iter().map(|r| r.verdict.elapsed.as_secs_f64()).sum();
        println!();
        if failed == 0 {
            println!(
                "all {} expectations held ({} scenarios, {total:.1}s of exploration)",
                rows.len(),
                scenarios.len()
            );
        } else {
            println!("{failed} of {} expectations FAILED", rows.len());
        }
    }
    Ok(u8::from(failed > 0))
}

/// Checks every scenario in `scenarios`, with a progress bar on the terminal.
pub fn run_matrix<'s>(scenarios: &[&'s Scenario], depth: CheckDepth) -> Vec<CheckRow<'s>> {
    let bar = ProgressBar::new(scenarios.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}").expect("valid template"),
    );
    let mut rows = Vec::new();
    for s in scenarios {
        bar.set_message(s.id().to_owned());
        rows.extend(check_scenario(s, depth));
        bar.inc(1);
    }
    bar.finish_and_clear();
    rows
}

fn print_matrix(rows: &[CheckRow<'_>]) {
    let w = rows
        .iter()
        .map(|r| r.scenario.id().len())
        .max()
        .unwrap_or(8);
    let x = rows
        .iter()
        .map(|r| r.scenario.expected().to_string().len())
        .max()
        .unwrap_or(8);
    let g = rows
        .iter()
        .map(|r| r.got().chars().count())
        .max()
        .unwrap_or(3);
    println!(
        // The sizes last: a verdict is about the run at these sizes, no other.
        "{:w$}  {:11}  {:x$}  {:g$}  {:>10}  {:>8}  ok   at",
        "scenario", "engine", "expected", "got", "executions", "time"
    );
    for r in rows {
        println!(
            "{:w$}  {:11}  {:x$}  {:g$}  {:>10}  {:>7.2}s  {:3}  {}",
            r.scenario.id(),
            r.verdict.engine,
            r.scenario.expected().to_string(),
            r.got(),
            r.verdict.executions,
            r.verdict.elapsed.as_secs_f64(),
            if r.met() { "yes" } else { "NO" },
            r.params
        );
        if let Some(why) = &r.unmet {
            println!("    {why}");
        }
    }
}
