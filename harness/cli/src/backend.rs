//! `--backend postgres|redis`: a rung's model verdict held against a real server,
//! from the model's own statement (or command) logs (see `locklab_servers::LogRunner`
//! for why agreeing answers mean the same run happened on the server).

mod print_pg;
mod print_redis;

use std::sync::Arc;

use clap::ValueEnum;
use locklab::engine::Budget;
use locklab::replay::Schedule;
use locklab::sim::SharedModel;
use locklab::{Params, Scenario, Verdict};
use locklab_servers::{
    agreement, agreement_on_redis, redis_runner_for, reproduce, reproduce_on_redis, runner_for,
    AgainstError, Agreement, LogRun, LogRunner, RedisLogRun, RedisLogRunner, Reproduction,
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
    /// A real Redis (`LOCKLAB_REDIS`, default redis://127.0.0.1:6379/), after the
    /// model's search.
    Redis,
}

impl Backend {
    /// How the CLI spells it.
    fn flag(self) -> &'static str {
        match self {
            Backend::Model => "model",
            Backend::Postgres => "postgres",
            Backend::Redis => "redis",
        }
    }

    /// The server's name, as people write it.
    pub fn server(self) -> &'static str {
        match self {
            Backend::Model => "the model",
            Backend::Postgres => "PostgreSQL",
            Backend::Redis => "Redis",
        }
    }

    /// Whether `model` has a form this backend runs.
    pub fn runs(self, model: &SharedModel) -> bool {
        match self {
            Backend::Model => true,
            Backend::Postgres => model.server().is_some(),
            Backend::Redis => model.redis().is_some(),
        }
    }

    /// What a step is on this server.
    pub fn unit(self) -> &'static str {
        match self {
            Backend::Redis => "command",
            _ => "statement",
        }
    }
}

/// The width of a run's actor column: its longest name, at least the header's.
fn actor_width<'a>(actors: impl Iterator<Item = &'a str>) -> usize {
    actors.map(str::len).max().unwrap_or(0).max("actor".len())
}

/// The preemption bound and actors of `check --backend`'s comparison.
pub const AGREEMENT_BOUND: usize = 2;
/// See [`AGREEMENT_BOUND`].
pub const AGREEMENT_ACTORS: u64 = 2;

/// Runs a rung's logs on one real server.
pub enum Runner {
    /// SQL statements on PostgreSQL.
    Postgres(Box<LogRunner>),
    /// Commands on Redis.
    Redis(RedisLogRunner),
}

/// A run on either server.
pub enum Ran {
    /// Statements on PostgreSQL.
    Postgres(LogRun),
    /// Commands on Redis.
    Redis(RedisLogRun),
}

impl Ran {
    fn first_disagreement(&self) -> Option<usize> {
        match self {
            Ran::Postgres(r) => r.first_disagreement(),
            Ran::Redis(r) => r.first_disagreement(),
        }
    }

    /// The harms the server showed: PostgreSQL's harm queries over its final rows,
    /// and the scheme's witness of its answers (or Redis's replies).
    fn harm_seen(&self) -> Vec<String> {
        match self {
            Ran::Postgres(r) => r.harms_seen(),
            Ran::Redis(r) => r.harms_seen(),
        }
    }

    fn steps(&self) -> usize {
        match self {
            Ran::Postgres(r) => r.steps.len(),
            Ran::Redis(r) => r.steps.len(),
        }
    }

    /// Prints the run; `header` names where it ran (off for a disagreement excerpt).
    fn print(&self, header: bool) {
        match self {
            Ran::Postgres(r) => print_pg::print_run(r, header.then_some(r.schema.as_str())),
            Ran::Redis(r) => print_redis::print_run(r, header),
        }
    }
}

/// An agreement on either server.
pub type Compared = Agreement<Ran>;

impl From<LogRun> for Ran {
    fn from(r: LogRun) -> Self {
        Ran::Postgres(r)
    }
}

impl From<RedisLogRun> for Ran {
    fn from(r: RedisLogRun) -> Self {
        Ran::Redis(r)
    }
}

impl Runner {
    fn backend(&self) -> Backend {
        match self {
            Runner::Postgres(_) => Backend::Postgres,
            Runner::Redis(_) => Backend::Redis,
        }
    }

