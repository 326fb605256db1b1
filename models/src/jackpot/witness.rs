//! The jackpot service's witness: what the server's own answers show of its harms,
//! read without the model's ledger (see [`crate::sim::served`]).
//!
//! - *An acknowledged change lost*: every change the server acknowledged (a
//!   relative `amount ± $1`, or an absolute `amount = $1` the sender computed from
//!   the amount it last read) that committed, summed per pool, against how far the
//!   pool's row moved.
//! - *A version not advanced*: each acknowledged update that bumps the version
//!   moves it by one, so a pool's version at the end is its version at the start
//!   plus their count.
//! - *A contribution refused*: a sender whose last compare-and-set the server
//!   answered with 0 rows gave up on it.
//! - *A batch aborted*: the server answered `40P01` (deadlock detected) and rolled
//!   the batch back.

use std::collections::BTreeMap;

use crate::sim::served::{Answer, Harm, Served, ServedStep};
use crate::sim::store::sql::sqlstate;
use crate::sim::store::sql::{SessionId, Value};

use super::statements::decode_pool;
use super::statements::{
    ADD, COMPARE_AND_SET, GUARDED_DECREMENT, LOCK_POOL, READ_POOL, RESET, SUBTRACT, WRITE_AMOUNT,
    WRITE_UNVERSIONED,
};
use super::world::{group, PoolRow};

/// How an acknowledged update changes a pool's amount.
enum Change {
    /// By `$1`, whatever the row held.
    By(i64),
    /// To `$1`: by that minus what the sender last read, if it read.
    To(i64),
}

/// The pool an update writes (`$2` of every update) and how.
fn change(step: &ServedStep) -> Option<(i64, Change, bool)> {
    let (pool, v) = (step.int(2)?, step.int(1)?);
    let sql = step.sql.as_str();
    let bumps_version = sql != WRITE_AMOUNT;
    let change = match sql {
        ADD => Change::By(v),
        SUBTRACT | GUARDED_DECREMENT => Change::By(-v),
        WRITE_AMOUNT | COMPARE_AND_SET | WRITE_UNVERSIONED | RESET => Change::To(v),
        _ => return None,
    };
    Some((pool, change, bumps_version))
}

/// Each pool's row in `rows` of `jackpots (id, amount, version)`.
fn pools(rows: &[Vec<Value>]) -> BTreeMap<i64, PoolRow> {
    rows.iter()
        .filter_map(|r| Some((r.first()?.as_int()?, decode_pool(r.get(1..)?)?)))
        .collect()
}

/// Per pool: the changes the server acknowledged and committed, with their
/// statement numbers (`None`: one was an absolute write whose sender never read
/// the pool, so what it meant to change is unknown), and the version bumps.
#[derive(Default)]
struct Acknowledged {
    changes: Option<Vec<(usize, i64)>>,
    bumps: u64,
}

