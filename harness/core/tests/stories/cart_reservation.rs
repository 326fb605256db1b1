//! The cart-reservation ladder (seed 004): every buggy rung is caught under loom and
//! under shuttle (PCT and random, at two and at four tabs) with its property named.
//! Every correct rung holds under loom for every interleaving with at most two
//! preemptions at two tabs plus the ticker (unbounded, loom is not done after 200,000
//! executions), the write-up's cache also at three tabs; the correct fix at
//! three tabs is bounded at one preemption (at two it is 145,000 executions, 25 s).
//! Both also hold for 10,000 PCT executions at five and six tabs with a crash, a slow
//! or paused payment, a sweeper and a moving clock.
//!
//! Carts overlap in a ring: X wants {a, b}, Y {b, c}, Z {c, a}; one unit of each.
//! loom explores in a fixed order, so the execution counts below are exact: a change
//! in them means the model's steps changed, which deserves a look.

use crate::common::loom;
use crate::common::{assert_exhaustive_pass, assert_story, explain, story, Ladder};
use locklab::engine::{explore, Budget, Engine, Verdict};

const LADDER: Ladder = Ladder("cart-reservation/");

/// The scenario's expected property is what loom and both shuttle schedulers find,
/// at the default sizes and at four tabs with three items per cart.
fn assert_caught(rung: &str) -> Verdict {
    let v = LADDER.counterexample(rung);
    for sizes in [&[][..], &[("users", 4), ("cart-items", 3)]] {
        LADDER.assert_caught_by_shuttle(rung, sizes);
    }
    v
}

#[test]
fn no_reservation_sells_the_last_unit_twice() {
    let v = assert_caught("no-reservation");
    // Pinned counterexample: both see the last b, both pay, b is sold twice.
    assert_eq!(
        story(&v),
        [
            ("X", "place order", "SELECT id, stock FROM items WHERE id = $1 OR id = $2 OR id = $3 ORDER BY id [$1 = 0, $2 = 1, $3 = 1] → rows (0, 1) (1, 1): stock a=1, b=1: order placed"),
            ("Y", "place order", "SELECT id, stock FROM items WHERE id = $1 OR id = $2 OR id = $3 ORDER BY id [$1 = 1, $2 = 2, $3 = 2] → rows (1, 1) (2, 1): stock b=1, c=1: order placed"),
            ("Y", "sell", "UPDATE items SET stock = stock - 1 WHERE id = $1 OR id = $2 OR id = $3 RETURNING id, stock [$1 = 1, $2 = 2, $3 = 2] → rows (1, 0) (2, 0): payment confirmed: stock b=1, c=1 → b=0, c=0"),
            ("X", "sell", "UPDATE items SET stock = stock - 1 WHERE id = $1 OR id = $2 OR id = $3 RETURNING id, stock [$1 = 0, $2 = 1, $3 = 1] → rows (0, 0) (1, -1): payment confirmed: stock a=1, b=0 → a=0, b=-1"),
        ]
        .map(|(a, s, w)| (a.to_owned(), s.to_owned(), w.to_owned()))
    );
}

#[test]
fn ttl_reservation_cache_holds_with_one_instance_and_timely_payments() {
    // X may crash at any step of t=0 holding its cart; Y orders at t=ttl; payments
    // take ttl-1 ticks; the one-pass sweep runs at t=ttl.
    // Three tabs (X crashes, Y orders at t=0, Z at t=ttl) and the sweep.
    let three = LADDER.run(
        "ttl-reservation-cache",
        &[("users", 3), ("ttl", 1)],
        &loom(Some(2)),
        None,
    );
    assert_exhaustive_pass(&three, 3_887);
    LADDER.assert_pct_pass("ttl-reservation-cache", &[("users", 5)]);
    LADDER.assert_pct_pass(
        "ttl-reservation-cache",
        &[("users", 6), ("cart-items", 3), ("stock", 2), ("ttl", 3)],
    );
}

#[test]
fn check_all_then_set_all_double_books_the_shared_item() {
    let v = assert_caught("check-all-then-set-all");
    assert_story(
        &v,
        &[
            ("X", "check cart", "{a, b}: a free, b free: will lock them"),
            ("Y", "check cart", "{b, c}: b free, c free: will lock them"),
            ("Y", "lock item", "b ← Y"),
            ("X", "lock item", "b ← X until t=3, overwriting b held by Y"),
        ],
    );
}

