//! Tests of the harness itself: replay round-trips, determinism, known-answer models
//! whose executions can be counted by hand, and the kit's own traps (loom's thread
//! limit, an actor sleeping past the horizon).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use locklab::engine::{explore, replay, Budget, Dfs, Loom, Pct, Random, Threads};
use locklab::replay::ReplayString;
use locklab::{builtin, Cast, Coverage, Engine, Property, Scenario, Scheme, Step};

fn scenario(id: &str) -> &'static Scenario {
    locklab::scenarios::find(id).unwrap_or_else(|| panic!("no scenario {id}"))
}

fn model(id: &str, sizes: &[(&str, u64)]) -> locklab::sim::SharedModel {
    let s = scenario(id);
    let named: Vec<(String, u64)> = sizes.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
    s.build(&s.resolve(&named).unwrap()).unwrap()
}

#[test]
fn a_shuttle_failure_replays_to_a_byte_identical_timeline() {
    // Unbounded DFS revisits its last choices first and reaches early ones only after
    // exhausting the deep end, so it gets the shallow race at two servers.
    let cases: [(&dyn Engine, &str, u64, &str); 3] = [
        (&Pct { depth: 3 }, "device-claim/expiring-claim", 3, "pct"),
        (&Random, "device-claim/expiring-claim", 3, "random"),
        (&Dfs, "device-claim/select-then-update", 2, "dfs"),
    ];
    for (engine, id, servers, family) in cases {
        let found = explore(
            model(id, &[("servers", servers)]),
            engine,
            Budget::default().executions(10_000).seed(3),
        );
        let failure = found
            .failure()
            .unwrap_or_else(|| panic!("{} did not catch {id}", engine.label()));
        let schedule = failure
            .schedule
            .clone()
            .expect("shuttle failures carry a schedule");
        assert_eq!(schedule.family(), family);
        let replayed = replay(model(id, &[("servers", servers)]), &schedule);
        assert_eq!(replayed.engine, format!("{family} (replayed)"));
        let again = replayed
            .failure()
            .unwrap_or_else(|| panic!("{family}: replay gave {:?}", replayed.outcome));
        assert_eq!(again.violation, failure.violation, "{family}");
        assert_eq!(again.trace.render(), failure.trace.render(), "{family}");
    }
}

#[test]
fn a_loom_failure_replays_by_execution_index() {
    let id = "device-claim/select-then-update";
    let found = explore(
        model(id, &[("servers", 2)]),
        &Loom::unbounded(),
        Budget::default(),
    );
    let failure = found.failure().expect("caught");
    let schedule = failure
        .schedule
        .clone()
        .expect("loom failures carry settings and an index");
    let replayed = replay(model(id, &[("servers", 2)]), &schedule);
    assert_eq!(replayed.engine, "loom (replayed)");
    assert_eq!(
        replayed.failure().expect("same failure").trace.render(),
        failure.trace.render()
    );
}

#[test]
fn replay_strings_round_trip_through_text() {
    let s = locklab::scenarios::find("device-claim/validate-then-connect").unwrap();
    let params = s.defaults();
    let found = explore(
        s.build(&params).unwrap(),
        &Pct { depth: 3 },
        Budget::default(),
    );
    let schedule = found.failure().unwrap().schedule.clone().unwrap();
    let replay = ReplayString::new(s, &params, schedule.clone());
    let text = replay.to_string();
    assert!(
        text.starts_with("device-claim/validate-then-connect@servers=3,devices=1@pct:"),
        "{text}"
    );
    let parsed: ReplayString = text.parse().unwrap();
    assert_eq!(parsed, replay);
    assert_eq!(parsed.schedule, schedule);
    assert_eq!(
        parsed.params,
        vec![("servers".to_owned(), 3), ("devices".to_owned(), 1)]
    );
    for bad in [
        "",
        "pct:zz",
        "loom:pb=2:0",
        "loom:pb=x,mb=1:3",
        "warp:00",
        "pct:00#servers",
        "a/b@@warp:00@00000000",
    ] {
        assert!(bad.parse::<ReplayString>().is_err(), "{bad:?} parsed");
    }
}

