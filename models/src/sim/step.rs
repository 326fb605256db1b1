//! [`Step`]: what a step's closure works with.

use super::store::sql::{Db, SessionId};
use super::trace::CheckCount;
use super::world::{count_check, ActorSlot, Status};
use super::{ActorId, Property, Tick};

/// What a step's closure (and an end-of-execution check) works with: the clock, the
/// scheme's state, and ways to say what it saw and which property it checked.
pub struct Step<'a, S> {
    /// Virtual time of this step.
    pub now: Tick,
    /// The scheme's state.
    pub state: &'a mut S,
    /// Who is taking the step ([`ActorId::END`] in end-of-execution checks; the
    /// victim in a crash's `on_crash`).
    pub me: ActorId,
    actors: &'a [ActorSlot],
    checks: &'a mut Vec<CheckCount>,
    owed: &'a mut Vec<Property>,
    recording: bool,
    /// The one property a focused search looks for ([`super::focus`]); the others'
    /// violations are let pass (noted in the timeline) and their obligations not owed.
    pub(crate) focus: Option<Property>,
    pub(crate) saw: Option<String>,
    /// Violations of other properties than the focus, let pass in this step.
    passed: Vec<(Property, String)>,
    pub(crate) violation: Option<(Property, String)>,
    /// Set by a waiting attempt that nonetheless changed the world (a blocked SQL
    /// statement whose deadlock check aborted another session): the other waiters
    /// must look again, or the kit would call the run deadlocked.
    pub(crate) disturbed: bool,
    /// Sessions whose connection this step dropped, for the statement log.
    pub(crate) dropped: Vec<SessionId>,
}

impl<'a, S> Step<'a, S> {
    pub(crate) fn new(
        now: Tick,
        state: &'a mut S,
        me: ActorId,
        actors: &'a [ActorSlot],
        checks: &'a mut Vec<CheckCount>,
        owed: &'a mut Vec<Property>,
        recording: bool,
    ) -> Self {
        Step {
            now,
            state,
            me,
            actors,
            checks,
            owed,
            recording,
            focus: None,
            saw: None,
            passed: Vec::new(),
            violation: None,
            disturbed: false,
            dropped: Vec::new(),
        }
    }

    /// `session`'s connection to `db(state)` dies now (its process crashed, or a
    /// fault cut it): its open transaction rolls back, its locks are released and a
    /// statement it had waiting is gone ([`Db::disconnect`]). The statement log
    /// records it, so a real server running the same log terminates that session's
    /// backend at the same point.
    pub fn drop_connection(&mut self, db: impl FnOnce(&mut S) -> &mut Db, session: SessionId) {
        db(self.state).disconnect(session);
        self.dropped.push(session);
    }

    /// The statement-log entries for the connections this step dropped.
    pub(crate) fn dropped_log(&self) -> Vec<super::SqlCall> {
        let actor = self.name(self.me);
        self.dropped
            .iter()
            .map(|&session| super::SqlCall::connection_dropped(actor, session))
            .collect()
    }

    /// Whether the run records a trace (what [`Step::saw`] says is kept).
    pub(crate) fn recording(&self) -> bool {
        self.recording
    }

    /// Says what the step saw or did, for the timeline. The text is only built when
    /// the run records a trace (benchmarks do not).
    pub fn saw(&mut self, describe: impl FnOnce() -> String) {
        if self.recording {
            self.saw = Some(describe());
        }
    }

    /// Checks `property`: reports it violated unless `holds`. Every call counts as one
    /// run of the property's check, so a property whose check never ran is reported
    /// as vacuous rather than as holding.
    pub fn check(&mut self, holds: bool, property: Property, detail: impl FnOnce() -> String) {
        count_check(self.checks, property);
        if !holds {
            self.report(property, detail);
        }
    }

    /// Counts one run of `property`'s check that found it holding, where the check is
    /// written as `if bad { s.violate(…) } else { s.checked(…) }`.
    pub fn checked(&mut self, property: Property) {
        count_check(self.checks, property);
    }

    /// Reports that `property` does not hold (and counts as one run of its check).
    /// The first violation of an execution stops it; the harness turns it into the
    /// verdict.
    pub fn violate(&mut self, property: Property, detail: impl FnOnce() -> String) {
        count_check(self.checks, property);
        self.report(property, detail);
    }

    fn report(&mut self, property: Property, detail: impl FnOnce() -> String) {
        if !self.looks_for(property) {
            if self.recording {
                self.passed.push((property, detail()));
            }
        } else if self.violation.is_none() {
            self.violation = Some((property, detail()));
        }
    }

    /// Whether a violation of `property` stops this run: always, unless a focused
    /// search looks for another property.
    fn looks_for(&self, property: Property) -> bool {
        self.focus.is_none_or(|f| f == property)
    }

    /// What the timeline shows for this step: what it [`saw`](Step::saw), and each
    /// violation a focused search let pass in it.
    pub(crate) fn seen(&mut self) -> Option<String> {
        let passed = std::mem::take(&mut self.passed);
        if passed.is_empty() {
            return self.saw.take();
        }
        let mut text = self.saw.take().unwrap_or_default();
        for (property, detail) in passed {
            if !text.is_empty() {
                text.push_str("; ");
            }
            text.push_str(&format!("[{property} let pass: {detail}]"));
        }
        Some(text)
    }

    /// From now on `property` (a liveness property: "eventually …") is owed: the
    /// run must [`settle`](Step::settle) it. One still owed when a run ends violates
    /// it; the state-caching engine also reports a cycle of states, under a fair
    /// schedule, that owes it forever (a livelock, a starvation). Counts as one run
    /// of its check.
    pub fn owe(&mut self, property: Property) {
        count_check(self.checks, property);
        if self.looks_for(property) && !self.owed.contains(&property) {
            self.owed.push(property);
            self.owed.sort_unstable();
        }
    }

    /// `property` is no longer owed (the awaited thing happened).
    pub fn settle(&mut self, property: Property) {
        count_check(self.checks, property);
        self.owed.retain(|p| *p != property);
    }

    /// Every obligation owed now.
    pub(crate) fn owed_now(&self) -> Vec<Property> {
        self.owed.clone()
    }

    /// Whether `property` is owed now.
    pub fn owes(&self, property: Property) -> bool {
        self.owed.contains(&property)
    }

    /// An actor's display name (`"check"` for [`ActorId::END`]).
    pub fn name(&self, id: ActorId) -> &str {
        self.actors.get(id.0).map_or("check", |a| a.name.as_str())
    }

    /// Whether an actor has crashed.
    pub fn is_crashed(&self, id: ActorId) -> bool {
        self.actors
            .get(id.0)
            .is_some_and(|a| a.status == Status::Crashed)
    }
}
