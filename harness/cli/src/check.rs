//! `check`: the matrix of scenarios against their expected verdicts.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use locklab::check::{check_scenario, CheckDepth, CheckReport, CheckRow};
use locklab::Scenario;

use crate::args::CheckArgs;
use crate::backend::{self, Backend};
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
        if args.json {
            return Err(UsageError(
                "--json is the model matrix's; leave it out with --backend".into(),
            ));
        }
        return check_on_server(&scenarios, args.backend);
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

/// `check --backend postgres|redis`: every rung with a form on that server, held
/// against it.
fn check_on_server(scenarios: &[&Scenario], on: Backend) -> Result<u8, UsageError> {
    let with_form: Vec<&&Scenario> = scenarios
        .iter()
        .filter(|s| s.build(&s.defaults()).is_ok_and(|m| on.runs(&m)))
        .collect();
    if with_form.is_empty() {
        return Err(UsageError(format!(
            "no {} form in these scenarios: try {}",
            on.server(),
            match on {
                Backend::Redis => "--only singleton-poller/",
                _ => "--only jackpot/",
            }
        )));
    }
    let mut rows = Vec::new();
    for s in with_form {
        eprintln!("{} on {}…", s.id(), on.server());
        if let Some(done) = backend::check_one(s, on)? {
            rows.push((s, done));
        }
    }
    let w = rows.iter().map(|(s, _)| s.id().len()).max().unwrap_or(8);
    let x = rows
        .iter()
        .map(|(s, _)| s.expected().to_string().len())
        .max()
        .unwrap_or(8);
    let repros: Vec<String> = rows
        .iter()
        .map(|(_, done)| {
            done.reproduced
                .as_ref()
                .map_or_else(|| "-".to_owned(), |r| r.describe(on.unit()))
        })
        .collect();
    let r = repros
        .iter()
        .map(|t| t.chars().count())
        .chain([24])
        .max()
        .unwrap_or(24);
    println!(
        "{:w$}  {:x$}  {:r$}  agreement ({} for {})",
        "scenario",
        "expected",
        "counterexample on server",
        on.unit(),
        on.unit()
    );
    let mut failed = 0;
    for ((s, done), repro) in rows.iter().zip(&repros) {
        let a = &done.agreement;
        // A rung that holds must show no harm on the server in any order either: the
        // witness of its answers is a second judge of the model's verdict.
        let holds = done.reproduced.is_none();
        let ok = a.agreeing == a.orders
            && a.orders > 0
            && done.reproduced.as_ref().is_none_or(|r| r.agreed)
            && !(holds && a.harmed > 0);
        failed += usize::from(!ok);
        let harmed = if holds && a.harmed > 0 {
            format!(", but the server shows HARM in {}", a.harmed)
        } else {
            String::new()
        };
        println!(
            "{:w$}  {:x$}  {:r$}  {} of {} orders agree{harmed} ({}; at {})",
            s.id(),
            s.expected().to_string(),
            repro,
            a.agreeing,
            a.orders,
            backend::scope(a, backend::AGREEMENT_BOUND),
            done.params
        );
    }
    println!();
    if failed == 0 {
        println!("all {} rungs agree with {}", rows.len(), on.server());
    } else {
        println!(
            "{failed} of {} rungs DISAGREE with {}",
            rows.len(),
            on.server()
        );
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
