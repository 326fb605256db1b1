//! A rung's model held against a real PostgreSQL: its counterexample's statements
//! reproduced on the server, and every schedule of a bounded search compared
//! statement by statement.

use std::sync::Arc;

use locklab::engine::{
    explore_collecting_redis, explore_collecting_sql, replay_with_redis, replay_with_sql, Budget,
    Loom,
};
use locklab::replay::Schedule;
use locklab::sim::SharedModel;
use locklab::Verdict;

use crate::log_run::{LogRun, LogRunner};
use crate::pg::PgConfig;
use crate::redis_log_run::{RedisLogRun, RedisLogRunner};
use crate::redis_probe::RedisConfig;

/// A run on a server, compared step by step with the model.
pub trait ServerRun {
    /// The first step the server answered differently, if any.
    fn first_disagreement(&self) -> Option<usize>;

    /// The harms the server showed (its rows' harm queries, its witness).
    fn harms_seen(&self) -> Vec<String>;
}

impl ServerRun for LogRun {
    fn first_disagreement(&self) -> Option<usize> {
        LogRun::first_disagreement(self)
    }

    fn harms_seen(&self) -> Vec<String> {
        LogRun::harms_seen(self)
    }
}

impl ServerRun for RedisLogRun {
    fn first_disagreement(&self) -> Option<usize> {
        RedisLogRun::first_disagreement(self)
    }

    fn harms_seen(&self) -> Vec<String> {
        RedisLogRun::harms_seen(self)
    }
}

/// Why a rung cannot be held against the server: bad input, not a verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgainstError {
    /// The rung's statements are not SQL on the kit's database (or, for Redis, not
    /// commands to the kit's Redis model).
    NoServerForm,
    /// The server could not be reached.
    Unreachable(String),
    /// The server refused something the run needed (set-up, a reading).
    Server(String),
}

impl std::fmt::Display for AgainstError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AgainstError::NoServerForm => f.write_str(
                "it has no server form: its statements are not SQL (only schemes whose world \
                 is the kit's PostgreSQL model, driven by Actor::sql, run on a server)",
            ),
            AgainstError::Unreachable(e) => write!(
                f,
                "{e}; start the server, or point LOCKLAB_PG (a libpq connection string) or \
                 LOCKLAB_REDIS (a redis:// URL) at it"
            ),
            AgainstError::Server(e) => write!(f, "the server refused the run: {e}"),
        }
    }
}

/// A runner for `model`'s server form.
pub fn runner_for(model: &SharedModel) -> Result<LogRunner, AgainstError> {
    let form = model.server().ok_or(AgainstError::NoServerForm)?;
    LogRunner::open(&PgConfig::default(), &form)
        .map_err(|e| AgainstError::Unreachable(e.to_string()))
}

/// A runner for `model`'s Redis form: one connection per actor.
pub fn redis_runner_for(model: &SharedModel) -> Result<RedisLogRunner, AgainstError> {
    let form = model.redis().ok_or(AgainstError::NoServerForm)?;
    let actors = model.summary().map_err(AgainstError::Server)?.actors.len();
    RedisLogRunner::open(&RedisConfig::default(), &form, actors)
        .map_err(|e| AgainstError::Unreachable(e.to_string()))
}

/// A counterexample reproduced on the server: the model's replay of `schedule`
/// (with its statements) and the same statements run on the server.
#[derive(Debug, Clone)]
pub struct Reproduction<R = LogRun> {
    /// The model's replay.
    pub verdict: Verdict,
    /// The server's run of its statements.
    pub run: R,
}

impl<R: ServerRun> Reproduction<R> {
    /// Whether every statement was answered as in the model (so the same harm
    /// happened on the server).
    pub fn reproduced(&self) -> bool {
        self.verdict.failure().is_some() && self.run.first_disagreement().is_none()
    }
}

