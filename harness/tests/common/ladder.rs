//! What every ladder's tests do: run a rung by its name within the scheme, run its
//! `locklab check` loom plan, and assert what was found and the story its timeline
//! tells.

use std::time::Duration;

use locklab::engine::{explore, Budget, Engine, Outcome, Verdict};
use locklab::sim::Event;
use locklab_scenarios::{Expected, Scenario};

/// One scheme's ladder: its rungs are the scenarios whose ids start with the prefix.
pub struct Ladder(pub &'static str);

impl Ladder {
    /// The scenario of `rung` (`conditional-update`, not the full id).
    pub fn scenario(&self, rung: &str) -> &'static Scenario {
        let id = format!("{}{rung}", self.0);
        locklab_scenarios::find(&id).unwrap_or_else(|| panic!("no scenario {id}"))
    }

    /// Explores `rung` with parameter overrides, seed 7, giving up after 120 s.
    pub fn run(
        &self,
        rung: &str,
        sizes: &[(&str, u64)],
        engine: Engine,
        iterations: u64,
    ) -> Verdict {
        let overrides: Vec<(String, u64)> =
            sizes.iter().map(|(n, v)| ((*n).to_owned(), *v)).collect();
        let model = self.scenario(rung).model(&overrides).expect("valid sizes");
        let budget = Budget {
            iterations,
            seed: 7,
            max_time: Duration::from_secs(120),
        };
        explore(model, engine, budget)
    }

    /// The scenario's own loom plan, as `locklab check` runs it.
    pub fn loom_plan(&self, rung: &str) -> Verdict {
        let plan = self.scenario(rung).loom;
        let engine = super::loom(plan.preemption_bound);
        self.run(rung, plan.sizes, engine, 10_000_000)
    }

    /// The scenario's expected property is what loom (after exactly
    /// `loom_executions`) and both shuttle schedulers find at the default sizes.
    pub fn assert_caught(&self, rung: &str, loom_executions: u64) -> Verdict {
        let v = self.assert_caught_by_loom(rung, loom_executions);
        self.assert_caught_by_shuttle(rung, &[]);
        v
    }

    /// loom's plan finds the expected property after exactly `loom_executions`.
    pub fn assert_caught_by_loom(&self, rung: &str, loom_executions: u64) -> Verdict {
        let property = self.expected_property(rung);
        let v = self.loom_plan(rung);
        assert_eq!(
            v.violated_property(),
            Some(property),
            "loom: {}",
            explain(&v)
        );
        assert_eq!(v.executions, loom_executions, "loom: {}", explain(&v));
        v
    }

    /// PCT and random (10,000 executions each) find the expected property at `sizes`.
    pub fn assert_caught_by_shuttle(&self, rung: &str, sizes: &[(&str, u64)]) {
        let property = self.expected_property(rung);
        for engine in [Engine::PCT, Engine::Random] {
            let s = self.run(rung, sizes, engine, 10_000);
            assert_eq!(
                s.violated_property(),
                Some(property),
                "{engine} {sizes:?}: {}",
                explain(&s)
            );
        }
    }

    fn expected_property(&self, rung: &str) -> &'static str {
        let Expected::Violates(property) = self.scenario(rung).expected else {
            panic!("{rung} is expected to hold");
        };
        property
    }

    /// 10,000 PCT executions at `sizes` all pass.
    pub fn assert_pct_pass(&self, rung: &str, sizes: &[(&str, u64)]) {
        let v = self.run(rung, sizes, Engine::PCT, 10_000);
        assert!(v.passed(), "pct {sizes:?}: {}", explain(&v));
        assert_eq!(v.executions, 10_000);
    }
}

/// The verdict for an assertion message: the count, or the violation and timeline.
pub fn explain(v: &Verdict) -> String {
    match &v.outcome {
        Outcome::Passed { exhaustive } => format!(
            "passed after {} executions (exhaustive: {exhaustive})",
            v.executions
        ),
        Outcome::Violated(f) => format!("{}\n{}", f.violation, f.trace.render()),
        Outcome::Error(e) => format!("error: {e}"),
    }
}

/// The run passed every interleaving (within its bound) in exactly `executions`.
pub fn assert_exhaustive_pass(v: &Verdict, executions: u64) {
    assert!(
        matches!(v.outcome, Outcome::Passed { exhaustive: true }),
        "{}",
        explain(v)
    );
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
