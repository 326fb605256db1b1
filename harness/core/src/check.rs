//! `locklab check`: every scenario against its expected verdict, under its loom plan
//! and its shuttle (PCT) plan, and the one typed record of each run that `check
//! --json` prints and the report reads back.

use std::collections::BTreeMap;
use std::time::Duration;

use locklab_models::sim::{Expected, Params, Scenario};
use serde::{Deserialize, Serialize};

use crate::coverage::Coverage;
use crate::engine::{explore, Budget, Engine, Loom, Pct, States};
use crate::replay::ReplayString;
use crate::verdict::{Outcome, Verdict};

/// How hard `check` searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckDepth {
    /// Multiplies the shuttle executions of each scenario's plan.
    pub shuttle_factor: u64,
    /// Seed for shuttle.
    pub seed: u64,
    /// Wall-clock cap on each run; a proof it cuts short is an unmet expectation.
    pub max_time: Duration,
}

impl Default for CheckDepth {
    fn default() -> Self {
        CheckDepth {
            shuttle_factor: 1,
            seed: 0,
            max_time: Duration::from_secs(120),
        }
    }
}

/// One line of the check matrix: one scenario under one of its plans.
#[derive(Debug, Clone)]
pub struct CheckRow<'s> {
    /// The scenario.
    pub scenario: &'s Scenario,
    /// The parameter values it ran with.
    pub params: Params,
    /// What it concluded.
    pub verdict: Verdict,
    /// Why the expectation was not met (`None`: met).
    pub unmet: Option<String>,
}

impl CheckRow<'_> {
    /// Whether the verdict is what the scenario expects.
    pub fn met(&self) -> bool {
        self.unmet.is_none()
    }

    /// What the run concluded, in the matrix's words: `holds (every interleaving)`,
    /// `holds (sampled)`, `no violation found (incomplete: …)`, `violates p`, `error: …`.
    pub fn got(&self) -> String {
        got(&self.verdict)
    }

    /// The replay string of the failing execution, if any.
    pub fn replay(&self) -> Option<String> {
        let schedule = self.verdict.failure()?.schedule.clone()?;
        Some(replay_string(self.scenario, &self.params, schedule))
    }

    /// The typed record `check --json` prints.
    pub fn record(&self) -> CheckRecord {
        let v = &self.verdict;
        let failure = v.failure();
        CheckRecord {
            scenario: self.scenario.id().to_owned(),
            scheme: self.scenario.scheme().to_owned(),
            engine: v.engine.clone(),
            params: self
                .params
                .values()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            expected: self.scenario.expected().to_string(),
            got: self.got(),
            met: self.met(),
            unmet: self.unmet.clone(),
            executions: v.executions,
            states: v.states,
            seconds: v.elapsed.as_secs_f64(),
            coverage: v.coverage,
            vacuous: v.vacuous().iter().map(|p| p.name.to_owned()).collect(),
            checks: v
                .checks
                .iter()
                .map(|c| (c.property.name.to_owned(), c.runs))
                .collect(),
            violation: failure.map(|f| f.violation.to_string()),
            found_after: failure.map(|f| f.found_after),
            decisions: failure.and_then(|f| f.minimal).map(|m| m.decisions),
            preemptions: failure.and_then(|f| f.minimal).map(|m| m.preemptions),
            fewest_preemptions: failure
                .and_then(|f| f.minimal)
                .map(|m| m.fewest_preemptions),
            replay: self.replay(),
        }
    }
}

/// A verdict in the check matrix's words.
pub fn got(v: &Verdict) -> String {
    let vacuous = v.vacuous();
    let note = if vacuous.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = vacuous.iter().map(|p| p.name).collect();
        format!("; vacuous: {}", names.join(", "))
    };
    match &v.outcome {
        Outcome::Passed => match v.coverage {
            Coverage::Sampled { .. } => format!("holds (sampled){note}"),
            c if c.is_proof() => match v.states {
                Some(n) => format!("holds ({c}: {n} states){note}"),
                None => format!("holds ({c}){note}"),
            },
            c => format!("no violation found ({c}){note}"),
        },
        Outcome::Violated(f) => format!("violates {}", f.violation.property.name),
        Outcome::Error(e) => format!("error: {e}"),
    }
}

/// Whether `verdict` is what `expected` says, and if not, why. A correct rung must
/// pass, with a search that was not cut short and with every declared property's
/// check run at least once; a buggy rung must be caught by exactly the property it
/// names.
pub fn judge(expected: Expected, verdict: &Verdict) -> Result<(), String> {
    match (&verdict.outcome, expected) {
        (Outcome::Error(e), _) => Err(format!("the run failed: {e}")),
        (Outcome::Violated(f), Expected::Holds) => Err(format!("violated {}", f.violation)),
        (Outcome::Passed, Expected::Holds) => {
            if let Coverage::Incomplete { stopped_by } = verdict.coverage {
                return Err(format!(
                    "the search was cut short ({stopped_by}): not a proof"
                ));
            }
            let vacuous = verdict.vacuous();
            if !vacuous.is_empty() {
                let names: Vec<&str> = vacuous.iter().map(|p| p.name).collect();
                return Err(format!(
                    "vacuous: the check of {} never ran, so it did not hold",
                    names.join(", ")
                ));
            }
            Ok(())
        }
        (Outcome::Violated(f), Expected::Violates(p)) if f.violation.property == p => Ok(()),
        (Outcome::Violated(f), Expected::Violates(p)) => Err(format!(
            "caught by {} instead of {}: {}",
            f.violation.property, p, f.violation
        )),
        (Outcome::Passed, Expected::Violates(p)) => {
            Err(format!("{p} was not violated ({})", verdict.coverage))
        }
    }
}