/// The jackpot scheme's [`Witness`](crate::sim::Witness).
pub fn witness(served: &Served) -> Vec<Harm> {
    let mut harms = Vec::new();
    let mut last_read: BTreeMap<(SessionId, i64), i64> = BTreeMap::new();
    let mut acked: BTreeMap<i64, Acknowledged> = BTreeMap::new();
    let mut last_cas: BTreeMap<SessionId, (usize, &ServedStep)> = BTreeMap::new();
    for (i, step) in served.steps.iter().enumerate() {
        if let Answer::Error { code } = &step.answer {
            if code == sqlstate::DEADLOCK_DETECTED {
                harms.push(Harm::new(
                    "a batch aborted",
                    format!(
                        "{}'s statement {i} was answered 40P01 (deadlock detected): \
                         the server rolled its batch back",
                        step.actor
                    ),
                ));
            }
        }
        if step.sql == READ_POOL || step.sql == LOCK_POOL {
            if let (Some(pool), Some(read)) =
                (step.int(1), step.answer.first_row().and_then(decode_pool))
            {
                last_read.insert((step.session, pool), read.amount);
            }
            continue;
        }
        if step.sql == COMPARE_AND_SET {
            last_cas.insert(step.session, (i, step));
        }
        let Some((pool, change, bumps)) = change(step) else {
            continue;
        };
        if !step.committed || step.answer.affected() != Some(1) {
            continue;
        }
        let entry = acked.entry(pool).or_insert_with(|| Acknowledged {
            changes: Some(Vec::new()),
            bumps: 0,
        });
        entry.bumps += u64::from(bumps);
        let delta = match change {
            Change::By(d) => Some(d),
            Change::To(to) => last_read.get(&(step.session, pool)).map(|read| to - read),
        };
        match (delta, &mut entry.changes) {
            (Some(d), Some(changes)) => changes.push((i, d)),
            _ => entry.changes = None,
        }
    }
    for (i, cas) in last_cas.values() {
        if cas.answer.affected() == Some(0) {
            harms.push(Harm::new(
                "a contribution refused",
                format!(
                    "{}'s last compare-and-set (statement {i}) was answered 0 rows: \
                     it gave up",
                    cas.actor
                ),
            ));
        }
    }
    let (before, after) = (
        pools(served.before("jackpots")),
        pools(served.after("jackpots")),
    );
    for (pool, a) in &acked {
        let (Some(b), Some(e)) = (before.get(pool), after.get(pool)) else {
            continue;
        };
        let ((from, v0), (to, v1)) = ((b.amount, b.version), (e.amount, e.version));
        let name = usize::try_from(*pool).map_or("a", group);
        if let Some(changes) = &a.changes {
            let sum: i64 = changes.iter().map(|(_, d)| d).sum();
            if from + sum != to {
                let listed: Vec<String> = changes
                    .iter()
                    .map(|(i, d)| format!("{d:+} (statement {i})"))
                    .collect();
                harms.push(Harm::new(
                    "an acknowledged change lost",
                    format!(
                        "the server acknowledged {} to the {name} pool ({from} → {}), \
                         but it holds {to}",
                        listed.join(", "),
                        from + sum
                    ),
                ));
            }
        }
        if a.bumps > 0 && v1 != v0 + a.bumps {
            harms.push(Harm::new(
                "a version not advanced",
                format!(
                    "the {name} pool is at version {v1} after {} acknowledged versioned \
                     update(s) from version {v0}",
                    a.bumps
                ),
            ));
        }
    }
    harms
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::served::by_hand::{answered, sent, table};

    fn pools(amount: i64, version: i64) -> crate::sim::served::Tables {
        table("jackpots", &[&[0, amount, version]])
    }

    fn names(harms: &[Harm]) -> Vec<&str> {
        harms.iter().map(|h| h.name.as_str()).collect()
    }

    #[test]
    fn two_writes_from_one_read_lose_an_acknowledged_change() {
        let served = Served::new(
            [
                sent(0, READ_POOL, &[0], answered(1, &[&[100, 1]])),
                sent(1, READ_POOL, &[0], answered(1, &[&[100, 1]])),
                sent(0, WRITE_AMOUNT, &[20, 0], answered(1, &[])),
                sent(1, WRITE_AMOUNT, &[20, 0], answered(1, &[])),
            ],
            pools(100, 1),
            pools(20, 1),
        );
        let harms = witness(&served);
        assert_eq!(names(&harms), ["an acknowledged change lost"]);
        assert!(harms[0]
            .how
            .contains("-80 (statement 2), -80 (statement 3)"));
    }

    #[test]
    fn a_refused_then_retried_compare_and_set_shows_nothing() {
        let served = Served::new(
            [
                sent(0, READ_POOL, &[0], answered(1, &[&[100, 1]])),
                sent(1, READ_POOL, &[0], answered(1, &[&[100, 1]])),
                sent(0, COMPARE_AND_SET, &[110, 0, 1], answered(1, &[])),
                sent(1, COMPARE_AND_SET, &[110, 0, 1], answered(0, &[])),
                sent(1, READ_POOL, &[0], answered(1, &[&[110, 2]])),
                sent(1, COMPARE_AND_SET, &[120, 0, 2], answered(1, &[])),
            ],
            pools(100, 1),
            pools(120, 3),
        );
        assert_eq!(witness(&served), []);
    }

    #[test]
    fn a_last_refusal_a_deadlock_victim_and_a_reset_version_are_seen() {
        let served = Served::new(
            [
                sent(0, READ_POOL, &[0], answered(1, &[&[100, 1]])),
                sent(0, COMPARE_AND_SET, &[110, 0, 0], answered(0, &[])),
                sent(1, "BEGIN", &[], answered(0, &[])),
                sent(
                    1,
                    ADD,
                    &[10, 0],
                    Answer::Error {
                        code: "40P01".into(),
                    },
                ),
                sent(1, "ROLLBACK", &[], answered(0, &[])),
                sent(2, RESET, &[20, 0], answered(1, &[])),
            ],
            pools(100, 1),
            pools(20, 1),
        );
        assert_eq!(
            names(&witness(&served)),
            [
                "a batch aborted",
                "a contribution refused",
                "a version not advanced"
            ]
        );
    }
}
