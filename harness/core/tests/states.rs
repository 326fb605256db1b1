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
    let loom = explore(model(), &Loom::unbounded(), Budget::default());
    let states = explore(model(), &States, Budget::default());
    assert!(loom.proved() && states.proved());
    eprintln!(
        "loom {} executions; states {} states in {} executions",
        loom.executions,
        states.states.unwrap(),
        states.executions
    );
    assert!(states.executions * 10 <= loom.executions);
}
