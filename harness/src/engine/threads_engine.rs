//! Real OS threads: no control over the schedule, so no replay; useful as a stress
//! test and as the runtime the benchmarks measure.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Instant;

use locklab_models::sim::{DynModel, Recorder};

use super::{failure_from, Budget, Outcome};

pub fn explore(model: Arc<dyn DynModel>, recorder: &Recorder, budget: Budget) -> (u64, Outcome) {
    let start = Instant::now();
    let mut executions = 0;
    while executions < budget.iterations && start.elapsed() < budget.max_time {
        executions += 1;
        recorder.reset();
        if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| model.run_std(recorder))) {
            let message = crate::verdict::panic_message(&*payload);
            return (
                executions,
                Outcome::from_panic(message, recorder, executions),
            );
        }
        if let Some(failure) = failure_from(recorder, None, executions) {
            return (executions, Outcome::Violated(Box::new(failure)));
        }
    }
    (executions, Outcome::Passed { exhaustive: false })
}
