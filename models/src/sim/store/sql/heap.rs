//! A table's storage: every row version (tuple) with its inserting and deleting
//! transactions, the update chain, and row locks — the state PostgreSQL keeps in a heap.

use std::collections::BTreeMap;

use super::mvcc::{Snapshot, Txns, Xid};
use super::plan::{Strength, TableDef, UniqueDef};
use super::value::Value;

/// A tuple's position. Allocated in increasing order, so a scan in `Tid` order is
/// PostgreSQL's sequential-scan order: new and updated versions come last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Tid(pub u32);

/// One version of a row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Tuple {
    pub values: Vec<Value>,
    /// The transaction that wrote this version.
    pub xmin: Xid,
    /// The transaction that deleted it or replaced it by `next` (not a mere lock).
    pub xmax: Option<Xid>,
    /// The newer version written by `xmax` (`None` with `xmax`: a delete).
    pub next: Option<Tid>,
    /// Row locks (`FOR SHARE`/`FOR UPDATE`) held by in-progress transactions.
    pub lockers: Vec<(Xid, Strength)>,
}

/// What a transaction wanting to lock or write a tuple finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RowState {
    /// It may go ahead.
    Free,
    /// Another in-progress transaction writes or holds a conflicting lock on it.
    Busy(Vec<Xid>),
    /// A transaction that committed replaced it by this newer version.
    Updated(Tid),
    /// A transaction that committed deleted it.
    Deleted,
}

/// What the unique index says about a key (PostgreSQL's dirty-snapshot check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyCheck {
    Free,
    /// A transaction still in progress is inserting or deleting a tuple with this key:
    /// wait for it, then check again.
    Wait(Xid),
    /// A live tuple has this key.
    Conflict(Tid),
}

/// A table: its definition and every tuple.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Table {
    pub def: TableDef,
    pub tuples: BTreeMap<Tid, Tuple>,
    pub(crate) next_tid: u32,
}

impl Table {
    pub(crate) fn new(def: TableDef) -> Table {
        Table {
            def,
            tuples: BTreeMap::new(),
            next_tid: 0,
        }
    }

    /// Appends a version written by `xmin`.
    pub(crate) fn push(&mut self, values: Vec<Value>, xmin: Xid) -> Tid {
        let tid = Tid(self.next_tid);
        self.next_tid += 1;
        self.tuples.insert(
            tid,
            Tuple {
                values,
                xmin,
                xmax: None,
                next: None,
                lockers: Vec::new(),
            },
        );
        tid
    }

    /// Tuples visible to `snap`, in scan order.
    pub(crate) fn visible<'a>(
        &'a self,
        txns: &'a Txns,
        snap: Snapshot,
    ) -> impl Iterator<Item = (Tid, &'a Tuple)> + 'a {
        self.tuples
            .iter()
            .filter(move |(_, t)| txns.visible(t, snap))
            .map(|(tid, t)| (*tid, t))
    }

    /// Whether `me` may lock or write `tid` with `want`, or what stands in the way.
    pub(crate) fn row_state(&self, txns: &Txns, tid: Tid, me: Xid, want: Strength) -> RowState {
        let t = &self.tuples[&tid];
        if let Some(x) = t.xmax.filter(|x| *x != me) {
            if txns.in_progress(x).is_some() {
                return RowState::Busy(vec![x]);
            }
            return match t.next {
                Some(next) => RowState::Updated(next),
                None => RowState::Deleted,
            };
        }
        let holders: Vec<Xid> = t
            .lockers
            .iter()
            .filter(|(x, s)| *x != me && s.conflicts(want))
            .map(|(x, _)| *x)
            .collect();
        if holders.is_empty() {
            RowState::Free
        } else {
            RowState::Busy(holders)
        }
    }

    /// Records `me`'s row lock on `tid` (upgrading a share lock, never downgrading).
    pub(crate) fn lock(&mut self, tid: Tid, me: Xid, strength: Strength) {
        let t = self.tuples.get_mut(&tid).expect("locked tuple exists");
        match t.lockers.iter_mut().find(|(x, _)| *x == me) {
            Some(entry) => entry.1 = entry.1.max(strength),
            None => t.lockers.push((me, strength)),
        }
    }

    /// Checks `values`' key under `u` against every tuple but `skip` (the version
    /// being replaced), as the unique index does: live tuples conflict, tuples being
    /// inserted or deleted by another in-progress transaction must be waited for,
    /// dead ones are ignored. A `NULL` in the key never conflicts.
    pub(crate) fn check_unique(
        &self,
        txns: &Txns,
        u: &UniqueDef,
        values: &[Value],
        me: Xid,
        skip: Option<Tid>,
    ) -> KeyCheck {
        if u.columns.iter().any(|&c| values[c].is_null()) {
            return KeyCheck::Free;
        }
        for (tid, t) in &self.tuples {
            if Some(*tid) == skip || !u.columns.iter().all(|&c| t.values[c] == values[c]) {
                continue;
            }
            if t.xmin != me {
                if txns.in_progress(t.xmin).is_some() {
                    return KeyCheck::Wait(t.xmin);
                }
                if txns.committed(t.xmin).is_none() {
                    continue;
                }
            }
            match t.xmax {
                None => return KeyCheck::Conflict(*tid),
                Some(x) if x == me => continue,
                Some(x) if txns.in_progress(x).is_some() => return KeyCheck::Wait(x),
                Some(_) => continue,
            }
        }
        KeyCheck::Free
    }

    /// Undoes an aborted transaction: its versions vanish, rows it replaced or deleted
    /// come back, its locks go.
    pub(crate) fn abort(&mut self, xid: Xid) {
        self.tuples.retain(|_, t| t.xmin != xid);
        for t in self.tuples.values_mut() {
            if t.xmax == Some(xid) {
                t.xmax = None;
                t.next = None;
            }
            t.lockers.retain(|(x, _)| *x != xid);
        }
    }

    /// A committed transaction's row locks are released.
    pub(crate) fn release_locks(&mut self, xid: Xid) {
        for t in self.tuples.values_mut() {
            t.lockers.retain(|(x, _)| *x != xid);
        }
    }

    /// Drops versions no snapshot at or after `horizon` can see, and freezes rows every
    /// such snapshot sees, so equal contents make equal states.
    pub(crate) fn vacuum(&mut self, txns: &Txns, horizon: u64) {
        let old = |x: Xid| txns.committed(x).is_some_and(|c| c <= horizon);
        self.tuples.retain(|_, t| !t.xmax.is_some_and(old));
        for t in self.tuples.values_mut() {
            if t.xmin != super::mvcc::FROZEN && old(t.xmin) {
                t.xmin = super::mvcc::FROZEN;
            }
        }
    }

    /// Whether any tuple mentions `xid`.
    pub(crate) fn mentions(&self, xid: Xid) -> bool {
        self.tuples
            .values()
            .any(|t| t.xmin == xid || t.xmax == Some(xid))
    }
}
