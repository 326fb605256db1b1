//! Every rung with a Redis form, on a real Redis: a buggy rung's model
//! counterexample reproduced from its own commands, and every rung's loom search
//! (2 actors, ≤2 preemptions) compared reply for reply, virtual time mapped onto the
//! server's clock (see `RedisLogRunner`).

use std::sync::Arc;

use locklab::engine::{explore, Budget, States};
use locklab::sim::store::redis::Reply;
use locklab::{Expected, Scenario};
use locklab_servers::{
    agreement_on_redis, redis_runner_for, reproduce_on_redis, require, AgainstError,
};

fn rungs_with_redis_form() -> Vec<&'static Scenario> {
    locklab::scenarios::all()
        .iter()
        .filter(|s| s.build(&s.defaults()).is_ok_and(|m| m.redis().is_some()))
        .collect()
}

fn unreachable(e: AgainstError) -> locklab_servers::ServerUnavailable {
    locklab_servers::ServerUnavailable {
        server: "Redis".into(),
        reason: e.to_string(),
    }
}

#[test]
fn the_lease_rungs_of_the_singleton_poller_have_a_redis_form() {
    let ids: Vec<&str> = rungs_with_redis_form().iter().map(|s| s.id()).collect();
    assert_eq!(
        ids,
        [
            "singleton-poller/renewed-lease",
            "singleton-poller/late-renewal",
            "singleton-poller/paused-lease-holder"
        ]
    );
}

#[test]
fn the_paused_lease_holder_reproduces_on_redis_and_both_leases_were_granted() {
    let s = locklab::scenarios::find("singleton-poller/paused-lease-holder").unwrap();
    let Expected::Violates(property) = s.expected() else {
        panic!("a buggy rung")
    };
    let model = s.build(&s.defaults()).unwrap();
    let found = explore(Arc::clone(&model), &States, Budget::default());
    let schedule = found.failure().unwrap().schedule.clone().unwrap();
    let Some(mut runner) = require(s.id(), redis_runner_for(&model).map_err(unreachable)) else {
        return;
    };
    let r = reproduce_on_redis(&mut runner, model, &schedule).expect("the server ran the log");
    assert_eq!(r.verdict.violated_property(), Some(property));
    assert!(r.reproduced(), "{:?}", r.run);
    // The harm as the server shows it: A's lease was granted, lapsed (deleted before
    // B's command at its deadline's tick), and B's SET NX was granted too.
    let granted: Vec<&str> = r
        .run
        .steps
        .iter()
        .filter(|c| c.server == Reply::Ok)
        .map(|c| c.model.actor.as_str())
        .collect();
    assert_eq!(granted, ["A", "B"], "{:?}", r.run.steps);
    assert!(r.run.steps.iter().any(|c| !c.lapsed.is_empty()));
    // By the server's replies the grants never overlapped: A's lapsed first. The harm
    // is A polling on after its lease (in process), which no reply shows.
    assert_eq!(r.run.witnessed, [], "{:?}", r.run.steps);
    let (key, held) = &r.run.server_keys[0];
    assert_eq!(key, "bot-token-poller");
    assert_eq!(
        held.as_ref().map(|h| h.value.as_str()),
        Some("1"),
        "B holds it"
    );
}

#[test]
fn every_rung_agrees_with_redis_on_every_schedule_with_2_actors_and_2_preemptions() {
    for s in rungs_with_redis_form() {
        let actors = s.actors_param().expect("an actors parameter");
        let model = s.build(&s.with_sizes(&[(actors, 2)]).unwrap()).unwrap();
        let Some(mut runner) = require(s.id(), redis_runner_for(&model).map_err(unreachable))
        else {
            return;
        };
        let a = agreement_on_redis(&mut runner, model, 2, Budget::default()).unwrap();
        assert!(a.orders > 1, "{}: {} command logs", s.id(), a.orders);
        assert_eq!(
            a.agreeing,
            a.orders,
            "{}: first disagreement: {:?}",
            s.id(),
            a.first_disagreement
        );
        // The model proves the rung; the server's replies must show no two holders.
        if s.expected() == Expected::Holds {
            assert_eq!(a.harmed, 0, "{}: {:?}", s.id(), a.first_harmed);
        }
        eprintln!(
            "{}: {} of {} command orders agree ({} loom executions)",
            s.id(),
            a.agreeing,
            a.orders,
            a.verdict.executions
        );
    }
}

#[test]
fn a_log_the_server_answers_differently_is_reported_at_that_command() {
    let s = locklab::scenarios::find("singleton-poller/paused-lease-holder").unwrap();
    let model = s.build(&s.defaults()).unwrap();
    let found = explore(Arc::clone(&model), &States, Budget::default());
    let schedule = found.failure().unwrap().schedule.clone().unwrap();
    let (_, mut log) = locklab::engine::replay_with_redis(Arc::clone(&model), &schedule);
    let Some(mut runner) = require(
        "tampered log",
        redis_runner_for(&model).map_err(unreachable),
    ) else {
        return;
    };
    // Claim B's last SET NX was refused in the model: the server grants it.
    let last = log.len() - 1;
    assert_eq!(log[last].reply, Reply::Ok);
    log[last].reply = Reply::Nil;
    let run = runner.run(&log).unwrap();
    assert_eq!(run.first_disagreement(), Some(last));
}
