//! Correct rungs on a real PostgreSQL while a control connection kills the clients'
//! connections (mid-transaction, mid-statement): the server's own rows still show
//! money conserved (jackpot's guarded decrement, version CAS, row-lock win and
//! canonical-order batches), no double claim (device claims, epoch lease and
//! conditional update), no pet bought twice and the balance conserved (the fenced
//! lease), and the run says what it did. Each test also asserts that connections
//! were lost and work completed, so none can pass without the fault. The same for
//! the lease on a real Redis (`CLIENT KILL`): never two pollers. (A server
//! restart is the same run with `Fault::Restart`, which `locklab-pgload faults
//! --restart CMD` runs: not here, where it would cut other tests' connections.)

use std::time::Duration;

use locklab_servers::{
    device_claims, device_conditional_claims, fenced_purchases, jackpot_batches, jackpot_cas,
    jackpot_row_lock_wins, jackpot_wins, require, Fault, FaultReport, PgConfig, ServerUnavailable,
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
fn killed_connections_never_give_the_redis_lease_two_pollers() {
    let run = locklab_servers::lease_holders(
        &locklab_servers::RedisConfig::default(),
        4,
        Duration::from_millis(1500),
        &KILLS,
    );
    let unavailable = |reason: String| ServerUnavailable {
        server: "Redis".into(),
        reason,
    };
    let Some(r) = require("lease under kills", run.map_err(unavailable)) else {
        return;
    };
    eprintln!("{r:?}");
    assert!(r.completed > 0, "{r:?}");
    assert!(r.connections_lost > 0, "no connection was killed: {r:?}");
    assert!(r.invariant.is_ok(), "{r:?}");
}
