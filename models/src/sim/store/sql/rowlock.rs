//! Locking one row the way PostgreSQL's executor does: wait for conflicting holders
//! in tuple-lock queue order, and at Read Committed follow a concurrent update to the
//! newest version and re-check the `WHERE` there (EvalPlanQual).

use super::error::{sqlstate, SqlError};
use super::eval::Env;
use super::heap::{RowState, Table, Tid};
use super::mvcc::{Snapshot, Txns};
use super::plan::{Expr, Isolation, Strength, WaitPolicy};
use super::session::{Edge, Session, Wait};
use super::value::Value;
use super::SessionId;

/// Everything a statement executes against: its table, the transaction statuses, the
/// other sessions (for the lock queue), its snapshot and parameters.
pub(crate) struct Cx<'a> {
    pub table_name: &'a str,
    pub table: &'a mut Table,
    pub txns: &'a Txns,
    pub sessions: &'a [Session],
    pub me: SessionId,
    pub snap: Snapshot,
    pub iso: Isolation,
    pub params: &'a [Value],
}

/// What a statement waits for when it stops.
#[derive(Debug)]
pub(crate) struct BlockedOn {
    pub tuple: Option<Tid>,
    pub edges: Vec<Edge>,
}

/// How far a statement got.
#[derive(Debug)]
pub(crate) enum Flow {
    Done,
    Blocked(BlockedOn),
}

/// The outcome of trying to lock one candidate row.
pub(crate) enum Lock {
    /// Locked-or-free to write: this version (the newest, if an update was followed).
    Got(Tid),
    /// Not taken: deleted, no longer matching, or skipped (`SKIP LOCKED`).
    Skip,
    Blocked(BlockedOn),
}

pub(crate) fn serialization_failure(what: &str) -> SqlError {
    SqlError::new(
        sqlstate::SERIALIZATION_FAILURE,
        format!("could not serialize access due to concurrent {what}"),
    )
}

impl Cx<'_> {
    /// An expression environment over `row` of this table.
    pub(crate) fn env<'r>(&'r self, row: &'r [Value]) -> Env<'r> {
        Env {
            table: self.table_name,
            columns: &self.table.def.columns,
            row,
            params: self.params,
            excluded: None,
        }
    }

    /// The earliest other session queued for `tid`'s row lock ahead of us. A session
    /// not yet queued only queues when the row is busy; when it is free it goes ahead
    /// (PostgreSQL takes the tuple lock only on conflict).
    fn queue_ahead(&self, wait: Option<&Wait>, tid: Tid, busy: bool) -> Option<SessionId> {
        let on_tid = |w: &Wait| {
            w.tuple
                .as_ref()
                .is_some_and(|(n, t)| n == self.table_name && *t == tid)
        };
        let mine = wait.filter(|w| on_tid(w)).map(|w| w.queued);
        if mine.is_none() && !busy {
            return None;
        }
        self.sessions
            .iter()
            .enumerate()
            .filter(|(i, _)| *i as u32 != self.me.0)
            .filter_map(|(i, s)| {
                let p = s.pending.as_ref().filter(|p| p.victim.is_none())?;
                let w = p.wait.as_ref().filter(|w| on_tid(w))?;
                mine.is_none_or(|m| w.queued < m).then_some((w.queued, i))
            })
            .min()
            .map(|(_, i)| SessionId(i as u32))
    }

    fn must_wait(&self, policy: WaitPolicy, tid: Tid, edges: Vec<Edge>) -> Result<Lock, SqlError> {
        match policy {
            WaitPolicy::SkipLocked => Ok(Lock::Skip),
            WaitPolicy::NoWait => Err(SqlError::new(
                sqlstate::LOCK_NOT_AVAILABLE,
                format!(
                    "could not obtain lock on row in relation \"{}\"",
                    self.table_name
                ),
            )),
            WaitPolicy::Wait => Ok(Lock::Blocked(BlockedOn {
                tuple: Some(tid),
                edges,
            })),
        }
    }

    /// Tries to lock candidate `tid` (a version the statement's snapshot saw match)
    /// with `want`. At Read Committed a committed concurrent update is followed to the
    /// newest version, which must still satisfy `recheck`; at Repeatable Read it is a
    /// serialization failure.
    pub(crate) fn lock_row(
        &self,
        wait: Option<&Wait>,
        tid: Tid,
        want: Strength,
        policy: WaitPolicy,
        recheck: Option<&Expr>,
    ) -> Result<Lock, SqlError> {
        let mut cur = tid;
        let mut moved = false;
        loop {
            match self.table.row_state(self.txns, cur, self.snap.me, want) {
                RowState::Updated(next) => {
                    if self.iso == Isolation::RepeatableRead {
                        return Err(serialization_failure("update"));
                    }
                    cur = next;
                    moved = true;
                }
                RowState::Deleted => {
                    if self.iso == Isolation::RepeatableRead {
                        return Err(serialization_failure("delete"));
                    }
                    return Ok(Lock::Skip);
                }
                RowState::Busy(holders) => {
                    let edges = match self.queue_ahead(wait, cur, true) {
                        Some(s) => vec![Edge::Queue(s)],
                        None => holders.into_iter().map(Edge::Txn).collect(),
                    };
                    return self.must_wait(policy, cur, edges);
                }
                RowState::Free => {
                    if let Some(s) = self.queue_ahead(wait, cur, false) {
                        return self.must_wait(policy, cur, vec![Edge::Queue(s)]);
                    }
                    if moved && !self.env(&self.table.tuples[&cur].values).matches(recheck)? {
                        return Ok(Lock::Skip);
                    }
                    return Ok(Lock::Got(cur));
                }
            }
        }
    }
}
