//! Every rung with a server form, on a real PostgreSQL: a buggy rung's model
//! counterexample reproduced from its own statements, with the harm (or, where that
//! harm is in process, the bug followed to one the server shows); every rung's loom
//! search (2 actors, ≤2 preemptions) compared statement for statement.

use std::sync::Arc;

use locklab::engine::{explore, Budget, States};
use locklab::{Expected, Scenario};
use locklab_servers::{agreement, follow_harm, reproduce, require, runner_for, AgainstError};

fn rungs_with_server_form() -> Vec<&'static Scenario> {
    locklab::scenarios::all()
        .iter()
        .filter(|s| s.build(&s.defaults()).is_ok_and(|m| m.server().is_some()))
        .collect()
}

#[test]
fn the_device_claim_and_cart_ladders_run_on_postgres() {
    let rungs = rungs_with_server_form();
    let ids: Vec<&str> = rungs.iter().map(|s| s.id()).collect();
    assert!(
        ids.iter()
            .filter(|id| id.starts_with("device-claim/"))
            .count()
            == 6,
        "{ids:?}"
    );
    // Every cart rung: the shop's stock is in its database.
    let carts = ids.iter().filter(|id| id.starts_with("cart-reservation/"));
    assert_eq!(carts.count(), 8, "{ids:?}");
}

/// Rungs whose counterexample shows its harm on the server: in its own rows (a harm
/// query), or in its answers (the scheme's witness: two claims both granted, an
/// acknowledged change lost).
const HARM_ON_SERVER: &[(&str, &str)] = &[
    ("device-claim/select-then-update", "two owners"),
    (
        "device-claim/manual-recovery",
        "a device held by a dead connection",
    ),
    (
        "cart-reservation/no-reservation",
        "an item sold beyond its stock",
    ),
    (
        "cart-reservation/expiry-during-payment",
        "an item sold beyond its stock",
    ),
    (
        "instance-coordinator/unlocked-purchase",
        "a pet owned twice",
    ),
    ("instance-coordinator/pause-beyond-ttl", "a pet owned twice"),
    (
        "instance-coordinator/release-without-owner-check",
        "a lock deleted by a non-holder",
    ),
    (
        "instance-coordinator/shared-instance-id",
        "a lock deleted by a non-holder",
    ),
    (
        "instance-coordinator/sweep-race",
        "a lock deleted by a non-holder",
    ),
    ("instance-coordinator/profile-two-reads", "a torn profile"),
    ("jackpot/read-modify-write", "an acknowledged change lost"),
    ("jackpot/blind-writer", "an acknowledged change lost"),
    ("jackpot/check-outside-lock", "a pool below zero"),
    ("jackpot/retries-exhausted", "a contribution refused"),
    ("jackpot/batch-lock-order", "a batch aborted"),
    ("jackpot/version-reset", "a version not advanced"),
];

/// Rungs whose counterexample the server answers correctly throughout, its harm in
/// process (two carts believing they hold one item), but whose bug leads on to a
/// harm the server shows: searched for that property alone (`follow_harm`), the
/// others let pass. (rung, the property followed to, the harm on the server.)
const HARM_FOLLOWED: &[(&str, &str, &str)] = &[
    (
        "instance-coordinator/clock-skew",
        "purchase-once",
        "a pet owned twice",
    ),
    (
        "cart-reservation/check-all-then-set-all",
        "sold-within-stock",
        "an item sold beyond its stock",
    ),
    (
        "cart-reservation/user-id-as-owner",
        "sold-within-stock",
        "an item sold beyond its stock",
    ),
    (
        "cart-reservation/per-instance-cache",
        "sold-within-stock",
        "an item sold beyond its stock",
    ),
];

/// Rungs whose harm no run on the server shows at their sizes, followed or not: the
/// server answered every statement correctly and the harm is in what a process did
/// with the answers (kept a connection to a device past its lease or after an
/// operator cleared it — the device is not on the server; deleted a live reservation
/// from its own memory, with no later buyer at these sizes to sell it to twice).
/// Pinned, so that a witness that starts to see harm here — or stops seeing it
/// above — is looked at.
const HARM_IN_PROCESS: &[&str] = &[
    "device-claim/validate-then-connect",
    "device-claim/expiring-claim",
    "cart-reservation/sweeper-race",
];

#[test]
fn every_buggy_rung_reproduces_on_postgres_from_its_model_counterexample() {
    for s in rungs_with_server_form() {
        let Expected::Violates(property) = s.expected() else {
            continue;
        };
        let params = s.defaults();
        let model = s.build(&params).unwrap();
        let found = explore(Arc::clone(&model), &States, Budget::default());
        let failure = found
            .failure()
            .unwrap_or_else(|| panic!("{}: no counterexample", s.id()));
        let schedule = failure.schedule.clone().expect("a replayable schedule");
        let Some(mut runner) = require(s.id(), runner_for(&model).map_err(unreachable)) else {
            return;
        };
        let r =
            reproduce(&mut runner, Arc::clone(&model), &schedule).expect("the server ran the log");
        assert_eq!(r.verdict.violated_property(), Some(property), "{}", s.id());
        let harmed = r.run.harms_seen();
        match HARM_ON_SERVER.iter().find(|h| h.0 == s.id()) {
            Some(harm) => assert!(
                harmed.iter().any(|h| h == harm.1),
                "{}: harm on the server: {harmed:?}, witnessed: {:?}",
                s.id(),
                r.run.witnessed
            ),
            None => {
                assert!(harmed.is_empty(), "{}: the server shows {harmed:?}", s.id());
                let followed = follow_harm(&model, property, Budget::default(), |m, schedule| {
                    reproduce(&mut runner, m, schedule)
                })
                .expect("the server ran the followed logs");
                match HARM_FOLLOWED.iter().find(|h| h.0 == s.id()) {
                    Some(&(_, to, harm)) => {
                        let f = followed.unwrap_or_else(|| panic!("{}: not followed", s.id()));
                        assert_eq!(f.property.name, to, "{}", s.id());
                        assert!(f.reproduction.reproduced(), "{}", s.id());
                        let seen = f.reproduction.run.harms_seen();
                        assert!(seen.iter().any(|h| h == harm), "{}: {seen:?}", s.id());
                    }
                    None => {
                        assert!(
                            HARM_IN_PROCESS.contains(&s.id()),
                            "{}: a buggy rung in no list",
                            s.id()
                        );
                        assert!(
                            followed.is_none(),
                            "{}: followed to {:?}",
                            s.id(),
                            followed.map(|f| f.property)
                        );
                    }
                }
            }
        }
        if let Some(i) = r.run.first_disagreement() {
            panic!(
                "{}: statement {i} answered differently: {:?}",
                s.id(),
                r.run.steps[i]
            );
        }
    }
}