#[test]
fn expiry_during_payment_sells_on_an_expired_reservation() {
    let v = assert_caught("expiry-during-payment");
    assert_story(
        &v,
        &[
            ("X", "reserve cart", "reserved for X until t=1"),
            ("X", "place order", "payment takes until t=2"),
            ("ticker", "advance clock", "t = 1"),
            (
                "Y",
                "reserve cart",
                "b held by X (expired at t=1), c free: reserved for Y",
            ),
            ("Y", "sell", "b=1, c=1 → b=0, c=0"),
            ("ticker", "advance clock", "t = 2"),
            ("X", "sell", "a=1, b=0 → a=0, b=-1"),
        ],
    );
    let detail = &v.failure().expect("violated").violation.detail;
    assert!(
        detail.contains("{b} had no unit left: oversold"),
        "{detail}"
    );
}

#[test]
fn sweeper_race_deletes_a_fresh_reservation() {
    let v = assert_caught("sweeper-race");
    assert_story(
        &v,
        &[
            ("X", "place order", "closes the tab without paying"),
            ("ticker", "advance clock", "t = 1"),
            (
                "ticker",
                "sweeper: find expired",
                "b held by X (expired at t=1): will delete",
            ),
            (
                "Y",
                "reserve cart",
                "b held by X (expired at t=1), c free: reserved for Y",
            ),
            (
                "ticker",
                "sweeper: delete expired",
                "DELETE b by key: removed b held by Y until t=2",
            ),
        ],
    );
}

#[test]
fn user_id_as_owner_lets_one_tab_release_the_others_cart() {
    let v = assert_caught("user-id-as-owner");
    assert_story(
        &v,
        &[
            ("X#1", "reserve cart", "reserved for X until t=3"),
            ("X#2", "reserve cart", "a held by X via tab X#1 until t=3"),
            (
                "X#2",
                "catch: release cart",
                "WHERE owner = X: removed a held by X via tab X#1 until t=3",
            ),
        ],
    );
}

#[test]
fn per_instance_cache_reserves_the_shared_item_on_both_instances() {
    let v = assert_caught("per-instance-cache");
    assert_story(
        &v,
        &[
            ("X", "reserve cart", "instance 1: {a, b}"),
            (
                "Y",
                "reserve cart",
                "instance 2: {b, c}: b free, c free: reserved",
            ),
        ],
    );
    let detail = &v.failure().expect("violated").violation.detail;
    assert!(detail.contains("each keep their own map"), "{detail}");
}

#[test]
fn shared_atomic_reservation_holds() {
    // X pays for longer than its reservation lasts and may pause anywhere; Y orders at
    // t=ttl; the sweeper finds, then deletes by token; two instances, one store.
    // With three tabs Y crashes at t=0 holding its cart and Z orders at t=ttl; at two
    // preemptions that is 145,000 executions (25 s), so here the bound is one.
    let three = LADDER.run(
        "shared-atomic-reservation",
        &[("users", 3), ("ttl", 1)],
        &loom(Some(1)),
        None,
    );
    assert_exhaustive_pass(&three, 1_234);
    LADDER.assert_pct_pass("shared-atomic-reservation", &[("users", 5)]);
    LADDER.assert_pct_pass(
        "shared-atomic-reservation",
        &[("users", 6), ("cart-items", 3), ("stock", 2), ("ttl", 3)],
    );
}

/// Built straight from the public model API: the faults of the correct rung break
/// the write-up's protocol, and the checks no rung names still bite.
mod checks_bite {
    use std::sync::Arc;

    use locklab::models::cart_reservation::{
        CartReservation, Config, Crash, Protocol, SweepStyle, Sweeper,
    };

    use super::*;

    fn explore_config(cfg: Config, engine: &dyn Engine) -> Verdict {
        let model = Arc::new(CartReservation::new(cfg).expect("valid config"));
        let budget = Budget::default().seed(7);
        explore(model, engine, budget)
    }

