//! Jackpot (seed 002).

use crate::common::{assert_exhaustive_pass, explain, loom, Ladder, PCT};

const LADDER: Ladder = Ladder("jackpot/");

#[test]
fn read_modify_write_pays_160_from_100() {
    let v = LADDER.counterexample("read-modify-write");
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
            "SELECT amount, version FROM jackpots WHERE id = $1 [$1 = 0] → rows (100, 1)",
            "SELECT amount, version FROM jackpots WHERE id = $1 [$1 = 0] → rows (100, 1)",
            "UPDATE jackpots SET amount = $1 WHERE id = $2 [$1 = 20, $2 = 0] → 1 row",
            "UPDATE jackpots SET amount = $1 WHERE id = $2 [$1 = 20, $2 = 0] → 1 row",
        ]
    );
    assert!(failure.trace.events.last().expect("events").violation);
    LADDER.assert_caught_by_shuttle("read-modify-write", &[("contenders", 3)]);
}

#[test]
fn version_cas_holds_while_contenders_do_not_exceed_attempts() {
    let v = LADDER.run("version-cas", &[("contenders", 2)], &loom(None), None);
    assert_exhaustive_pass(&v, 141);
    LADDER.assert_pct_pass("version-cas", &[("contenders", 4), ("attempts", 4)]);
}

#[test]
fn row_lock_win_holds() {
    assert_exhaustive_pass(
        &LADDER.run("row-lock-win", &[("contenders", 2)], &loom(None), None),
        249,
    );
    LADDER.assert_pct_pass("row-lock-win", &[("contenders", 5)]);
}

#[test]
fn blind_writer_overwrites_a_win() {
    LADDER.counterexample("blind-writer");
    LADDER.assert_caught_by_shuttle("blind-writer", &[("contenders", 3)]);
}

#[test]
fn check_outside_lock_drives_the_pool_negative() {
    let v = LADDER.counterexample("check-outside-lock");
    assert_eq!(
        v.failure().expect("a failure").violation.to_string(),
        "amount-non-negative: the minor pool holds -60"
    );
    LADDER.assert_caught_by_shuttle("check-outside-lock", &[("contenders", 3)]);
}

#[test]
fn retries_run_out_with_more_contenders_than_attempts() {
    // The model checks `failed-op-no-effect` in the very step that gives up, before
    // it reports this property: reaching this property means the failure left the
    // pool exactly as the ledger of successful operations says.
    let v = LADDER.counterexample("retries-exhausted");
    assert!(v.runs(locklab::models::jackpot::FAILED_OP_NO_EFFECT) > 0);
    // The write-up's numbers (4 contenders, 3 attempts) need 3 preemptions.
    let v = LADDER.run("retries-exhausted", &[], &loom(Some(3)), None);
    assert_eq!(
        v.violated_property().map(|p| p.name),
        Some("op-succeeds-within-attempts"),
        "{}",
        explain(&v)
    );
    let last = v.failure().expect("a failure").trace.events.last().cloned();
    assert!(last.expect("events").saw.contains("0 rows"));
    LADDER.assert_caught_by_shuttle("retries-exhausted", &[("contenders", 2), ("attempts", 1)]);
}

#[test]
fn batches_locking_in_opposite_orders_deadlock_and_postgresql_fails_one() {
    let v = LADDER.counterexample("batch-lock-order");
    let failure = v.failure().expect("a failure");
    assert!(
        failure.violation.detail.contains("40P01"),
        "{}",
        failure.violation
    );
    let trace = failure.trace.render();
    assert!(trace.contains("→ ERROR 40P01"), "{trace}");
    LADDER.assert_caught_by_shuttle("batch-lock-order", &[("contenders", 4)]);
}

#[test]
fn version_reset_breaks_monotonic_versions() {
    LADDER.counterexample("version-reset");
    LADDER.assert_caught_by_shuttle("version-reset", &[("contenders", 3)]);
}

#[test]
fn guarded_decrement_holds() {
    assert_exhaustive_pass(
        &LADDER.run("guarded-decrement", &[("contenders", 2)], &loom(None), None),
        249,
    );
    LADDER.assert_pct_pass("guarded-decrement", &[("contenders", 5)]);
}

#[test]
fn canonical_lock_order_never_deadlocks() {
    assert_exhaustive_pass(
        &LADDER.run(
            "canonical-lock-order",
            &[("contenders", 2)],
            &loom(None),
            None,
        ),
        303,
    );
    let v = LADDER.run(
        "canonical-lock-order",
        &[("contenders", 4)],
        &PCT,
        Some(10_000),
    );
    assert!(v.passed(), "{}", explain(&v));
}