#[test]
fn the_same_seed_gives_the_same_trace_byte_for_byte() {
    let engines: [&dyn Engine; 2] = [&Pct { depth: 3 }, &Random];
    for engine in engines {
        let run = || {
            explore(
                model("device-claim/expiring-claim", &[("servers", 4)]),
                engine,
                Budget::default().seed(42),
            )
        };
        let (a, b) = (run(), run());
        let (fa, fb) = (a.failure().unwrap(), b.failure().unwrap());
        assert_eq!(fa.found_after, fb.found_after);
        assert_eq!(fa.trace.render(), fb.trace.render());
        assert_eq!(fa.schedule, fb.schedule);
    }
}

/// `actors` actors each take `steps` steps on one shared string, and the end check
/// records the order. The distinct orders are the interleavings of the steps: a
/// multinomial coefficient.
struct Interleavings {
    actors: usize,
    steps: usize,
    seen: Arc<Mutex<BTreeSet<String>>>,
}

const APPENDED: Property = Property::safety("appended");

impl Scheme for Interleavings {
    type State = String;

    fn init(&self) -> String {
        String::new()
    }

    fn cast(&self, cast: &mut Cast<String>) {
        for i in 0..self.actors {
            let steps = self.steps;
            cast.actor(format!("A{i}"), move |a| {
                for _ in 0..steps {
                    a.step("append", |s| s.state.push(char::from(b'a' + i as u8)))?;
                }
                Ok(())
            });
        }
    }

    fn at_end(&self, end: &mut Step<'_, String>) {
        end.check(
            end.state.len() == self.actors * self.steps,
            APPENDED,
            String::new,
        );
        self.seen.lock().unwrap().insert(end.state.clone());
    }

    fn properties(&self) -> Vec<Property> {
        vec![APPENDED]
    }
}

fn distinct_orders(engine: &dyn Engine, actors: usize, steps: usize) -> (u64, usize) {
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let model = Arc::new(Interleavings {
        actors,
        steps,
        seen: Arc::clone(&seen),
    });
    let v = explore(model, engine, Budget::default());
    assert!(v.passed(), "{:?}", v.outcome);
    assert_eq!(v.coverage, Coverage::Exhaustive);
    assert_eq!(
        v.runs(APPENDED),
        v.executions,
        "the end check runs once per execution"
    );
    let n = seen.lock().unwrap().len();
    (v.executions, n)
}

#[test]
fn the_exhaustive_engines_see_exactly_every_interleaving_of_a_known_model() {
    // 2 actors × 2 steps: C(4,2) = 6 orders; 3 actors × 1 step: 3! = 6;
    // 3 actors × 2 steps: 6!/(2!·2!·2!) = 90.
    for (actors, steps, orders) in [(2, 2, 6), (3, 1, 6), (3, 2, 90)] {
        let (executions, distinct) = distinct_orders(&Loom::unbounded(), actors, steps);
        assert_eq!(distinct, orders, "loom {actors} × {steps}");
        assert!(executions >= orders as u64);
    }
    // shuttle's DFS preempts at every synchronisation point (not only at steps), so
    // its space is far larger than loom's: 3 actors are already out of reach.
    for (actors, steps, orders, executions) in [(2, 1, 2, 518), (2, 2, 6, 6_867)] {
        assert_eq!(distinct_orders(&Dfs, actors, steps), (executions, orders));
    }
}

#[test]
fn loom_execution_count_of_the_known_model_is_pinned() {
    // Each step and each actor's exit is one critical section, and loom also branches
    // on the cell's release and on spawn/join: 2 actors × 1 step takes exactly this
    // many executions. A change here means the kit's scheduling points changed.
    let (executions, distinct) = distinct_orders(&Loom::unbounded(), 2, 1);
    assert_eq!(distinct, 2);
    assert_eq!(executions, KNOWN_LOOM_EXECUTIONS_2X1);
}

const KNOWN_LOOM_EXECUTIONS_2X1: u64 = 30;

/// One actor that sleeps on a tick past the clock's horizon: it must wind up, not hang.
struct SleepsPastTheHorizon;

