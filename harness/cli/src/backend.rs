//! `--backend postgres|redis`: a rung's model verdict held against a real server,
//! from the model's own statement (or command) logs (see `locklab_servers::LogRunner`
//! for why agreeing answers mean the same run happened on the server).

mod print_pg;
mod print_redis;

use clap::ValueEnum;
use locklab::engine::Budget;
use locklab::replay::Schedule;
use locklab::sim::SharedModel;
use locklab::{Scenario, Verdict};
use locklab_servers::{
    agreement, agreement_on_redis, redis_runner_for, reproduce, reproduce_on_redis, runner_for,
    AgainstError, Agreement, LogRun, LogRunner, RedisLogRun, RedisLogRunner, Reproduction,
    ServerRun,
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
    pub fn flag(self) -> &'static str {
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

impl ServerRun for Ran {
    fn first_disagreement(&self) -> Option<usize> {
        match self {
            Ran::Postgres(r) => r.first_disagreement(),
            Ran::Redis(r) => r.first_disagreement(),
        }
    }

    /// The harms the server showed: PostgreSQL's harm queries over its final rows,
    /// and the scheme's witness of its answers (or Redis's replies).
    fn harms_seen(&self) -> Vec<String> {
        match self {
            Ran::Postgres(r) => r.harms_seen(),
            Ran::Redis(r) => r.harms_seen(),
        }
    }
}

impl Ran {
    pub fn steps(&self) -> usize {
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
    pub fn backend(&self) -> Backend {
        match self {
            Runner::Postgres(_) => Backend::Postgres,
            Runner::Redis(_) => Backend::Redis,
        }
    }

    pub fn reproduce(
        &mut self,
        model: SharedModel,
        schedule: &Schedule,
    ) -> Result<Reproduction<Ran>, AgainstError> {
        Ok(match self {
            Runner::Postgres(r) => erase(reproduce(r, model, schedule)?),
            Runner::Redis(r) => erase(reproduce_on_redis(r, model, schedule)?),
        })
    }

    pub fn agreement(
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

/// A reproduction on either server, as one type.
fn erase<R: Into<Ran>>(r: Reproduction<R>) -> Reproduction<Ran> {
    Reproduction {
        verdict: r.verdict,
        run: r.run.into(),
    }
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
        let run = runner.reproduce(model, schedule).map_err(server)?.run;
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
            run.harms_seen().join(", ")
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
    let r = runner
        .reproduce(model, schedule)
        .map_err(|e| UsageError(format!("on {}: {e}", backend.flag())))?;
    println!();
    Ok(conclude(backend, &r.run, Some(&r.verdict)))
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
            let harm = run.harms_seen();
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
