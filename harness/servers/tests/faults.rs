//! Correct rungs on a real PostgreSQL while a control connection kills the clients'
//! connections (mid-transaction, mid-statement): the server's own rows still show
//! money conserved (jackpot's guarded decrement, version CAS, row-lock win and
//! canonical-order batches), no double claim (device claims, epoch lease and
//! conditional update), no pet bought twice and the balance conserved (the fenced
//! lease), no pet bought twice and money conserved under the expiring lock table,
//! the single transaction (and a user who cannot pay) and beside a snapshot profile
//! viewer, no cart item sold beyond its stock (the in-process reservation map of
//! ttl-reservation-cache and shared-atomic-reservation, the stock on the server),
//! and the run says what it did. Each test also asserts that connections
//! were lost and work completed, so none can pass without the fault. The same for
//! the lease on a real Redis (`CLIENT KILL`): never two pollers, on time or with a
//! late renewal. (A server
//! restart is the same run with `Fault::Restart`, which `locklab-pgload faults
//! --restart CMD` runs: not here, where it would cut other tests' connections.)

use std::time::Duration;

use locklab_servers::{
    device_claims, device_conditional_claims, expiring_lock_purchases, fenced_purchases,
    jackpot_batches, jackpot_cas, jackpot_row_lock_wins, jackpot_wins, require,
    shared_reservation_orders, single_transactions, ttl_cache_orders, Fault, FaultReport, PgConfig,
    ServerUnavailable, SingleTransactionRung,
};

const KILLS: Fault = Fault::KillConnections {
    every: Duration::from_millis(25),
};

fn unavailable(reason: String) -> ServerUnavailable {
    ServerUnavailable {
        server: "PostgreSQL".into(),
        reason,
    }
}

#[test]
fn killed_connections_leave_the_jackpot_money_conserved() {
    let run = jackpot_wins(&PgConfig::default(), 4, Duration::from_millis(800), &KILLS);
    let Some(r) = require("jackpot under kills", run.map_err(unavailable)) else {
        return;
    };
    assert!(r.completed > 0, "{r:?}");
    assert!(r.connections_lost > 0, "no connection was killed: {r:?}");
    assert!(r.invariant.is_ok(), "{r:?}");
}

#[test]
fn killed_connections_never_give_one_device_two_holders() {
    let run = device_claims(&PgConfig::default(), 4, Duration::from_millis(800), &KILLS);
    let Some(r) = require("device claims under kills", run.map_err(unavailable)) else {
        return;
    };
    assert!(r.completed > 0, "{r:?}");
    assert!(r.connections_lost > 0, "no connection was killed: {r:?}");
    assert!(r.invariant.is_ok(), "{r:?}");
}

/// The run held its invariant, lost connections to the fault, and completed work.
fn held_under_kills(test: &str, run: Result<FaultReport, String>) {
    let Some(r) = require(test, run.map_err(unavailable)) else {
        return;
    };
    eprintln!("{r:?}");
    assert!(r.completed > 0, "{r:?}");
    assert!(r.connections_lost > 0, "no connection was killed: {r:?}");
    assert!(r.invariant.is_ok(), "{r:?}");
}

const SHORT: Duration = Duration::from_millis(1200);

#[test]
fn killed_connections_leave_the_cas_pool_conserved_and_its_version_monotonic() {
    let run = jackpot_cas(&PgConfig::default(), 4, SHORT, &KILLS);
    held_under_kills("version CAS under kills", run);
}

#[test]
fn killed_connections_leave_the_row_locked_pool_conserved_and_never_negative() {
    // 300 wins: fewer than 4 clients pay in the run here, so the pool runs dry and
    // the rest of the wins are refused.
    let run = jackpot_row_lock_wins(&PgConfig::default(), 4, SHORT, &KILLS, 300);
    held_under_kills("row-lock wins under kills", run);
}

#[test]
fn killed_connections_leave_canonically_ordered_batches_whole_and_deadlock_free() {
    let run = jackpot_batches(&PgConfig::default(), 4, SHORT, &KILLS);
    held_under_kills("canonical-order batches under kills", run);
}

