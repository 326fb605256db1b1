//! What a real server answered to a run's statements, and a scheme's *witness*: a
//! judge that reads only those answers and the server's rows, never the model's
//! process state, and names the harm the server itself shows.
//!
//! A counterexample reproduced on a server proves the server answered as the model
//! did. Whether the harm is *on the server* is a separate question: two servers each
//! told "1 row" for one device's claim is harm in the server's answers; a server that
//! kept its connection open after its lease ran out is harm in that process, which
//! no answer can show. A witness tells the two apart, and, run on every statement
//! order of a correct rung, it must find nothing: it is a second judge of the same
//! properties, written from what a database administrator could see.

use super::store::redis::Reply;
use super::store::sql::{SessionId, Value};
use super::RedisCall;

/// A server's answer to one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// It completed: the rows returned and the count reported.
    Rows {
        /// Returned rows, in order.
        rows: Vec<Vec<Value>>,
        /// Rows affected (or returned, for `SELECT`).
        affected: u64,
    },
    /// It failed with this SQLSTATE.
    Error {
        /// The five-character SQLSTATE.
        code: String,
    },
    /// It was still waiting when the run ended.
    Waiting,
    /// Not a statement: the session's backend was terminated here.
    Terminated,
}

impl Answer {
    /// The rows affected, if it completed.
    pub fn affected(&self) -> Option<u64> {
        match self {
            Answer::Rows { affected, .. } => Some(*affected),
            _ => None,
        }
    }

    /// The first returned row, if it completed with one.
    pub fn first_row(&self) -> Option<&[Value]> {
        match self {
            Answer::Rows { rows, .. } => rows.first().map(Vec::as_slice),
            _ => None,
        }
    }
}

/// One statement of a run on a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedStep {
    /// The actor that sent it.
    pub actor: String,
    /// Its session (connection).
    pub session: SessionId,
    /// The SQL text (empty for a terminated backend).
    pub sql: String,
    /// Its parameters `$1…`.
    pub params: Vec<Value>,
    /// What the server answered.
    pub answer: Answer,
    /// Whether its effect is committed at the end: an autocommit statement that
    /// completed, or one inside a transaction whose `COMMIT` completed with no
    /// error before it (an error aborts the transaction).
    pub committed: bool,
}

impl ServedStep {
    /// Parameter `$n` (1-based) as an integer.
    pub fn int(&self, n: usize) -> Option<i64> {
        self.params.get(n - 1).and_then(Value::as_int)
    }
}

/// A table's committed rows, by name.
pub type Tables = Vec<(String, Vec<Vec<Value>>)>;

/// A run as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Served {
    /// Every statement, in the order sent.
    pub steps: Vec<ServedStep>,
    /// The compared tables' committed rows after set-up, before the first statement.
    pub before: Tables,
    /// The same tables' committed rows at the end.
    pub after: Tables,
}

/// A harm a witness found in what the server answered or holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Harm {
    /// A short name, as a harm query's (`"two owners"`).
    pub name: String,
    /// The answers that show it, with their statement numbers.
    pub how: String,
}

impl Harm {
    /// A harm called `name`, shown by `how`.
    pub fn new(name: &str, how: String) -> Harm {
        Harm {
            name: name.to_owned(),
            how,
        }
    }
}

/// Harm names, each once, in the order first met (harm queries and witnesses may
/// name one harm several times).
pub fn distinct_names(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// A scheme's witness: the harms its server's answers and rows show.
pub type Witness = fn(&Served) -> Vec<Harm>;

/// A Redis scheme's witness: the harms the server's replies show, given every command
/// as sent (virtual time, bound arguments) with the server's reply.
pub type RedisWitness = fn(&[(&RedisCall, &Reply)]) -> Vec<Harm>;

impl Served {
    /// A run from its statements (actor, session, text, parameters, answer) and the
    /// tables before and after; works out which statements committed.
    pub fn new(
        steps: impl IntoIterator<Item = (String, SessionId, String, Vec<Value>, Answer)>,
        before: Tables,
        after: Tables,
    ) -> Served {
        let mut steps: Vec<ServedStep> = steps
            .into_iter()
            .map(|(actor, session, sql, params, answer)| ServedStep {
                actor,
                session,
                sql,
                params,
                answer,
                committed: false,
            })
            .collect();
        mark_committed(&mut steps);
        Served {
            steps,
            before,
            after,
        }
    }

    /// `table`'s rows before the first statement (empty if not compared).
    pub fn before(&self, table: &str) -> &[Vec<Value>] {
        find(&self.before, table)
    }

    /// `table`'s committed rows at the end (empty if not compared).
    pub fn after(&self, table: &str) -> &[Vec<Value>] {
        find(&self.after, table)
    }
}

fn find<'a>(tables: &'a Tables, table: &str) -> &'a [Vec<Value>] {
    tables
        .iter()
        .find(|(t, _)| t == table)
        .map_or(&[], |(_, rows)| rows.as_slice())
}

