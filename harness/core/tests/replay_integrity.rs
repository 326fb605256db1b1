//! Replay strings cannot lie: a string names its scenario and parameters and is
//! sealed by a checksum; a string for another scenario, with other parameters, or
//! cut short is refused, and a schedule the execution does not consume exactly is an
//! error, never a verdict. Engine limits are errors too, and numbers do not wrap.

use std::sync::Arc;

use locklab::builtin;
use locklab::engine::{self, explore, Budget, Dfs, Engine, Loom, Pct, Random, States};
use locklab::replay::{ReplayString, Schedule};
use locklab::{Cast, Outcome, Property, Scenario, Scheme, Verdict};

fn scenario(id: &str) -> &'static Scenario {
    locklab::scenarios::find(id).unwrap()
}

/// A counterexample of `id` at its defaults found by `engine`, as a replay string.
fn counterexample(id: &str, engine: &dyn Engine) -> ReplayString {
    let s = scenario(id);
    let params = s.defaults();
    let v = explore(s.build(&params).unwrap(), engine, Budget::default());
    let schedule = v.failure().expect("a violation").schedule.clone().unwrap();
    ReplayString::new(s, &params, schedule)
}

/// Replays `replay` as the CLI does: parameters checked against `id`, then the
/// schedule run.
fn replay_on(id: &str, replay: &ReplayString) -> Result<Verdict, String> {
    let s = scenario(id);
    let params = replay.params_for(s)?;
    let v = engine::replay(s.build(&params).unwrap(), &replay.schedule);
    match v.outcome {
        Outcome::Error(e) => Err(e),
        _ => Ok(v),
    }
}

fn refusal(result: Result<Verdict, String>) -> String {
    match result {
        Ok(v) => panic!("replayed as {:?}", v.outcome),
        Err(e) => e,
    }
}

const BUGGY: &str = "device-claim/select-then-update";
const OTHER: &str = "device-claim/conditional-update";

#[test]
fn a_replay_string_round_trips_and_replays_its_own_violation() {
    for engine in [&Pct::default() as &dyn Engine, &States, &Loom::bounded(2)] {
        let replay = counterexample(BUGGY, engine);
        let text = replay.to_string();
        assert!(text.starts_with("device-claim/select-then-update@servers=3,devices=1@"));
        let parsed: ReplayString = text.parse().unwrap();
        assert_eq!(parsed, replay);
        let v = replay_on(BUGGY, &parsed).unwrap();
        assert_eq!(
            v.failure().unwrap().violation.property.name,
            "exclusive-connection"
        );
    }
}

#[test]
fn a_string_for_another_scenario_is_refused_naming_both() {
    let replay = counterexample(BUGGY, &Pct::default());
    let e = refusal(replay_on(OTHER, &replay));
    assert!(e.contains(BUGGY) && e.contains(OTHER), "{e}");
}

#[test]
fn a_schedule_moved_to_another_scenario_does_not_fit_it() {
    // Even with the scenario renamed (and the checksum made to match), the schedule is
    // held to the execution: it does not fit the other model, exactly.
    for engine in [&Pct::default() as &dyn Engine, &States] {
        let mut replay = counterexample(BUGGY, engine);
        replay.scenario = OTHER.to_owned();
        let forged: ReplayString = replay.to_string().parse().unwrap();
        let e = refusal(replay_on(OTHER, &forged));
        assert!(e.contains("does not fit this execution"), "{e}");
    }
}

#[test]
fn parameters_that_contradict_the_schedule_are_refused() {
    for engine in [&Pct::default() as &dyn Engine, &States] {
        let mut replay = counterexample(BUGGY, engine);
        // The checksum seals the parameters: edited in the text, the string is damaged.
        let edited = replay.to_string().replace("servers=3", "servers=2");
        let e = edited.parse::<ReplayString>().unwrap_err();
        assert!(e.contains("checksum"), "{e}");
        // Forged with a matching checksum, the 3-server schedule does not fit 2 servers.
        replay.params[0].1 = 2;
        let e = refusal(replay_on(BUGGY, &replay));
        assert!(e.contains("does not fit this execution"), "{e}");
    }
    // Missing and unknown parameters are refused by name.
    let mut replay = counterexample(BUGGY, &Pct::default());
    replay.params.pop();
    let e = refusal(replay_on(BUGGY, &replay));
    assert!(e.contains("devices"), "{e}");
    replay.params.push(("colour".to_owned(), 1));
    assert!(refusal(replay_on(BUGGY, &replay)).contains("colour"));
}

