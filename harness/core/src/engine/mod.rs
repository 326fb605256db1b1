//! Engines: how the interleavings of a model are explored. Each engine is one type
//! behind the small [`Engine`] trait, in a file of its own, as shuttle's schedulers
//! are.
//!
//! | engine | what it does | coverage of a pass | replay |
//! |---|---|---|---|
//! | [`States`] | every state once, breadth first (state caching) | exhaustive | the path of decisions |
//! | [`Loom`] | every interleaving in a fixed order, optionally preemption-bounded | exhaustive / preemption-bounded | settings + execution index |
//! | [`Dfs`] | shuttle, depth-first over every schedule | exhaustive | the recorded schedule |
//! | [`Pct`] | shuttle, probabilistic concurrency testing (priority changes) | sampled | the recorded schedule |
//! | [`Random`] | shuttle, uniformly random schedules from a seed | sampled | the recorded schedule |
//! | [`Threads`] | real OS threads, no control (stress) | sampled | none |
//!
//! The exhaustive engines explore [`Actor::choose`](locklab_models::sim::Actor::choose)
//! by running their whole search once per choice script, until every combination
//! of the choices they met is covered; the sampling ones draw choices like the
//! schedule.

mod dfs;
mod loom;
mod pct;
mod random;
mod replayer;
mod scripts;
mod shuttle;
mod simplify;
pub mod states;
mod strict_replay;
mod threads;

use std::fmt;
use std::time::{Duration, Instant};

use locklab_models::sim::{Recorder, RedisCall, SharedModel, SqlCall};

pub use self::loom::Loom;
pub use dfs::Dfs;
pub use pct::Pct;
pub use random::Random;
pub use replayer::{replay, replay_with_redis, replay_with_sql};
pub use simplify::{measure, simplify, Simplified};
pub use states::States;
pub use threads::Threads;

pub use crate::verdict::{Failure, Outcome, Search, Verdict};

/// loom's limit on scheduling decisions in one execution (`LOOM_MAX_BRANCHES`),
/// generous enough that no built-in execution comes near it.
pub const LOOM_MAX_BRANCHES: usize = 20_000;

/// The largest preemption bound loom can run (it keeps the bound in a `u8`; a bigger
/// one would panic inside loom). `None` is unbounded.
pub const LOOM_MAX_PREEMPTION_BOUND: usize = u8::MAX as usize;

/// Executions a sampling engine runs unless told otherwise, in the library and the
/// CLI alike.
pub const DEFAULT_SAMPLES: u64 = 10_000;

/// The time a search may take unless told otherwise.
pub const DEFAULT_MAX_TIME: Duration = Duration::from_secs(60);

/// How much to explore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// For the sampling engines (random, PCT, threads): how many executions to run
    /// (`None`: [`DEFAULT_SAMPLES`]). For the exhaustive ones (loom, DFS): a cap on
    /// executions (`None`: no cap, the search runs to completion) — a capped search
    /// is reported as incomplete, never as a proof.
    pub executions: Option<u64>,
    /// Seed for the randomised schedulers.
    pub seed: u64,
    /// Wall-clock cap on the whole search; a search it stops is reported as incomplete.
    pub max_time: Duration,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            executions: None,
            seed: 0,
            max_time: DEFAULT_MAX_TIME,
        }
    }
}

impl Budget {
    /// This budget with `executions` set.
    pub fn executions(mut self, executions: u64) -> Self {
        self.executions = Some(executions);
        self
    }

    /// This budget with `seed` set.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// This budget with `max_time` set.
    pub fn max_time(mut self, max_time: Duration) -> Self {
        self.max_time = max_time;
        self
    }

    /// What a sampling engine runs.
    pub(crate) fn samples(&self) -> u64 {
        self.executions.unwrap_or(DEFAULT_SAMPLES).max(1)
    }
}

/// A way of exploring a model's executions.
pub trait Engine: Send + Sync + fmt::Debug {
    /// The engine with its settings, as people read it: `loom(pb=2)`, `pct(d=3)`.
    fn label(&self) -> String;

    /// Explores `model` within `budget`, recording into `recorder` (one per search).
    fn search(&self, model: &SharedModel, budget: &Budget, recorder: &Recorder) -> Search;
}

/// Explores `model` with `engine` within `budget`.
pub fn explore(model: SharedModel, engine: &dyn Engine, budget: Budget) -> Verdict {
    search_with(model, engine, budget, |_| {}).0
}

/// As [`explore`], also collecting every distinct statement log the search met
/// (each a schedule's SQL, with the model's answers): what `--backend postgres`
/// runs on the server. Deterministic: the logs come sorted by their rendering.
pub fn explore_collecting_sql(
    model: SharedModel,
    engine: &dyn Engine,
    budget: Budget,
) -> (Verdict, Vec<Vec<SqlCall>>) {
    let (verdict, recorder) = search_with(model, engine, budget, Recorder::collect_sql_orders);
    (verdict, recorder.sql_orders())
}

/// As [`explore_collecting_sql`], for Redis commands: what `--backend redis` sends
/// to the server.
pub fn explore_collecting_redis(
    model: SharedModel,
    engine: &dyn Engine,
    budget: Budget,
) -> (Verdict, Vec<Vec<RedisCall>>) {
    let (verdict, recorder) = search_with(model, engine, budget, Recorder::collect_redis_orders);
    (verdict, recorder.redis_orders())
}

fn search_with(
    model: SharedModel,
    engine: &dyn Engine,
    budget: Budget,
    prepare: impl FnOnce(&Recorder),
) -> (Verdict, Recorder) {
    crate::quiet::install();
    let _quiet = crate::quiet::QuietGuard::new();
    let recorder = Recorder::new();
    prepare(&recorder);
    let start = Instant::now();
    let search = match model.summary() {
        Ok(_) => engine.search(&model, &budget, &recorder),
        Err(e) => Search::error(format!("the scheme's cast is malformed: {e}")),
    };
    let verdict = search.into_verdict(
        engine.label(),
        start.elapsed(),
        model.properties(),
        &recorder,
    );
    (verdict, recorder)
}

/// The engine a name (as the CLI spells it) stands for, with the default settings
/// and these overrides.
pub fn by_name(
    name: &str,
    preemption_bound: Option<usize>,
    depth: usize,
) -> Result<Box<dyn Engine>, String> {
    Ok(match name {
        "loom" => Box::new(Loom {
            preemption_bound,
            max_branches: LOOM_MAX_BRANCHES,
        }),
        "random" => Box::new(Random),
        "pct" => Box::new(Pct { depth }),
        "dfs" => Box::new(Dfs),
        "threads" => Box::new(Threads),
        "states" => Box::new(States),
        other => {
            return Err(format!(
                "unknown engine '{other}': use one of states, loom, dfs, pct, random, threads"
            ))
        }
    })
}
