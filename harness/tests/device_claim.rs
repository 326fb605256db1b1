//! The device-claim ladder: every buggy rung is caught by the property it breaks,
//! under loom and under shuttle; the two claims that must hold are proven.

mod common;

use common::{assert_holds, assert_violates, loom, run};
use locklab::engine::Engine;

const PCT: Engine = Engine::Pct { depth: 3 };

#[test]
fn select_then_update_is_caught_by_exclusive_connection() {
    let id = "device-claim/select-then-update";
    assert_violates(
        &run(id, &[("servers", 2)], loom(None), 1_000_000, 0),
        "exclusive-connection",
    );
    assert_violates(&run(id, &[], PCT, 10_000, 0), "exclusive-connection");
    assert_violates(
        &run(id, &[], Engine::Random, 10_000, 0),
        "exclusive-connection",
    );
}

#[test]
fn validate_then_connect_is_caught_by_exclusive_connection() {
    let id = "device-claim/validate-then-connect";
    assert_violates(
        &run(id, &[("servers", 2)], loom(None), 1_000_000, 0),
        "exclusive-connection",
    );
    assert_violates(&run(id, &[], PCT, 10_000, 0), "exclusive-connection");
}

#[test]
fn manual_recovery_is_caught_by_reconnect_after_crash() {
    let id = "device-claim/manual-recovery";
    assert_violates(
        &run(id, &[("servers", 2)], loom(Some(2)), 1_000_000, 0),
        "reconnect-after-crash",
    );
    assert_violates(&run(id, &[], PCT, 10_000, 0), "reconnect-after-crash");
}

#[test]
fn expiring_claim_is_caught_by_exclusive_connection() {
    let id = "device-claim/expiring-claim";
    assert_violates(
        &run(id, &[("servers", 2)], loom(Some(2)), 1_000_000, 0),
        "exclusive-connection",
    );
    assert_violates(&run(id, &[], PCT, 10_000, 0), "exclusive-connection");
    assert_violates(
        &run(id, &[], Engine::Random, 10_000, 0),
        "exclusive-connection",
    );
}

/// loom visits its interleavings in a fixed order, so the count is exact: a change
/// in it means the model's steps (or loom) changed, and deserves a look.
#[test]
fn conditional_update_holds_for_every_interleaving_of_3_servers_72422_executions() {
    let v = run(
        "device-claim/conditional-update",
        &[("servers", 3)],
        loom(None),
        10_000_000,
        0,
    );
    assert_eq!(assert_holds(&v, true), 72_422);
}

#[test]
fn conditional_update_holds_under_pct_with_5_servers() {
    let v = run(
        "device-claim/conditional-update",
        &[("servers", 5)],
        PCT,
        10_000,
        7,
    );
    assert_eq!(assert_holds(&v, false), 10_000);
}

/// Three servers, a crash at t=0 and a pausable holder; exhaustive within one
/// preemption (the unbounded space at 3 servers with a clock is beyond loom here).
#[test]
fn epoch_lease_holds_with_crash_and_pause_3_servers_preemption_bound_1_24556_executions() {
    let sizes = [("servers", 3), ("ttl", 1), ("margin", 0), ("crash-at", 0)];
    let v = run(
        "device-claim/epoch-lease",
        &sizes,
        loom(Some(1)),
        10_000_000,
        0,
    );
    assert_eq!(assert_holds(&v, true), 24_556);
}

/// Two servers with the default TTL and margin, every interleaving up to two preemptions.
#[test]
fn epoch_lease_holds_with_crash_and_pause_2_servers_preemption_bound_2() {
    let v = run(
        "device-claim/epoch-lease",
        &[("servers", 2)],
        loom(Some(2)),
        10_000_000,
        0,
    );
    assert!(assert_holds(&v, true) > 1_000);
}

#[test]
fn epoch_lease_holds_under_pct_with_5_servers_crash_and_pause() {
    for seed in [1, 2] {
        let v = run(
            "device-claim/epoch-lease",
            &[("servers", 5), ("devices", 2)],
            PCT,
            10_000,
            seed,
        );
        assert_eq!(assert_holds(&v, false), 10_000);
    }
}

#[test]
fn the_select_then_update_timeline_tells_the_story() {
    let v = run(
        "device-claim/select-then-update",
        &[("servers", 2)],
        PCT,
        10_000,
        0,
    );
    let trace = v.failure().expect("violation").trace.render();
    assert!(trace.contains("select owner  d1 owner = NULL"), "{trace}");
    assert!(
        trace.contains(">>"),
        "the violating step is marked:\n{trace}"
    );
    assert_eq!(trace.matches("connected to d1").count(), 2, "{trace}");
}
