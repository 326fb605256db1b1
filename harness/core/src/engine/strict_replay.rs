//! shuttle's replay scheduler, held to the schedule exactly: every step of the
//! schedule must be the kind of decision the execution asks for (a task that is
//! runnable, or a random draw), and the execution must end as the schedule does.
//!
//! shuttle's own `ReplayScheduler` panics on a mismatch ("expected context switch but
//! next schedule step is random choice"), which would read as a bug of the model;
//! this one stops the execution and says what did not match.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use shuttle::scheduler::{ReplayScheduler, Schedule, Scheduler, Task, TaskId};
use shuttle_engine::scheduler::ScheduleStep;

/// How far a strict replay got, shared with the caller.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    /// Steps of the schedule used.
    pub used: usize,
    /// Steps the schedule has.
    pub len: usize,
    /// The first mismatch between the schedule and the execution.
    pub mismatch: Option<String>,
}

impl Progress {
    /// `Err` with what went wrong unless the execution consumed the schedule exactly.
    pub(crate) fn exact(&self) -> Result<(), String> {
        if let Some(m) = &self.mismatch {
            return Err(m.clone());
        }
        if self.used < self.len {
            return Err(format!(
                "the execution ended after {} of the schedule's {} steps",
                self.used, self.len
            ));
        }
        Ok(())
    }
}

/// Replays one schedule, refusing to stray from it.
pub(crate) struct StrictReplay {
    steps: Vec<ScheduleStep>,
    inner: ReplayScheduler,
    progress: Arc<Mutex<Progress>>,
}

impl StrictReplay {
    pub(crate) fn new(schedule: Schedule, progress: Arc<Mutex<Progress>>) -> Self {
        lock(&progress).len = schedule.steps.len();
        let steps = schedule.steps.clone();
        let mut inner = ReplayScheduler::new_from_schedule(schedule);
        inner.set_allow_incomplete();
        StrictReplay {
            steps,
            inner,
            progress,
        }
    }

    /// The next step of the schedule, and whether a mismatch already stopped it.
    fn position(&self) -> (usize, bool) {
        let p = lock(&self.progress);
        (p.used, p.mismatch.is_some())
    }

    /// Records the first mismatch.
    fn mismatch(&self, what: String) {
        let mut p = lock(&self.progress);
        if p.mismatch.is_none() {
            p.mismatch = Some(what);
        }
    }
}

impl Scheduler for StrictReplay {
    fn new_execution(&mut self) -> Option<Schedule> {
        self.inner.new_execution()
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let (at, stopped) = self.position();
        if stopped {
            return None;
        }
        match self.steps.get(at) {
            None => {
                self.mismatch(format!(
                    "the schedule ends after {at} steps, before the execution does"
                ));
                None
            }
            Some(ScheduleStep::Random) => {
                self.mismatch(format!(
                    "step {at} of the schedule is a random draw, but the execution switches tasks there"
                ));
                None
            }
            Some(ScheduleStep::Task(t)) if !runnable.iter().any(|r| r.id() == *t) => {
                self.mismatch(format!(
                    "step {at} of the schedule runs task {}, which cannot run there",
                    usize::from(*t)
                ));
                None
            }
            Some(ScheduleStep::Task(_)) => {
                lock(&self.progress).used += 1;
                self.inner.next_task(runnable, current, is_yielding)
            }
        }
    }

    fn next_u64(&mut self) -> u64 {
        let (at, stopped) = self.position();
        match self.steps.get(at) {
            Some(ScheduleStep::Random) if !stopped => {
                lock(&self.progress).used += 1;
                self.inner.next_u64()
            }
            _ => {
                self.mismatch(format!(
                    "step {at} of the schedule is not the random draw the execution makes there"
                ));
                // Any value: the next scheduling decision stops the execution.
                0
            }
        }
    }
}

/// The progress, whoever held it last (a panic in the model cannot leave it torn).
pub(crate) fn lock(progress: &Mutex<Progress>) -> MutexGuard<'_, Progress> {
    progress.lock().unwrap_or_else(PoisonError::into_inner)
}
