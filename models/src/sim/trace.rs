//! The out-of-band recorder: what each actor did, saw and when, plus the first
//! violated property.
//!
//! Recording must not perturb the schedule, so the recorder sits behind a plain
//! `std::sync::Mutex`, which neither loom nor shuttle intercepts: taking it is never a
//! scheduling point. The engines run one actor at a time, so it is never contended
//! there; on real threads it is taken only while the actor already holds the step's
//! cell, so it adds no new ordering either.

use std::fmt::{self, Write as _};
use std::sync::{Arc, Mutex, MutexGuard};

use super::Tick;

/// Whether a property is about something bad happening, or something good failing to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PropertyKind {
    /// "Nothing bad ever happens" (two holders, money lost, an item sold twice).
    Safety,
    /// "Something good eventually happens" (no deadlock, a crashed holder's work resumes).
    Liveness,
}

impl fmt::Display for PropertyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PropertyKind::Safety => "safety",
            PropertyKind::Liveness => "liveness",
        })
    }
}

/// A named property, as models declare them: `const EXCLUSIVE: Property = ...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Property {
    /// Stable kebab-case name, e.g. `exclusive-connection`; tests assert on it.
    pub name: &'static str,
    /// Safety or liveness.
    pub kind: PropertyKind,
}

impl Property {
    /// A safety property ("always").
    pub const fn safety(name: &'static str) -> Self {
        Property {
            name,
            kind: PropertyKind::Safety,
        }
    }
    /// A liveness property ("eventually").
    pub const fn liveness(name: &'static str) -> Self {
        Property {
            name,
            kind: PropertyKind::Liveness,
        }
    }
}

/// Properties every simulation checks, whatever the model.
pub mod builtin {
    use super::Property;
    /// Every live actor is blocked waiting for another.
    pub const DEADLOCK: Property = Property::liveness("deadlock");
    /// An execution ran more steps than its bound (a livelock, or a model that never ends).
    pub const STEP_BOUND: Property = Property::liveness("step-bound");
    /// The model panicked: a bug in the model, not a property of the scheme.
    pub const PANIC: Property = Property::safety("panic");
}

/// One violated property, in the stable form `property-name: detail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Which property.
    pub property: Property,
    /// What happened, for a person.
    pub detail: String,
    /// Virtual time at which it was detected.
    pub at: Tick,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.property.name, self.detail)
    }
}

/// One step of one actor, as the timeline shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Position in the execution (0-based), in the order steps took effect.
    pub seq: usize,
    /// Virtual time when the step ran.
    pub at: Tick,
    /// Who: `S1`, `ticker`, `operator`, ...
    pub actor: String,
    /// What it did: `claim d1 if unowned`, `connect d1`, ...
    pub step: String,
    /// What it saw or changed: `1 row updated`, `owner = S2`, ...
    pub saw: String,
    /// This step is where a property was violated.
    pub violation: bool,
}

/// The events of one execution, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trace {
    /// The events.
    pub events: Vec<Event>,
}

impl Trace {
    /// The timeline as text: one line per step, the virtual clock on the left, the
    /// violating step marked. Byte-identical for identical executions.
    pub fn render(&self) -> String {
        let actor_w = self
            .events
            .iter()
            .map(|e| e.actor.len())
            .max()
            .unwrap_or(5)
            .max(5);
        let step_w = self
            .events
            .iter()
            .map(|e| e.step.len())
            .max()
            .unwrap_or(4)
            .max(4);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "   #    t  {:actor_w$}  {:step_w$}  saw",
            "actor", "step"
        );
        for e in &self.events {
            let mark = if e.violation { ">>" } else { "  " };
            let _ = writeln!(
                out,
                "{mark}{:>3} {:>4}  {:actor_w$}  {:step_w$}  {}",
                e.seq, e.at, e.actor, e.step, e.saw
            );
        }
        out
    }
}

/// What one execution recorded.
#[derive(Debug, Default)]
pub struct Record {
    /// Whether events are kept (off for benchmarks: no formatting on the hot path).
    pub recording: bool,
    /// The execution's events.
    pub trace: Trace,
    /// The first violated property, if any.
    pub violation: Option<Violation>,
}

/// Shared handle to the current execution's [`Record`]. The harness owns one per run
/// and resets it at the start of each execution, so after a failing execution it holds
/// exactly that execution's trace.
#[derive(Debug, Clone, Default)]
pub struct Recorder(Arc<Mutex<Record>>);

impl Recorder {
    /// A recorder that keeps events.
    pub fn new() -> Self {
        Self::with_recording(true)
    }

    /// A recorder that keeps only the verdict, not the events (for benchmarks).
    pub fn with_recording(recording: bool) -> Self {
        Recorder(Arc::new(Mutex::new(Record {
            recording,
            ..Record::default()
        })))
    }

    /// Forget the previous execution.
    pub fn reset(&self) {
        let mut record = self.lock();
        record.trace.events.clear();
        record.violation = None;
    }

    /// Locks the record.
    pub fn lock(&self) -> MutexGuard<'_, Record> {
        self.0.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    /// Whether events are being kept.
    pub fn is_recording(&self) -> bool {
        self.lock().recording
    }

    /// The first violation of the current execution.
    pub fn violation(&self) -> Option<Violation> {
        self.lock().violation.clone()
    }

    /// A copy of the current execution's trace.
    pub fn trace(&self) -> Trace {
        self.lock().trace.clone()
    }

    /// Appends an event (if recording).
    pub fn push(&self, at: Tick, actor: &str, step: &str, saw: String) {
        let mut record = self.lock();
        if record.recording {
            let seq = record.trace.events.len();
            record.trace.events.push(Event {
                seq,
                at,
                actor: actor.to_owned(),
                step: step.to_owned(),
                saw,
                violation: false,
            });
        }
    }

    /// Records `violation` unless one is already recorded; marks the last event as the
    /// violating step when `mark_last` is set. Returns whether it was the first.
    pub fn violate(&self, violation: Violation, mark_last: bool) -> bool {
        let mut record = self.lock();
        if record.violation.is_some() {
            return false;
        }
        if mark_last {
            if let Some(last) = record.trace.events.last_mut() {
                last.violation = true;
            }
        }
        record.violation = Some(violation);
        true
    }
}
