//! How much of a scenario's space a search covered. Every verdict carries one, so a
//! search cut short is never mistaken for a proof.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How much of the space a search covered.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "coverage", rename_all = "kebab-case")]
pub enum Coverage {
    /// Every execution (every interleaving, and every choice): a proof at these sizes.
    Exhaustive,
    /// Every execution with at most `bound` preemptions: a proof within that bound.
    PreemptionBounded {
        /// The preemption bound.
        bound: usize,
    },
    /// `executions` executions drawn by a randomised scheduler from `seed`: evidence,
    /// not a proof.
    Sampled {
        /// Executions run.
        #[serde(rename = "samples")]
        executions: u64,
        /// The scheduler's seed.
        seed: u64,
    },
    /// The search stopped before it covered what it set out to.
    Incomplete {
        /// What stopped it.
        stopped_by: StoppedBy,
    },
}

/// What cut a search short.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum StoppedBy {
    /// The search found a violation and stopped there.
    Violation,
    /// It reached its cap on executions.
    ExecutionCap {
        /// The cap.
        cap: u64,
    },
    /// It ran out of time.
    TimeCap {
        /// The limit, in seconds.
        seconds: f64,
    },
    /// One execution made more scheduling decisions than loom allows (`max_branches`).
    BranchCap {
        /// loom's branch limit.
        max_branches: usize,
    },
    /// Some executions ran past the model's step bound: a livelock, or runs longer
    /// than the bound — a sampling or bounded search cannot tell (the state-caching
    /// engine can).
    StepBound {
        /// How many executions stopped there.
        runs: u64,
    },
}

impl StoppedBy {
    /// The time cap as a reason.
    pub fn time(limit: Duration) -> Self {
        StoppedBy::TimeCap {
            seconds: limit.as_secs_f64(),
        }
    }

    /// The kebab-case name (`time-cap`), as `check --json` spells it.
    pub fn name(&self) -> &'static str {
        match self {
            StoppedBy::Violation => "violation",
            StoppedBy::ExecutionCap { .. } => "execution-cap",
            StoppedBy::TimeCap { .. } => "time-cap",
            StoppedBy::BranchCap { .. } => "branch-cap",
            StoppedBy::StepBound { .. } => "step-bound",
        }
    }
}

impl Coverage {
    /// The kebab-case name (`preemption-bounded`), as `check --json` spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Coverage::Exhaustive => "exhaustive",
            Coverage::PreemptionBounded { .. } => "preemption-bounded",
            Coverage::Sampled { .. } => "sampled",
            Coverage::Incomplete { .. } => "incomplete",
        }
    }

    /// Whether it is a proof (at these sizes, within its bound, if any).
    pub fn is_proof(&self) -> bool {
        matches!(
            self,
            Coverage::Exhaustive | Coverage::PreemptionBounded { .. }
        )
    }

    /// Whether the search was cut short.
    pub fn is_incomplete(&self) -> bool {
        matches!(self, Coverage::Incomplete { .. })
    }
}

impl fmt::Display for StoppedBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoppedBy::Violation => f.write_str("stopped at the first violation"),
            StoppedBy::ExecutionCap { cap } => write!(f, "stopped by the execution cap ({cap})"),
            StoppedBy::TimeCap { seconds } => write!(f, "stopped by the time cap ({seconds:.0} s)"),
            StoppedBy::BranchCap { max_branches } => write!(
                f,
                "stopped: an execution made more than {max_branches} scheduling decisions (loom's branch cap)"
            ),
            StoppedBy::StepBound { runs } => write!(
                f,
                "inconclusive: {runs} execution(s) ran past the step bound (a livelock, or runs longer than the bound; --engine states can tell)"
            ),
        }
    }
}

/// For people: `every interleaving`, `every interleaving with ≤2 preemptions`,
/// `sampled: 10000 executions, seed 0 (not a proof)`, `incomplete: stopped by …`.
impl fmt::Display for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Coverage::Exhaustive => f.write_str("every interleaving"),
            Coverage::PreemptionBounded { bound } => {
                write!(f, "every interleaving with ≤{bound} preemptions")
            }
            Coverage::Sampled { executions, seed } => write!(
                f,
                "sampled: {executions} executions, seed {seed} (not a proof)"
            ),
            Coverage::Incomplete { stopped_by } => write!(f, "incomplete: {stopped_by}"),
        }
    }
}
