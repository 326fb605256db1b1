//! `locklab check`: the matrix of every scenario against its expected verdict.

use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use locklab::check::{check_scenario, CheckDepth, CheckRow};
use locklab_scenarios::Scenario;
use serde_json::json;

use super::{render, CheckArgs, UsageError};

pub fn check(args: CheckArgs) -> Result<ExitCode, UsageError> {
    let scenarios: Vec<_> = locklab_scenarios::all()
        .into_iter()
        .filter(|s| args.only.as_deref().is_none_or(|p| s.id.starts_with(p)))
        .collect();
    if scenarios.is_empty() {
        return Err(UsageError(format!(
            "no scenario id starts with '{}': run `locklab list`",
            args.only.unwrap_or_default()
        )));
    }
    let depth = CheckDepth {
        shuttle_factor: args.deep,
        seed: args.seed,
    };
    let rows = run_matrix(&scenarios, depth);
    let failed = rows.iter().filter(|r| !r.met).count();
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&to_json(&rows)).expect("json")
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
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Checks every scenario in `scenarios`, with a progress bar on the terminal.
pub fn run_matrix(scenarios: &[&'static Scenario], depth: CheckDepth) -> Vec<CheckRow> {
    let bar = ProgressBar::new(scenarios.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}").expect("valid template"),
    );
    let mut rows: Vec<CheckRow> = Vec::new();
    for s in scenarios {
        bar.set_message(s.id);
        rows.extend(check_scenario(s, depth));
        bar.inc(1);
    }
    bar.finish_and_clear();
    rows
}

fn print_matrix(rows: &[CheckRow]) {
    let w = rows.iter().map(|r| r.scenario.id.len()).max().unwrap_or(8);
    let x = rows
        .iter()
        .map(|r| r.scenario.expected.to_string().len())
        .max()
        .unwrap_or(8);
    let g = rows
        .iter()
        .map(|r| r.got().chars().count())
        .max()
        .unwrap_or(3);
    println!(
        "{:w$}  {:11}  {:x$}  {:g$}  {:>10}  {:>8}  ok",
        "scenario", "engine", "expected", "got", "executions", "time"
    );
    for r in rows {
        println!(
            "{:w$}  {:11}  {:x$}  {:g$}  {:>10}  {:>7.2}s  {}",
            r.scenario.id,
            r.verdict.engine.to_string(),
            r.scenario.expected.to_string(),
            r.got(),
            r.verdict.executions,
            r.verdict.elapsed.as_secs_f64(),
            if r.met { "yes" } else { "NO" }
        );
        if !r.met {
            if let Some(f) = r.verdict.failure() {
                println!("    {}", f.violation);
            }
        }
    }
}

/// The rows as `check --json` prints them (what `locklab report` reads).
pub fn to_json(rows: &[CheckRow]) -> serde_json::Value {
    let rows: Vec<_> = rows
        .iter()
        .map(|r| {
            let failure = r.verdict.failure();
            json!({
                "scenario": r.scenario.id,
                "scheme": r.scenario.scheme(),
                "engine": r.verdict.engine.to_string(),
                "params": r.params.values().iter().map(|(k, v)| ((*k).to_owned(), *v)).collect::<std::collections::BTreeMap<_, _>>(),
                "expected": r.scenario.expected.to_string(),
                "got": r.got(),
                "met": r.met,
                "executions": r.verdict.executions,
                "seconds": r.verdict.elapsed.as_secs_f64(),
                "violation": failure.map(|f| f.violation.to_string()),
                "found_after": failure.map(|f| f.found_after),
                "replay": failure.and_then(|f| f.schedule.as_ref()).map(|s| render::replay_string(&r.params, s)),
            })
        })
        .collect();
    json!({ "results": rows })
}
