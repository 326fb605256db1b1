//! The state-caching engine: known answers, the same verdicts as loom where loom
//! finishes, and shortest counterexamples.

use std::sync::Arc;

use locklab::engine::{explore, Budget, Loom, States};
use locklab::{Cast, Coverage, Property, Scheme, Step};

const COUNTED: Property = Property::safety("counted");

/// `actors` independent actors, each taking `steps` steps on a counter of its own.
struct Independent {
    actors: usize,
    steps: usize,
}

impl Scheme for Independent {
    type State = Vec<usize>;
    fn init(&self) -> Vec<usize> {
        vec![0; self.actors]
    }
    fn cast(&self, cast: &mut Cast<Vec<usize>>) {
        for i in 0..self.actors {
            let steps = self.steps;
            cast.actor(format!("A{i}"), move |a| {
                for _ in 0..steps {
                    a.step("count", |s| s.state[i] += 1)?;
                }
                Ok(())
            });
        }
    }
    fn at_end(&self, end: &mut Step<'_, Vec<usize>>) {
        end.check(
            end.state.iter().all(|&c| c == self.steps),
            COUNTED,
            String::new,
        );
    }
    fn properties(&self) -> Vec<Property> {
        vec![COUNTED]
    }
}

#[test]
fn n_independent_actors_of_k_steps_have_exactly_k_plus_1_to_the_n_states() {
    for (actors, steps) in [(1, 1), (2, 1), (2, 2), (3, 2), (2, 3), (4, 1), (3, 3)] {
        let v = explore(
            Arc::new(Independent { actors, steps }),
            &States,
            Budget::default(),
        );
        assert!(
            v.proved(),
            "{actors}×{steps}: {:?} {:?}",
            v.outcome,
            v.coverage
        );
        assert_eq!(v.coverage, Coverage::Exhaustive);
        let expected = (steps as u64 + 1).pow(actors as u32);
        assert_eq!(v.states, Some(expected), "{actors} actors × {steps} steps");
    }
}

#[test]
fn loom_needs_far_more_executions_than_the_states_engine_on_the_same_model() {
    let model = || {
        Arc::new(Independent {
            actors: 3,
            steps: 2,
        })
    };
    // About 160,000 loom executions: 20-odd seconds alone, but a minute and more
    // beside the other tests of this file on two busy cores.
    let loom = explore(model(), &Loom::unbounded(), patient());
    let states = explore(model(), &States, Budget::default());
    assert!(
        loom.proved() && states.proved(),
        "{:?} / {:?}",
        loom.coverage,
        states.coverage
    );
    eprintln!(
        "loom {} executions; states {} states in {} executions",
        loom.executions,
        states.states.unwrap(),
        states.executions
    );
    assert!(states.executions * 10 <= loom.executions);
}

/// For the unbounded loom searches here: what the tests assert is counts and
/// verdicts, not speed, so the default 60 s cap (which two of them reached beside the
/// file's other tests on two busy cores) must not decide them.
fn patient() -> Budget {
    Budget::default().max_time(std::time::Duration::from_secs(600))
}

fn contention(id: &str) -> locklab::sim::SharedModel {
    let s = locklab::scenarios::find(id).unwrap();
    s.build(&s.defaults()).unwrap()
}

#[test]
fn a_livelock_and_a_starvation_are_lassos_and_their_fixes_are_proven() {
    for (id, cycle) in [
        ("contention/polite-backoff", "states:1.2~1.2.1.2.1.2"),
        ("contention/barging-lock", "states:1*2.2*2~1.2.1*3"),
    ] {
        let v = explore(contention(id), &States, Budget::default());
        let f = v
            .failure()
            .unwrap_or_else(|| panic!("{id}: {:?}", v.outcome));
        assert_eq!(f.violation.property.name, "everyone-enters", "{id}");
        assert!(f.violation.detail.contains("owed for ever"), "{id}");
        let schedule = f.schedule.clone().unwrap();
        assert_eq!(schedule.to_string(), cycle, "{id}: the lasso, pinned");
        // The lasso replays: the cycle closes and the obligation is owed all round.
        let again = locklab::replay_schedule(contention(id), &schedule);
        assert_eq!(again.failure().map(|f| &f.trace), Some(&f.trace), "{id}");
    }
    for id in ["contention/ordered-backoff", "contention/fair-lock"] {
        let v = explore(contention(id), &States, Budget::default());
        assert!(v.proved(), "{id}: {:?}", v.outcome);
    }
}

