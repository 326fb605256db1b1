//! Transaction ids, commit order and snapshot visibility (PostgreSQL's MVCC, reduced).
//!
//! A snapshot is the commit sequence number (CSN) current when it was taken: a
//! transaction's writes are visible to it iff the transaction committed with a CSN at
//! or below it. Aborted transactions are cleaned out of the heap at once, so the table
//! of statuses only holds in-progress and committed transactions.

use std::collections::BTreeMap;

use super::heap::Tuple;
use super::SessionId;

/// A transaction id. [`FROZEN`] marks rows committed before every live snapshot.
pub(crate) type Xid = u32;

/// The xid of rows whose inserting transaction every snapshot sees.
pub(crate) const FROZEN: Xid = 0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum TxnStatus {
    /// Running in this session.
    InProgress(SessionId),
    /// Committed with this commit sequence number.
    Committed(u64),
}

/// What a statement sees: commits up to `csn`, and its own transaction's writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Snapshot {
    pub csn: u64,
    pub me: Xid,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub(crate) struct Txns {
    pub(crate) status: BTreeMap<Xid, TxnStatus>,
    pub(crate) last_xid: Xid,
    /// The CSN of the latest commit.
    pub csn: u64,
}

impl Txns {
    /// Starts a transaction for `session`.
    pub(crate) fn begin(&mut self, session: SessionId) -> Xid {
        self.last_xid += 1;
        self.status
            .insert(self.last_xid, TxnStatus::InProgress(session));
        self.last_xid
    }

    pub(crate) fn commit(&mut self, xid: Xid) {
        self.csn += 1;
        self.status.insert(xid, TxnStatus::Committed(self.csn));
    }

    pub(crate) fn forget(&mut self, xid: Xid) {
        self.status.remove(&xid);
    }

    /// A snapshot taken now, for transaction `me`.
    pub(crate) fn snapshot(&self, me: Xid) -> Snapshot {
        Snapshot { csn: self.csn, me }
    }

    /// The session running `xid`, if it is still in progress.
    pub(crate) fn in_progress(&self, xid: Xid) -> Option<SessionId> {
        match self.status.get(&xid) {
            Some(TxnStatus::InProgress(s)) => Some(*s),
            _ => None,
        }
    }

    /// The CSN `xid` committed with (frozen rows: 0).
    pub(crate) fn committed(&self, xid: Xid) -> Option<u64> {
        if xid == FROZEN {
            return Some(0);
        }
        match self.status.get(&xid) {
            Some(TxnStatus::Committed(c)) => Some(*c),
            _ => None,
        }
    }

    fn seen_by(&self, xid: Xid, snap: Snapshot) -> bool {
        xid == snap.me || self.committed(xid).is_some_and(|c| c <= snap.csn)
    }

    /// Whether `t` is the version of its row that `snap` sees.
    pub(crate) fn visible(&self, t: &Tuple, snap: Snapshot) -> bool {
        self.seen_by(t.xmin, snap) && !t.xmax.is_some_and(|x| self.seen_by(x, snap))
    }

    /// Committed xids no tuple mentions any more can be dropped.
    pub(crate) fn retain_committed(&mut self, mut referenced: impl FnMut(Xid) -> bool) {
        self.status
            .retain(|x, s| matches!(s, TxnStatus::InProgress(_)) || referenced(*x));
    }
}
