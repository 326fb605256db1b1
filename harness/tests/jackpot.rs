//! The jackpot ladder (seed 002): every buggy rung is caught, under loom and under
//! shuttle, by the property it is expected to violate; every correct rung passes loom
//! (exhaustively, or exhaustively within a preemption bound) and 10,000 PCT runs at
//! four or more contenders. Loom's order is deterministic, so execution counts are
//! pinned: a change in them means the model's steps changed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use locklab::engine::{explore, Budget, Engine, Outcome, Verdict};
use locklab::sim::DynModel;
use locklab_scenarios::{find, Expected, Scenario};

fn scenario(id: &str) -> &'static Scenario {
    find(id).unwrap_or_else(|| panic!("scenario {id} is registered"))
}

fn model(id: &str, sizes: &[(&str, u64)]) -> Arc<dyn DynModel> {
    let overrides: Vec<(String, u64)> = sizes.iter().map(|&(n, v)| (n.to_owned(), v)).collect();
    scenario(id).model(&overrides).expect("valid sizes")
}

fn loom(preemption_bound: Option<usize>) -> Engine {
    Engine::Loom {
        preemption_bound,
        max_branches: 20_000,
    }
}

fn run(id: &str, sizes: &[(&str, u64)], engine: Engine, iterations: u64) -> Verdict {
    let budget = Budget {
        iterations,
        seed: 7,
        max_time: Duration::from_secs(60),
    };
    explore(model(id, sizes), engine, budget)
}

/// Asserts the run found `property` violated (and that the scenario expects it).
fn caught(id: &str, sizes: &[(&str, u64)], engine: Engine, property: &'static str) -> Verdict {
    assert_eq!(scenario(id).expected, Expected::Violates(property), "{id}");
    let v = run(id, sizes, engine, 100_000);
    assert_eq!(
        v.violated_property(),
        Some(property),
        "{id} under {engine}: {:?}",
        v.outcome
    );
    v
}

/// Asserts every execution passed and loom finished its (bounded) space.
fn proved(id: &str, sizes: &[(&str, u64)], bound: Option<usize>) -> Verdict {
    assert_eq!(scenario(id).expected, Expected::Holds, "{id}");
    let v = run(id, sizes, loom(bound), 1_000_000);
    assert!(
        matches!(v.outcome, Outcome::Passed { exhaustive: true }),
        "{id} {sizes:?}: {:?}",
        v.outcome
    );
    v
}

/// Asserts 10,000 PCT executions passed.
fn survives_pct(id: &str, sizes: &[(&str, u64)]) {
    let v = run(id, sizes, Engine::PCT, 10_000);
    assert!(v.passed(), "{id} {sizes:?}: {:?}", v.outcome);
    assert_eq!(v.executions, 10_000);
}

#[test]
fn read_modify_write_pays_160_from_100() {
    let id = "jackpot/read-modify-write";
    let v = caught(id, &[], loom(None), "money-conserved");
    assert_eq!(v.executions, 13);
    caught(id, &[], Engine::PCT, "money-conserved");
    caught(id, &[("contenders", 3)], Engine::Random, "money-conserved");

    let failure = v.failure().expect("a failure");
    assert_eq!(
        failure.violation.to_string(),
        "money-conserved: the minor pool should hold 100 + 0 contributed − 160 paid = -60, but holds 20"
    );
    let story: Vec<&str> = failure
        .trace
        .events
        .iter()
        .map(|e| e.saw.as_str())
        .collect();
    assert_eq!(
        story,
        [
            "A reads the pool: amount = 100",
            "B reads the pool: amount = 100",
            "B pays its 80 win from the 100 it read and writes amount = 20",
            "A pays its 80 win from the 100 it read and writes amount = 20",
        ]
    );
    assert!(failure.trace.events.last().expect("events").violation);
}

#[test]
fn version_cas_holds_while_contenders_do_not_exceed_attempts() {
    let id = "jackpot/version-cas";
    assert_eq!(proved(id, &[("contenders", 2)], None).executions, 141);
    // Three contenders, three attempts: exactly the write-up's claim.
    assert_eq!(proved(id, &[("contenders", 3)], Some(3)).executions, 3894);
    survives_pct(id, &[("contenders", 4), ("attempts", 4)]);
}

#[test]
fn row_lock_win_holds() {
    let id = "jackpot/row-lock-win";
    assert_eq!(proved(id, &[("contenders", 2)], None).executions, 249);
    assert_eq!(proved(id, &[("contenders", 3)], Some(2)).executions, 827);
    survives_pct(id, &[("contenders", 5)]);
}