/// A spins polling a flag only B sets. Only a scheduler that never lets B run keeps
/// A spinning: that cycle is unfair, so no counterexample.
struct SpinUntilSet;

const GOES_ON: Property = Property::liveness("goes-on");

impl Scheme for SpinUntilSet {
    type State = bool;
    fn init(&self) -> bool {
        false
    }
    fn cast(&self, cast: &mut Cast<bool>) {
        cast.actor("A", |a| {
            a.step("start", |s| s.owe(GOES_ON))?;
            loop {
                a.local("spin", &());
                if a.step("poll the flag", |s| *s.state)? {
                    return a.step("go on", |s| s.settle(GOES_ON));
                }
            }
        });
        cast.actor("B", |a| a.step("set the flag", |s| *s.state = true));
    }
    fn properties(&self) -> Vec<Property> {
        vec![GOES_ON]
    }
}

#[test]
fn a_cycle_only_an_unfair_scheduler_can_stay_in_is_no_counterexample() {
    let v = explore(Arc::new(SpinUntilSet), &States, Budget::default());
    assert!(v.proved(), "{:?}", v.outcome);
}

#[test]
fn a_sampling_engine_that_hits_the_step_bound_is_inconclusive_never_a_failure() {
    let v = explore(
        contention("contention/barging-lock"),
        &locklab::engine::Pct::default(),
        Budget::default().executions(200),
    );
    assert!(v.passed(), "{:?}", v.outcome);
    assert!(
        matches!(
            v.coverage,
            Coverage::Incomplete {
                stopped_by: locklab::StoppedBy::StepBound { .. }
            }
        ),
        "{:?}",
        v.coverage
    );
    assert!(!v.proved());
}

#[test]
fn a_random_counterexample_at_a_large_size_simplifies_to_a_shortest_one_that_replays() {
    let s = locklab::scenarios::find("device-claim/expiring-claim").unwrap();
    // Four servers: the size the seeds talk about.
    let params = s.resolve(&[("servers".into(), 4)]).unwrap();
    let model = s.build(&params).unwrap();
    let found = explore(model.clone(), &locklab::engine::Random, Budget::default());
    let failure = found.failure().expect("random finds the race").clone();
    // The breadth-first search takes seconds; the cap is a backstop for a stalled
    // machine, never what the test measures.
    let simplified =
        locklab::engine::simplify(model.clone(), &failure, std::time::Duration::from_secs(600))
            .expect("a shortest counterexample");
    let after = simplified.after.failure().unwrap();
    assert_eq!(after.violation.property, failure.violation.property);
    let (steps, switches) = locklab::engine::measure(&after.trace);
    assert!(steps <= simplified.before_steps && switches <= simplified.before_switches);
    assert!(
        steps < simplified.before_steps,
        "{steps} vs {}",
        simplified.before_steps
    );
    let again = locklab::replay_schedule(model, after.schedule.as_ref().unwrap());
    assert_eq!(again.failure().map(|f| &f.trace), Some(&after.trace));
}

#[test]
fn wherever_unbounded_loom_finishes_the_states_engine_reaches_the_same_verdict() {
    let mut compared = 0;
    for s in locklab::scenarios::all() {
        let Some(plan) = s.loom_plan().filter(|p| p.preemption_bound.is_none()) else {
            continue;
        };
        let params = s.with_sizes(&plan.sizes).unwrap();
        let loom = explore(s.build(&params).unwrap(), &Loom::unbounded(), patient());
        assert!(
            !loom.coverage.is_incomplete() || loom.failure().is_some(),
            "{}: loom did not finish",
            s.id()
        );
        let states = explore(s.build(&params).unwrap(), &States, Budget::default());
        assert_eq!(
            states.violated_property(),
            loom.violated_property(),
            "{} at {params}: loom and the states engine disagree",
            s.id()
        );
        assert_eq!(states.passed(), loom.passed(), "{}", s.id());
        compared += 1;
    }
    assert!(compared >= 15, "{compared} rungs compared");
}
