//! A focused search looks for one property alone: the others' violations are let
//! pass (and noted in the timeline), so a bug is followed past its first symptom to
//! its harm. Known answers on a two-actor model, and on built-in rungs.

use std::sync::Arc;

use locklab::engine::{explore, replay, Budget, Loom, States};
use locklab::replay::ReplayString;
use locklab::sim::{focus, SharedModel};
use locklab::{builtin, Cast, Property, Scheme, Step};

const ONE_HOLDER: Property = Property::safety("one-holder");
const SOLD_WITHIN_STOCK: Property = Property::safety("sold-within-stock");
const EVERY_SALE_RECORDED: Property = Property::safety("every-sale-recorded");

/// The last unit, two buyers, no lock that excludes: each buyer takes the "lock"
/// (it only counts holders) and then sells. The second holder always comes before
/// the second sale, so an unfocused search stops at `one-holder` every time; the
/// oversold unit comes after it.
struct LastUnit;

#[derive(Hash)]
struct Shop {
    holders: u32,
    stock: i32,
    sales: u32,
}

impl Scheme for LastUnit {
    type State = Shop;
    fn init(&self) -> Shop {
        Shop {
            holders: 0,
            stock: 1,
            sales: 0,
        }
    }
    fn cast(&self, cast: &mut Cast<Shop>) {
        for name in ["A", "B"] {
            cast.actor(name, |a| {
                a.step("take lock", |s| {
                    s.state.holders += 1;
                    let n = s.state.holders;
                    s.check(n <= 1, ONE_HOLDER, || format!("{n} holders"));
                })?;
                a.step("sell", |s| {
                    s.state.stock -= 1;
                    s.state.sales += 1;
                    let left = s.state.stock;
                    s.check(left >= 0, SOLD_WITHIN_STOCK, || format!("stock {left}"));
                })
            });
        }
    }
    fn at_end(&self, end: &mut Step<'_, Shop>) {
        let recorded = end.state.sales == 2;
        end.check(recorded, EVERY_SALE_RECORDED, String::new);
    }
    fn properties(&self) -> Vec<Property> {
        vec![ONE_HOLDER, SOLD_WITHIN_STOCK, EVERY_SALE_RECORDED]
    }
}

fn model() -> SharedModel {
    Arc::new(LastUnit)
}

fn violated(model: SharedModel) -> &'static str {
    let v = explore(model, &States, Budget::default());
    v.failure().expect("a violation").violation.property.name
}

#[test]
fn unfocused_the_first_symptom_stops_every_execution() {
    assert_eq!(violated(model()), "one-holder");
}

#[test]
fn focused_on_the_harm_the_search_lets_the_symptom_pass_and_finds_the_harm() {
    let focused = focus(model(), "sold-within-stock").unwrap();
    assert_eq!(focused.properties(), vec![SOLD_WITHIN_STOCK]);
    let v = explore(Arc::clone(&focused), &States, Budget::default());
    let failure = v.failure().expect("the oversold unit");
    assert_eq!(failure.violation.property, SOLD_WITHIN_STOCK);
    assert_eq!(failure.violation.detail, "stock -1");
    // The shortest way there: both take the lock, then both sell (4 steps), the
    // second lock-taking step noting the symptom it let pass.
    let events = &failure.trace.events;
    assert_eq!(events.len(), 4, "{}", failure.trace.render());
    let noted: Vec<&str> = events
        .iter()
        .filter(|e| e.saw.contains("[one-holder let pass: 2 holders]"))
        .map(|e| e.step.as_str())
        .collect();
    assert_eq!(noted, ["take lock"], "{}", failure.trace.render());
    assert!(events[3].violation);
    // Its schedule replays the same execution, on the focused model only.
    let schedule = failure.schedule.clone().unwrap();
    let again = replay(Arc::clone(&focused), &schedule);
    assert_eq!(again.failure().unwrap().trace, failure.trace);
    // Without the focus the execution stops at the symptom, short of the schedule:
    // an error, never another verdict.
    let unfocused = replay(model(), &schedule);
    match unfocused.outcome {
        locklab::Outcome::Error(e) => assert!(e.contains("stopped at a violation"), "{e}"),
        other => panic!("replayed unfocused as {other:?}"),
    }
}

#[test]
fn focused_on_a_property_that_holds_the_search_proves_that_one_only() {
    // Every order of 2 actors × 2 steps sells both units: the end check always
    // holds, whatever was let pass on the way. The states engine visits the 3 × 3
    // grid of how far each actor got, every state once; loom every interleaving.
    let focused = focus(model(), "every-sale-recorded").unwrap();
    let v = explore(Arc::clone(&focused), &States, Budget::default());
    assert!(v.passed(), "{:?}", v.outcome);
    assert!(v.coverage.is_proof());
    assert_eq!(v.states, Some(9));
    assert_eq!(v.declared, vec![EVERY_SALE_RECORDED]);
    assert!(v.runs(EVERY_SALE_RECORDED) > 0 && v.vacuous().is_empty());
    let v = explore(focused, &Loom::unbounded(), Budget::default());
    assert!(v.passed() && v.coverage.is_proof(), "{:?}", v.outcome);
    // Unfocused, the same searches stop at the first symptom.
    let v = explore(model(), &Loom::unbounded(), Budget::default());
    assert_eq!(v.failure().unwrap().violation.property, ONE_HOLDER);
}

#[test]
fn a_focus_on_a_property_the_model_does_not_check_is_refused_with_the_ones_it_does() {
    let e = focus(model(), "two-owners").err().unwrap();
    assert!(e.contains("no property 'two-owners'"), "{e}");
    assert!(
        e.contains("one-holder, sold-within-stock, every-sale-recorded"),
        "{e}"
    );
    // The kit's deadlock can be looked for alone; its other checks are not properties
    // of a scheme.
    assert!(focus(model(), builtin::DEADLOCK.name).is_ok());
    assert!(focus(model(), builtin::PANIC.name).is_err());
}

#[test]
fn a_focused_replay_string_names_its_property_round_trips_and_replays_the_harm() {
    let s = locklab::scenarios::find("cart-reservation/per-instance-cache").unwrap();
    let params = s.defaults().focused_on(Some("sold-within-stock"));
    let v = explore(s.build(&params).unwrap(), &States, Budget::default());
    let failure = v.failure().expect("the last unit sold twice");
    assert_eq!(failure.violation.property.name, "sold-within-stock");
    let text = ReplayString::new(s, &params, failure.schedule.clone().unwrap()).to_string();
    assert!(
        text.starts_with(
            "cart-reservation/per-instance-cache#sold-within-stock@users=2,cart-items=2,stock=1@states:"
        ),
        "{text}"
    );
    let parsed: ReplayString = text.parse().unwrap();
    assert_eq!(parsed.to_string(), text);
    let again = replay(
        s.build(&parsed.params_for(s).unwrap()).unwrap(),
        &parsed.schedule,
    );
    assert_eq!(again.failure().unwrap().trace, failure.trace);
    // The rung's own counterexample (no focus) stops at the map, before any sale.
    let first = explore(s.build(&s.defaults()).unwrap(), &States, Budget::default());
    assert_eq!(
        first.failure().unwrap().violation.property.name,
        "one-live-reservation"
    );
}