    fn reproduce(
        &mut self,
        model: SharedModel,
        schedule: &Schedule,
    ) -> Result<(Verdict, Ran), AgainstError> {
        Ok(match self {
            Runner::Postgres(r) => split(reproduce(r, model, schedule)?),
            Runner::Redis(r) => split(reproduce_on_redis(r, model, schedule)?),
        })
    }

    fn agreement(
        &mut self,
        model: SharedModel,
        preemption_bound: usize,
    ) -> Result<Compared, AgainstError> {
        let budget = Budget::default();
        Ok(match self {
            Runner::Postgres(r) => {
                agreement(r, model, preemption_bound, budget)?.map_run(Ran::from)
            }
            Runner::Redis(r) => {
                agreement_on_redis(r, model, preemption_bound, budget)?.map_run(Ran::from)
            }
        })
    }
}

fn split<R: Into<Ran>>(r: Reproduction<R>) -> (Verdict, Ran) {
    (r.verdict, r.run.into())
}

/// A runner for `scenario`'s model on `backend`, or why there can be none — asked
/// before any search, so bad input costs nothing.
pub fn open(
    backend: Backend,
    scenario: &Scenario,
    model: &SharedModel,
) -> Result<Runner, UsageError> {
    let opened = match backend {
        Backend::Model => unreachable!("the model needs no runner"),
        Backend::Postgres => runner_for(model).map(|r| Runner::Postgres(Box::new(r))),
        Backend::Redis => redis_runner_for(model).map(Runner::Redis),
    };
    opened.map_err(|e| match e {
        AgainstError::NoServerForm => UsageError(format!(
            "{} cannot run on {}: it has no {} form; `locklab list` names the rungs: {}",
            scenario.id(),
            backend.flag(),
            backend.server(),
            match backend {
                Backend::Redis => "the singleton-poller lease ones (renewed-lease, late-renewal, paused-lease-holder) send Redis commands",
                _ => "the device-claim, jackpot, instance-coordinator and cart-reservation ones send SQL",
            }
        )),
        e => UsageError(format!(
            "cannot run {} on {}: {e}",
            scenario.id(),
            backend.flag()
        )),
    })
}

/// After `explore`: reproduce the counterexample on the server, or (a pass) compare
/// every schedule of a loom search at these sizes. Returns 1 if model and server
/// disagree.
pub fn after_explore(
    runner: &mut Runner,
    model: SharedModel,
    verdict: &Verdict,
    preemption_bound: usize,
) -> Result<u8, UsageError> {
    let backend = runner.backend();
    let server = |e: AgainstError| UsageError(format!("on {}: {e}", backend.flag()));
    println!();
    if let Some(failure) = verdict.failure() {
        let Some(schedule) = failure.schedule.as_ref() else {
            return Err(UsageError(
                "this counterexample has no schedule to replay on the server".into(),
            ));
        };
        let (_, run) = runner.reproduce(model, schedule).map_err(server)?;
        return Ok(conclude(backend, &run, Some(verdict)));
    }
    let a = runner.agreement(model, preemption_bound).map_err(server)?;
    println!("{}", agreement_line(backend, &a, preemption_bound));
    if let Some(run) = &a.first_disagreement {
        println!("\nthe first order the server answered differently:");
        run.print(false);
    }
    // The model found no violation, so no order may show harm on the server.
    if let Some(run) = &a.first_harmed {
        println!(
            "\nyet the server shows harm in {} of them ({}); the first:",
            a.harmed,
            run.harm_seen().join(", ")
        );
        run.print(false);
    }
    Ok(u8::from(a.agreeing != a.orders || a.harmed > 0))
}

/// After `replay`: the replayed execution's statements on the server. Returns 1 if
/// model and server disagree.
pub fn after_replay(
    runner: &mut Runner,
    model: SharedModel,
    schedule: &Schedule,
) -> Result<u8, UsageError> {
    let backend = runner.backend();
    let (verdict, run) = runner
        .reproduce(model, schedule)
        .map_err(|e| UsageError(format!("on {}: {e}", backend.flag())))?;
    println!();
    Ok(conclude(backend, &run, Some(&verdict)))
}

