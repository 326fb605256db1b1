//! shuttle: random, PCT and DFS schedulers, each wrapped in a [`Recording`] scheduler
//! that keeps the current execution's choices (so any failure replays exactly) and
//! ends the run at the first violation without unwinding through shuttle.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use locklab_models::sim::{DynModel, Recorder};
use shuttle::scheduler::{
    DfsScheduler, PctScheduler, RandomScheduler, ReplayScheduler, Schedule as ShuttleSchedule,
    Scheduler, Task, TaskId,
};
use shuttle::{Config, FailurePersistence, MaxSteps, Runner};

use super::{failure_from, Budget, Engine, Outcome, Schedule};

/// Records every choice of the wrapped scheduler into the current execution's
/// schedule, and stops the run once the recorder holds a violation.
pub struct Recording<S> {
    inner: S,
    /// shuttle's `RandomScheduler` prints a "failing seed" banner when dropped before
    /// it ran out of iterations; locklab reports the failure itself, so on stopping
    /// early it runs the random scheduler out (a cheap reseed per remaining iteration).
    drain_on_stop: bool,
    recorder: Recorder,
    current: Rc<RefCell<ShuttleSchedule>>,
}

impl<S: Scheduler> Scheduler for Recording<S> {
    fn new_execution(&mut self) -> Option<ShuttleSchedule> {
        if self.recorder.violation().is_some() {
            if std::mem::take(&mut self.drain_on_stop) {
                while self.inner.new_execution().is_some() {}
            }
            return None;
        }
        let schedule = self.inner.new_execution()?;
        *self.current.borrow_mut() = ShuttleSchedule::new(schedule.seed);
        Some(schedule)
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let next = self.inner.next_task(runnable, current, is_yielding)?;
        self.current.borrow_mut().push_task(next);
        Some(next)
    }

    fn next_u64(&mut self) -> u64 {
        self.current.borrow_mut().push_random();
        self.inner.next_u64()
    }
}

fn config() -> Config {
    let mut config = Config::new();
    config.failure_persistence = FailurePersistence::None;
    // The simulation bounds steps itself (and says so as a verdict); this is a backstop.
    config.max_steps = MaxSteps::FailAfter(1_000_000);
    config.silence_warnings = true;
    config
}

pub fn explore(
    model: Arc<dyn DynModel>,
    recorder: &Recorder,
    engine: Engine,
    budget: Budget,
) -> (u64, Outcome) {
    let n = budget.iterations.max(1) as usize;
    let inner: Box<dyn Scheduler + Send> = match engine {
        Engine::Random => Box::new(RandomScheduler::new_from_seed(budget.seed, n)),
        Engine::Pct { depth } => Box::new(PctScheduler::new_from_seed(budget.seed, depth, n)),
        Engine::Dfs => Box::new(DfsScheduler::new(Some(n), false)),
        Engine::Loom { .. } | Engine::Threads => unreachable!("not a shuttle engine"),
    };
    let (executions, result, schedule) =
        run(model, recorder, inner, engine == Engine::Random, budget);
    let outcome = match result {
        Ok(()) => match failure_from(recorder, Some(schedule), executions) {
            Some(failure) => Outcome::Violated(Box::new(failure)),
            // DFS that stopped short of its cap has seen every schedule.
            None => Outcome::Passed {
                exhaustive: engine == Engine::Dfs && executions < budget.iterations,
            },
        },
        Err(message) => Outcome::from_panic(message, recorder, executions),
    };
    (executions, outcome)
}

pub fn replay(model: Arc<dyn DynModel>, recorder: &Recorder, encoded: &str) -> (u64, Outcome) {
    let Some(schedule) = decode(encoded) else {
        return (
            0,
            Outcome::Error("the shuttle schedule in the replay string is malformed".into()),
        );
    };
    let mut replayer = ReplayScheduler::new_from_schedule(schedule);
    replayer.set_allow_incomplete();
    let budget = Budget {
        iterations: 1,
        ..Budget::default()
    };
    let (executions, result, _) = run(model, recorder, Box::new(replayer), false, budget);
    let outcome = match result {
        Ok(()) => match failure_from(
            recorder,
            Some(Schedule::Shuttle(encoded.to_owned())),
            executions,
        ) {
            Some(failure) => Outcome::Violated(Box::new(failure)),
            None => Outcome::Passed { exhaustive: false },
        },
        Err(message) => Outcome::from_panic(message, recorder, executions),
    };
    (executions, outcome)
}

fn run(
    model: Arc<dyn DynModel>,
    recorder: &Recorder,
    inner: Box<dyn Scheduler + Send>,
    drain_on_stop: bool,
    budget: Budget,
) -> (u64, Result<(), String>, Schedule) {
    let current = Rc::new(RefCell::new(ShuttleSchedule::new(0)));
    let scheduler = Recording {
        inner,
        drain_on_stop,
        recorder: recorder.clone(),
        current: Rc::clone(&current),
    };
    let mut config = config();
    config.max_time = Some(budget.max_time);
    let runner = Runner::new(scheduler, config);
    let rec = recorder.clone();
    let count = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&count);
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        runner.run(move || {
            counter.fetch_add(1, Ordering::Relaxed);
            rec.reset();
            model.run_shuttle(&rec);
        })
    }));
    let schedule = Schedule::Shuttle(encode(&current.borrow()));
    let executions = count.load(Ordering::Relaxed);
    (
        executions,
        result
            .map(drop)
            .map_err(|payload| crate::verdict::panic_message(&*payload)),
        schedule,
    )
}

/// shuttle's own hex encoding, without its line breaks (so it is one shell word).
pub fn encode(schedule: &ShuttleSchedule) -> String {
    shuttle_engine::scheduler::serialization::serialize_schedule(schedule)
        .split_whitespace()
        .collect()
}

/// Decodes a schedule; `None` if malformed. shuttle's decoder indexes and unwraps
/// freely, so it runs behind `catch_unwind` to turn bad input into an error.
pub fn decode(encoded: &str) -> Option<ShuttleSchedule> {
    if encoded.is_empty()
        || !encoded.chars().all(|c| c.is_ascii_hexdigit())
        || encoded.len() % 2 != 0
    {
        return None;
    }
    let _quiet = super::quiet_hook::QuietGuard::new();
    panic::catch_unwind(|| shuttle_engine::scheduler::serialization::deserialize_schedule(encoded))
        .ok()
        .flatten()
}
