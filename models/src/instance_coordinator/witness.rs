//! The shop's witness: what the server's own answers show of its harms, read
//! without the model's lease bookkeeping (see [`crate::sim::served`]).
//!
//! - *A lock deleted by a non-holder*: the server tells each instance what the lock
//!   row holds (`SELECT`) and which row it inserted; a `DELETE` that removed a row
//!   the deleting instance neither inserted nor read — another instance's lease,
//!   taken since — took that instance's lock away while it held it. Deleting a row
//!   it read as expired is the sweep doing its job; whether it *was* expired is the
//!   instance's clock, which the server never sees.
//! - *A torn profile*: a balance and a pet list read in two autocommit statements
//!   whose sum (balance + prices paid) is not the initial balance, which every
//!   committed state keeps — so no commit held what the page shows.

use std::collections::BTreeMap;

use crate::sim::served::{Harm, Served, ServedStep};
use crate::sim::store::sql::{SessionId, Value};

use super::statements::locks::{
    decode, ACQUIRE_LEASE, DELETE_LOCK, INSERT_LOCK, RELEASE_BY_HOLDER, RELEASE_BY_TOKEN,
    SELECT_LOCK,
};
use super::statements::shop::{SELECT_BALANCE, SELECT_PETS};
use super::statements::BEGIN_SNAPSHOT;

/// Who put the lock row there: an instance (its actor name), or the set-up.
#[derive(Clone)]
struct Held {
    by: Option<(SessionId, String)>,
    token: u64,
}

/// The shop's [`Witness`](crate::sim::Witness).
pub fn witness(served: &Served) -> Vec<Harm> {
    let mut harms = deleted_by_non_holders(served);
    harms.extend(torn_profiles(served));
    harms
}

fn deleted_by_non_holders(served: &Served) -> Vec<Harm> {
    let mut harms = Vec::new();
    // locks (key, holder, token, expires_at): the committed row, per key.
    let mut row: BTreeMap<String, Held> = served
        .before("locks")
        .iter()
        .filter_map(|r| {
            let token = decode(r.get(1..)?)?.token;
            Some((r.first()?.to_string(), Held { by: None, token }))
        })
        .collect();
    let mut read: BTreeMap<(SessionId, String), u64> = BTreeMap::new();
    for (i, step) in served.steps.iter().enumerate() {
        let Some(key) = step.params.first().map(ToString::to_string) else {
            continue;
        };
        let sql = step.sql.as_str();
        if sql == SELECT_LOCK {
            if let Some(held) = step.answer.first_row().and_then(decode) {
                read.insert((step.session, key), held.token);
            }
        } else if (sql == INSERT_LOCK || sql == ACQUIRE_LEASE) && granted(step) {
            let by = Some((step.session, step.actor.clone()));
            if let Some(token) = step.int(3).and_then(|t| u64::try_from(t).ok()) {
                row.insert(key, Held { by, token });
            }
        } else if [DELETE_LOCK, RELEASE_BY_HOLDER, RELEASE_BY_TOKEN].contains(&sql)
            && step.committed
            && step.answer.affected() == Some(1)
        {
            let Some(gone) = row.remove(&key) else {
                continue;
            };
            let mine = gone.by.as_ref().is_some_and(|(s, _)| *s == step.session);
            let seen = read.get(&(step.session, key.clone())) == Some(&gone.token);
            if !mine && !seen {
                let whose = gone
                    .by
                    .as_ref()
                    .map_or_else(|| "the set-up's".to_owned(), |(_, a)| format!("{a}'s"));
                harms.push(Harm::new(
                    "a lock deleted by a non-holder",
                    format!(
                        "{}'s DELETE (statement {i}) removed {whose} lock on {key} (token {}), \
                         a row it had neither inserted nor read",
                        step.actor, gone.token
                    ),
                ));
            }
        }
    }
    harms
}

/// Whether an acquire took the row: an insert counted one row, the fenced acquire
/// returned its token; either way only once committed.
fn granted(step: &ServedStep) -> bool {
    step.committed && step.answer.affected() == Some(1)
}