/// Prints a reproduction and what it means; 1 if model and server disagree.
fn conclude(backend: Backend, run: &Ran, verdict: Option<&Verdict>) -> u8 {
    run.print(true);
    let unit = backend.unit();
    match (run.first_disagreement(), verdict.and_then(Verdict::failure)) {
        (None, Some(f)) => {
            println!(
                "\nREPRODUCED on {}: every {unit} was answered as in the model, so the actors \
                 acted on the same answers — {} ({})",
                backend.server(),
                f.violation.property,
                f.violation.detail
            );
            let harm = run.harm_seen();
            if harm.is_empty() {
                println!(
                    "the server's rows and answers show no harm: it acted correctly on every \
                     {unit}, and the harm is in what the processes did with its answers"
                );
            } else {
                println!("the server shows: {}", harm.join(", "));
            }
            0
        }
        (None, None) => {
            println!("\nevery {unit} was answered as in the model");
            0
        }
        (Some(i), _) => {
            println!(
                "\nMODEL AND SERVER DISAGREE at {unit} {i}: the model's verdict does not carry over"
            );
            1
        }
    }
}

/// One line: `N of N statement orders agree (…)`.
fn agreement_line(backend: Backend, a: &Compared, preemption_bound: usize) -> String {
    format!(
        "{} of {} {} orders agree with {} ({})",
        a.agreeing,
        a.orders,
        backend.unit(),
        backend.server(),
        scope(a, preemption_bound)
    )
}

/// What the compared orders cover: a loom search stops at its first violation, so on
/// a buggy rung they are the orders up to it, not every one within the bound.
pub fn scope(a: &Compared, preemption_bound: usize) -> String {
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

/// `check --backend` for one rung: the comparison at 2 actors and ≤2 preemptions,
/// and for a violating rung its model counterexample (found by the state-caching
/// engine at the rung's default sizes) reproduced.
pub struct CheckedOnServer {
    /// The comparison.
    pub agreement: Compared,
    /// The sizes it ran at.
    pub params: Params,
    /// For a violating rung: how its counterexample ran on the server.
    pub reproduced: Option<Reproduced>,
}

/// A violating rung's model counterexample, run on the server.
pub struct Reproduced {
    /// The model's replay violated the property and the server answered every
    /// step as the model did.
    pub agreed: bool,
    /// Steps it ran on the server (none: the harm is all in process memory).
    pub steps: usize,
    /// The harms the server showed (its rows, its answers); none: the harm is in
    /// what the processes did with answers the server gave correctly.
    pub harm: Vec<String>,
}

impl Reproduced {
    /// The `check --backend` column: what the server showed of the counterexample.
    pub fn describe(&self, unit: &str) -> String {
        let n = match self.steps {
            1 => format!("1 {unit}"),
            n => format!("{n} {unit}s"),
        };
        match &self.harm {
            _ if !self.agreed => "NOT reproduced".to_owned(),
            _ if self.steps == 0 => format!("no {unit}s: harm in process"),
            harm if harm.is_empty() => format!("agrees ({n}), harm in process"),
            harm => format!("reproduced ({n}): {}", harm.join(", ")),
        }
    }
}

/// Runs [`CheckedOnServer`] for `scenario` on `backend`; `None` if it has no form
/// there.
pub fn check_one(
    scenario: &Scenario,
    backend: Backend,
) -> Result<Option<CheckedOnServer>, UsageError> {
    let usage = |e: String| UsageError(format!("{}: {e}", scenario.id()));
    let defaults = scenario.defaults();
    let model = scenario.build(&defaults).map_err(usage)?;
    if !backend.runs(&model) {
        return Ok(None);
    }
    let mut runner = open(backend, scenario, &model)?;
    let server =
        |e: AgainstError| UsageError(format!("{} on {}: {e}", scenario.id(), backend.flag()));
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
                    let (verdict, run) = runner
                        .reproduce(Arc::clone(&model), &schedule)
                        .map_err(server)?;
                    Some(Reproduced {
                        agreed: verdict.failure().is_some() && run.first_disagreement().is_none(),
                        steps: run.steps(),
                        harm: run.harm_seen(),
                    })
                }
                None => Some(Reproduced {
                    agreed: false,
                    steps: 0,
                    harm: Vec::new(),
                }),
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
    let agreement = runner.agreement(model, AGREEMENT_BOUND).map_err(server)?;
    Ok(Some(CheckedOnServer {
        agreement,
        params,
        reproduced,
    }))
}