/// Read Committed's commit rule, from the answers alone: per session, statements
/// between `BEGIN` and `COMMIT` commit with the `COMMIT`; an error or a statement
/// still waiting aborts the transaction, as do `ROLLBACK` and a terminated backend.
fn mark_committed(steps: &mut [ServedStep]) {
    use std::collections::BTreeMap;
    // Per session: the open transaction's statements, and whether it is aborted.
    let mut open: BTreeMap<SessionId, (Vec<usize>, bool)> = BTreeMap::new();
    for i in 0..steps.len() {
        let s = &steps[i];
        let completed = matches!(s.answer, Answer::Rows { .. });
        let session = s.session;
        if s.answer == Answer::Terminated || s.sql == "ROLLBACK" {
            open.remove(&session);
        } else if s.sql.starts_with("BEGIN") {
            open.insert(session, (Vec::new(), !completed));
        } else if s.sql == "COMMIT" {
            if let Some((pending, aborted)) = open.remove(&session) {
                if completed && !aborted {
                    for j in pending {
                        steps[j].committed = true;
                    }
                }
            }
        } else if let Some((pending, aborted)) = open.get_mut(&session) {
            pending.push(i);
            *aborted |= !completed;
        } else {
            steps[i].committed = completed;
        }
    }
}

/// Building served runs by hand, for the witnesses' unit tests.
#[cfg(test)]
pub(crate) mod by_hand {
    use super::*;

    /// One statement of session `session` (actor `s{session}`).
    pub fn sent(
        session: u32,
        sql: &str,
        params: &[i64],
        answer: Answer,
    ) -> (String, SessionId, String, Vec<Value>, Answer) {
        (
            format!("s{session}"),
            SessionId(session),
            sql.to_owned(),
            params.iter().map(|&p| Value::Int(p)).collect(),
            answer,
        )
    }

    /// A completed statement that counted `affected` rows and returned `rows`.
    pub fn answered(affected: u64, rows: &[&[i64]]) -> Answer {
        Answer::Rows {
            rows: rows
                .iter()
                .map(|r| r.iter().map(|&v| Value::Int(v)).collect())
                .collect(),
            affected,
        }
    }

    /// One table of integer rows.
    pub fn table(name: &str, rows: &[&[i64]]) -> Tables {
        let rows = rows
            .iter()
            .map(|r| r.iter().map(|&v| Value::Int(v)).collect())
            .collect();
        vec![(name.to_owned(), rows)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(affected: u64) -> Answer {
        by_hand::answered(affected, &[])
    }

    fn step(
        session: u32,
        sql: &str,
        answer: Answer,
    ) -> (String, SessionId, String, Vec<Value>, Answer) {
        (
            format!("s{session}"),
            SessionId(session),
            sql.to_owned(),
            vec![],
            answer,
        )
    }

    fn committed(served: &Served) -> Vec<bool> {
        served.steps.iter().map(|s| s.committed).collect()
    }

    #[test]
    fn autocommit_statements_commit_when_they_complete() {
        let served = Served::new(
            [
                step(0, "UPDATE t", rows(1)),
                step(
                    1,
                    "UPDATE t",
                    Answer::Error {
                        code: "23505".into(),
                    },
                ),
                step(1, "UPDATE t", Answer::Waiting),
            ],
            vec![],
            vec![],
        );
        assert_eq!(committed(&served), [true, false, false]);
    }

    #[test]
    fn a_transaction_commits_with_its_commit_and_only_if_nothing_failed() {
        let served = Served::new(
            [
                step(0, "BEGIN", rows(0)),
                step(1, "BEGIN ISOLATION LEVEL REPEATABLE READ", rows(0)),
                step(0, "UPDATE a", rows(1)),
                step(1, "UPDATE b", rows(1)),
                step(
                    1,
                    "UPDATE c",
                    Answer::Error {
                        code: "40P01".into(),
                    },
                ),
                step(0, "COMMIT", rows(0)),
                // PostgreSQL answers COMMIT of an aborted transaction with ROLLBACK.
                step(1, "COMMIT", rows(0)),
            ],
            vec![],
            vec![],
        );
        assert_eq!(
            committed(&served),
            [false, false, true, false, false, false, false]
        );
    }

    #[test]
    fn rollback_a_terminated_backend_and_a_missing_commit_commit_nothing() {
        let served = Served::new(
            [
                step(0, "BEGIN", rows(0)),
                step(0, "UPDATE a", rows(1)),
                step(0, "ROLLBACK", rows(0)),
                step(1, "BEGIN", rows(0)),
                step(1, "UPDATE a", rows(1)),
                (
                    "s1".into(),
                    SessionId(1),
                    String::new(),
                    vec![],
                    Answer::Terminated,
                ),
                step(2, "BEGIN", rows(0)),
                step(2, "UPDATE a", rows(1)),
            ],
            vec![],
            vec![],
        );
        assert!(committed(&served).iter().all(|c| !c));
    }
}
