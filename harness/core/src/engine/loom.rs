//! loom: exhaustive exploration in a deterministic order, optionally
//! preemption-bounded. A violation is named by the settings and the index of the
//! failing execution, and replayed by exploring again up to that index (cheap at the
//! sizes loom can prove).

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use locklab_models::sim::choice::ChoiceScript;
use locklab_models::sim::runtime::LOOM_MAX_THREADS;
use locklab_models::sim::{Recorder, Runtime, SharedModel};

use super::{
    scripts, Budget, Engine, Outcome, Search, LOOM_MAX_BRANCHES, LOOM_MAX_PREEMPTION_BOUND,
};
use crate::coverage::{Coverage, StoppedBy};
use crate::replay::Schedule;
use crate::verdict::{failure_from, from_panic, panic_message};

/// The panic message a model execution raises to stop loom at a violation.
const STOP: &str = "locklab: property violated";

/// loom, exhaustive within its preemption bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loom {
    /// Max preemptions per execution (`LOOM_MAX_PREEMPTIONS`); `None`: every
    /// interleaving.
    pub preemption_bound: Option<usize>,
    /// Max scheduling decisions per execution (`LOOM_MAX_BRANCHES`).
    pub max_branches: usize,
}

impl Loom {
    /// Every interleaving.
    pub const fn unbounded() -> Self {
        Loom {
            preemption_bound: None,
            max_branches: LOOM_MAX_BRANCHES,
        }
    }

    /// Every interleaving with at most `bound` preemptions (loom's usual choice is 2).
    pub const fn bounded(bound: usize) -> Self {
        Loom {
            preemption_bound: Some(bound),
            max_branches: LOOM_MAX_BRANCHES,
        }
    }

    fn schedule(&self, choices: &ChoiceScript, execution: u64) -> Schedule {
        Schedule::Loom {
            preemption_bound: self.preemption_bound,
            max_branches: self.max_branches,
            choices: choices.clone(),
            execution,
        }
    }

    /// One loom run under one choice script.
    fn search_script(
        &self,
        model: &SharedModel,
        recorder: &Recorder,
        script: &ChoiceScript,
        budget: &Budget,
    ) -> Search {
        let start = Instant::now();
        let (executions, result) = self.run(model, recorder, budget.executions, budget.max_time);
        let outcome = match result {
            // A search that ran nothing proves nothing, whatever loom returned.
            Ok(()) if executions == 0 => {
                return Search::error("loom ran no execution: nothing was checked")
            }
            Ok(()) => {
                let stopped_by = if budget.executions.is_some_and(|cap| executions >= cap) {
                    Some(StoppedBy::ExecutionCap {
                        cap: budget.executions.unwrap_or(0),
                    })
                } else if start.elapsed() >= budget.max_time {
                    Some(StoppedBy::time(budget.max_time))
                } else {
                    None
                };
                let coverage = match (stopped_by, self.preemption_bound) {
                    (Some(stopped_by), _) => Coverage::Incomplete { stopped_by },
                    (None, Some(bound)) => Coverage::PreemptionBounded { bound },
                    (None, None) => Coverage::Exhaustive,
                };
                return Search {
                    executions,
                    outcome: Outcome::Passed,
                    coverage,
                    states: None,
                };
            }
            Err(message) if message == STOP => Outcome::Violated(Box::new(
                failure_from(
                    recorder,
                    Some(self.schedule(script, executions)),
                    executions,
                )
                .expect("a violation was recorded"),
            )),
            Err(message) if message.contains("maximum number of branches") => {
                return Search {
                    executions,
                    outcome: Outcome::Passed,
                    coverage: Coverage::Incomplete {
                        stopped_by: StoppedBy::BranchCap {
                            max_branches: self.max_branches,
                        },
                    },
                    states: None,
                }
            }
            Err(message) => from_panic(
                message,
                recorder,
                Some(self.schedule(script, executions)),
                executions,
            ),
        };
        Search {
            executions,
            outcome,
            coverage: Coverage::Incomplete {
                stopped_by: StoppedBy::Violation,
            },
            states: None,
        }
    }