#[test]
fn blind_writer_overwrites_a_win() {
    let id = "jackpot/blind-writer";
    let v = caught(id, &[], loom(None), "money-conserved");
    assert_eq!(v.executions, 19);
    caught(id, &[], Engine::PCT, "money-conserved");
    caught(id, &[("contenders", 3)], Engine::Random, "money-conserved");
}

#[test]
fn check_outside_lock_drives_the_pool_negative() {
    let id = "jackpot/check-outside-lock";
    let v = caught(id, &[], loom(None), "amount-non-negative");
    assert_eq!(v.executions, 13);
    let failure = v.failure().expect("a failure");
    assert_eq!(
        failure.violation.to_string(),
        "amount-non-negative: the minor pool holds -60"
    );
    caught(id, &[], Engine::PCT, "amount-non-negative");
    caught(
        id,
        &[("contenders", 3)],
        Engine::Random,
        "amount-non-negative",
    );
}

#[test]
fn retries_run_out_with_more_contenders_than_attempts() {
    let id = "jackpot/retries-exhausted";
    let property = "op-succeeds-within-attempts";
    // The model checks `failed-op-no-effect` in the very step that gives up, before
    // it reports this property: reaching this property means the failure left the
    // pool exactly as the ledger of successful operations says.
    let v = caught(
        id,
        &[("contenders", 3), ("attempts", 2)],
        loom(Some(2)),
        property,
    );
    assert_eq!(v.executions, 92);
    // The write-up's numbers (4 contenders, 3 attempts) need 3 preemptions.
    let v = caught(id, &[], loom(Some(3)), property);
    assert_eq!(v.executions, 10_766);
    let last = v.failure().expect("a failure").trace.events.last().cloned();
    assert!(last.expect("events").saw.contains("0 rows"));
    caught(id, &[], Engine::Random, property);
    caught(
        id,
        &[("contenders", 2), ("attempts", 1)],
        Engine::PCT,
        property,
    );
}

#[test]
fn batches_locking_in_opposite_orders_deadlock() {
    let id = "jackpot/batch-lock-order";
    let start = Instant::now();
    let v = caught(id, &[], loom(None), "deadlock");
    assert_eq!(v.executions, 52);
    caught(id, &[], Engine::PCT, "deadlock");
    caught(id, &[("contenders", 4)], Engine::Random, "deadlock");
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "detected, not hung"
    );
}

#[test]
fn version_reset_breaks_monotonic_versions() {
    let id = "jackpot/version-reset";
    caught(id, &[], loom(None), "version-monotonic");
    caught(id, &[("contenders", 3)], Engine::PCT, "version-monotonic");
    caught(id, &[], Engine::Random, "version-monotonic");
}

#[test]
fn guarded_decrement_holds() {
    let id = "jackpot/guarded-decrement";
    assert_eq!(proved(id, &[("contenders", 2)], None).executions, 249);
    assert_eq!(proved(id, &[("contenders", 3)], Some(2)).executions, 616);
    survives_pct(id, &[("contenders", 5)]);
}

#[test]
fn canonical_lock_order_never_deadlocks() {
    let id = "jackpot/canonical-lock-order";
    assert_eq!(proved(id, &[("contenders", 2)], None).executions, 303);
    assert_eq!(proved(id, &[("contenders", 3)], Some(2)).executions, 964);
    survives_pct(id, &[("contenders", 4)]);
}

/// What `locklab check` runs: each scenario's own loom and shuttle plans reach its
/// expected verdict, and each loom plan stays cheap enough for CI.
#[test]
fn check_plans_reach_the_expected_verdicts() {
    let jackpot: Vec<&Scenario> = locklab_scenarios::all()
        .into_iter()
        .filter(|s| s.scheme() == "jackpot")
        .collect();
    assert_eq!(jackpot.len(), 10);
    for s in jackpot {
        let plans = [
            (s.loom.sizes, loom(s.loom.preemption_bound), 1_000_000),
            (s.shuttle.sizes, Engine::PCT, s.shuttle.iterations),
        ];
        for (sizes, engine, iterations) in plans {
            let v = run(s.id, sizes, engine, iterations);
            match s.expected {
                Expected::Holds => assert!(v.passed(), "{} under {engine}: {:?}", s.id, v.outcome),
                Expected::Violates(p) => {
                    assert_eq!(v.violated_property(), Some(p), "{} under {engine}", s.id)
                }
            }
            assert!(
                v.elapsed < Duration::from_secs(5),
                "{} under {engine} took {:?}",
                s.id,
                v.elapsed
            );
        }
    }
}
