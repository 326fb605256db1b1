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

/// `(scenario, loom executions, states and executions of the state-caching engine)`
/// under the scenario's check plans, in ladder order.
const PINNED: &[(&str, u64, u64, u64)] = &[
    ("device-claim/select-then-update", 31, 14, 151),
    ("device-claim/conditional-update", 72422, 97, 120),
    ("device-claim/validate-then-connect", 13, 10, 274),
    ("device-claim/manual-recovery", 13714, 2552, 13705),
    ("device-claim/expiring-claim", 4361, 628, 7310),
    ("device-claim/epoch-lease", 3671, 75504, 130719),
    ("instance-coordinator/unlocked-purchase", 13, 6, 18),
    ("instance-coordinator/expiring-lock-table", 3617, 3432, 4431),
    ("instance-coordinator/pause-beyond-ttl", 64, 72, 851),
    (
        "instance-coordinator/release-without-owner-check",
        34,
        29,
        606,
    ),
    ("instance-coordinator/shared-instance-id", 34, 29, 606),
    ("instance-coordinator/sweep-race", 316, 45, 99),
    ("instance-coordinator/clock-skew", 22, 21, 131),
    (
        "instance-coordinator/single-transaction",
        1124,
        14260,
        21834,
    ),
    ("instance-coordinator/insufficient-balance", 34, 77, 48),
    ("instance-coordinator/fenced-lease", 6441, 2092, 2356),
    ("instance-coordinator/profile-two-reads", 25, 31, 149),
    ("instance-coordinator/profile-snapshot", 168, 14886, 21436),
    ("jackpot/read-modify-write", 13, 6, 18),
    ("jackpot/version-cas", 3894, 263, 92),
    ("jackpot/row-lock-win", 827, 2033, 2028),
    ("jackpot/blind-writer", 19, 11, 25),
    ("jackpot/check-outside-lock", 13, 10, 48),
    ("jackpot/retries-exhausted", 92, 321, 7762),
    ("jackpot/batch-lock-order", 52, 15, 42),
    ("jackpot/version-reset", 1, 1, 4),
    ("jackpot/guarded-decrement", 616, 2388, 2653),
    ("jackpot/redelivered-win", 46, 106, 62),
    ("jackpot/canonical-lock-order", 964, 3032, 3474),
    ("singleton-poller/unguarded-pollers", 16, 6, 9),
    ("singleton-poller/exclusive-lock-file", 1076, 561, 444),
    ("singleton-poller/separate-filesystems", 85, 15, 26),
    ("singleton-poller/stale-lock-file", 1, 16, 212),
    ("singleton-poller/stale-pid-takeover", 949, 60, 204),
    ("singleton-poller/kernel-file-lock", 7934, 1114, 1190),
    ("singleton-poller/renewed-lease", 17514, 52250, 96760),
    ("singleton-poller/late-renewal", 1428, 444, 461),
    ("singleton-poller/paused-lease-holder", 4315, 201, 762),
    ("cart-reservation/no-reservation", 13, 6, 18),
    ("cart-reservation/ttl-reservation-cache", 1108, 1705, 3040),
    ("cart-reservation/check-all-then-set-all", 262, 24, 70),
    ("cart-reservation/expiry-during-payment", 1, 22, 520),
    ("cart-reservation/sweeper-race", 15, 31, 253),
    ("cart-reservation/user-id-as-owner", 19, 32, 50),
    ("cart-reservation/per-instance-cache", 19, 8, 9),
    (
        "cart-reservation/shared-atomic-reservation",
        3640,
        4236,
        6788,
    ),
    ("contention/polite-backoff", 0, 53, 39),
    ("contention/ordered-backoff", 0, 83, 45),
    ("contention/barging-lock", 0, 68, 36),
    ("contention/fair-lock", 0, 70, 37),
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
        let engine = |family: &str| rows.iter().find(|r| r.verdict.engine.starts_with(family));
        let loom = engine("loom").map_or(0, |r| r.verdict.executions);
        let states = &engine("states")
            .expect("every scenario has a states plan")
            .verdict;
        let got = (loom, states.states.unwrap_or(0), states.executions);
        match PINNED.iter().find(|p| p.0 == s.id()) {
            Some(&(_, l, n, e)) if (l, n, e) == got => {}
            Some(&(_, l, n, e)) => {
                report += &format!(
                    "{}: (loom executions, states, state-engine executions) = {got:?}, pinned {:?}\n",
                    s.id(),
                    (l, n, e)
                );
            }
            None => report += &format!("{}: not pinned {got:?}\n", s.id()),
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
fn contention() {
    check_scheme("contention");
}

#[test]
fn every_scenario_is_pinned_and_well_formed() {
    for s in scenarios::all() {
        s.validate().unwrap_or_else(|e| panic!("{e}"));
    }
    let ids: Vec<&str> = scenarios::all().iter().map(|s| s.id()).collect();
    let pinned: Vec<&str> = PINNED.iter().map(|p| p.0).collect();
    assert_eq!(ids, pinned, "PINNED lists every scenario, in ladder order");
}
