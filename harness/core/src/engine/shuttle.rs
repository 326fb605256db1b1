//! What the shuttle engines share: a [`Recording`] scheduler around shuttle's own,
//! which keeps the current execution's choices (so any failure replays exactly) and
//! ends the run at the first violation without unwinding through shuttle.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use locklab_models::sim::choice::ChoiceScript;
use locklab_models::sim::{Recorder, Runtime, SharedModel};
use shuttle::scheduler::{Schedule as ShuttleSchedule, Scheduler, Task, TaskId};
use shuttle::{Config, FailurePersistence, MaxSteps, Runner};

use super::{Outcome, Search};
use crate::coverage::{Coverage, StoppedBy};
use crate::replay::{shuttle_hex, Schedule};
use crate::verdict::{failure_from, from_panic, panic_message};

/// Stack of each shuttle task, in bytes (1 MiB).
const SHUTTLE_STACK: usize = 1 << 20;

/// Records every choice of the wrapped scheduler into the current execution's
/// schedule, and stops the run once the recorder holds a violation.
struct Recording<S> {
    inner: S,
    /// shuttle's `RandomScheduler` prints a "failing seed" banner when dropped before
    /// it ran out of iterations; locklab reports the failure itself, so on stopping
    /// early it runs the random scheduler out (a cheap reseed per remaining iteration).
    drain_on_stop: bool,
    recorder: Recorder,
    current: Rc<RefCell<ShuttleSchedule>>,
    /// Executions started, and whether any scheduling point had a choice: a model
    /// whose first execution had none has exactly one schedule, which has been run
    /// (PCT would otherwise refuse it: "did not exercise any concurrency").
    started: u64,
    had_choice: Rc<std::cell::Cell<bool>>,
}

impl<S: Scheduler> Scheduler for Recording<S> {
    fn new_execution(&mut self) -> Option<ShuttleSchedule> {
        if self.started > 0 && !self.had_choice.get() {
            return None;
        }
        self.started += 1;
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
        if runnable.len() > 1 {
            self.had_choice.set(true);
        }
        let next = self.inner.next_task(runnable, current, is_yielding)?;
        self.current.borrow_mut().push_task(next);
        Some(next)
    }

    fn next_u64(&mut self) -> u64 {
        self.current.borrow_mut().push_random();
        self.inner.next_u64()
    }
}

/// One shuttle run: which scheduler, and what to call its schedules.
pub(crate) struct Run<'a> {
    pub model: &'a SharedModel,
    pub recorder: &'a Recorder,
    pub scheduler: Box<dyn Scheduler + Send>,
    /// The engine's name, for the schedules it records (`pct`, `random`, `dfs`).
    pub family: &'static str,
    /// The choice script the search runs under (empty for the sampling engines).
    pub choices: ChoiceScript,
    pub drain_on_stop: bool,
    pub max_time: Duration,
}

/// What a shuttle run ended with.
pub(crate) struct Ran {
    pub executions: u64,
    pub elapsed: Duration,
    /// `Ok` if it passed; otherwise the violation (or model panic) as an outcome.
    pub failed: Option<Outcome>,
    /// The model has a single schedule, and it ran.
    pub only_schedule: bool,
}

impl Run<'_> {
    pub(crate) fn go(self) -> Ran {
        let start = Instant::now();
        let current = Rc::new(RefCell::new(ShuttleSchedule::new(0)));
        let had_choice = Rc::new(std::cell::Cell::new(false));
        let scheduler = Recording {
            inner: self.scheduler,
            drain_on_stop: self.drain_on_stop,
            recorder: self.recorder.clone(),
            current: Rc::clone(&current),
            started: 0,
            had_choice: Rc::clone(&had_choice),
        };
        let mut config = Config::new();
        config.failure_persistence = FailurePersistence::None;
        // The kit bounds steps itself (and says so as a verdict); this is a backstop.
        config.max_steps = MaxSteps::FailAfter(1_000_000);
        config.silence_warnings = true;
        // shuttle runs each task on a 60 KiB coroutine stack; a step that interprets
        // SQL (plan, MVCC, expression evaluation) needs more. Reserved lazily by the
        // OS, so unused pages cost nothing (as loom's, `runtime/cells.rs`).
        config.stack_size = SHUTTLE_STACK;
        config.max_time = Some(self.max_time);
        let runner = Runner::new(scheduler, config);
        let (model, rec) = (Arc::clone(self.model), self.recorder.clone());
        let count = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&count);
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            let _in_shuttle = crate::quiet::InShuttle::new();
            runner.run(move || {
                counter.fetch_add(1, Ordering::Relaxed);
                rec.reset();
                model.run(Runtime::Shuttle, &rec);
            })
        }));
        let executions = count.load(Ordering::Relaxed);
        let schedule = Schedule::Shuttle {
            scheduler: self.family.to_owned(),
            hex: shuttle_hex::encode(&current.borrow()),
            choices: self.choices,
        };
        let failed = match result {
            Ok(_) => failure_from(self.recorder, Some(schedule), executions)
                .map(|f| Outcome::Violated(Box::new(f))),
            Err(payload) => Some(from_panic(
                panic_message(&*payload),
                self.recorder,
                Some(schedule),
                executions,
            )),
        };
        Ran {
            executions,
            elapsed: start.elapsed(),
            failed,
            only_schedule: executions == 1 && !had_choice.get(),
        }
    }
}

impl Ran {
    /// The search a sampling engine reports: sampled if it ran all it was asked to,
    /// incomplete if the time cap stopped it first.
    pub(crate) fn sampled(self, asked: u64, seed: u64, max_time: Duration) -> Search {
        let coverage = if self.only_schedule {
            Coverage::Exhaustive
        } else if self.executions < asked && self.elapsed >= max_time {
            Coverage::Incomplete {
                stopped_by: StoppedBy::time(max_time),
            }
        } else {
            Coverage::Sampled {
                executions: self.executions,
                seed,
            }
        };
        Search {
            executions: self.executions,
            outcome: self.failed.unwrap_or(Outcome::Passed),
            coverage,
            states: None,
        }
    }
}