#[test]
fn killed_connections_never_give_a_conditionally_claimed_device_two_holders() {
    let run = device_conditional_claims(&PgConfig::default(), 4, SHORT, &KILLS);
    held_under_kills("conditional-update claims under kills", run);
}

#[test]
fn killed_connections_never_sell_a_pet_twice_under_the_fenced_lease() {
    let run = fenced_purchases(&PgConfig::default(), 4, SHORT, &KILLS);
    held_under_kills("fenced-lease purchases under kills", run);
}

#[test]
fn killed_connections_never_sell_a_pet_twice_under_the_expiring_lock_table() {
    let run = expiring_lock_purchases(&PgConfig::default(), 4, SHORT, &KILLS);
    held_under_kills("expiring-lock-table purchases under kills", run);
}

#[test]
fn killed_connections_leave_single_transaction_purchases_once_and_conserved() {
    let run = single_transactions(
        &PgConfig::default(),
        4,
        SHORT,
        &KILLS,
        SingleTransactionRung::Purchases,
    );
    held_under_kills("single-transaction purchases under kills", run);
}

#[test]
fn killed_connections_never_let_a_user_who_cannot_pay_buy() {
    let run = single_transactions(
        &PgConfig::default(),
        4,
        SHORT,
        &KILLS,
        SingleTransactionRung::CannotPay,
    );
    held_under_kills("insufficient-balance purchases under kills", run);
}

#[test]
fn killed_connections_never_show_a_profile_no_commit_held() {
    let run = single_transactions(
        &PgConfig::default(),
        4,
        SHORT,
        &KILLS,
        SingleTransactionRung::ProfileSnapshot,
    );
    held_under_kills("profile snapshots under kills", run);
}

/// Units of each cart item, for the ttl-reservation-cache and the shared-atomic run:
/// about what their clients sell of an item in half a run here (the shared-atomic
/// run sells far slower under kills: a dead client's entries block every cart until
/// they lapse), so the stock runs out and the later orders are refused as sold out.
const CART_STOCK: [i64; 2] = [50, 10];

#[test]
fn killed_connections_never_sell_a_cart_item_beyond_its_stock_under_the_ttl_cache() {
    let run = ttl_cache_orders(&PgConfig::default(), 4, SHORT, &KILLS, CART_STOCK[0]);
    held_under_kills("ttl-reservation-cache orders under kills", run);
}

#[test]
fn killed_connections_never_sell_a_cart_item_beyond_its_stock_under_shared_reservations() {
    let run = shared_reservation_orders(&PgConfig::default(), 4, SHORT, &KILLS, CART_STOCK[1]);
    held_under_kills("shared-atomic-reservation orders under kills", run);
}

fn redis_unavailable(reason: String) -> ServerUnavailable {
    ServerUnavailable {
        server: "Redis".into(),
        reason,
    }
}

#[test]
fn killed_connections_refuse_every_late_renewal_and_never_give_two_pollers() {
    let run = locklab_servers::late_renewals(
        &locklab_servers::RedisConfig::default(),
        4,
        Duration::from_millis(1500),
        &KILLS,
    );
    let Some(r) = require("late renewals under kills", run.map_err(redis_unavailable)) else {
        return;
    };
    eprintln!("{r:?}");
    assert!(r.completed > 0, "{r:?}");
    assert!(r.connections_lost > 0, "no connection was killed: {r:?}");
    assert!(r.invariant.is_ok(), "{r:?}");
    let held = r.invariant.as_deref().unwrap_or_default();
    assert!(
        !held.contains(" 0 late renewals answered"),
        "no renewal came late: {r:?}"
    );
}

#[test]
fn killed_connections_never_give_the_redis_lease_two_pollers() {
    let run = locklab_servers::lease_holders(
        &locklab_servers::RedisConfig::default(),
        4,
        Duration::from_millis(1500),
        &KILLS,
    );
    let Some(r) = require("lease under kills", run.map_err(redis_unavailable)) else {
        return;
    };
    eprintln!("{r:?}");
    assert!(r.completed > 0, "{r:?}");
    assert!(r.connections_lost > 0, "no connection was killed: {r:?}");
    assert!(r.invariant.is_ok(), "{r:?}");
}
