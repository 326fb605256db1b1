//! Correct rungs on a real PostgreSQL while a control connection kills the clients'
//! connections (mid-transaction, mid-statement): the server's own rows still show
//! money conserved and no double claim, and the run says what it did. The same for
//! the lease on a real Redis (`CLIENT KILL`): never two pollers. (A server
//! restart is the same run with `Fault::Restart`, which `locklab-pgload faults
//! --restart CMD` runs: not here, where it would cut other tests' connections.)

use std::time::Duration;

use locklab_servers::{device_claims, jackpot_wins, require, Fault, PgConfig, ServerUnavailable};

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
