//! loom: exhaustive exploration in a deterministic order. A violation is named by the
//! settings and the index of the failing execution, and replayed by exploring again
//! up to that index (cheap at the sizes loom can prove).

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use locklab_models::sim::{DynModel, Recorder};

use super::{failure_from, Budget, Outcome, Schedule};

/// The panic message a model execution raises to stop loom at a violation.
const STOP: &str = "locklab: property violated";

pub fn explore(
    model: Arc<dyn DynModel>,
    recorder: &Recorder,
    preemption_bound: Option<usize>,
    max_branches: usize,
    budget: Budget,
) -> (u64, Outcome) {
    let start = Instant::now();
    let (executions, result) = run(
        model,
        recorder,
        preemption_bound,
        max_branches,
        Some(budget),
    );
    let capped = executions >= budget.iterations || start.elapsed() >= budget.max_time;
    let outcome = match result {
        Ok(()) => Outcome::Passed {
            exhaustive: !capped,
        },
        Err(message) if message == STOP => {
            let schedule = Schedule::Loom {
                preemption_bound,
                max_branches,
                execution: executions,
            };
            Outcome::Violated(Box::new(
                failure_from(recorder, Some(schedule), executions).expect("violation recorded"),
            ))
        }
        Err(message) => Outcome::from_panic(message, recorder, executions),
    };
    (executions, outcome)
}

pub fn replay(
    model: Arc<dyn DynModel>,
    recorder: &Recorder,
    preemption_bound: Option<usize>,
    max_branches: usize,
    execution: u64,
) -> (u64, Outcome) {
    let budget = Budget {
        iterations: execution,
        seed: 0,
        max_time: std::time::Duration::from_secs(3600),
    };
    let (executions, outcome) = explore(model, recorder, preemption_bound, max_branches, budget);
    match outcome {
        Outcome::Violated(f) if executions == execution => (executions, Outcome::Violated(f)),
        Outcome::Violated(f) => (
            executions,
            Outcome::Error(format!(
                "replay diverged: the violation came at loom execution {executions}, not {execution} ({}); the model changed since the schedule was recorded",
                f.violation
            )),
        ),
        Outcome::Passed { .. } => (
            executions,
            Outcome::Error(format!(
                "replay diverged: loom execution {execution} did not violate anything (explored {executions}); the model changed since the schedule was recorded"
            )),
        ),
        other => (executions, other),
    }
}

/// Runs loom; returns how many executions started and how it ended.
fn run(
    model: Arc<dyn DynModel>,
    recorder: &Recorder,
    preemption_bound: Option<usize>,
    max_branches: usize,
    budget: Option<Budget>,
) -> (u64, Result<(), String>) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = preemption_bound;
    builder.max_branches = max_branches;
    if let Some(budget) = budget {
        // loom tests the cap before running iteration i (1-based), so a cap of n
        // would run only n - 1 executions.
        builder.max_permutations = Some(budget.iterations.max(1) as usize + 1);
        builder.max_duration = Some(budget.max_time);
        // loom checks its caps only every `checkpoint_interval` executions.
        builder.checkpoint_interval = 1;
    }
    let count = Arc::new(AtomicU64::new(0));
    let result = {
        let count = Arc::clone(&count);
        let recorder = recorder.clone();
        panic::catch_unwind(AssertUnwindSafe(|| {
            builder.check(move || {
                count.fetch_add(1, Ordering::Relaxed);
                recorder.reset();
                model.run_loom(&recorder);
                if recorder.violation().is_some() {
                    panic!("{STOP}");
                }
            })
        }))
    };
    let executions = count.load(Ordering::Relaxed);
    (
        executions,
        result.map_err(|payload| crate::verdict::panic_message(&*payload)),
    )
}