/// Replays `schedule` on the model, logging its statements, and runs them on the
/// server in the same order.
pub fn reproduce(
    runner: &mut LogRunner,
    model: SharedModel,
    schedule: &Schedule,
) -> Result<Reproduction, AgainstError> {
    let (verdict, log) = replay_with_sql(model, schedule);
    let run = runner.run(&log).map_err(AgainstError::Server)?;
    Ok(Reproduction { verdict, run })
}

/// [`reproduce`] on Redis: the replay's commands sent in the same order.
pub fn reproduce_on_redis(
    runner: &mut RedisLogRunner,
    model: SharedModel,
    schedule: &Schedule,
) -> Result<Reproduction<RedisLogRun>, AgainstError> {
    let (verdict, log) = replay_with_redis(model, schedule);
    let run = runner.run(&log).map_err(AgainstError::Server)?;
    Ok(Reproduction { verdict, run })
}

/// Every statement order of a bounded loom search, run on the server.
#[derive(Debug, Clone)]
pub struct Agreement<R = LogRun> {
    /// The model's search (its coverage says what "every" means).
    pub verdict: Verdict,
    /// Distinct statement logs the search produced (schedules that differ only in
    /// steps that are not statements give one log).
    pub orders: usize,
    /// How many of them the server answered statement for statement as the model.
    pub agreeing: usize,
    /// The first one it did not, if any.
    pub first_disagreement: Option<R>,
    /// How many of them showed a harm on the server (harm queries, witness): on a
    /// rung that holds, none may.
    pub harmed: usize,
    /// The first one that did, if any.
    pub first_harmed: Option<R>,
}

impl<R> Agreement<R> {
    /// The same agreement, its disagreeing run turned by `f` (to one type for
    /// either server).
    pub fn map_run<S>(self, f: impl Fn(R) -> S) -> Agreement<S> {
        Agreement {
            verdict: self.verdict,
            orders: self.orders,
            agreeing: self.agreeing,
            first_disagreement: self.first_disagreement.map(&f),
            harmed: self.harmed,
            first_harmed: self.first_harmed.map(&f),
        }
    }
}

/// Runs loom with at most `preemption_bound` preemptions on `model`, then every
/// distinct statement log it met on the server.
pub fn agreement(
    runner: &mut LogRunner,
    model: SharedModel,
    preemption_bound: usize,
    budget: Budget,
) -> Result<Agreement, AgainstError> {
    let engine = Loom::bounded(preemption_bound);
    let (verdict, orders) = explore_collecting_sql(Arc::clone(&model), &engine, budget);
    compare_orders(verdict, &orders, |log| runner.run(log))
}

/// [`agreement`] on Redis: every distinct command log of the search.
pub fn agreement_on_redis(
    runner: &mut RedisLogRunner,
    model: SharedModel,
    preemption_bound: usize,
    budget: Budget,
) -> Result<Agreement<RedisLogRun>, AgainstError> {
    let engine = Loom::bounded(preemption_bound);
    let (verdict, orders) = explore_collecting_redis(Arc::clone(&model), &engine, budget);
    compare_orders(verdict, &orders, |log| runner.run(log))
}

fn compare_orders<C, R: ServerRun>(
    verdict: Verdict,
    orders: &[Vec<C>],
    mut run: impl FnMut(&[C]) -> Result<R, String>,
) -> Result<Agreement<R>, AgainstError> {
    let (mut agreeing, mut harmed) = (0, 0);
    let (mut first_disagreement, mut first_harmed) = (None, None);
    for log in orders {
        let ran = run(log).map_err(AgainstError::Server)?;
        let harms = !ran.harms_seen().is_empty();
        harmed += usize::from(harms);
        if ran.first_disagreement().is_none() {
            agreeing += 1;
            if harms && first_harmed.is_none() {
                first_harmed = Some(ran);
            }
        } else if first_disagreement.is_none() {
            first_disagreement = Some(ran);
        }
    }
    Ok(Agreement {
        verdict,
        orders: orders.len(),
        agreeing,
        first_disagreement,
        harmed,
        first_harmed,
    })
}
