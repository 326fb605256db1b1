//! The device table's witness: what the server's own answers show of its harms,
//! read without the model's record of who is connected (see
//! [`crate::sim::served`]).
//!
//! *Two owners*: the server grants a device by answering a claim — a blind `SET
//! owner` or a conditional claim that updated its row, an expiring claim that
//! returned its lease. A grant stands until the operator clears that owner or its
//! lease ends at the virtual time the claim passed (`lease_until`, renewals
//! included). A grant to one server while another's stands is two owners by the
//! server's own answers. A server that keeps its connection after its grant ended is
//! not in any answer: that harm is in the process.
//!
//! *A device held by a dead connection*: a grant with no deadline whose server's
//! backend was terminated (it crashed) still stands at the end, and claims by others
//! after the termination were refused: the database keeps the device for a server
//! that is gone. A lease that would have ended is not this: its refusals end with it.

use std::collections::BTreeMap;

use crate::sim::served::{Answer, Harm, Served, ServedStep};
use crate::sim::store::sql::SessionId;

use super::statements::{
    CLAIM_EPOCH_LEASE, CLAIM_IF_UNOWNED, CLAIM_LEASE, CLEAR_OWNER, RENEW_EPOCH_LEASE, RENEW_LEASE,
    SET_OWNER,
};

/// A standing grant: to which server (the `owner` value) on which session, from
/// which statement, until which tick (`None`: until cleared).
struct Grant {
    session: SessionId,
    actor: String,
    owner: i64,
    at: usize,
    until: Option<i64>,
}

/// A grant `step` received: (device, owner, now, until); `None` if it was none.
fn grant_of(step: &ServedStep) -> Option<(i64, i64, Option<i64>, Option<i64>)> {
    if !step.committed || step.answer.affected() != Some(1) {
        return None;
    }
    match step.sql.as_str() {
        SET_OWNER | CLAIM_IF_UNOWNED => Some((step.int(2)?, step.int(1)?, None, None)),
        CLAIM_LEASE | CLAIM_EPOCH_LEASE => Some((
            step.int(3)?,
            step.int(1)?,
            Some(step.int(4)?),
            Some(step.int(2)?),
        )),
        _ => None,
    }
}

/// The device scheme's [`Witness`](crate::sim::Witness).
pub fn witness(served: &Served) -> Vec<Harm> {
    let mut harms = Vec::new();
    let mut grants: BTreeMap<i64, Vec<Grant>> = BTreeMap::new();
    // Per session whose backend was terminated: at which statement.
    let mut dead: BTreeMap<SessionId, usize> = BTreeMap::new();
    // Per device: claims refused (statement, actor, session).
    let mut refused: BTreeMap<i64, Vec<(usize, SessionId)>> = BTreeMap::new();
    for (i, step) in served.steps.iter().enumerate() {
        let sql = step.sql.as_str();
        if step.answer == Answer::Terminated {
            dead.insert(step.session, i);
        } else if let Some(device) = refusal(step) {
            refused.entry(device).or_default().push((i, step.session));
        }
        if sql == CLEAR_OWNER && step.committed {
            if let Some(owner) = step.int(1) {
                for held in grants.values_mut() {
                    held.retain(|g| g.owner != owner);
                }
            }
        } else if (sql == RENEW_LEASE || sql == RENEW_EPOCH_LEASE)
            && step.committed
            && step.answer.affected() == Some(1)
        {
            let (Some(until), Some(device)) = (step.int(1), step.int(2)) else {
                continue;
            };
            for g in grants.entry(device).or_default() {
                if g.session == step.session {
                    g.until = Some(until);
                }
            }
        } else if let Some((device, owner, now, until)) = grant_of(step) {
            let held = grants.entry(device).or_default();
            // A lease that ended by this claim's time no longer stands; the claimant's
            // own earlier grant is replaced by this one.
            held.retain(|g| g.session != step.session && !ended(g, now));
            for g in held.iter() {
                harms.push(Harm::new(
                    "two owners",
                    format!(
                        "{}'s claim of device {device} (statement {i}) was granted while {}'s \
                         (statement {}) stood{}",
                        step.actor,
                        g.actor,
                        g.at,
                        g.until.map_or_else(
                            || ", never cleared".to_owned(),
                            |u| format!(" until t={u}")
                        )
                    ),
                ));
            }
            held.push(Grant {
                session: step.session,
                actor: step.actor.clone(),
                owner,
                at: i,
                until,
            });
        }
    }
    for (device, held) in &grants {
        for g in held.iter().filter(|g| g.until.is_none()) {
            let Some(&died) = dead.get(&g.session) else {
                continue;
            };
            let after = refused.get(device).map_or(0, |r| {
                r.iter()
                    .filter(|(i, s)| *i > died && *s != g.session)
                    .count()
            });
            if after > 0 {
                harms.push(Harm::new(
                    "a device held by a dead connection",
                    format!(
                        "device {device} is still granted to {} (statement {}), whose backend \
                         was terminated at statement {died}; {after} claim(s) after it were \
                         refused",
                        g.actor, g.at
                    ),
                ));
            }
        }
    }
    harms
}

