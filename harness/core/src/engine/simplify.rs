//! Simplifying a counterexample a sampling engine found: the same property violated
//! by a shortest execution at the same sizes.
//!
//! PCT and random find races at sizes no exhaustive search finishes, and their
//! timelines carry every step the schedule happened to take. The simplification is a
//! breadth-first search of the state-caching engine over the same model, within a
//! time budget: the first violation of the same property it meets is a shortest one
//! (fewest scheduling decisions), so it keeps only the steps the failure needs and
//! the context switches it cannot do without — the aims of swapping independent steps
//! and dropping needless ones, reached exactly rather than by trial. The result is
//! replayed to confirm it fails the same way. When the budget runs out first, the
//! original stands, and the caller says so.

use std::time::{Duration, Instant};

use locklab_models::sim::{Recorder, SharedModel, Trace};

use super::{states, Budget, Outcome, Verdict};
use crate::verdict::Failure;

/// A counterexample before and after simplification.
#[derive(Debug, Clone)]
pub struct Simplified {
    /// The original's steps in its timeline.
    pub before_steps: usize,
    /// The original's context switches (consecutive steps by different actors).
    pub before_switches: usize,
    /// The simplified counterexample (its failure has the replay string and the
    /// minimality the state-caching engine proves).
    pub after: Verdict,
}

/// Steps of a timeline and its context switches.
pub fn measure(trace: &Trace) -> (usize, usize) {
    let actors: Vec<&str> = trace
        .events
        .iter()
        .filter(|e| e.actor != "check")
        .map(|e| e.actor.as_str())
        .collect();
    let switches = actors.windows(2).filter(|w| w[0] != w[1]).count();
    (actors.len(), switches)
}

/// A shortest execution of `model` violating `failure`'s property, found within
/// `time`; `None` if none was found in time (or the search found another property).
pub fn simplify(model: SharedModel, failure: &Failure, time: Duration) -> Option<Simplified> {
    crate::quiet::install();
    let _quiet = crate::quiet::QuietGuard::new();
    let recorder = Recorder::new();
    let start = Instant::now();
    let budget = Budget::default().max_time(time);
    let found = states::shortest(&model, &budget, &recorder)?;
    let after = found.into_verdict(
        "states (simplified)".to_owned(),
        start.elapsed(),
        model.properties(),
        &recorder,
    );
    let same = matches!(&after.outcome, Outcome::Violated(f) if f.violation.property == failure.violation.property);
    let (before_steps, before_switches) = measure(&failure.trace);
    same.then_some(Simplified {
        before_steps,
        before_switches,
        after,
    })
}
