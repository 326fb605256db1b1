//! The instance-coordinator ladder (seed 000): every buggy rung is caught under loom
//! and under shuttle with its property named; every correct rung holds, exhaustively
//! under loom (within the scenario's preemption bound) at 2–3 instances and for
//! 10,000 PCT executions at 4–5 instances with crashes, pauses and a moving clock.
//!
//! loom explores in a fixed order, so the execution counts below are exact: a change
//! in them means the model's steps changed, which deserves a look.

use crate::common::{assert_exhaustive_pass, assert_story, explain, loom, story, Ladder};
use locklab::engine::{explore, Budget, Verdict};

const LADDER: Ladder = Ladder("instance-coordinator/");

#[test]
fn unlocked_purchase_loses_an_update() {
    let v = LADDER.counterexample("unlocked-purchase");
    // Pinned counterexample: both read 100, both write 50, two pets for one payment.
    // Each step shows its statements, then what the handler made of them.
    let blind_write = "UPDATE users SET balance = $1 WHERE id = $2 [$1 = 50, $2 = 1] → 1 row; \
        INSERT INTO user_pets VALUES ($1, $2, $3) [$1 = 1, $2 = 7, $3 = 50] → 1 row; COMMIT";
    let expected = [
        (
            "A",
            "read profile",
            "",
            "user 1 has balance 100, owns 0 × pet 7: will buy",
        ),
        (
            "B",
            "read profile",
            "",
            "user 1 has balance 100, owns 0 × pet 7: will buy",
        ),
        (
            "B",
            "pay and insert pet",
            blind_write,
            "→ balance 50, 1 × pet 7",
        ),
        (
            "A",
            "pay and insert pet",
            blind_write,
            "→ balance 50, 2 × pet 7",
        ),
    ];
    let got = story(&v);
    assert_eq!(got.len(), expected.len(), "{got:?}");
    for ((actor, step, saw), (a, s, sql, meaning)) in got.iter().zip(expected) {
        assert_eq!((actor.as_str(), step.as_str()), (a, s), "{got:?}");
        assert!(saw.contains(sql) && saw.ends_with(meaning), "{saw}");
    }
}

#[test]
fn expiring_lock_table_holds_with_punctual_instances_and_a_crash() {
    // A may crash holding the lock at t=0; the last instance arrives alone at expiry.
    LADDER.assert_pct_pass("expiring-lock-table", &[("instances", 4)]);
    LADDER.assert_pct_pass("expiring-lock-table", &[("instances", 5), ("ttl", 1)]);
}

#[test]
fn pause_beyond_ttl_buys_the_pet_twice() {
    let v = LADDER.counterexample("pause-beyond-ttl");
    assert_story(
        &v,
        &[
            ("A", "insert lock", "acquired"),
            ("A", "read profile", "balance 100, owns 0 × pet 7: will buy"),
            ("ticker", "advance clock", "t = 1"),
            (
                "B",
                "check lock",
                "held by A (token 1), expired at t=1: sweep it",
            ),
            ("B", "insert lock", "acquired"),
            ("B", "pay and insert pet", "1 × pet 7"),
            ("A", "pay and insert pet", "2 × pet 7"),
        ],
    );
}

#[test]
fn release_without_owner_check_deletes_the_next_holders_lease() {
    let v = LADDER.counterexample("release-without-owner-check");
    assert_story(
        &v,
        &[
            ("A", "pay and insert pet", "1 × pet 7"),
            (
                "B",
                "sweep expired lock",
                "held by A (token 1), expired at t=1",
            ),
            ("B", "insert lock", "acquired"),
            (
                "A",
                "release lock",
                "removed the row held by B (token 2), live until t=2",
            ),
        ],
    );
}

#[test]
fn sweep_race_gives_the_lock_to_two_instances() {
    let v = LADDER.counterexample("sweep-race");
    assert_story(
        &v,
        &[
            (
                "A",
                "check lock",
                "held by a crashed instance (token 1), expired at t=0: sweep it",
            ),
            ("B", "insert lock", "acquired"),
            (
                "A",
                "sweep expired lock",
                "removed the row held by B (token 2), live until t=3",
            ),
            ("A", "insert lock", "acquired"),
        ],
    );
}

