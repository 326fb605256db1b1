//! shuttle's depth-first scheduler: every schedule, one after another. It explores
//! no data choices itself, so it runs once per choice script (see `scripts`).

use locklab_models::sim::{Recorder, SharedModel};
use shuttle::scheduler::DfsScheduler;

use super::shuttle::Run;
use super::{scripts, Budget, Engine, Outcome, Search};
use crate::coverage::{Coverage, StoppedBy};

/// Depth-first over every schedule, with no preemption bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dfs;

impl Engine for Dfs {
    fn label(&self) -> String {
        "dfs".to_owned()
    }

    fn search(&self, model: &SharedModel, budget: &Budget, recorder: &Recorder) -> Search {
        scripts::over_scripts(recorder, budget, |script, left| {
            let cap = left.executions;
            let ran = Run {
                model,
                recorder,
                scheduler: Box::new(DfsScheduler::new(cap.map(|n| n as usize), false)),
                family: "dfs",
                choices: script.clone(),
                drain_on_stop: false,
                max_time: left.max_time,
            }
            .go();
            let stopped_by = if cap.is_some_and(|cap| ran.executions >= cap) {
                Some(StoppedBy::ExecutionCap {
                    cap: cap.unwrap_or(0),
                })
            } else if ran.elapsed >= left.max_time {
                Some(StoppedBy::time(left.max_time))
            } else {
                None
            };
            Search {
                executions: ran.executions,
                outcome: ran.failed.unwrap_or(Outcome::Passed),
                coverage: stopped_by.map_or(Coverage::Exhaustive, |stopped_by| {
                    Coverage::Incomplete { stopped_by }
                }),
                states: None,
            }
        })
    }
}