#[test]
fn every_truncation_and_every_changed_character_is_refused() {
    for engine in [&Pct::default() as &dyn Engine, &States, &Loom::bounded(2)] {
        let text = counterexample(BUGGY, engine).to_string();
        for cut in 0..text.len() {
            assert!(
                text[..cut].parse::<ReplayString>().is_err(),
                "{:?} parsed",
                &text[..cut]
            );
        }
        for at in 0..text.len() {
            for with in ['0', 'f', 'x', '@', '=', '.', ','] {
                let mut changed = text.clone().into_bytes();
                if changed[at] == with as u8 {
                    continue;
                }
                changed[at] = with as u8;
                let changed = String::from_utf8(changed).unwrap();
                assert!(
                    changed.parse::<ReplayString>().is_err(),
                    "{changed:?} parsed"
                );
            }
        }
    }
}

#[test]
fn a_schedule_cut_short_or_run_on_is_refused_even_with_a_matching_checksum() {
    let mut replay = counterexample(BUGGY, &States);
    let Schedule::States { path, .. } = &mut replay.schedule else {
        panic!("a states path")
    };
    let whole = path.clone();
    path.pop();
    let e = refusal(replay_on(BUGGY, &replay));
    assert!(e.contains("ends after"), "{e}");
    let Schedule::States { path, .. } = &mut replay.schedule else {
        unreachable!()
    };
    *path = whole;
    path.push(path[0]);
    let e = refusal(replay_on(BUGGY, &replay));
    assert!(e.contains("does not fit"), "{e}");
}

#[test]
fn a_loom_cap_at_the_top_of_u64_does_not_wrap_into_a_proof() {
    // `--iterations 18446744073709551615` once became loom's `max_permutations = 0`:
    // zero executions, reported as every interleaving explored, on a buggy rung.
    let s = scenario(BUGGY);
    let v = explore(
        s.build(&s.defaults()).unwrap(),
        &Loom::bounded(2),
        Budget::default().executions(u64::MAX),
    );
    assert_eq!(
        v.failure()
            .expect("the bug is found")
            .violation
            .property
            .name,
        "exclusive-connection"
    );
}

#[test]
fn loom_limits_are_errors_not_violations() {
    let s = scenario(BUGGY);
    let five = s
        .resolve(&[("servers".to_owned(), 5)])
        .and_then(|p| s.build(&p))
        .unwrap();
    let v = explore(five, &Loom::bounded(2), Budget::default());
    let Outcome::Error(e) = &v.outcome else {
        panic!("{:?}", v.outcome)
    };
    assert!(e.contains("at most 4 actors"), "{e}");
    let v = explore(
        s.build(&s.defaults()).unwrap(),
        &Loom::bounded(256),
        Budget::default(),
    );
    let Outcome::Error(e) = &v.outcome else {
        panic!("{:?}", v.outcome)
    };
    assert!(e.contains("at most 255"), "{e}");
}

const NO_PANIC: Property = Property::safety("no-panic-here");

/// Two actors; the second to arrive panics (a bug in the model itself).
struct PanicsSecond;

impl Scheme for PanicsSecond {
    type State = u32;
    fn init(&self) -> u32 {
        0
    }
    fn cast(&self, cast: &mut Cast<u32>) {
        for name in ["A", "B"] {
            cast.actor(name, |a| {
                a.step("arrive", |s| {
                    *s.state += 1;
                    if *s.state == 2 {
                        panic!("the model broke: second arrival");
                    }
                })
            });
        }
    }
    fn properties(&self) -> Vec<Property> {
        vec![NO_PANIC]
    }
}

#[test]
fn a_model_that_panics_keeps_its_replay_string_under_every_engine() {
    let engines: [&dyn Engine; 5] = [&Pct::default(), &Random, &Dfs, &Loom::unbounded(), &States];
    for engine in engines {
        let model = Arc::new(PanicsSecond);
        let v = explore(model.clone(), engine, Budget::default());
        let failure = v
            .failure()
            .unwrap_or_else(|| panic!("{}: {:?}", engine.label(), v.outcome));
        assert_eq!(
            failure.violation.property,
            builtin::PANIC,
            "{}",
            engine.label()
        );
        assert!(
            failure.violation.detail.contains("second arrival"),
            "{}: {}",
            engine.label(),
            failure.violation.detail
        );
        let schedule = failure
            .schedule
            .clone()
            .unwrap_or_else(|| panic!("{} lost the replay string", engine.label()));
        let again = engine::replay(model, &schedule);
        assert_eq!(
            again.failure().map(|f| f.violation.property),
            Some(builtin::PANIC),
            "{}: {:?}",
            engine.label(),
            again.outcome
        );
    }
}