impl Scheme for SleepsPastTheHorizon {
    type State = u8;
    fn init(&self) -> u8 {
        0
    }
    fn cast(&self, cast: &mut Cast<u8>) {
        cast.clock(2);
        cast.actor("late", |a| {
            if a.sleep_until(5)? {
                a.step("after t=5", |s| *s.state = 1)?;
            }
            Ok(())
        });
    }
    fn properties(&self) -> Vec<Property> {
        Vec::new()
    }
}

#[test]
fn an_actor_sleeping_past_the_horizon_winds_up_on_every_engine() {
    let engines: [&dyn Engine; 5] = [
        &Loom::unbounded(),
        &Dfs,
        &Pct { depth: 3 },
        &Random,
        &Threads,
    ];
    for engine in engines {
        let v = explore(
            Arc::new(SleepsPastTheHorizon),
            engine,
            Budget::default().executions(100),
        );
        assert!(v.passed(), "{}: {:?}", engine.label(), v.outcome);
    }
}

/// Five actors: one more than loom can run beside the main thread.
struct FiveActors;

impl Scheme for FiveActors {
    type State = u8;
    fn init(&self) -> u8 {
        0
    }
    fn cast(&self, cast: &mut Cast<u8>) {
        for i in 0..5 {
            cast.actor(format!("A{i}"), |a| a.step("noop", |_| ()));
        }
    }
    fn properties(&self) -> Vec<Property> {
        Vec::new()
    }
}

#[test]
fn loom_refuses_a_fifth_actor_with_a_message_before_its_own_assertion() {
    let v = explore(Arc::new(FiveActors), &Loom::bounded(2), Budget::default());
    let locklab::Outcome::Error(e) = &v.outcome else {
        panic!("expected an error, got {:?}", v.outcome);
    };
    assert!(e.contains("loom runs at most 4 actors"), "{e}");
    // PCT has no such limit.
    assert!(explore(Arc::new(FiveActors), &Pct::default(), Budget::default()).passed());
}

/// Two actors that each take one lock then wait for the other's: the kit reports the
/// cycle as `deadlock`, on every engine, instead of hanging.
struct CrossedLocks;

impl Scheme for CrossedLocks {
    type State = [locklab::Mutex; 2];
    fn init(&self) -> Self::State {
        Default::default()
    }
    fn cast(&self, cast: &mut Cast<Self::State>) {
        for (name, first, second) in [("A", 0, 1), ("B", 1, 0)] {
            cast.actor(name, move |a| {
                a.lock("take first", move |s| &mut s[first])?;
                a.lock("take second", move |s| &mut s[second])?;
                a.unlock("release second", move |s| &mut s[second])?;
                a.unlock("release first", move |s| &mut s[first])
            });
        }
    }
    fn properties(&self) -> Vec<Property> {
        Vec::new()
    }
}

#[test]
fn mutexes_held_across_steps_deadlock_as_the_kit_reports_it() {
    let engines: [&dyn Engine; 3] = [&Loom::unbounded(), &Dfs, &Pct { depth: 3 }];
    for engine in engines {
        let v = explore(Arc::new(CrossedLocks), engine, Budget::default());
        assert_eq!(
            v.violated_property(),
            Some(builtin::DEADLOCK),
            "{}",
            engine.label()
        );
    }
}

#[test]
fn loom_preemption_bounded_coverage_of_the_known_model_is_pinned() {
    // With at most 2 preemptions loom sees every order of 2 × 2 and 3 × 1, and 48 of
    // the 90 orders of 3 × 2, in exactly these many executions. The bound is a
    // heuristic: the check matrix says "≤2 preemptions", never "every interleaving".
    let bounded = |actors, steps| {
        let seen = Arc::new(Mutex::new(BTreeSet::new()));
        let model = Arc::new(Interleavings {
            actors,
            steps,
            seen: Arc::clone(&seen),
        });
        let v = explore(model, &Loom::bounded(2), Budget::default());
        assert_eq!(v.coverage, Coverage::PreemptionBounded { bound: 2 });
        let distinct = seen.lock().unwrap().len();
        (v.executions, distinct)
    };
    assert_eq!(bounded(2, 2), (36, 6));
    assert_eq!(bounded(3, 1), (306, 6));
    assert_eq!(bounded(3, 2), (534, 48));
}
