//! The out-of-band recorder: what each actor did, saw and when, plus the first
//! violated property.
//!
//! Recording must not perturb the schedule, so the recorder sits behind a plain
//! `std::sync::Mutex`, which neither loom nor shuttle intercepts: taking it is never a
//! scheduling point. The engines run one actor at a time, so it is never contended
//! there; on real threads it is taken only while the actor already holds the step's
//! cell, so it adds no new ordering either.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard};

use super::choice::{ChoicePoint, Choices};
use super::{Property, Tick, Violation};

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

/// How many times one property's check ran over a whole search (every execution).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckCount {
    /// The property.
    pub property: Property,
    /// Times its check ran (held or not).
    pub runs: u64,
}

/// What the recorder holds: the current execution's events and violation, plus what
/// accumulates over the whole search (property checks, choice points met).
#[derive(Debug, Default)]
pub struct Record {
    /// Whether events are kept (off for benchmarks: no formatting on the hot path).
    pub recording: bool,
    /// The execution's events.
    pub trace: Trace,
    /// The first violated property, if any.
    pub violation: Option<Violation>,
    /// Per property, how often its check ran, over every execution since
    /// [`Recorder::new`]; in the order first seen.
    pub checks: Vec<CheckCount>,
    /// Where `choose` gets its values.
    pub choices: Choices,
    /// Every choice point met since [`Recorder::new`], with its number of options.
    pub choice_points: BTreeMap<ChoicePoint, usize>,
    /// Why the current execution stopped inconclusive (its step bound), if it did.
    pub inconclusive: Option<String>,
    /// Executions since [`Recorder::new`] that stopped inconclusive.
    pub inconclusive_runs: u64,
    /// Also record each attempt of a waiting step that found it must wait (for a
    /// timeline that has to show who was kept waiting, as a starvation's does).
    pub waits: bool,
    /// The current execution's SQL statements, in the order they were issued.
    pub sql: Vec<super::sql_step::SqlCall>,
    /// With [`Recorder::collect_sql_orders`]: every distinct statement log of the
    /// executions so far (statements, parameters and the model's answers, in order),
    /// keyed by its rendering.
    pub sql_orders: Option<BTreeMap<String, Vec<super::sql_step::SqlCall>>>,
    /// The current execution's Redis commands, in the order they were sent.
    pub redis: Vec<super::redis_step::RedisCall>,
    /// As [`Record::sql_orders`], for Redis commands.
    pub redis_orders: Option<BTreeMap<String, Vec<super::redis_step::RedisCall>>>,
    /// The one property the executions look for, if the search is focused (see
    /// [`super::focus`]); kept across executions.
    pub focus: Option<super::Property>,
}

impl Record {
    /// Files the current execution's statement log among the distinct ones.
    fn file_orders(&mut self) {
        file(&mut self.sql_orders, &self.sql);
        file(&mut self.redis_orders, &self.redis);
    }
}

/// The distinct logs collected, in their key order (none if not collecting).
fn collected<T: Clone>(orders: &Option<BTreeMap<String, Vec<T>>>) -> Vec<Vec<T>> {
    orders
        .as_ref()
        .map(|o| o.values().cloned().collect())
        .unwrap_or_default()
}

