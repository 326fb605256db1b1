//! Engines: how the interleavings of a model are explored.
//!
//! | engine | what it does | replay |
//! |---|---|---|
//! | `loom` | every interleaving, in a fixed order; optional preemption bound | settings + execution index |
//! | `random` | shuttle, uniformly random schedules from a seed | the recorded shuttle schedule |
//! | `pct` | shuttle, probabilistic concurrency testing (priority changes) | the recorded shuttle schedule |
//! | `dfs` | shuttle, depth-first over all schedules | the recorded shuttle schedule |
//! | `threads` | real OS threads, no control (stress) | none |

mod loom_engine;
mod quiet_hook;
mod shuttle_engine;
mod threads_engine;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use locklab_models::sim::{DynModel, Recorder};

pub use crate::replay::Schedule;
pub use shuttle_engine::decode as decode_shuttle_schedule;

/// Whether `hex` decodes as a shuttle schedule.
pub fn decode_shuttle(hex: &str) -> Option<()> {
    shuttle_engine::decode(hex).map(drop)
}
pub use crate::verdict::{Failure, Outcome, Verdict};

/// Which engine, with its own settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// loom, exhaustive within `preemption_bound` (None: unbounded).
    Loom {
        /// Max preemptions per execution (`LOOM_MAX_PREEMPTIONS`); `None`: every interleaving.
        preemption_bound: Option<usize>,
        /// Max scheduling decisions per execution (`LOOM_MAX_BRANCHES`).
        max_branches: usize,
    },
    /// shuttle's random scheduler.
    Random,
    /// shuttle's PCT scheduler with bug depth `depth`.
    Pct {
        /// The number of priority change points + 1 (PCT's `d`).
        depth: usize,
    },
    /// shuttle's depth-first scheduler.
    Dfs,
    /// Real threads.
    Threads,
}

impl Engine {
    /// loom with a preemption bound of 2 (loom's usual choice) and a generous branch limit.
    pub const LOOM: Engine = Engine::Loom {
        preemption_bound: Some(2),
        max_branches: 20_000,
    };
    /// PCT at depth 3.
    pub const PCT: Engine = Engine::Pct { depth: 3 };

    /// The engine's short name as the CLI spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Engine::Loom { .. } => "loom",
            Engine::Random => "random",
            Engine::Pct { .. } => "pct",
            Engine::Dfs => "dfs",
            Engine::Threads => "threads",
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Engine::Loom {
                preemption_bound: Some(pb),
                ..
            } => write!(f, "loom(pb={pb})"),
            Engine::Loom {
                preemption_bound: None,
                ..
            } => write!(f, "loom"),
            Engine::Pct { depth } => write!(f, "pct(d={depth})"),
            other => f.write_str(other.name()),
        }
    }
}

impl FromStr for Engine {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "loom" => Ok(Engine::LOOM),
            "random" => Ok(Engine::Random),
            "pct" => Ok(Engine::PCT),
            "dfs" => Ok(Engine::Dfs),
            "threads" => Ok(Engine::Threads),
            other => Err(format!(
                "unknown engine '{other}': use one of loom, random, pct, dfs, threads"
            )),
        }
    }
}

/// How much to explore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Max executions (loom: a cap on permutations; shuttle/threads: iterations).
    pub iterations: u64,
    /// Seed for the randomised schedulers.
    pub seed: u64,
    /// Wall-clock cap on the whole run; the verdict then says the search stopped early.
    pub max_time: Duration,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            iterations: 1_000,
            seed: 0,
            max_time: Duration::from_secs(60),
        }
    }
}

/// Explores `model` with `engine` within `budget`.
pub fn explore(model: Arc<dyn DynModel>, engine: Engine, budget: Budget) -> Verdict {
    quiet_hook::install();
    let recorder = Recorder::new();
    let start = Instant::now();
    let _quiet = quiet_hook::QuietGuard::new();
    let (executions, outcome) = match engine {
        Engine::Loom {
            preemption_bound,
            max_branches,
        } => loom_engine::explore(model, &recorder, preemption_bound, max_branches, budget),
        Engine::Random | Engine::Pct { .. } | Engine::Dfs => {
            shuttle_engine::explore(model, &recorder, engine, budget)
        }
        Engine::Threads => threads_engine::explore(model, &recorder, budget),
    };
    Verdict {
        engine,
        executions,
        elapsed: start.elapsed(),
        outcome,
    }
}

/// Replays one schedule: runs exactly the execution it names and returns its verdict
/// (violated, with the same timeline, if the schedule came from a failure).
pub fn replay(model: Arc<dyn DynModel>, schedule: &Schedule) -> Verdict {
    quiet_hook::install();
    let recorder = Recorder::new();
    let start = Instant::now();
    let _quiet = quiet_hook::QuietGuard::new();
    let (engine, executions, outcome) = match schedule {
        Schedule::Shuttle(encoded) => {
            let (n, outcome) = shuttle_engine::replay(model, &recorder, encoded);
            (Engine::Random, n, outcome)
        }
        Schedule::Loom {
            preemption_bound,
            max_branches,
            execution,
        } => {
            let (n, outcome) = loom_engine::replay(
                model,
                &recorder,
                *preemption_bound,
                *max_branches,
                *execution,
            );
            (
                Engine::Loom {
                    preemption_bound: *preemption_bound,
                    max_branches: *max_branches,
                },
                n,
                outcome,
            )
        }
    };
    Verdict {
        engine,
        executions,
        elapsed: start.elapsed(),
        outcome,
    }
}

/// The verdict of one finished execution, read from the recorder.
fn failure_from(
    recorder: &Recorder,
    schedule: Option<Schedule>,
    executions: u64,
) -> Option<Failure> {
    let violation = recorder.violation()?;
    Some(Failure {
        violation,
        trace: recorder.trace(),
        schedule,
        found_after: executions,
    })
}