/// The device a completed claim was refused (0 rows), if `step` is one.
fn refusal(step: &ServedStep) -> Option<i64> {
    if step.answer.affected() != Some(0) {
        return None;
    }
    match step.sql.as_str() {
        CLAIM_IF_UNOWNED => step.int(2),
        CLAIM_LEASE | CLAIM_EPOCH_LEASE => step.int(3),
        _ => None,
    }
}

/// Whether `g` had ended at tick `now` (a grant with no deadline ends only when
/// cleared; a claim with no time ends none).
fn ended(g: &Grant, now: Option<i64>) -> bool {
    match (g.until, now) {
        (Some(until), Some(now)) => until <= now,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::served::by_hand::{answered, sent};

    #[test]
    fn two_acknowledged_blind_writes_are_two_owners() {
        let served = Served::new(
            [
                sent(0, SET_OWNER, &[0, 0], answered(1, &[])),
                sent(1, SET_OWNER, &[1, 0], answered(1, &[])),
            ],
            vec![],
            vec![],
        );
        let harms = witness(&served);
        assert_eq!(harms.len(), 1);
        assert_eq!(harms[0].name, "two owners");
    }

    #[test]
    fn a_lease_that_ended_or_was_cleared_is_not_a_second_owner() {
        let served = Served::new(
            [
                // s0 leases device 0 at t=0 until t=3; s1 claims at t=3.
                sent(0, CLAIM_LEASE, &[0, 3, 0, 0], answered(1, &[&[0, 3]])),
                sent(1, CLAIM_LEASE, &[1, 6, 0, 3], answered(1, &[&[0, 6]])),
                // s2's claim is granted after the operator cleared s1.
                sent(3, CLEAR_OWNER, &[1], answered(1, &[])),
                sent(2, CLAIM_IF_UNOWNED, &[2, 0], answered(1, &[])),
            ],
            vec![],
            vec![],
        );
        assert_eq!(witness(&served), []);
    }

    #[test]
    fn a_crashed_servers_unexpiring_claim_with_refusals_after_is_a_dead_holder() {
        let terminated = (
            "ticker".to_owned(),
            SessionId(0),
            String::new(),
            vec![],
            Answer::Terminated,
        );
        let served = Served::new(
            [
                sent(0, CLAIM_IF_UNOWNED, &[0, 0], answered(1, &[])),
                terminated,
                sent(1, CLAIM_IF_UNOWNED, &[1, 0], answered(0, &[])),
            ],
            vec![],
            vec![],
        );
        let harms = witness(&served);
        assert_eq!(harms.len(), 1, "{harms:?}");
        assert_eq!(harms[0].name, "a device held by a dead connection");
    }

    #[test]
    fn a_renewed_lease_still_stands() {
        let served = Served::new(
            [
                sent(0, CLAIM_LEASE, &[0, 3, 0, 0], answered(1, &[&[0, 3]])),
                sent(0, RENEW_LEASE, &[5, 0, 0], answered(1, &[&[5]])),
                sent(1, CLAIM_LEASE, &[1, 7, 0, 4], answered(1, &[&[0, 7]])),
            ],
            vec![],
            vec![],
        );
        assert_eq!(witness(&served).len(), 1);
    }
}