#[test]
fn every_rung_agrees_with_postgres_on_every_schedule_with_2_actors_and_2_preemptions() {
    for s in rungs_with_server_form() {
        let actors = s.actors_param().expect("an actors parameter");
        let params = s.with_sizes(&[(actors, 2)]).unwrap();
        let model = s.build(&params).unwrap();
        let Some(mut runner) = require(s.id(), runner_for(&model).map_err(unreachable)) else {
            return;
        };
        let a = agreement(&mut runner, model, 2, Budget::default()).expect("the server ran");
        assert!(a.orders > 0, "{}: no statement logs", s.id());
        assert_eq!(
            a.agreeing,
            a.orders,
            "{}: {} of {} statement orders agree; first disagreement: {:?}",
            s.id(),
            a.agreeing,
            a.orders,
            a.first_disagreement
        );
        // The model proves the rung; no order may show harm on the server either.
        if s.expected() == Expected::Holds {
            assert_eq!(
                a.harmed,
                0,
                "{}: harm on the server in {} of {} orders; first: {:?}",
                s.id(),
                a.harmed,
                a.orders,
                a.first_harmed
            );
        }
        eprintln!(
            "{}: {} of {} statement orders agree ({} loom executions)",
            s.id(),
            a.agreeing,
            a.orders,
            a.verdict.executions
        );
    }
}

fn unreachable(e: AgainstError) -> locklab_servers::ServerUnavailable {
    locklab_servers::ServerUnavailable {
        server: "PostgreSQL".into(),
        reason: e.to_string(),
    }
}

#[test]
fn a_log_the_server_answers_differently_is_reported_at_that_statement() {
    let s = locklab::scenarios::find("device-claim/select-then-update").unwrap();
    let model = s.build(&s.defaults()).unwrap();
    let found = explore(Arc::clone(&model), &States, Budget::default());
    let schedule = found.failure().unwrap().schedule.clone().unwrap();
    let (_, mut log) = locklab::engine::replay_with_sql(Arc::clone(&model), &schedule);
    let Some(mut runner) = require("tampered log", runner_for(&model).map_err(unreachable)) else {
        return;
    };
    // Claim the model's last UPDATE changed no row: the server says it did.
    let last = log.len() - 1;
    if let Some(Ok(outcome)) = log[last].result.as_mut() {
        outcome.affected = 0;
    }
    let run = runner.run(&log).unwrap();
    assert_eq!(run.first_disagreement(), Some(last));
}

/// `instance-coordinator/single-transaction` crashes an instance mid-purchase: in
/// the statement log that is a dropped connection, which the server run turns into a
/// terminated backend at the same point — the server must roll the purchase back
/// and let the other instance buy, as the model does.
#[test]
fn a_crash_mid_transaction_is_a_terminated_backend_on_the_server() {
    let s = locklab::scenarios::find("instance-coordinator/single-transaction").unwrap();
    let model = s.build(&s.defaults()).unwrap();
    let engine = locklab::engine::Loom::bounded(2);
    let (_, orders) =
        locklab::engine::explore_collecting_sql(Arc::clone(&model), &engine, Budget::default());
    // Logs where the victim's connection died with its transaction open (a BEGIN of
    // its session logged before the drop, and no COMMIT/ROLLBACK between).
    let mid_transaction = |log: &&Vec<locklab::sim::SqlCall>| {
        let Some(d) = log.iter().position(|c| c.dropped) else {
            return false;
        };
        let session = log[d].session;
        let mine: Vec<&str> = log[..d]
            .iter()
            .filter(|c| c.session == session)
            .map(|c| c.sql.as_str())
            .collect();
        mine.iter().rposition(|q| q.starts_with("BEGIN"))
            > mine
                .iter()
                .rposition(|q| *q == "COMMIT" || *q == "ROLLBACK")
    };
    let crashed: Vec<&Vec<_>> = orders.iter().filter(mid_transaction).collect();
    assert!(
        !crashed.is_empty(),
        "no explored schedule crashed an instance mid-transaction ({} logs)",
        orders.len()
    );
    let Some(mut runner) = require(s.id(), runner_for(&model).map_err(unreachable)) else {
        return;
    };
    for log in &crashed {
        let run = runner.run(log).expect("the server ran the log");
        if let Some(i) = run.first_disagreement() {
            panic!("statement {i} answered differently: {:?}", run.steps[i]);
        }
        let harmed: Vec<&String> = run.harm.iter().filter(|h| h.1).map(|h| &h.0).collect();
        assert!(harmed.is_empty(), "harm on the server: {harmed:?}");
    }
    eprintln!(
        "{} of {} logs crash an instance mid-transaction; all agree with PostgreSQL",
        crashed.len(),
        orders.len()
    );
}
