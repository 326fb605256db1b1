//! `--backend postgres`: a rung's model verdict held against a real PostgreSQL, from
//! the model's own statement logs (see `locklab_servers::LogRunner` for why agreeing
//! answers mean the same run happened on the server).

use std::sync::Arc;

use clap::ValueEnum;
use locklab::engine::Budget;
use locklab::sim::store::sql::rows_text;
use locklab::sim::SharedModel;
use locklab::{Params, Scenario, Verdict};
use locklab_servers::{
    agreement, reproduce, runner_for, AgainstError, Agreement, LogRun, LogRunner,
};

use crate::UsageError;

/// Where a scheme's statements run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    /// The kit's in-memory store, under the chosen engine (the default).
    Model,
    /// A real PostgreSQL (`LOCKLAB_PG`, default host=127.0.0.1 port=5432
    /// user=postgres dbname=test), after the model's search.
    Postgres,
    /// A real Redis.
    Redis,
}

/// The preemption bound and actors of `check --backend postgres`'s comparison.
pub const AGREEMENT_BOUND: usize = 2;
/// See [`AGREEMENT_BOUND`].
pub const AGREEMENT_ACTORS: u64 = 2;

/// A runner for `scenario`'s model on `backend`, or why there can be none — asked
/// before any search, so bad input costs nothing.
pub fn open(
    backend: Backend,
    scenario: &Scenario,
    model: &SharedModel,
) -> Result<LogRunner, UsageError> {
    if backend == Backend::Redis {
        return Err(UsageError(format!(
            "{} cannot run on redis: no scheme has a Redis form yet (the Redis store is \
             pinned to a real Redis by harness/servers/tests/redis_spec.rs); use --backend postgres \
             for a scheme whose statements are SQL",
            scenario.id()
        )));
    }
    runner_for(model).map_err(|e| match e {
        AgainstError::NoServerForm => UsageError(format!(
            "{} cannot run on postgres: {e}; `locklab list` names the rungs, and the device-claim and jackpot ones have one",
            scenario.id()
        )),
        e => UsageError(format!("cannot run {} on postgres: {e}", scenario.id())),
    })
}

/// After `explore`: reproduce the counterexample on the server, or (a pass) compare
/// every schedule of a loom search at these sizes. Returns 1 if model and server
/// disagree.
pub fn after_explore(
    runner: &mut LogRunner,
    model: SharedModel,
    verdict: &Verdict,
    preemption_bound: usize,
) -> Result<u8, UsageError> {
    let server = |e: AgainstError| UsageError(format!("on postgres: {e}"));
    println!();
    if let Some(failure) = verdict.failure() {
        let Some(schedule) = failure.schedule.as_ref() else {
            return Err(UsageError(
                "this counterexample has no schedule to replay on the server".into(),
            ));
        };
        let r = reproduce(runner, model, schedule).map_err(server)?;
        print_run(&r.run, Some(&r.run.schema));
        return Ok(match r.run.first_disagreement() {
            None => {
                println!(
                    "\nREPRODUCED on PostgreSQL: every statement was answered as in the model, so \
                     the actors acted on the same answers — {} ({})",
                    failure.violation.property, failure.violation.detail
                );
                0
            }
            Some(i) => {
                println!("\nMODEL AND SERVER DISAGREE at statement {i}: the model's verdict does not carry over");
                1
            }
        });
    }
    let a = agreement(runner, model, preemption_bound, Budget::default()).map_err(server)?;
    print_agreement(&a, preemption_bound);
    Ok(u8::from(a.agreeing != a.orders))
}

/// After `replay`: the replayed execution's statements on the server. Returns 1 if
/// model and server disagree.
pub fn after_replay(
    runner: &mut LogRunner,
    model: SharedModel,
    schedule: &locklab::replay::Schedule,
) -> Result<u8, UsageError> {
    let r =
        reproduce(runner, model, schedule).map_err(|e| UsageError(format!("on postgres: {e}")))?;
    println!();
    print_run(&r.run, Some(&r.run.schema));
    Ok(match (r.run.first_disagreement(), r.verdict.failure()) {
        (None, Some(f)) => {
            println!(
                "\nREPRODUCED on PostgreSQL: every statement was answered as in the model, so \
                 the actors acted on the same answers — {} ({})",
                f.violation.property, f.violation.detail
            );
            0
        }
        (None, None) => {
            println!("\nevery statement was answered as in the model");
            0
        }
        (Some(i), _) => {
            println!("\nMODEL AND SERVER DISAGREE at statement {i}: the model's verdict does not carry over");
            1
        }
    })
}

/// One line: `N of N statement orders agree (…)`.
pub fn agreement_line(a: &Agreement, preemption_bound: usize) -> String {
    format!(
        "{} of {} statement orders agree with PostgreSQL ({})",
        a.agreeing,
        a.orders,
        scope(a, preemption_bound)
    )
}

