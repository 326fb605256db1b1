//! Tests of the harness itself: replay round-trips, determinism, and a known-answer
//! model whose interleavings can be counted by hand.

mod common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{loom, run};
use locklab::engine::{explore, replay, Budget, Engine};
use locklab::sim::{JoinHandle as _, Model, Recorder, Runtime, Sim, SimOptions, Timing};

#[test]
fn a_shuttle_failure_replays_to_a_byte_identical_timeline() {
    // Unbounded DFS revisits its last choices first and reaches early ones only after
    // exhausting the deep end, so it gets the shallow race at two servers.
    let cases = [
        (Engine::Pct { depth: 3 }, "device-claim/expiring-claim", 3),
        (Engine::Random, "device-claim/expiring-claim", 3),
        (Engine::Dfs, "device-claim/select-then-update", 2),
    ];
    for (engine, id, servers) in cases {
        let found = run(id, &[("servers", servers)], engine, 10_000, 3);
        let failure = found
            .failure()
            .unwrap_or_else(|| panic!("{engine} did not catch {id}"));
        let schedule = failure
            .schedule
            .clone()
            .expect("shuttle failures carry a schedule");
        let model = locklab_scenarios::find(id)
            .unwrap()
            .model(&[("servers".into(), servers)])
            .unwrap();
        let replayed = replay(model, &schedule);
        let again = replayed
            .failure()
            .unwrap_or_else(|| panic!("{engine}: replay gave {:?}", replayed.outcome));
        assert_eq!(again.violation, failure.violation, "{engine}");
        assert_eq!(again.trace.render(), failure.trace.render(), "{engine}");
    }
}

#[test]
fn a_loom_failure_replays_by_execution_index() {
    let found = run(
        "device-claim/select-then-update",
        &[("servers", 2)],
        loom(None),
        1_000_000,
        0,
    );
    let failure = found.failure().expect("caught");
    let schedule = failure
        .schedule
        .clone()
        .expect("loom failures carry settings and an index");
    let model = locklab_scenarios::find("device-claim/select-then-update")
        .unwrap()
        .model(&[("servers".into(), 2)])
        .unwrap();
    let replayed = replay(model, &schedule);
    assert_eq!(
        replayed.failure().expect("same failure").trace.render(),
        failure.trace.render()
    );
}

#[test]
fn replay_strings_round_trip_through_text() {
    let found = run(
        "device-claim/validate-then-connect",
        &[],
        Engine::Pct { depth: 3 },
        10_000,
        0,
    );
    let schedule = found.failure().unwrap().schedule.clone().unwrap();
    let text = locklab::replay::ReplayString {
        schedule: schedule.clone(),
        params: vec![("servers".into(), 3)],
    }
    .to_string();
    let parsed: locklab::replay::ReplayString = text.parse().unwrap();
    assert_eq!(parsed.schedule, schedule);
    assert_eq!(parsed.params, vec![("servers".to_owned(), 3)]);
}

#[test]
fn the_same_seed_gives_the_same_trace_byte_for_byte() {
    for engine in [Engine::Pct { depth: 3 }, Engine::Random] {
        let a = run(
            "device-claim/expiring-claim",
            &[("servers", 4)],
            engine,
            10_000,
            42,
        );
        let b = run(
            "device-claim/expiring-claim",
            &[("servers", 4)],
            engine,
            10_000,
            42,
        );
        let (fa, fb) = (a.failure().unwrap(), b.failure().unwrap());
        assert_eq!(fa.found_after, fb.found_after);
        assert_eq!(fa.trace.render(), fb.trace.render());
        assert_eq!(fa.schedule, fb.schedule);
    }
}

/// `actors` actors each take `steps` steps on one shared cell, recording their order.
/// The distinct orders are the interleavings of the steps: a multinomial coefficient.
struct Interleavings {
    actors: usize,
    steps: usize,
    seen: Arc<Mutex<BTreeSet<String>>>,
}

impl Model for Interleavings {
    fn run<R: Runtime>(&self, recorder: &Recorder) {
        let sim = Sim::<R, String>::new(recorder, String::new(), SimOptions::default());
        let actors: Vec<_> = (0..self.actors)
            .map(|i| sim.actor(format!("A{i}"), Timing::Pausable))
            .collect();
        let handles: Vec<_> = actors
            .into_iter()
            .enumerate()
            .map(|(i, a)| {
                let steps = self.steps;
                sim.spawn(a, move |a| {
                    for _ in 0..steps {
                        a.step("append", |s| s.state.push(char::from(b'a' + i as u8)))?;
                    }
                    Ok(())
                })
            })
            .collect();
        for h in handles {
            h.join();
        }
        let order = sim.inspect(|w| w.state.clone());
        self.seen.lock().unwrap().insert(order);
    }
}

fn distinct_orders(engine: Engine, actors: usize, steps: usize) -> (u64, usize) {
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let model = Arc::new(Interleavings {
        actors,
        steps,
        seen: Arc::clone(&seen),
    });
    let v = explore(
        model,
        engine,
        Budget {
            iterations: 10_000_000,
            seed: 0,
            max_time: Duration::from_secs(600),
        },
    );
    assert!(v.passed(), "{:?}", v.outcome);
    let n = seen.lock().unwrap().len();
    (v.executions, n)
}

#[test]
fn loom_explores_exactly_every_interleaving_of_a_known_model() {
    // 2 actors × 2 steps: C(4,2) = 6 orders; 3 actors × 1 step: 3! = 6;
    // 3 actors × 2 steps: 6!/(2!·2!·2!) = 90.
    for (actors, steps, orders) in [(2, 2, 6), (3, 1, 6), (3, 2, 90)] {
        let (executions, distinct) = distinct_orders(loom(None), actors, steps);
        assert_eq!(distinct, orders, "{actors} actors × {steps} steps");
        assert!(executions >= orders as u64);
    }
}

#[test]
fn loom_execution_count_of_the_known_model_is_pinned() {
    // Each step and each actor's exit is one critical section, and loom also branches
    // on the cell's release and on spawn/join: 2 actors × 1 step takes exactly this
    // many executions. A change here means the kit's scheduling points changed.
    let (executions, distinct) = distinct_orders(loom(None), 2, 1);
    assert_eq!(distinct, 2);
    assert_eq!(executions, KNOWN_LOOM_EXECUTIONS_2X1);
}

const KNOWN_LOOM_EXECUTIONS_2X1: u64 = 30;
