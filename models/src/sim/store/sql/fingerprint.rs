//! [`Db`]'s `Hash`: the state-caching engine's fingerprint, up to what no statement
//! can observe.
//!
//! Commit sequence numbers, tuple positions and wait-order numbers are counters:
//! every statement only compares them (equal, before, after) and new ones are always
//! larger than every existing one. Two databases whose counters differ but order
//! alike (the same state reached by a different number of earlier statements) behave
//! identically from then on, so the fingerprint hashes each counter by its rank
//! among the values of its kind in use, not by its value. Transaction ids are only
//! ever compared for equality, so one is hashed as what it stands for: the open
//! transaction of session *s*, a commit some snapshot may not see yet (by its commit
//! number's rank), or a settled commit every snapshot sees (as a frozen row's).
//! While nothing is in progress it is coarser still: only the live rows in scan order.

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};

use super::db::Db;
use super::heap::Tid;
use super::mvcc::{Snapshot, TxnStatus, Xid, FROZEN};
use super::session::{Block, Edge, Session};
use super::value::Value;

/// Ranks of one kind of counter.
struct Ranks<T: Ord>(Vec<T>);

impl<T: Ord + Copy> Ranks<T> {
    fn of(values: BTreeSet<T>) -> Ranks<T> {
        Ranks(values.into_iter().collect())
    }

    fn rank(&self, v: T) -> usize {
        self.0.binary_search(&v).unwrap_or(usize::MAX)
    }
}

impl Hash for Db {
    fn hash<H: Hasher>(&self, h: &mut H) {
        let quiescent = self
            .sessions
            .iter()
            .all(|s| s.block == Block::Idle && s.pending.is_none());
        quiescent.hash(h);
        if quiescent {
            hash_live_rows(self, h);
        } else {
            hash_ranked(self, h);
        }
    }
}

/// Nothing in progress: no locks, no waiters, no snapshot older than now; the
/// counters only order what every new snapshot sees alike.
fn hash_live_rows<H: Hasher>(db: &Db, h: &mut H) {
    let now = Snapshot {
        csn: db.txns.csn,
        me: u32::MAX,
    };
    for (name, t) in &db.tables {
        let rows: Vec<&Vec<Value>> = t.visible(&db.txns, now).map(|(_, t)| &t.values).collect();
        (name, &t.def, rows).hash(h);
    }
    for s in &db.sessions {
        s.closed.hash(h);
    }
}

/// What a transaction id stands for (see the module's comment).
#[derive(Hash)]
enum XidKey {
    Open(u32),
    Recent(usize),
    Settled,
    Gone,
}

fn xid_key(db: &Db, horizon: u64, csns: &Ranks<u64>, xid: Xid) -> XidKey {
    match db.txns.status.get(&xid) {
        Some(TxnStatus::InProgress(s)) => XidKey::Open(s.0),
        Some(TxnStatus::Committed(c)) if *c > horizon => XidKey::Recent(csns.rank(*c)),
        Some(TxnStatus::Committed(_)) => XidKey::Settled,
        None if xid == FROZEN => XidKey::Settled,
        None => XidKey::Gone,
    }
}

fn hash_ranked<H: Hasher>(db: &Db, h: &mut H) {
    let horizon = db.horizon();
    let (csns, tids, seqs) = ranks(db, horizon);
    let x = |v: Xid| xid_key(db, horizon, &csns, v);
    let c = |v: u64| csns.rank(v);
    let t = |v: Tid| tids.rank(v);
    for (name, table) in &db.tables {
        (name, &table.def, t(Tid(table.next_tid))).hash(h);
        for (tid, tuple) in &table.tuples {
            (t(*tid), &tuple.values, x(tuple.xmin)).hash(h);
            (tuple.xmax.map(x), tuple.next.map(t)).hash(h);
            for (locker, strength) in &tuple.lockers {
                (x(*locker), strength).hash(h);
            }
            tuple.lockers.len().hash(h);
        }
        table.tuples.len().hash(h);
    }
    // The status table is what `x` reads; the newest commit number and wait order
    // are where new ones start.
    (c(db.txns.csn), seqs.rank(db.seq)).hash(h);
    for s in &db.sessions {
        hash_session(s, h, &x, &c, &t, &seqs);
    }
}

fn hash_session<H: Hasher>(
    s: &Session,
    h: &mut H,
    x: &impl Fn(Xid) -> XidKey,
    c: &impl Fn(u64) -> usize,
    t: &impl Fn(Tid) -> usize,
    seqs: &Ranks<u64>,
) {
    s.closed.hash(h);
    match &s.block {
        Block::Idle => 0u8.hash(h),
        Block::Failed => 1u8.hash(h),
        Block::Txn(ctx) => (2u8, x(ctx.xid), ctx.explicit, ctx.iso, ctx.snapshot.map(c)).hash(h),
    }
    let Some(p) = &s.pending else {
        return 0u8.hash(h);
    };
    (1u8, &p.sql, c(p.snapshot), p.cursor, &p.rows, p.affected).hash(h);
    let cands: Vec<usize> = p.cands.iter().copied().map(t).collect();
    let written: Vec<usize> = p.written.iter().copied().map(t).collect();
    (cands, written, p.started, &p.victim).hash(h);
    match &p.wait {
        None => 0u8.hash(h),
        Some(w) => {
            let tuple = w.tuple.as_ref().map(|(name, tid)| (name, t(*tid)));
            (1u8, tuple, seqs.rank(w.queued), seqs.rank(w.since)).hash(h);
            for e in &w.edges {
                match e {
                    Edge::Txn(xid) => (0u8, x(*xid)).hash(h),
                    Edge::Queue(s) => (1u8, s).hash(h),
                }
            }
            w.edges.len().hash(h);
        }
    }
}

/// Every commit number, tuple position and wait-order number in use.
fn ranks(db: &Db, horizon: u64) -> (Ranks<u64>, Ranks<Tid>, Ranks<u64>) {
    let (mut csns, mut tids, mut seqs) = (
        BTreeSet::from([0, db.txns.csn]),
        BTreeSet::new(),
        BTreeSet::from([db.seq]),
    );
    for table in db.tables.values() {
        tids.insert(Tid(table.next_tid));
        for (tid, tuple) in &table.tuples {
            tids.insert(*tid);
            tids.extend(tuple.next);
        }
    }
    // Settled commits are all one, as a frozen row's: only recent ones are ranked.
    for status in db.txns.status.values() {
        if let TxnStatus::Committed(c) = status {
            csns.extend(Some(*c).filter(|c| *c > horizon));
        }
    }
    for s in &db.sessions {
        if let Block::Txn(ctx) = &s.block {
            csns.extend(ctx.snapshot);
        }
        if let Some(p) = &s.pending {
            csns.insert(p.snapshot);
            tids.extend(p.cands.iter().chain(&p.written));
            if let Some(w) = &p.wait {
                tids.extend(w.tuple.as_ref().map(|(_, t)| *t));
                seqs.extend([w.queued, w.since]);
            }
        }
    }
    (Ranks::of(csns), Ranks::of(tids), Ranks::of(seqs))
}
