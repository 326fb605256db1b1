//! What the terminal shows: the scenario list, a verdict with its timeline and the
//! command that replays it.

use std::process::ExitCode;

use locklab::replay::ReplayString;
use locklab::verdict::{Outcome, Verdict};
use locklab_scenarios::{Params, Scenario};

pub fn list(scenarios: &[&'static Scenario]) {
    let w = scenarios.iter().map(|s| s.id.len()).max().unwrap_or(0);
    let e = scenarios
        .iter()
        .map(|s| s.expected.to_string().len())
        .max()
        .unwrap_or(0);
    println!("{:w$}  {:e$}  what it models", "scenario", "expected");
    for s in scenarios {
        println!("{:w$}  {:e$}  {}", s.id, s.expected.to_string(), s.summary);
    }
}

/// `servers=3, ttl=3`
pub fn params(params: &Params) -> String {
    params
        .values()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The replay string of a failure, carrying every parameter value.
pub fn replay_string(params: &Params, schedule: &locklab::replay::Schedule) -> String {
    let params = params
        .values()
        .iter()
        .map(|(k, v)| ((*k).to_owned(), *v))
        .collect();
    ReplayString {
        schedule: schedule.clone(),
        params,
    }
    .to_string()
}

/// Prints a verdict; returns exit code 1 for a violation, 0 otherwise.
pub fn verdict(scenario: &Scenario, params: &Params, verdict: &Verdict) -> ExitCode {
    let took = format!(
        "{} executions in {:.2?} ({:.0}/s)",
        verdict.executions,
        verdict.elapsed,
        verdict.executions_per_second()
    );
    match &verdict.outcome {
        Outcome::Passed { exhaustive } => {
            let how = if *exhaustive {
                "every interleaving explored"
            } else {
                "not exhaustive"
            };
            println!(
                "PASSED {}: no property violated; {took}, {how} ({})",
                scenario.id, verdict.engine
            );
            ExitCode::SUCCESS
        }
        Outcome::Violated(failure) => {
            let v = &failure.violation;
            println!(
                "VIOLATED {} ({} property) in {}",
                v.property.name, v.property.kind, scenario.id
            );
            println!("  {}", v.detail);
            println!(
                "  found by {} after {} executions ({took})",
                verdict.engine, failure.found_after
            );
            println!("  expected: {}", scenario.expected);
            println!();
            print!("{}", failure.trace.render());
            println!();
            match &failure.schedule {
                Some(schedule) => {
                    let s = replay_string(params, schedule);
                    println!("replay: {s}");
                    println!("  locklab replay {} '{s}'", scenario.id);
                }
                None => println!("(real threads cannot be replayed: explore with --engine pct or loom to get a replay string)"),
            }
            ExitCode::from(1)
        }
        Outcome::Error(e) => {
            println!("ERROR {}: {e}", scenario.id);
            ExitCode::from(1)
        }
    }
}