    /// X pauses and pays for longer than its reservation lasts, Y orders at t=1, the
    /// sweeper finds then deletes, two instances (the correct rung's loom faults).
    fn slow_payment(protocol: Protocol) -> Config {
        let mut cfg = Config::new(protocol, 2);
        cfg.ttl = 1;
        cfg.arrivals = vec![0, 1];
        cfg.payments = vec![2, 0];
        cfg.horizon = 2;
        cfg.pausable = Some(0);
        cfg.instances = 2;
        cfg.sweeper = Some(Sweeper {
            style: SweepStyle::FindThenDelete,
            at: 1,
        });
        cfg
    }

    /// X abandons its cart; at its expiry Y orders while the sweeper finds then deletes.
    fn abandoned_cart(protocol: Protocol) -> Config {
        let mut cfg = Config::new(protocol, 2);
        cfg.ttl = 1;
        cfg.arrivals = vec![0, 1];
        cfg.horizon = 1;
        cfg.abandons = Some(0);
        cfg.sweeper = Some(Sweeper {
            style: SweepStyle::FindThenDelete,
            at: 1,
        });
        cfg
    }

    fn two_instances(protocol: Protocol) -> Config {
        let mut cfg = Config::new(protocol, 2);
        cfg.instances = 2;
        cfg
    }

    fn two_tabs(protocol: Protocol) -> Config {
        let mut cfg = Config::new(protocol, 2);
        cfg.second_tab = true;
        cfg
    }

    /// A hazard: the faults, around whichever protocol.
    type Faults = fn(Protocol) -> Config;

    /// Each hazard of the ladder, with the same faults: the write-up's cache is caught
    /// by the rung's property, the shared atomic reservation holds.
    #[test]
    fn each_hazard_breaks_the_write_up_and_not_the_fix() {
        let hazards: [(Faults, &str); 4] = [
            (slow_payment, "sale-requires-live-token"),
            (abandoned_cart, "remove-own-or-expired"),
            (two_instances, "one-live-reservation"),
            (two_tabs, "remove-own-or-expired"),
        ];
        for (i, (faults, property)) in hazards.into_iter().enumerate() {
            let fix = explore_config(faults(Protocol::SharedAtomicReservation), &loom(Some(2)));
            assert!(fix.proved(), "hazard {i}: {}", explain(&fix));
            let write_up = explore_config(faults(Protocol::TtlReservationCache), &loom(Some(2)));
            assert_eq!(
                write_up.violated_property().map(|p| p.name),
                Some(property),
                "hazard {i}: {}",
                explain(&write_up)
            );
        }
    }

    /// The map treats an expired entry as taken (`locks.has(item)`): X abandons its
    /// cart, and Y, ordering after it expired, is refused until the sweeper runs.
    #[test]
    fn an_expired_entry_that_still_blocks_is_caught() {
        let mut cfg = Config::new(Protocol::TtlReservationCache, 2);
        cfg.ttl = 1;
        cfg.arrivals = vec![0, 1];
        cfg.horizon = 1;
        cfg.abandons = Some(0);
        cfg.expired_entries_block = true;
        cfg.sweeper = Some(Sweeper {
            style: SweepStyle::OneScan,
            at: 1,
        });
        let v = explore_config(cfg, &loom(None));
        assert_eq!(
            v.violated_property().map(|p| p.name),
            Some("reserve-after-expiry"),
            "{}",
            explain(&v)
        );
    }

    /// Check-all-then-set-all with one tab that crashes between its sets: part of its
    /// cart stays reserved.
    #[test]
    fn a_crash_between_the_sets_leaves_half_a_cart() {
        let mut cfg = Config::new(Protocol::CheckAllThenSetAll, 1);
        cfg.crash = Some(Crash { user: 0, at: 0 });
        let v = explore_config(cfg, &loom(None));
        assert_eq!(
            v.violated_property().map(|p| p.name),
            Some("all-or-nothing"),
            "{}",
            explain(&v)
        );
        // One tab, one item: there is no half to leave.
        let mut whole = Config::new(Protocol::CheckAllThenSetAll, 1);
        whole.cart_items = 1;
        whole.crash = Some(Crash { user: 0, at: 0 });
        assert!(explore_config(whole, &loom(None)).passed());
    }
}
