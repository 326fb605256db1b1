//! The lease's witness on Redis: what the server's own replies show, read without
//! the model's record of who polls (see [`crate::sim::served`]).
//!
//! *Two holders*: Redis grants the lease by answering `SET … NX PXAT d` with `OK`; the
//! grant stands until its deadline (Redis keeps a key through its last millisecond
//! `d`; renewals answered 1 move it) or a release answered 1. A grant while another
//! connection's stands is two holders by the server's own replies. A holder that
//! keeps polling after its lease lapsed is not in any reply: that harm is in the
//! process (`paused-lease-holder`).

use std::collections::BTreeMap;

use crate::sim::served::Harm;
use crate::sim::store::redis::{Reply, COMPARE_AND_DELETE, COMPARE_AND_PEXPIREAT};
use crate::sim::{RedisArg, RedisCall};

/// A standing grant: the sending actor, the command's number, its last live ms.
struct Grant {
    actor: String,
    at: usize,
    until: u64,
}

/// The key and deadline of a command, by its bound arguments.
fn key_of(args: &[RedisArg]) -> Option<&str> {
    args.iter().find_map(|a| match a {
        RedisArg::Key(k) => Some(k.as_str()),
        _ => None,
    })
}

fn deadline_of(args: &[RedisArg]) -> Option<u64> {
    args.iter().find_map(|a| match a {
        RedisArg::At(ms) => Some(*ms),
        _ => None,
    })
}

/// What a command is: the first argument, or for `EVAL` its script.
fn is(call: &RedisCall, what: &str) -> bool {
    match call.args.as_slice() {
        [RedisArg::Text(cmd), RedisArg::Text(script), ..] if cmd == "EVAL" => script == what,
        [RedisArg::Text(cmd), ..] => cmd == what,
        _ => false,
    }
}

/// The singleton poller's [`RedisWitness`](crate::sim::RedisWitness).
pub fn witness(served: &[(&RedisCall, &Reply)]) -> Vec<Harm> {
    let mut harms = Vec::new();
    // Per key, per connection: its standing grant.
    let mut grants: BTreeMap<String, BTreeMap<usize, Grant>> = BTreeMap::new();
    for (i, (call, reply)) in served.iter().enumerate() {
        let (Some(key), now) = (key_of(&call.args), call.at_ms) else {
            continue;
        };
        let held = grants.entry(key.to_owned()).or_default();
        held.retain(|_, g| g.until >= now);
        let mine = call.connection;
        if is(call, "SET") && **reply == Reply::Ok {
            let Some(until) = deadline_of(&call.args) else {
                continue;
            };
            for (_, g) in held.iter().filter(|(c, _)| **c != mine) {
                harms.push(Harm::new(
                    "two holders",
                    format!(
                        "{}'s SET NX (command {i}, t={now} ms) was granted while {}'s lease \
                         (command {}) stood until {} ms",
                        call.actor, g.actor, g.at, g.until
                    ),
                ));
            }
            let actor = call.actor.clone();
            held.insert(
                mine,
                Grant {
                    actor,
                    at: i,
                    until,
                },
            );
        } else if is(call, COMPARE_AND_PEXPIREAT) && **reply == Reply::Int(1) {
            if let (Some(g), Some(until)) = (held.get_mut(&mine), deadline_of(&call.args)) {
                g.until = until;
            }
        } else if is(call, COMPARE_AND_DELETE) && **reply == Reply::Int(1) {
            held.remove(&mine);
        }
    }
    harms
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::singleton_poller::statements::{lease_params, ACQUIRE_LEASE};

    fn acquire(actor: &str, connection: usize, now: u64, ttl: u64) -> RedisCall {
        RedisCall {
            actor: actor.to_owned(),
            connection,
            at_ms: now * crate::sim::MS_PER_TICK,
            args: ACQUIRE_LEASE.bind(&lease_params("lease", connection, ttl, now)),
            reply: Reply::Ok,
        }
    }

    #[test]
    fn a_grant_while_anothers_lease_stands_is_two_holders_and_after_it_lapsed_is_not() {
        let (a, b) = (acquire("A", 0, 0, 2), acquire("B", 1, 1, 2));
        let harms = witness(&[(&a, &Reply::Ok), (&b, &Reply::Ok)]);
        assert_eq!(harms.len(), 1, "{harms:?}");
        assert_eq!(harms[0].name, "two holders");
        // At tick 2 A's lease has lapsed (its last live ms is the one before).
        let late = acquire("B", 1, 2, 2);
        assert_eq!(witness(&[(&a, &Reply::Ok), (&late, &Reply::Ok)]), []);
        // A refused SET grants nothing.
        assert_eq!(witness(&[(&a, &Reply::Ok), (&b, &Reply::Nil)]), []);
    }
}
