//! Every built-in scenario against its expected verdict, under both of its
//! `locklab check` plans: every buggy rung caught by the property it names, every
//! correct rung proven (within its loom plan's bound) with every declared property's
//! check run, and loom's execution count pinned.
//!
//! loom explores in a fixed order, so the counts are exact: a change in one means the
//! scheme's steps (or the kit's scheduling points) changed, which deserves a look and
//! a word in the commit that changes it.

use locklab::check::{check_scenario, CheckDepth};
use locklab::scenarios;

/// `(scenario, loom executions under its check plan)`, in ladder order.
const PINNED: &[(&str, u64)] = &[
    ("device-claim/select-then-update", 31),
    ("device-claim/conditional-update", 72422),
    ("device-claim/validate-then-connect", 13),
    ("device-claim/manual-recovery", 13714),
    ("device-claim/expiring-claim", 4361),
    ("device-claim/epoch-lease", 3671),
    ("instance-coordinator/unlocked-purchase", 13),
    ("instance-coordinator/expiring-lock-table", 3617),
    ("instance-coordinator/pause-beyond-ttl", 64),
    ("instance-coordinator/release-without-owner-check", 34),
    ("instance-coordinator/shared-instance-id", 34),
    ("instance-coordinator/sweep-race", 316),
    ("instance-coordinator/clock-skew", 22),
    ("instance-coordinator/single-transaction", 1124),
    ("instance-coordinator/fenced-lease", 6441),
    ("instance-coordinator/profile-two-reads", 25),
    ("instance-coordinator/profile-snapshot", 168),
    ("jackpot/read-modify-write", 13),
    ("jackpot/version-cas", 3894),
    ("jackpot/row-lock-win", 827),
    ("jackpot/blind-writer", 19),
    ("jackpot/check-outside-lock", 13),
    ("jackpot/retries-exhausted", 92),
    ("jackpot/batch-lock-order", 52),
    ("jackpot/version-reset", 1),
    ("jackpot/guarded-decrement", 616),
    ("jackpot/canonical-lock-order", 964),
    ("singleton-poller/unguarded-pollers", 16),
    ("singleton-poller/exclusive-lock-file", 1076),
    ("singleton-poller/separate-filesystems", 85),
    ("singleton-poller/stale-lock-file", 1),
    ("singleton-poller/stale-pid-takeover", 949),
    ("singleton-poller/kernel-file-lock", 7934),
    ("singleton-poller/renewed-lease", 17514),
    ("singleton-poller/paused-lease-holder", 4315),
    ("cart-reservation/no-reservation", 13),
    ("cart-reservation/ttl-reservation-cache", 1108),
    ("cart-reservation/check-all-then-set-all", 262),
    ("cart-reservation/expiry-during-payment", 1),
    ("cart-reservation/sweeper-race", 15),
    ("cart-reservation/user-id-as-owner", 19),
    ("cart-reservation/per-instance-cache", 19),
    ("cart-reservation/shared-atomic-reservation", 3640),
];

fn check_scheme(scheme: &str) {
    let mut report = String::new();
    let mut seen = 0;
    for s in scenarios::all().iter().filter(|s| s.scheme() == scheme) {
        seen += 1;
        let rows = check_scenario(s, CheckDepth::default());
        for row in &rows {
            if let Some(why) = &row.unmet {
                report += &format!("{} under {}: {why}\n", s.id(), row.verdict.engine);
                if let Some(f) = row.verdict.failure() {
                    report += &f.trace.render();
                }
            }
        }
        let loom = rows[0].verdict.executions;
        match PINNED.iter().find(|(id, _)| *id == s.id()) {
            Some(&(_, pinned)) if pinned == loom => {}
            Some(&(_, pinned)) => {
                report += &format!("{}: loom ran {loom} executions, pinned {pinned}\n", s.id());
            }
            None => report += &format!("{}: not pinned (loom ran {loom})\n", s.id()),
        }
    }
    assert!(seen > 0, "no scenario of {scheme}");
    assert!(report.is_empty(), "{report}");
}

#[test]
fn device_claim() {
    check_scheme("device-claim");
}

#[test]
fn instance_coordinator() {
    check_scheme("instance-coordinator");
}

#[test]
fn jackpot() {
    check_scheme("jackpot");
}

#[test]
fn singleton_poller() {
    check_scheme("singleton-poller");
}

#[test]
fn cart_reservation() {
    check_scheme("cart-reservation");
}

#[test]
fn every_scenario_is_pinned_and_well_formed() {
    for s in scenarios::all() {
        s.validate().unwrap_or_else(|e| panic!("{e}"));
    }
    let ids: Vec<&str> = scenarios::all().iter().map(|s| s.id()).collect();
    let pinned: Vec<&str> = PINNED.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, pinned, "PINNED lists every scenario, in ladder order");
}
