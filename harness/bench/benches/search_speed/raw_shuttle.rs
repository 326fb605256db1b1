//! The baseline for locklab's overhead: shuttle's own entry points on the closure
//! locklab's shuttle engine runs per execution (reset the recorder, run the model), with
//! nothing of locklab around it: no recording scheduler, no replay schedule, no panic
//! capture.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use locklab::sim::{Recorder, SharedModel};
use shuttle::scheduler::PctScheduler;
use shuttle::{Config, Runner};

/// One execution of the model, as locklab's engine runs it, plus a check that a
/// correct rung stayed correct (the engine reads the recorder after each execution too).
fn closure(model: &SharedModel, executions: &Arc<AtomicU64>) -> impl Fn() + Send + Sync {
    let model = Arc::clone(model);
    let executions = Arc::clone(executions);
    let recorder = Recorder::new();
    move || {
        executions.fetch_add(1, Ordering::Relaxed);
        recorder.reset();
        model.run(locklab::sim::Runtime::Shuttle, &recorder);
        if let Some(violation) = recorder.violation() {
            panic!("a correct rung violated {violation}");
        }
    }
}

/// `shuttle::check_random_with_seed` (shuttle's `check_random`, seeded so every
/// iteration explores the same schedules); returns the executions run.
pub fn random(model: &SharedModel, iterations: u64, seed: u64) -> u64 {
    let executions = Arc::new(AtomicU64::new(0));
    shuttle::check_random_with_seed(closure(model, &executions), seed, iterations as usize);
    executions.load(Ordering::Relaxed)
}

/// shuttle's `check_pct`, seeded: the same runner and scheduler it builds; returns the
/// executions run.
pub fn pct(model: &SharedModel, iterations: u64, depth: usize, seed: u64) -> u64 {
    let executions = Arc::new(AtomicU64::new(0));
    let scheduler = PctScheduler::new_from_seed(seed, depth, iterations as usize);
    Runner::new(scheduler, Config::default()).run(closure(model, &executions));
    executions.load(Ordering::Relaxed)
}