/// Files `log` among the distinct `orders`, if they are being collected.
fn file<T: Clone + std::fmt::Debug>(orders: &mut Option<BTreeMap<String, Vec<T>>>, log: &[T]) {
    if let Some(orders) = orders.as_mut() {
        if !log.is_empty() {
            orders
                .entry(format!("{log:?}"))
                .or_insert_with(|| log.to_vec());
        }
    }
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

    /// Forget the previous execution (what accumulates over the search stays).
    pub fn reset(&self) {
        let mut record = self.lock();
        record.file_orders();
        record.trace.events.clear();
        record.violation = None;
        record.inconclusive = None;
        record.sql.clear();
        record.redis.clear();
    }

    /// Logs a statement as issued (if recording); its index, to complete it later.
    pub(crate) fn log_sql(&self, call: super::sql_step::SqlCall) -> Option<usize> {
        let mut record = self.lock();
        record.recording.then(|| {
            record.sql.push(call);
            record.sql.len() - 1
        })
    }

    /// Completes a logged statement.
    pub(crate) fn update_sql(&self, index: usize, call: super::sql_step::SqlCall) {
        if let Some(slot) = self.lock().sql.get_mut(index) {
            *slot = call;
        }
    }

    /// The current execution's SQL statements, in the order they were issued.
    pub fn sql_log(&self) -> Vec<super::sql_step::SqlCall> {
        self.lock().sql.clone()
    }

    /// From now on, keep every distinct statement log of the search (for running
    /// each one on a real server).
    pub fn collect_sql_orders(&self) {
        self.lock().sql_orders.get_or_insert_with(BTreeMap::new);
    }

    /// The distinct statement logs collected so far, the current execution's
    /// included, in a fixed order (by rendering).
    pub fn sql_orders(&self) -> Vec<Vec<super::sql_step::SqlCall>> {
        let mut record = self.lock();
        record.file_orders();
        collected(&record.sql_orders)
    }

    /// Logs a Redis command as sent and answered (if recording).
    pub(crate) fn log_redis(&self, call: super::redis_step::RedisCall) {
        let mut record = self.lock();
        if record.recording {
            record.redis.push(call);
        }
    }

    /// The current execution's Redis commands, in the order they were sent.
    pub fn redis_log(&self) -> Vec<super::redis_step::RedisCall> {
        self.lock().redis.clone()
    }

    /// From now on, keep every distinct Redis command log of the search.
    pub fn collect_redis_orders(&self) {
        self.lock().redis_orders.get_or_insert_with(BTreeMap::new);
    }

    /// The distinct Redis command logs collected so far, in a fixed order.
    pub fn redis_orders(&self) -> Vec<Vec<super::redis_step::RedisCall>> {
        let mut record = self.lock();
        record.file_orders();
        collected(&record.redis_orders)
    }

    /// The current execution stopped at its step bound, undecided.
    pub(crate) fn mark_inconclusive(&self, why: String) {
        let mut record = self.lock();
        if record.inconclusive.is_none() {
            record.inconclusive = Some(why);
            record.inconclusive_runs += 1;
        }
    }

    /// From the next execution on, look only for `property` (`None`: every declared
    /// property); see [`super::focus`].
    pub fn focus_on(&self, property: Option<super::Property>) {
        self.lock().focus = property;
    }

    /// The property a focused search looks for, if it is one.
    pub fn focus(&self) -> Option<super::Property> {
        self.lock().focus
    }

    /// Records, from now on, every attempt of a waiting step that had to wait.
    pub fn record_waits(&self, on: bool) {
        self.lock().waits = on;
    }

    /// Whether attempts that had to wait are recorded.
    pub(crate) fn records_waits(&self) -> bool {
        let record = self.lock();
        record.recording && record.waits
    }

    /// Why the current execution stopped undecided, if it did.
    pub fn inconclusive(&self) -> Option<String> {
        self.lock().inconclusive.clone()
    }

    /// How many executions so far stopped undecided at their step bound.
    pub fn inconclusive_runs(&self) -> u64 {
        self.lock().inconclusive_runs
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

    /// How often each property's check ran, over the search so far.
    pub fn checks(&self) -> Vec<CheckCount> {
        self.lock().checks.clone()
    }

    /// Sets where `choose` gets its values from now on.
    pub fn set_choices(&self, choices: Choices) {
        self.lock().choices = choices;
    }

    /// Every choice point met so far, with its number of options.
    pub fn choice_points(&self) -> BTreeMap<ChoicePoint, usize> {
        self.lock().choice_points.clone()
    }

    /// Every choice point met since the last call, with its number of options; forgets
    /// them (an engine that enumerates choice scripts asks after each search).
    pub fn take_choice_points(&self) -> BTreeMap<ChoicePoint, usize> {
        std::mem::take(&mut self.lock().choice_points)
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

    /// Adds `other`'s check counts to this recorder's (a search run on a recorder of
    /// its own).
    pub fn add_checks_from(&self, other: &Recorder) {
        let counts = other.checks();
        self.add_checks(&counts);
    }

    /// Adds one execution's check counts to the search's.
    pub(crate) fn add_checks(&self, counts: &[CheckCount]) {
        let mut record = self.lock();
        for c in counts {
            match record.checks.iter_mut().find(|k| k.property == c.property) {
                Some(k) => k.runs += c.runs,
                None => record.checks.push(*c),
            }
        }
    }

    /// The answer to a choice among `n` options at `point`, from the current source.
    pub(crate) fn draw(&self, point: ChoicePoint, n: usize) -> usize {
        let mut record = self.lock();
        let arity = record.choice_points.entry(point).or_insert(n);
        *arity = (*arity).max(n);
        record.choices.draw(point, n)
    }
}
