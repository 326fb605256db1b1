//! What an exploration concludes.

use std::any::Any;
use std::time::Duration;

use locklab_models::sim::{builtin, Recorder, Trace, Violation};

use crate::engine::Engine;
use crate::replay::Schedule;

/// The result of exploring one model with one engine.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The engine that ran.
    pub engine: Engine,
    /// Executions run (including the failing one).
    pub executions: u64,
    /// Wall-clock time.
    pub elapsed: Duration,
    /// What was found.
    pub outcome: Outcome,
}

/// Passed, violated, or could not be decided.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// No execution violated a property.
    Passed {
        /// Every schedule in the engine's space was explored (loom to completion,
        /// within its preemption bound; DFS to completion).
        exhaustive: bool,
    },
    /// An execution violated a property.
    Violated(Box<Failure>),
    /// The engine could not run the model (a bad replay string, loom's branch limit).
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
}

impl Verdict {
    /// The failure, if the outcome is a violation.
    pub fn failure(&self) -> Option<&Failure> {
        match &self.outcome {
            Outcome::Violated(f) => Some(f),
            _ => None,
        }
    }

    /// The violated property's name, if any.
    pub fn violated_property(&self) -> Option<&'static str> {
        self.failure().map(|f| f.violation.property.name)
    }

    /// Whether no property was violated.
    pub fn passed(&self) -> bool {
        matches!(self.outcome, Outcome::Passed { .. })
    }

    /// How much of the space a passing run covered, for people: `every interleaving`,
    /// `every interleaving with ≤2 preemptions`, or `not exhaustive`.
    pub fn coverage(&self) -> String {
        match (&self.outcome, self.engine) {
            (
                Outcome::Passed { exhaustive: true },
                Engine::Loom {
                    preemption_bound: Some(pb),
                    ..
                },
            ) => {
                format!("every interleaving with ≤{pb} preemptions")
            }
            (Outcome::Passed { exhaustive: true }, _) => "every interleaving".to_owned(),
            _ => "not exhaustive".to_owned(),
        }
    }

    /// Executions per second of wall-clock time.
    pub fn executions_per_second(&self) -> f64 {
        self.executions as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

impl Outcome {
    /// Turns a panic that escaped an execution into an outcome: a property the model
    /// recorded before panicking, a step bound, or a bug in the model itself.
    pub(crate) fn from_panic(message: String, recorder: &Recorder, executions: u64) -> Outcome {
        if let Some(violation) = recorder.violation() {
            return Outcome::Violated(Box::new(Failure {
                violation,
                trace: recorder.trace(),
                schedule: None,
                found_after: executions,
            }));
        }
        let property =
            if message.contains("max_steps") || message.contains("maximum number of branches") {
                builtin::STEP_BOUND
            } else {
                builtin::PANIC
            };
        let violation = Violation {
            property,
            detail: message,
            at: 0,
        };
        Outcome::Violated(Box::new(Failure {
            violation,
            trace: recorder.trace(),
            schedule: None,
            found_after: executions,
        }))
    }
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
