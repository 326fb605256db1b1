//! The user entry point, `locklab_cli::run`, on scenarios a user got wrong: each is
//! refused with a message and exit code 2 before anything runs.

use locklab::{Cast, LoomPlan, Param, Property, Scenario, Scheme};

const HELD: Property = Property::safety("held");
const CLIENTS: Param = Param::new("clients", 1..=3, 2);

struct Noop;

impl Scheme for Noop {
    type State = u8;
    fn init(&self) -> u8 {
        0
    }
    fn cast(&self, cast: &mut Cast<u8>) {
        cast.actor("A", |a| {
            a.step("check", |s| s.check(true, HELD, String::new))
        });
    }
    fn properties(&self) -> Vec<Property> {
        vec![HELD]
    }
}

fn noop(id: &str) -> Scenario {
    Scenario::new(id, |_| Noop).param(CLIENTS)
}

fn run(args: &[&str], scenarios: Vec<Scenario>) -> u8 {
    let mut argv = vec!["my-cli"];
    argv.extend_from_slice(args);
    locklab_cli::run(argv, scenarios)
}

#[test]
fn well_formed_user_scenarios_run_beside_the_built_ins() {
    assert_eq!(run(&["list"], vec![noop("mine/ok")]), 0);
    assert_eq!(run(&["check"], vec![noop("mine/ok")]), 0);
    assert_eq!(
        run(
            &["explore", "mine/ok", "--engine", "dfs"],
            vec![noop("mine/ok")]
        ),
        0
    );
}

#[test]
fn bad_user_scenarios_exit_2() {
    let cases: Vec<(&str, Vec<Scenario>)> = vec![
        (
            "two of mine share an id",
            vec![noop("mine/same"), noop("mine/same")],
        ),
        (
            "mine shadows a built-in",
            vec![noop("device-claim/epoch-lease")],
        ),
        ("an id without a scheme", vec![noop("no-slash")]),
        (
            "a default out of range",
            vec![Scenario::new("mine/default", |_| Noop).param(CLIENTS.with_default(7))],
        ),
        (
            "a plan size out of range",
            vec![noop("mine/plan").loom(LoomPlan::bounded(2).set(CLIENTS, 9))],
        ),
        (
            "an expected property the scheme does not declare",
            vec![noop("mine/unknown").violates(Property::safety("no-such-property"))],
        ),
    ];
    for (what, scenarios) in cases {
        assert_eq!(run(&["list"], scenarios), 2, "{what}");
    }
}

#[test]
fn bad_input_to_a_good_user_scenario_exits_2() {
    for args in [
        &["explore", "mine/ok", "--set", "clients=9"][..],
        &["explore", "mine/ok", "--set", "nonsense=1"],
        &["explore", "mine/nope"],
        &["replay", "mine/ok", "pct:zz"],
    ] {
        assert_eq!(run(args, vec![noop("mine/ok")]), 2, "{args:?}");
    }
}
