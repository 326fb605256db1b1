//! Per-connection state: the transaction block and a statement left waiting.

use std::fmt;

use super::error::SqlError;
use super::heap::Tid;
use super::mvcc::Xid;
use super::plan::Isolation;
use super::value::Value;

/// A connection to the [`Db`](super::Db), from [`Db::session`](super::Db::session).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionId(pub u32);

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "session {}", self.0)
    }
}

/// The session's transaction, as PostgreSQL's transaction block states.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Block {
    /// No transaction: the next statement autocommits.
    Idle,
    /// In a transaction (`explicit`: opened by `BEGIN`; otherwise the implicit one of a
    /// statement still waiting).
    Txn(TxnCtx),
    /// An error aborted the transaction block; only `ROLLBACK`/`COMMIT` end it.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct TxnCtx {
    pub xid: Xid,
    pub explicit: bool,
    pub iso: Isolation,
    /// Repeatable Read: the snapshot of the first statement.
    pub snapshot: Option<u64>,
}

/// Whom a waiting statement waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Edge {
    /// The transaction holding the row or key (the edge ends when it ends).
    Txn(Xid),
    /// A session queued earlier for the same row lock (PostgreSQL's tuple lock).
    Queue(super::SessionId),
}

/// A blocked statement's wait, for the tuple-lock queue and the deadlock detector.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Wait {
    /// The tuple whose row lock it queues for (`None`: waits on a key's transaction).
    pub tuple: Option<(String, Tid)>,
    /// When it joined the tuple's queue (orders the queue).
    pub queued: u64,
    /// When its current wait began (the earliest waiter's deadlock check fires first).
    pub since: u64,
    pub edges: Vec<Edge>,
}

/// A statement that blocked part-way: PostgreSQL keeps its snapshot, the rows it
/// already processed and its place in the scan; so does the model.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Pending {
    /// The statement's text, recorded when it blocks (a re-issue must match).
    pub sql: String,
    pub snapshot: u64,
    /// Candidate tuples (visible to the snapshot and matching, in processing order);
    /// for `INSERT`, unused.
    pub cands: Vec<Tid>,
    /// Next candidate (or `VALUES` row) to process.
    pub cursor: usize,
    /// Rows returned so far.
    pub rows: Vec<Vec<Value>>,
    pub affected: u64,
    /// Tuples this statement wrote (`ON CONFLICT DO UPDATE` may not touch one twice).
    pub written: Vec<Tid>,
    /// Whether the candidates were collected yet.
    pub started: bool,
    pub wait: Option<Wait>,
    /// Set when the session was chosen as a deadlock victim: the error to report.
    pub victim: Option<SqlError>,
}

impl Pending {
    /// A fresh statement state (no allocation until it blocks or returns rows).
    pub(crate) fn new(snapshot: u64) -> Pending {
        Pending {
            sql: String::new(),
            snapshot,
            cands: Vec::new(),
            cursor: 0,
            rows: Vec::new(),
            affected: 0,
            written: Vec::new(),
            started: false,
            wait: None,
            victim: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Session {
    pub block: Block,
    pub pending: Option<Pending>,
    pub closed: bool,
}
