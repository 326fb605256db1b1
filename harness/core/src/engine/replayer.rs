//! Replaying one schedule: exactly the execution it names, with the verdict it gives
//! (violated, with the same timeline, if the schedule came from a failure).

use std::time::Instant;

use locklab_models::sim::choice::Choices;
use std::sync::{Arc, Mutex};

use locklab_models::sim::{Recorder, RedisCall, SharedModel, SqlCall};

use super::loom::Loom;
use super::shuttle::Run;
use super::strict_replay::{lock, Progress, StrictReplay};
use super::{Outcome, Search, Verdict, DEFAULT_MAX_TIME};
use crate::coverage::{Coverage, StoppedBy};
use crate::replay::{shuttle_hex, Schedule};

/// Replays `schedule` on `model`. The verdict's engine says which engine recorded it.
pub fn replay(model: SharedModel, schedule: &Schedule) -> Verdict {
    replay_recording(model, schedule).0
}

/// [`replay`], and the SQL statements the execution issued, in order (for running
/// them again on a real server).
pub fn replay_with_sql(model: SharedModel, schedule: &Schedule) -> (Verdict, Vec<SqlCall>) {
    let (verdict, recorder) = replay_recording(model, schedule);
    (verdict, recorder.sql_log())
}

/// [`replay`], and the Redis commands the execution sent, in order.
pub fn replay_with_redis(model: SharedModel, schedule: &Schedule) -> (Verdict, Vec<RedisCall>) {
    let (verdict, recorder) = replay_recording(model, schedule);
    (verdict, recorder.redis_log())
}

fn replay_recording(model: SharedModel, schedule: &Schedule) -> (Verdict, Recorder) {
    crate::quiet::install();
    let _quiet = crate::quiet::QuietGuard::new();
    let recorder = Recorder::new();
    let start = Instant::now();
    let search = match schedule {
        Schedule::Shuttle {
            scheduler,
            hex,
            choices,
        } => replay_shuttle(&model, &recorder, scheduler, hex, choices),
        Schedule::Loom {
            preemption_bound,
            max_branches,
            choices,
            execution,
        } => Loom {
            preemption_bound: *preemption_bound,
            max_branches: *max_branches,
        }
        .replay(&model, &recorder, choices, *execution),
        Schedule::States { path, cycle_from } => {
            super::states::replay_exactly(&model, &recorder, path, *cycle_from)
        }
    };
    let verdict = search.into_verdict(
        format!("{} (replayed)", schedule.family()),
        start.elapsed(),
        model.properties(),
        &recorder,
    );
    (verdict, recorder)
}

fn replay_shuttle(
    model: &SharedModel,
    recorder: &Recorder,
    family: &str,
    hex: &str,
    choices: &locklab_models::sim::choice::ChoiceScript,
) -> Search {
    let decoded = match shuttle_hex::decode(hex) {
        Ok(decoded) => decoded,
        Err(e) => return Search::error(format!("the shuttle schedule is malformed: {e}")),
    };
    let progress = Arc::new(Mutex::new(Progress::default()));
    // The schedulers that draw choices from shuttle's RNG recorded them in the
    // schedule; DFS ran under a script.
    recorder.set_choices(if family == "dfs" {
        Choices::Script(choices.clone())
    } else {
        Choices::Shuttle
    });
    let family: &'static str = match family {
        "pct" => "pct",
        "random" => "random",
        "dfs" => "dfs",
        _ => "shuttle",
    };
    let ran = Run {
        model,
        recorder,
        scheduler: Box::new(StrictReplay::new(decoded, Arc::clone(&progress))),
        family,
        choices: choices.clone(),
        drain_on_stop: false,
        max_time: DEFAULT_MAX_TIME,
    }
    .go();
    if let Err(e) = lock(&progress).exact() {
        return Search::error(format!(
            "the schedule does not fit this execution: {e}; it was recorded on another model or at other parameters"
        ));
    }
    Search {
        executions: ran.executions,
        outcome: ran.failed.unwrap_or(Outcome::Passed),
        coverage: Coverage::Incomplete {
            stopped_by: StoppedBy::ExecutionCap { cap: 1 },
        },
        states: None,
    }
}
