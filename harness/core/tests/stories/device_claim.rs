//! Device claim (seed 003).

use crate::common::{assert_story, explain, loom, Ladder, PCT};

const LADDER: Ladder = Ladder("device-claim/");

#[test]
fn select_then_update_both_servers_read_null_and_both_connect() {
    let v = LADDER.run("select-then-update", &[("servers", 2)], &PCT, Some(10_000));
    let trace = v.failure().expect("violation").trace.render();
    assert!(
        trace.contains(
            "select owner  SELECT owner FROM devices WHERE id = $1 [$1 = 0] → rows (NULL)"
        ),
        "{trace}"
    );
    assert!(
        trace.contains(">>"),
        "the violating step is marked:\n{trace}"
    );
    assert_eq!(trace.matches("connected to d1").count(), 2, "{trace}");
    LADDER.assert_caught_by_shuttle("select-then-update", &[]);
}

#[test]
fn validate_then_connect_is_the_operators_toctou() {
    let v = LADDER.counterexample("validate-then-connect");
    assert_story(
        &v,
        &[
            ("S1", "validate owner", "→ rows (0)"),
            ("S1", "connect", "S1 connected to d1"),
            ("operator", "clear S1's devices", "→ 1 row"),
            ("S2", "claim if unowned", "→ 1 row"),
            ("S2", "connect", "S2 connected to d1"),
        ],
    );
}

#[test]
fn expiring_claim_leaves_the_paused_holders_connection_open() {
    let v = LADDER.counterexample("expiring-claim");
    assert_story(
        &v,
        &[
            ("S1", "connect", "S1 connected to d1"),
            ("S2", "connect", "S2 connected to d1"),
        ],
    );
    LADDER.assert_caught_by_shuttle("expiring-claim", &[]);
}

#[test]
fn epoch_lease_holds_with_crash_and_pause_at_2_servers_and_2_preemptions() {
    let v = LADDER.run("epoch-lease", &[("servers", 2)], &loom(Some(2)), None);
    assert!(v.proved(), "{}", explain(&v));
    assert!(v.executions > 1_000);
}

#[test]
fn epoch_lease_holds_under_pct_with_5_servers_2_devices_crash_and_pause() {
    LADDER.assert_pct_pass("epoch-lease", &[("servers", 5), ("devices", 2)]);
}