/// The replay string of `schedule` run on `scenario` at `params` (every value, so
/// it stands alone).
pub fn replay_string(
    scenario: &Scenario,
    params: &Params,
    schedule: crate::replay::Schedule,
) -> String {
    ReplayString::new(scenario, params, schedule).to_string()
}

/// Runs `scenario`'s loom plan, shuttle (PCT) plan and state-caching plan (the
/// plans it has), in that order.
pub fn check_scenario(scenario: &Scenario, depth: CheckDepth) -> Vec<CheckRow<'_>> {
    let mut runs: Vec<(&[_], Box<dyn Engine>, Budget)> = Vec::new();
    if let Some(loom) = scenario.loom_plan() {
        let engine = match loom.preemption_bound {
            Some(pb) => Loom::bounded(pb),
            None => Loom::unbounded(),
        };
        runs.push((
            &loom.sizes,
            Box::new(engine),
            Budget::default().max_time(depth.max_time),
        ));
    }
    if let Some(shuttle) = scenario.shuttle_plan() {
        let budget = Budget::default()
            .executions(shuttle.iterations * depth.shuttle_factor)
            .seed(depth.seed)
            .max_time(depth.max_time);
        runs.push((
            &shuttle.sizes,
            Box::new(Pct {
                depth: shuttle.depth,
            }),
            budget,
        ));
    }
    let states = scenario.states_plan();
    runs.push((
        &states.sizes,
        Box::new(States),
        Budget::default().max_time(depth.max_time),
    ));
    runs.into_iter()
        .map(|(sizes, engine, budget)| {
            let params = scenario
                .with_sizes(sizes)
                .expect("a validated scenario's plan uses valid sizes");
            let verdict = match scenario.build(&params) {
                Ok(model) => explore(model, engine.as_ref(), budget),
                Err(e) => crate::verdict::Search::error(e).into_verdict(
                    engine.label(),
                    Duration::ZERO,
                    Vec::new(),
                    &Default::default(),
                ),
            };
            let unmet = judge(scenario.expected(), &verdict).err();
            CheckRow {
                scenario,
                params,
                verdict,
                unmet,
            }
        })
        .collect()
}

/// One run of `locklab check`, as `check --json` prints it and `locklab report`
/// reads it back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRecord {
    /// `scheme/variant`.
    pub scenario: String,
    /// The scheme part of the id.
    pub scheme: String,
    /// The engine with its settings: `loom(pb=2)`, `pct(d=3)`.
    pub engine: String,
    /// The parameter values it ran with.
    pub params: BTreeMap<String, u64>,
    /// `holds` or `violates <property>`.
    pub expected: String,
    /// What was found, in the matrix's words.
    pub got: String,
    /// Whether that is what was expected.
    pub met: bool,
    /// Why not, if not.
    #[serde(default)]
    pub unmet: Option<String>,
    /// Executions explored.
    pub executions: u64,
    /// Distinct states explored (the state-caching engine).
    #[serde(default)]
    pub states: Option<u64>,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// How much of the space the run covered: the field `coverage` is
    /// `exhaustive`, `preemption-bounded` (with `bound`), `sampled` (with
    /// `executions` and `seed`) or `incomplete` (with `stopped_by`).
    #[serde(flatten)]
    pub coverage: Coverage,
    /// Declared properties whose check never ran.
    #[serde(default)]
    pub vacuous: Vec<String>,
    /// How often each property's check ran.
    #[serde(default)]
    pub checks: BTreeMap<String, u64>,
    /// `property: detail`, when a property was violated.
    pub violation: Option<String>,
    /// 1-based index of the failing execution.
    pub found_after: Option<u64>,
    /// The state-caching engine's counterexample: its scheduling decisions (no
    /// counterexample has fewer), its preemptions, and the fewest any has.
    #[serde(default)]
    pub decisions: Option<usize>,
    /// See `decisions`.
    #[serde(default)]
    pub preemptions: Option<usize>,
    /// See `decisions`.
    #[serde(default)]
    pub fewest_preemptions: Option<usize>,
    /// The string `locklab replay <scenario> <replay>` accepts.
    pub replay: Option<String>,
}

impl CheckRecord {
    /// The variant part of the scenario id (the rung).
    pub fn variant(&self) -> &str {
        self.scenario
            .split_once('/')
            .map_or(self.scenario.as_str(), |(_, v)| v)
    }

    /// Whether the rung is a known bug (expected to be caught).
    pub fn is_buggy_rung(&self) -> bool {
        self.expected != "holds"
    }

    /// The engine's settings (`pb=2`), if any.
    pub fn engine_settings(&self) -> Option<&str> {
        self.engine
            .split_once('(')
            .map(|(_, s)| s.trim_end_matches(')'))
    }

    /// The engine family without its settings: `loom`, `pct`.
    pub fn engine_family(&self) -> &str {
        self.engine
            .split_once('(')
            .map_or(self.engine.as_str(), |(f, _)| f)
    }
}

/// What `check --json` prints: every run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    /// One record per scenario and plan.
    pub results: Vec<CheckRecord>,
}
