//! What the terminal shows: the scenario list, a verdict with its coverage, its
//! timeline and the command that replays it.

use locklab::check::replay_string;
use locklab::{Coverage, Outcome, Params, Scenario, Verdict};

use crate::Registry;

pub fn list(registry: &Registry) {
    let all: Vec<&Scenario> = registry.all().collect();
    let w = all.iter().map(|s| s.id().len()).max().unwrap_or(0);
    let e = all
        .iter()
        .map(|s| s.expected().to_string().len())
        .max()
        .unwrap_or(0);
    println!("{:w$}  {:e$}  what it models", "scenario", "expected");
    for (i, s) in all.iter().enumerate() {
        if i == registry.mine().len() && i > 0 {
            println!("\nbuilt-in:");
        }
        println!(
            "{:w$}  {:e$}  {}",
            s.id(),
            s.expected().to_string(),
            s.summary()
        );
    }
}

/// The command that replays `replay` on `scenario`.
pub fn replay_command(registry: &Registry, replay: &str) -> String {
    format!("{} replay '{replay}'", registry.program)
}

/// Prints a verdict; returns exit code 1 for a violation or an error, 0 otherwise.
pub fn verdict(registry: &Registry, scenario: &Scenario, params: &Params, verdict: &Verdict) -> u8 {
    let states = verdict
        .states
        .map(|n| format!("{n} states, "))
        .unwrap_or_default();
    let took = format!(
        "{states}{} executions in {:.2?} ({:.0}/s)",
        verdict.executions,
        verdict.elapsed,
        verdict.executions_per_second()
    );
    match &verdict.outcome {
        Outcome::Passed => {
            let head = match verdict.coverage {
                c if c.is_proof() => "PASSED",
                Coverage::Sampled { .. } => "PASSED (not a proof)",
                _ => "INCOMPLETE",
            };
            let what = match params.focus() {
                Some(p) => format!("{p} not violated (searched for alone: the other properties were let pass, not judged)"),
                None => "no property violated".to_owned(),
            };
            println!(
                "{head} {}: {what}; {took} with {}: {}",
                scenario.id(),
                verdict.engine,
                verdict.coverage
            );
            print_checks(verdict);
            if let Coverage::Sampled { .. } = verdict.coverage {
                println!("  a sample is not a proof: --engine loom proves it within a preemption bound; a deeper race may need --depth 4 or more, or more --iterations");
            }
            0
        }
        Outcome::Violated(failure) => {
            let v = &failure.violation;
            println!(
                "VIOLATED {} ({} property) in {}",
                v.property.name,
                v.property.kind,
                scenario.id()
            );
            println!("  {}", v.detail);
            println!(
                "  found by {} after {} executions ({took})",
                verdict.engine, failure.found_after
            );
            if let Some(m) = &failure.minimal {
                println!("  {}", minimal(m));
            }
            match params.focus() {
                Some(p) => println!(
                    "  looking for {p} alone: other properties' violations were let pass (marked in the timeline)"
                ),
                None => println!("  expected: {}", scenario.expected()),
            }
            println!();
            print!("{}", failure.trace.render());
            println!();
            match &failure.schedule {
                Some(schedule) => {
                    let s = replay_string(scenario, params, schedule.clone());
                    println!("replay: {s}");
                    println!("  {}", replay_command(registry, &s));
                }
                None => println!("(real threads cannot be replayed: explore with --engine pct or loom to get a replay string)"),
            }
            1
        }
        Outcome::Error(e) => {
            println!("ERROR {}: {e}", scenario.id());
            1
        }
    }
}

/// How often each property's check ran, and a warning for each declared one that
/// never ran: a pass says nothing about it.
fn print_checks(verdict: &Verdict) {
    // A focused search declares its one property: the others' counts would read as
    // checks that held.
    let declared = &verdict.declared;
    let counts: Vec<String> = verdict
        .checks
        .iter()
        .filter(|c| c.property.is_builtin() || declared.contains(&c.property))
        .map(|c| format!("{} ×{}", c.property.name, c.runs))
        .collect();
    if !counts.is_empty() {
        println!("  checks run: {}", counts.join(", "));
    }
    for p in verdict.vacuous() {
        println!(
            "  warning: vacuous: the check of {} never ran, so this pass says nothing about it",
            p.name
        );
    }
}

/// What the state-caching engine proved about its counterexample.
fn minimal(m: &locklab::verdict::Minimal) -> String {
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let shortest = format!(
        "a shortest counterexample: {}, {}",
        plural(m.decisions, "scheduling decision"),
        plural(m.preemptions, "preemption")
    );
    if m.fewest_preemptions == m.preemptions {
        let none = if m.preemptions == 0 {
            String::new()
        } else {
            format!(" (searches bounded at 0..{} found none)", m.preemptions - 1)
        };
        format!("{shortest}; none has fewer preemptions{none}")
    } else {
        format!(
            "{shortest}; a longer one needs only {}",
            plural(m.fewest_preemptions, "preemption")
        )
    }
}

/// The simplified counterexample, with the before and after counts.
pub fn simplified(
    registry: &Registry,
    scenario: &Scenario,
    params: &Params,
    s: &locklab::engine::Simplified,
) {
    let Some(failure) = s.after.failure() else {
        return;
    };
    let (steps, switches) = locklab::engine::measure(&failure.trace);
    println!();
    println!(
        "SIMPLIFIED: {} steps and {} context switches → {steps} steps and {switches} context switches (a shortest counterexample at these sizes, found and replayed by the state-caching engine)",
        s.before_steps, s.before_switches
    );
    if let Some(m) = &failure.minimal {
        println!("  {}", minimal(m));
    }
    println!();
    print!("{}", failure.trace.render());
    println!();
    if let Some(schedule) = &failure.schedule {
        let r = replay_string(scenario, params, schedule.clone());
        println!("replay: {r}");
        println!("  {}", replay_command(registry, &r));
    }
}