    /// Runs loom; returns how many executions started and how it ended.
    fn run(
        &self,
        model: &SharedModel,
        recorder: &Recorder,
        cap: Option<u64>,
        max_time: Duration,
    ) -> (u64, Result<(), String>) {
        let mut builder = ::loom::model::Builder::new();
        builder.preemption_bound = self.preemption_bound;
        builder.max_branches = self.max_branches;
        // loom tests the cap before running iteration i (1-based), so a cap of n
        // would run only n - 1 executions.
        // (Saturating: a cap near u64::MAX once wrapped to 0, and loom ran nothing.)
        builder.max_permutations =
            cap.map(|n| usize::try_from(n.max(1)).map_or(usize::MAX, |n| n.saturating_add(1)));
        builder.max_duration = Some(max_time);
        // loom checks its caps only every `checkpoint_interval` executions.
        builder.checkpoint_interval = 1;
        let count = Arc::new(AtomicU64::new(0));
        let result = {
            let count = Arc::clone(&count);
            let recorder = recorder.clone();
            let model = Arc::clone(model);
            panic::catch_unwind(AssertUnwindSafe(|| {
                builder.check(move || {
                    count.fetch_add(1, Ordering::Relaxed);
                    recorder.reset();
                    model.run(Runtime::Loom, &recorder);
                    if recorder.violation().is_some() {
                        panic!("{STOP}");
                    }
                })
            }))
        };
        let executions = count.load(Ordering::Relaxed);
        (
            executions,
            result.map_err(|payload| panic_message(&*payload)),
        )
    }

    /// `Err` with what to do instead if loom cannot run `model` with these settings.
    fn fits(&self, model: &SharedModel) -> Result<(), String> {
        if let Some(bound) = self
            .preemption_bound
            .filter(|&b| b > LOOM_MAX_PREEMPTION_BOUND)
        {
            return Err(format!(
                "loom's preemption bound is at most {LOOM_MAX_PREEMPTION_BOUND} (asked for {bound}): use a smaller bound, or none for every interleaving"
            ));
        }
        fits_loom(model)
    }

    /// Replays execution `execution` of the loom run under `choices`.
    pub(crate) fn replay(
        &self,
        model: &SharedModel,
        recorder: &Recorder,
        choices: &ChoiceScript,
        execution: u64,
    ) -> Search {
        if let Err(e) = self.fits(model) {
            return Search::error(e);
        }
        recorder.set_choices(locklab_models::sim::choice::Choices::Script(
            choices.clone(),
        ));
        let budget = Budget {
            executions: Some(execution),
            seed: 0,
            max_time: Duration::from_secs(3600),
        };
        let found = self.search_script(model, recorder, choices, &budget);
        let diverged = |what: String| {
            Search::error(format!(
                "replay diverged: {what}; the model changed since the schedule was recorded"
            ))
        };
        match &found.outcome {
            Outcome::Violated(_) if found.executions == execution => found,
            Outcome::Violated(f) => diverged(format!(
                "the violation came at loom execution {}, not {execution} ({})",
                found.executions, f.violation
            )),
            Outcome::Passed => diverged(format!(
                "loom execution {execution} did not violate anything (explored {})",
                found.executions
            )),
            Outcome::Error(_) => found,
        }
    }
}

impl Engine for Loom {
    fn label(&self) -> String {
        match self.preemption_bound {
            Some(pb) => format!("loom(pb={pb})"),
            None => "loom".to_owned(),
        }
    }

    fn search(&self, model: &SharedModel, budget: &Budget, recorder: &Recorder) -> Search {
        if let Err(e) = self.fits(model) {
            return Search::error(e);
        }
        scripts::over_scripts(recorder, budget, |script, left| {
            self.search_script(model, recorder, script, left)
        })
    }
}

/// loom runs at most [`LOOM_MAX_THREADS`] threads, the main thread (which runs the
/// kit's environment) included; past that it fails with an internal assertion.
pub(crate) fn fits_loom(model: &SharedModel) -> Result<(), String> {
    let summary = model.summary()?;
    let threads = summary.threads();
    if threads > LOOM_MAX_THREADS {
        return Err(format!(
            "loom runs at most {} actors ({LOOM_MAX_THREADS} threads, one of them the main thread that runs the clock and faults); this cast has {} ({}): explore it with --engine pct or dfs, or with fewer actors",
            LOOM_MAX_THREADS - 1,
            summary.actors.len(),
            summary.actors.join(", ")
        ));
    }
    Ok(())
}
