//! What an exploration concludes: passed or violated, how much of the space it
//! covered, and how often each property's check ran.

use std::any::Any;
use std::time::Duration;

use locklab_models::sim::{builtin, CheckCount, Property, Recorder, Trace, Violation};

use crate::coverage::{Coverage, StoppedBy};
use crate::replay::Schedule;

/// The result of exploring one model with one engine.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The engine with its settings, as people read it: `loom(pb=2)`, `pct(d=3)`.
    pub engine: String,
    /// Executions run (including the failing one).
    pub executions: u64,
    /// Wall-clock time.
    pub elapsed: Duration,
    /// What was found.
    pub outcome: Outcome,
    /// How much of the space the search covered.
    pub coverage: Coverage,
    /// The model's declared properties.
    pub declared: Vec<Property>,
    /// How often each property's check ran over the whole search.
    pub checks: Vec<CheckCount>,
    /// Distinct states explored (the state-caching engine only).
    pub states: Option<u64>,
}

/// Passed, violated, or could not be decided.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// No execution violated a property (see [`Verdict::coverage`] for how many were
    /// looked at).
    Passed,
    /// An execution violated a property.
    Violated(Box<Failure>),
    /// The engine could not run the model (a bad replay string, too many threads for
    /// loom, a malformed cast).
    Error(String),
}

/// A failing execution, with everything needed to explain and replay it.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The property and what happened.
    pub violation: Violation,
    /// The failing execution's timeline.
    pub trace: Trace,
    /// How to replay it (`None` on real threads).
    pub schedule: Option<Schedule>,
    /// Executions explored until it was found (1-based index of the failing one).
    pub found_after: u64,
    /// For a counterexample of the state-caching engine: how short it is, and what
    /// its preemptions are against every other counterexample's.
    pub minimal: Option<Minimal>,
}

/// What the state-caching engine proves about its counterexample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Minimal {
    /// Its scheduling decisions (who moved, at each point): no counterexample has
    /// fewer (a breadth-first search found it).
    pub decisions: usize,
    /// Its preemptions: switches away from an actor that could have gone on.
    pub preemptions: usize,
    /// The fewest preemptions of any counterexample: the searches bounded below this
    /// came back empty. Below [`Minimal::preemptions`] when a longer counterexample
    /// needs fewer.
    pub fewest_preemptions: usize,
}

impl Verdict {
    /// The failure, if the outcome is a violation.
    pub fn failure(&self) -> Option<&Failure> {
        match &self.outcome {
            Outcome::Violated(f) => Some(f),
            _ => None,
        }
    }

    /// The violated property, if any.
    pub fn violated_property(&self) -> Option<Property> {
        self.failure().map(|f| f.violation.property)
    }

    /// Whether no property was violated (however much was searched).
    pub fn passed(&self) -> bool {
        matches!(self.outcome, Outcome::Passed)
    }

    /// Whether the search passed and is a proof (exhaustive, or within its
    /// preemption bound) with every declared property's check run at least once.
    pub fn proved(&self) -> bool {
        self.passed() && self.coverage.is_proof() && self.vacuous().is_empty()
    }

    /// Declared properties whose check never ran: a pass says nothing about them.
    pub fn vacuous(&self) -> Vec<Property> {
        self.declared
            .iter()
            .filter(|p| self.runs(**p) == 0)
            .copied()
            .collect()
    }

    /// How often `property`'s check ran.
    pub fn runs(&self, property: Property) -> u64 {
        self.checks
            .iter()
            .find(|c| c.property == property)
            .map_or(0, |c| c.runs)
    }

    /// Executions per second of wall-clock time.
    pub fn executions_per_second(&self) -> f64 {
        self.executions as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// What an [`Engine`](crate::engine::Engine) hands back; [`Verdict`]s are assembled
/// from it in one place.
#[derive(Debug, Clone)]
pub struct Search {
    /// Executions run.
    pub executions: u64,
    /// What was found.
    pub outcome: Outcome,
    /// The coverage of a passing search (a violation's is always "stopped at the
    /// first violation").
    pub coverage: Coverage,
    /// Distinct states explored, for an engine that counts them.
    pub states: Option<u64>,
}

impl Search {
    /// A search that could not run.
    pub fn error(message: impl Into<String>) -> Self {
        Search {
            executions: 0,
            outcome: Outcome::Error(message.into()),
            coverage: Coverage::Incomplete {
                stopped_by: StoppedBy::Violation,
            },
            states: None,
        }
    }

    pub(crate) fn into_verdict(
        self,
        engine: String,
        elapsed: Duration,
        declared: Vec<Property>,
        recorder: &Recorder,
    ) -> Verdict {
        let undecided = recorder.inconclusive_runs();
        let coverage = match self.outcome {
            // Runs stopped at the step bound were not searched to their end.
            Outcome::Passed if undecided > 0 && !self.coverage.is_incomplete() => {
                Coverage::Incomplete {
                    stopped_by: StoppedBy::StepBound { runs: undecided },
                }
            }
            Outcome::Passed => self.coverage,
            _ => Coverage::Incomplete {
                stopped_by: StoppedBy::Violation,
            },
        };
        Verdict {
            engine,
            executions: self.executions,
            elapsed,
            outcome: self.outcome,
            coverage,
            declared,
            checks: recorder.checks(),
            states: self.states,
        }
    }
}

/// The failure the recorder holds after an execution, if any.
pub(crate) fn failure_from(
    recorder: &Recorder,
    schedule: Option<Schedule>,
    found_after: u64,
) -> Option<Failure> {
    let violation = recorder.violation()?;
    Some(Failure {
        violation,
        trace: recorder.trace(),
        schedule,
        found_after,
        minimal: None,
    })
}

/// Turns a panic that escaped an execution into an outcome: a property the model
/// recorded before panicking, or a bug in the model itself (`panic`).
pub(crate) fn from_panic(
    message: String,
    recorder: &Recorder,
    schedule: Option<Schedule>,
    executions: u64,
) -> Outcome {
    if let Some(failure) = failure_from(recorder, schedule.clone(), executions) {
        return Outcome::Violated(Box::new(failure));
    }
    let violation = Violation {
        property: builtin::PANIC,
        detail: message,
        at: 0,
    };
    Outcome::Violated(Box::new(Failure {
        violation,
        trace: recorder.trace(),
        schedule,
        found_after: executions,
        minimal: None,
    }))
}

/// The text of a panic payload.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-text payload".to_owned()
    }
}
