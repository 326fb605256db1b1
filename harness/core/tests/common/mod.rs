//! What the story tests share: run a rung by its name within the scheme, take its
//! loom counterexample, and assert the story its timeline tells.
#![allow(dead_code)]

use std::time::Duration;

use locklab::engine::{explore, Budget, Engine, Loom, Pct, Random};
use locklab::sim::Event;
use locklab::{Coverage, Expected, Outcome, Scenario, Verdict};

/// loom with the given preemption bound (`None`: every interleaving).
pub fn loom(preemption_bound: Option<usize>) -> Loom {
    match preemption_bound {
        Some(pb) => Loom::bounded(pb),
        None => Loom::unbounded(),
    }
}

/// PCT at depth 3.
pub const PCT: Pct = Pct { depth: 3 };

/// One scheme's ladder: its rungs are the scenarios whose ids start with the prefix.
pub struct Ladder(pub &'static str);

impl Ladder {
    /// The scenario of `rung` (`conditional-update`, not the full id).
    pub fn scenario(&self, rung: &str) -> &'static Scenario {
        let id = format!("{}{rung}", self.0);
        locklab::scenarios::find(&id).unwrap_or_else(|| panic!("no scenario {id}"))
    }

    /// Explores `rung` with parameter overrides, seed 7, giving up after 120 s.
    pub fn run(
        &self,
        rung: &str,
        sizes: &[(&str, u64)],
        engine: &dyn Engine,
        executions: Option<u64>,
    ) -> Verdict {
        let s = self.scenario(rung);
        let named: Vec<(String, u64)> = sizes.iter().map(|(n, v)| ((*n).to_owned(), *v)).collect();
        let model = s
            .build(&s.resolve(&named).expect("valid sizes"))
            .expect("builds");
        let budget = Budget {
            executions,
            seed: 7,
            max_time: Duration::from_secs(120),
        };
        explore(model, engine, budget)
    }

    /// The scenario's own loom plan, as `locklab check` runs it.
    pub fn loom_plan(&self, rung: &str) -> Verdict {
        let s = self.scenario(rung);
        let plan = s.loom_plan().expect("a loom plan");
        let model = s
            .build(&s.with_sizes(&plan.sizes).expect("valid plan"))
            .expect("builds");
        let budget = Budget::default().max_time(Duration::from_secs(120));
        explore(model, &loom(plan.preemption_bound), budget)
    }

    /// The counterexample loom's plan finds (the ladder test pins when it finds it);
    /// asserts it violates the rung's expected property.
    pub fn counterexample(&self, rung: &str) -> Verdict {
        let property = self.expected_property(rung);
        let v = self.loom_plan(rung);
        assert_eq!(
            v.violated_property().map(|p| p.name),
            Some(property),
            "loom: {}",
            explain(&v)
        );
        v
    }

    /// PCT and random (10,000 executions each) find the expected property at `sizes`.
    pub fn assert_caught_by_shuttle(&self, rung: &str, sizes: &[(&str, u64)]) {
        let property = self.expected_property(rung);
        let engines: [&dyn Engine; 2] = [&PCT, &Random];
        for engine in engines {
            let s = self.run(rung, sizes, engine, Some(10_000));
            assert_eq!(
                s.violated_property().map(|p| p.name),
                Some(property),
                "{} {sizes:?}: {}",
                engine.label(),
                explain(&s)
            );
        }
    }

    fn expected_property(&self, rung: &str) -> &'static str {
        let Expected::Violates(property) = self.scenario(rung).expected() else {
            panic!("{rung} is expected to hold");
        };
        property.name
    }

    /// 10,000 PCT executions at `sizes` all pass, with every declared check run.
    pub fn assert_pct_pass(&self, rung: &str, sizes: &[(&str, u64)]) {
        let v = self.run(rung, sizes, &PCT, Some(10_000));
        assert!(v.passed(), "pct {sizes:?}: {}", explain(&v));
        assert!(
            v.vacuous().is_empty(),
            "pct {sizes:?}: vacuous {:?}",
            v.vacuous()
        );
        assert_eq!(v.executions, 10_000);
    }
}

/// The verdict for an assertion message: the count, or the violation and timeline.
pub fn explain(v: &Verdict) -> String {
    match &v.outcome {
        Outcome::Passed => format!("passed after {} executions ({})", v.executions, v.coverage),
        Outcome::Violated(f) => format!("{}\n{}", f.violation, f.trace.render()),
        Outcome::Error(e) => format!("error: {e}"),
    }
}

/// The run passed as a proof (every interleaving within its bound) in exactly
/// `executions`, with every declared check run.
pub fn assert_exhaustive_pass(v: &Verdict, executions: u64) {
    assert!(
        matches!(v.outcome, Outcome::Passed) && v.coverage.is_proof() && v.vacuous().is_empty(),
        "{}",
        explain(v)
    );
    assert!(!matches!(v.coverage, Coverage::Sampled { .. }));
    assert_eq!(v.executions, executions, "{}", explain(v));
}

/// The failing execution's events, as (actor, step, saw).
pub fn story(v: &Verdict) -> Vec<(String, String, String)> {
    let events: &[Event] = &v.failure().expect("a violation").trace.events;
    events
        .iter()
        .map(|e| (e.actor.clone(), e.step.clone(), e.saw.clone()))
        .collect()
}

/// Each `(actor, step, words)` appears in the timeline, in this order.
pub fn assert_story(v: &Verdict, beats: &[(&str, &str, &str)]) {
    let events = story(v);
    let mut at = 0;
    for (actor, step, words) in beats {
        let found = events[at..]
            .iter()
            .position(|(a, s, saw)| a == actor && s == step && saw.contains(words));
        let Some(i) = found else {
            panic!(
                "no '{actor} {step} … {words}' after event {at}:\n{}",
                explain(v)
            );
        };
        at += i + 1;
    }
}