/// What the compared orders cover: a loom search stops at its first violation, so on
/// a buggy rung they are the orders up to it, not every one within the bound.
pub fn scope(a: &Agreement, preemption_bound: usize) -> String {
    if a.verdict.failure().is_some() {
        format!(
            "{} loom executions, ≤{preemption_bound} preemptions, up to the first violation",
            a.verdict.executions
        )
    } else {
        format!(
            "{} loom executions, {}",
            a.verdict.executions, a.verdict.coverage
        )
    }
}

fn print_agreement(a: &Agreement, preemption_bound: usize) {
    println!("{}", agreement_line(a, preemption_bound));
    if let Some(run) = &a.first_disagreement {
        println!("\nthe first order the server answered differently:");
        print_run(run, None);
    }
}

/// The statements, what the model answered and what the server answered.
fn print_run(run: &LogRun, schema: Option<&str>) {
    if let Some(schema) = schema {
        println!("on PostgreSQL (schema {schema}, dropped at exit), the model's statements in the model's order:");
    }
    let w = run
        .steps
        .iter()
        .map(|c| c.model.actor.len())
        .max()
        .unwrap_or(5)
        .max(5);
    println!("{:>3}  {:w$}  statement  →  model | server", "#", "actor");
    for (i, c) in run.steps.iter().enumerate() {
        let params: Vec<String> = c.model.params.iter().map(ToString::to_string).collect();
        let model = describe(
            &locklab_servers::completion_of(&c.model.result),
            c.model.waited,
        );
        let server = describe(&c.server.completion, c.server.waited);
        let mark = if c.agrees() { "" } else { "   <<< differs" };
        println!(
            "{i:>3}  {:w$}  {} [{}]  →  {model} | {server}{mark}",
            c.model.actor,
            c.model.sql,
            params.join(", ")
        );
    }
    for (table, rows) in &run.server_rows {
        println!("{table} on the server at the end: {}", rows_text(rows));
    }
    for (harm, happened) in &run.harm {
        println!(
            "{harm}: {}",
            if *happened {
                "HAPPENED on the server"
            } else {
                "no"
            }
        );
    }
}

fn describe(c: &locklab_servers::Completion, waited: bool) -> String {
    use locklab_servers::Completion;
    let what = match c {
        Completion::Rows { rows, affected } if rows.is_empty() => format!("{affected} row(s)"),
        Completion::Rows { rows, .. } => rows_text(rows),
        Completion::Error { code } => format!("ERROR {code}"),
        Completion::StillWaiting => "still waiting when the run ended".into(),
    };
    if waited {
        format!("waited, {what}")
    } else {
        what
    }
}

/// `check --backend postgres` for one rung: the comparison at 2 actors and ≤2
/// preemptions, and for a violating rung its model counterexample (found by the
/// state-caching engine at the rung's default sizes) reproduced.
pub struct CheckedOnServer {
    /// The comparison.
    pub agreement: Agreement,
    /// The sizes it ran at.
    pub params: Params,
    /// For a violating rung: whether its counterexample reproduced, and how many
    /// statements it ran.
    pub reproduced: Option<(bool, usize)>,
}

/// Runs [`CheckedOnServer`] for `scenario`.
pub fn check_one(scenario: &Scenario) -> Result<Option<CheckedOnServer>, UsageError> {
    let usage = |e: String| UsageError(format!("{}: {e}", scenario.id()));
    let defaults = scenario.defaults();
    let model = scenario.build(&defaults).map_err(usage)?;
    if model.server().is_none() {
        return Ok(None);
    }
    let mut runner = open(Backend::Postgres, scenario, &model)?;
    let server = |e: AgainstError| UsageError(format!("{} on postgres: {e}", scenario.id()));
    let reproduced = match scenario.expected() {
        locklab::Expected::Holds => None,
        locklab::Expected::Violates(_) => {
            let found = locklab::engine::explore(
                Arc::clone(&model),
                &locklab::engine::States,
                Budget::default(),
            );
            match found.failure().and_then(|f| f.schedule.clone()) {
                Some(schedule) => {
                    let r =
                        reproduce(&mut runner, Arc::clone(&model), &schedule).map_err(server)?;
                    Some((r.reproduced(), r.run.steps.len()))
                }
                None => Some((false, 0)),
            }
        }
    };
    let params = match scenario.actors_param() {
        Some(actors) => scenario
            .with_sizes(&[(actors, AGREEMENT_ACTORS)])
            .map_err(usage)?,
        None => defaults,
    };
    let model = scenario.build(&params).map_err(usage)?;
    let agreement =
        agreement(&mut runner, model, AGREEMENT_BOUND, Budget::default()).map_err(server)?;
    Ok(Some(CheckedOnServer {
        agreement,
        params,
        reproduced,
    }))
}
