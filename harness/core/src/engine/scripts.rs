//! Choices under the exhaustive engines: the whole search runs once per choice
//! script, starting from "every choice answers 0", and every choice point a search
//! meets adds the scripts that answer it otherwise. A choice point is an actor's k-th
//! choice, the same decision in every execution that reaches it, so the scripts
//! cover every combination of answers that any execution can meet.

use std::collections::{BTreeSet, VecDeque};
use std::time::Instant;

use locklab_models::sim::choice::{ChoiceScript, Choices};
use locklab_models::sim::Recorder;

use super::{Budget, Outcome, Search};
use crate::coverage::{Coverage, StoppedBy};

/// Runs `search` under every script, each with what is left of `budget`; stops at
/// the first search that did not pass completely. Returns the combined search.
pub(crate) fn over_scripts(
    recorder: &Recorder,
    budget: &Budget,
    mut search: impl FnMut(&ChoiceScript, &Budget) -> Search,
) -> Search {
    let start = Instant::now();
    let mut queue = VecDeque::from([ChoiceScript::default()]);
    let mut seen = BTreeSet::from([ChoiceScript::default()]);
    let mut executions = 0;
    let mut coverage = Coverage::Exhaustive;
    while let Some(script) = queue.pop_front() {
        let left = Budget {
            executions: budget.executions.map(|cap| cap.saturating_sub(executions)),
            max_time: budget.max_time.saturating_sub(start.elapsed()),
            ..*budget
        };
        if left.executions == Some(0) || left.max_time.is_zero() {
            let stopped_by = match left.executions {
                Some(0) => StoppedBy::ExecutionCap {
                    cap: budget.executions.unwrap_or(0),
                },
                _ => StoppedBy::time(budget.max_time),
            };
            return Search {
                executions,
                outcome: Outcome::Passed,
                coverage: Coverage::Incomplete { stopped_by },
                states: None,
            };
        }
        recorder.take_choice_points();
        recorder.set_choices(Choices::Script(script.clone()));
        let mut one = search(&script, &left);
        executions += one.executions;
        if !matches!(one.outcome, Outcome::Passed) || one.coverage.is_incomplete() {
            one.executions = executions;
            return one;
        }
        coverage = one.coverage;
        for (point, arity) in recorder.take_choice_points() {
            if script.answer(point) != 0 {
                continue;
            }
            for value in 1..arity {
                let next = script.with(point, value);
                if seen.insert(next.clone()) {
                    queue.push_back(next);
                }
            }
        }
    }
    Search {
        executions,
        outcome: Outcome::Passed,
        coverage,
        states: None,
    }
}
