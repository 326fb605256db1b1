//! Verdicts never claim more than the search covered: a search cut short is not a
//! proof, and a property whose check never ran did not hold.

use std::sync::Arc;
use std::time::Duration;

use locklab::check::{check_scenario, got, judge, CheckDepth};
use locklab::engine::{explore, Budget, Loom, Pct};
use locklab::{Cast, Coverage, Expected, Property, Scenario, Scheme, StoppedBy};

fn model(id: &str) -> locklab::sim::SharedModel {
    let s = locklab::scenarios::find(id).unwrap();
    s.build(&s.defaults()).unwrap()
}

#[test]
fn a_bug_that_needs_more_executions_than_the_cap_is_never_reported_as_holding() {
    // loom's plan finds manual-recovery's bug at execution 13,714; cap it at 1,000.
    let s = locklab::scenarios::find("device-claim/manual-recovery").unwrap();
    let params = s.with_sizes(&s.loom_plan().unwrap().sizes).unwrap();
    let v = explore(
        s.build(&params).unwrap(),
        &Loom::bounded(2),
        Budget::default().executions(1_000),
    );
    assert!(v.passed(), "nothing violated within the cap");
    assert_eq!(
        v.coverage,
        Coverage::Incomplete {
            stopped_by: StoppedBy::ExecutionCap { cap: 1_000 }
        }
    );
    assert!(!v.proved());
    assert!(
        got(&v).starts_with("no violation found (incomplete: stopped by the execution cap"),
        "{}",
        got(&v)
    );
    assert!(
        judge(Expected::Holds, &v).is_err(),
        "a capped search proves nothing"
    );
    assert!(
        judge(s.expected(), &v).is_err(),
        "and it did not catch the bug either"
    );
}

#[test]
fn loom_is_not_capped_by_the_sampling_default() {
    // The library's default budget samples 10,000 executions; loom ignores that and
    // runs to the end (72,422 executions), so its pass is a proof.
    let v = explore(
        model("device-claim/conditional-update"),
        &Loom::unbounded(),
        Budget::default(),
    );
    assert_eq!(v.coverage, Coverage::Exhaustive);
    assert_eq!(v.executions, 72_422);
    let sampled = explore(
        model("device-claim/conditional-update"),
        &Pct::default(),
        Budget::default(),
    );
    assert_eq!(
        sampled.coverage,
        Coverage::Sampled {
            executions: 10_000,
            seed: 0
        }
    );
    assert!(!sampled.proved(), "a sample is not a proof");
}

#[test]
fn a_time_capped_proof_is_an_unmet_expectation_in_check() {
    let s = locklab::scenarios::find("device-claim/conditional-update").unwrap();
    let depth = CheckDepth {
        max_time: Duration::from_millis(200),
        ..CheckDepth::default()
    };
    let rows = check_scenario(s, depth);
    let loom = &rows[0];
    assert!(loom.verdict.passed());
    assert!(matches!(
        loom.verdict.coverage,
        Coverage::Incomplete {
            stopped_by: StoppedBy::TimeCap { .. }
        }
    ));
    let why = loom.unmet.as_deref().expect("unmet");
    assert!(
        why.contains("cut short") && why.contains("time cap"),
        "{why}"
    );
    let record = loom.record();
    assert!(!record.met);
    let json = serde_json::to_string(&record).unwrap();
    assert!(json.contains("\"coverage\":\"incomplete\""), "{json}");
    assert!(json.contains("\"reason\":\"time-cap\""), "{json}");
}

/// A scheme that declares a property its actors never reach: its "release" path is
/// behind a condition that is never true.
struct NeverReleases;

const RELEASED_ONCE: Property = Property::safety("released-once");

impl Scheme for NeverReleases {
    type State = u8;
    fn init(&self) -> u8 {
        0
    }
    fn cast(&self, cast: &mut Cast<u8>) {
        cast.actor("A", |a| {
            let held = a.step("take", |s| {
                *s.state += 1;
                *s.state
            })?;
            if held > 1 {
                a.step("release", |s| {
                    s.check(*s.state == 2, RELEASED_ONCE, || "released twice".into())
                })?;
            }
            Ok(())
        });
    }
    fn properties(&self) -> Vec<Property> {
        vec![RELEASED_ONCE]
    }
}

#[test]
fn a_property_whose_check_never_runs_is_reported_vacuous() {
    let v = explore(
        Arc::new(NeverReleases),
        &Loom::unbounded(),
        Budget::default(),
    );
    assert!(v.passed());
    assert_eq!(v.coverage, Coverage::Exhaustive);
    assert_eq!(v.vacuous(), vec![RELEASED_ONCE]);
    assert!(!v.proved());
    assert!(got(&v).ends_with("vacuous: released-once"), "{}", got(&v));
    let why = judge(Expected::Holds, &v).unwrap_err();
    assert!(
        why.contains("vacuous") && why.contains("released-once"),
        "{why}"
    );
    let scenario = Scenario::new("my-lock/never-releases", |_| NeverReleases);
    let rows = check_scenario(&scenario, CheckDepth::default());
    assert!(rows.iter().all(|r| !r.met()), "vacuous in check too");
}