#[test]
fn shared_instance_id_lets_a_sibling_task_release_the_lease() {
    let v = LADDER.counterexample("shared-instance-id");
    assert_story(
        &v,
        &[
            ("A", "reply to the user", "finally runs at t=1"),
            (
                "B",
                "insert lock",
                "[$1 = 'pet_buy_1_7', $2 = 0, $3 = 2, $4 = 2] → 1 row: holder A, token 2, until t=2: acquired (B runs in A's process)",
            ),
            (
                "A",
                "release lock",
                "AND holder = $2 [$1 = 'pet_buy_1_7', $2 = 0] → 1 row: removed the row held by A (token 2), live until t=2",
            ),
        ],
    );
}

#[test]
fn clock_skew_makes_a_fresh_lease_look_expired() {
    let v = LADDER.counterexample("clock-skew");
    assert_story(
        &v,
        &[
            (
                "A",
                "insert lock",
                "→ 1 row: holder A, token 1, until t=3: acquired",
            ),
            (
                "B",
                "check lock",
                "expired at t=3 (by B's clock, t=3): sweep it",
            ),
            (
                "B",
                "sweep expired lock",
                "removed the row held by A (token 1), live until t=3",
            ),
            ("B", "insert lock", "acquired"),
        ],
    );
}

#[test]
fn single_transaction_holds() {
    // Three instances and a fault actor that kills the last one mid-transaction.
    LADDER.assert_pct_pass("single-transaction", &[("instances", 5)]);
}

#[test]
fn fenced_lease_holds_with_a_pause_and_a_crash() {
    // A pausable, B crashes holding the lease, C arrives at expiry; clock to ttl.
    LADDER.assert_pct_pass("fenced-lease", &[("instances", 4)]);
    LADDER.assert_pct_pass("fenced-lease", &[("instances", 5), ("ttl", 1)]);
}

#[test]
fn profile_read_in_two_statements_flickers() {
    let v = LADDER.counterexample("profile-two-reads");
    assert_story(
        &v,
        &[
            ("viewer", "SELECT balance", "balance 100"),
            ("A", "COMMIT", "balance 50, 1 × pet 7"),
            ("viewer", "SELECT pets", "shows balance 100 with 1 × pet 7"),
        ],
    );
}

#[test]
fn profile_read_as_one_snapshot_holds() {
    let two = loom(Some(2));
    assert_exhaustive_pass(
        &LADDER.run("profile-snapshot", &[("instances", 2)], &two, None),
        760,
    );
    LADDER.assert_pct_pass("profile-snapshot", &[("instances", 4)]);
}

/// The liveness checks are not vacuous: built straight from the public model API,
/// configurations that break them are caught.
mod liveness_checks_bite {
    use std::sync::Arc;

    use locklab::models::instance_coordinator::{Config, Crash, InstanceCoordinator, Protocol};

    use super::*;

    fn explore_config(cfg: Config) -> Verdict {
        explore_config_bounded(cfg, 2)
    }

    fn explore_config_bounded(cfg: Config, bound: usize) -> Verdict {
        let model = Arc::new(InstanceCoordinator::new(cfg).expect("valid config"));
        let budget = Budget::default().seed(7);
        explore(model, &loom(Some(bound)), budget)
    }

    /// A crashed holding the lock; B is declared the lone contender but arrives one
    /// tick before the lease runs out, so it is refused.
    #[test]
    fn a_contender_before_expiry_is_refused() {
        let mut cfg = Config::new(Protocol::ExpiringLockTable, 2);
        cfg.ttl = 2;
        cfg.horizon = 2;
        cfg.arrivals = vec![0, 1];
        cfg.crash = Some(Crash { instance: 0, at: 0 });
        cfg.lone_contender = Some(1);
        let v = explore_config(cfg);
        assert_eq!(
            v.violated_property().map(|p| p.name),
            Some("lone-contender-acquires"),
            "{}",
            explain(&v)
        );
    }

    /// The write-up's two-statement acquire: paused A read "no row", B took the lock
    /// and crashed, and by the time A inserts, B's lease has expired; A gives up on
    /// a free lock.
    #[test]
    fn a_paused_acquire_loses_to_an_expired_lease() {
        let mut cfg = Config::new(Protocol::ExpiringLockTable, 2);
        cfg.ttl = 1;
        cfg.horizon = 1;
        cfg.pausable = Some(0);
        cfg.crash = Some(Crash { instance: 1, at: 0 });
        // A reads, B acquires, the environment crashes B: the environment runs on the
        // main thread, which is running from the start, so letting both actors go
        // before its first event costs loom a third preemption.
        let v = explore_config_bounded(cfg, 3);
        assert_eq!(
            v.violated_property().map(|p| p.name),
            Some("acquire-when-free"),
            "{}",
            explain(&v)
        );
    }
}