fn torn_profiles(served: &Served) -> Vec<Harm> {
    let Some(initial) = served
        .before("users")
        .first()
        .and_then(|r| r.get(1))
        .and_then(Value::as_int)
    else {
        return Vec::new();
    };
    let mut harms = Vec::new();
    let mut in_snapshot: BTreeMap<SessionId, bool> = BTreeMap::new();
    let mut balance_read: BTreeMap<SessionId, (usize, i64)> = BTreeMap::new();
    for (i, step) in served.steps.iter().enumerate() {
        let snapshot = in_snapshot.entry(step.session).or_default();
        match step.sql.as_str() {
            BEGIN_SNAPSHOT => *snapshot = true,
            "COMMIT" | "ROLLBACK" => *snapshot = false,
            SELECT_BALANCE if !*snapshot => {
                if let Some(b) = step
                    .answer
                    .first_row()
                    .and_then(|r| r.first())
                    .and_then(Value::as_int)
                {
                    balance_read.insert(step.session, (i, b));
                }
            }
            SELECT_PETS if !*snapshot => {
                let Some((at, balance)) = balance_read.remove(&step.session) else {
                    continue;
                };
                let Some(r) = step.answer.first_row() else {
                    continue;
                };
                let (pets, paid) = (
                    r.first().and_then(Value::as_int),
                    r.get(1).and_then(Value::as_int),
                );
                let paid = paid.unwrap_or(0);
                if balance + paid != initial {
                    harms.push(Harm::new(
                        "a torn profile",
                        format!(
                            "{} read balance {balance} (statement {at}) and {} pet(s) costing \
                             {paid} (statement {i}): every commit keeps the sum at {initial}",
                            step.actor,
                            pets.unwrap_or(0)
                        ),
                    ));
                }
            }
            _ => {}
        }
    }
    harms
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::served::by_hand::{answered, sent};
    use crate::sim::served::Answer;
    use crate::sim::store::sql::Value;

    fn key() -> Value {
        Value::Text("k".into())
    }

    /// `sent` with the lock key as `$1`.
    fn on_key(
        session: u32,
        sql: &str,
        rest: &[i64],
        answer: Answer,
    ) -> (String, SessionId, String, Vec<Value>, Answer) {
        let mut s = sent(session, sql, rest, answer);
        s.3.insert(0, key());
        s
    }

    fn lock_row(holder: i64, token: i64, expires: i64) -> Answer {
        answered(1, &[&[holder, token, expires]])
    }

    #[test]
    fn a_sweep_of_a_row_it_never_read_deletes_a_holders_lock() {
        let served = Served::new(
            [
                on_key(0, SELECT_LOCK, &[], lock_row(9, 1, 0)),
                on_key(1, SELECT_LOCK, &[], lock_row(9, 1, 0)),
                on_key(0, DELETE_LOCK, &[], answered(1, &[])),
                on_key(0, INSERT_LOCK, &[0, 2, 3], answered(1, &[])),
                // s1 read token 1, deletes s0's token 2.
                on_key(1, DELETE_LOCK, &[], answered(1, &[])),
            ],
            vec![(
                "locks".into(),
                vec![vec![key(), Value::Int(9), Value::Int(1), Value::Int(0)]],
            )],
            vec![],
        );
        let harms = witness(&served);
        assert_eq!(harms.len(), 1, "{harms:?}");
        assert!(harms[0].how.contains("s0's lock"), "{}", harms[0].how);
    }

    #[test]
    fn releasing_its_own_row_and_sweeping_a_row_it_read_are_fine() {
        let served = Served::new(
            [
                on_key(0, SELECT_LOCK, &[], lock_row(9, 1, 0)),
                on_key(0, DELETE_LOCK, &[], answered(1, &[])),
                on_key(0, INSERT_LOCK, &[0, 2, 3], answered(1, &[])),
                on_key(0, RELEASE_BY_TOKEN, &[2], answered(1, &[])),
            ],
            vec![(
                "locks".into(),
                vec![vec![key(), Value::Int(9), Value::Int(1), Value::Int(0)]],
            )],
            vec![],
        );
        assert_eq!(witness(&served), []);
    }

    #[test]
    fn a_balance_and_pets_from_two_commits_are_a_torn_profile() {
        let users = vec![(
            "users".to_owned(),
            vec![vec![Value::Int(1), Value::Int(100)]],
        )];
        let torn = Served::new(
            [
                sent(5, SELECT_BALANCE, &[1], answered(1, &[&[100]])),
                sent(5, SELECT_PETS, &[1, 7], answered(1, &[&[1, 50]])),
            ],
            users.clone(),
            vec![],
        );
        assert_eq!(witness(&torn)[0].name, "a torn profile");
        let whole = Served::new(
            [
                sent(5, SELECT_BALANCE, &[1], answered(1, &[&[50]])),
                sent(5, SELECT_PETS, &[1, 7], answered(1, &[&[1, 50]])),
            ],
            users,
            vec![],
        );
        assert_eq!(witness(&whole), []);
    }
}
