//! A table of rows with Read Committed visibility and row locks.

use std::collections::BTreeMap;
use std::fmt;

/// A transaction's id. Statements with `by: None` run in their own, autocommitted,
/// transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TxnId(pub u32);

impl fmt::Display for TxnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tx{}", self.0)
    }
}

/// The statement must wait: `holder` has the row locked until it commits or rolls back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Blocked {
    /// The transaction holding the row lock.
    pub holder: TxnId,
}

/// `FOR UPDATE NOWAIT` found the row locked (PostgreSQL's 55P03).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LockNotAvailable {
    /// The transaction holding the row lock.
    pub holder: TxnId,
}

/// `INSERT` hit an existing primary key (PostgreSQL's 23505).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UniqueViolation;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Slot<R> {
    /// The last committed version (`None`: no committed row).
    committed: Option<R>,
    /// The transaction holding the exclusive row lock, if any.
    lock: Option<TxnId>,
    /// Transactions holding `FOR SHARE` locks, in id order.
    sharers: Vec<TxnId>,
    /// The lock holder's uncommitted write: `Some(None)` deletes, `Some(Some(r))`
    /// writes `r`. Invisible to everyone else until commit.
    draft: Option<Option<R>>,
}

impl<R> Slot<R> {
    fn visible_to(&self, by: Option<TxnId>) -> Option<&R> {
        match (&self.draft, self.lock) {
            (Some(draft), Some(holder)) if Some(holder) == by => draft.as_ref(),
            _ => self.committed.as_ref(),
        }
    }

    /// Who stops `by` from writing or locking the row exclusively: another
    /// transaction's exclusive lock or share lock.
    fn locked_by_other(&self, by: Option<TxnId>) -> Option<Blocked> {
        match self.lock {
            Some(holder) if Some(holder) != by => Some(Blocked { holder }),
            _ => self
                .sharers
                .iter()
                .find(|&&s| Some(s) != by)
                .map(|&holder| Blocked { holder }),
        }
    }

    fn empty() -> Self {
        Slot {
            committed: None,
            lock: None,
            sharers: Vec::new(),
            draft: None,
        }
    }

    fn write(&mut self, by: Option<TxnId>, row: Option<R>) {
        match by {
            None => self.committed = row,
            Some(txn) => {
                self.lock = Some(txn);
                self.draft = Some(row);
            }
        }
    }
}

/// Rows keyed by primary key `K`, in key order (so scans are deterministic).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Table<K: Ord + Clone, R: Clone> {
    slots: BTreeMap<K, Slot<R>>,
}

impl<K: Ord + Clone, R: Clone> Default for Table<K, R> {
    fn default() -> Self {
        Table {
            slots: BTreeMap::new(),
        }
    }
}

impl<K: Ord + Clone, R: Clone> Table<K, R> {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// A table holding `rows`, committed.
    pub fn with_rows(rows: impl IntoIterator<Item = (K, R)>) -> Self {
        let slots = rows
            .into_iter()
            .map(|(k, r)| {
                (
                    k,
                    Slot {
                        committed: Some(r),
                        ..Slot::empty()
                    },
                )
            })
            .collect();
        Table { slots }
    }

    /// `SELECT … WHERE id = k`: the committed row, or `by`'s own uncommitted version.
    /// Never blocks.
    pub fn select(&self, k: &K, by: Option<TxnId>) -> Option<R> {
        self.slots.get(k).and_then(|s| s.visible_to(by)).cloned()
    }

    /// Every row visible to `by` that matches `pred`, in key order. Never blocks.
    pub fn select_where(&self, by: Option<TxnId>, pred: impl Fn(&K, &R) -> bool) -> Vec<(K, R)> {
        self.slots
            .iter()
            .filter_map(|(k, s)| {
                s.visible_to(by)
                    .filter(|r| pred(k, r))
                    .map(|r| (k.clone(), r.clone()))
            })
            .collect()
    }

    /// `SELECT … WHERE id = k FOR UPDATE`: locks the row for `txn` until it ends.
    /// Waits (returns [`Blocked`]) while another transaction holds it. A missing row
    /// locks nothing and yields `None`.
    pub fn select_for_update(&mut self, k: &K, txn: TxnId) -> Result<Option<R>, Blocked> {
        let Some(slot) = self.slots.get_mut(k) else {
            return Ok(None);
        };
        if let Some(blocked) = slot.locked_by_other(Some(txn)) {
            return Err(blocked);
        }
        if slot.visible_to(Some(txn)).is_none() {
            return Ok(None);
        }
        slot.lock = Some(txn);
        Ok(slot.visible_to(Some(txn)).cloned())
    }

    /// `SELECT … WHERE id = k FOR SHARE`: a shared lock for `txn` until it ends. Other
    /// sharers are welcome; it waits while another transaction holds the row
    /// exclusively (FOR UPDATE, or an uncommitted write), and it makes writers and
    /// FOR UPDATE wait until every sharer has ended.
    pub fn select_for_share(&mut self, k: &K, txn: TxnId) -> Result<Option<R>, Blocked> {
        let Some(slot) = self.slots.get_mut(k) else {
            return Ok(None);
        };
        if let Some(holder) = slot.lock.filter(|&h| h != txn) {
            return Err(Blocked { holder });
        }
        let Some(row) = slot.visible_to(Some(txn)).cloned() else {
            return Ok(None);
        };
        if slot.lock != Some(txn) && !slot.sharers.contains(&txn) {
            slot.sharers.push(txn);
            slot.sharers.sort_unstable();
        }
        Ok(Some(row))
    }

    /// The committed rows as of now: what a `REPEATABLE READ` transaction reads for
    /// the rest of its life after its first statement (take it in that statement's
    /// step). Later commits by others are invisible to it.
    pub fn snapshot(&self) -> Snapshot<K, R> {
        Snapshot {
            rows: self
                .committed()
                .map(|(k, r)| (k.clone(), r.clone()))
                .collect(),
        }
    }

    /// `SELECT … FOR UPDATE NOWAIT`: like [`Table::select_for_update`], but fails at
    /// once instead of waiting.
    pub fn select_for_update_nowait(
        &mut self,
        k: &K,
        txn: TxnId,
    ) -> Result<Option<R>, LockNotAvailable> {
        self.select_for_update(k, txn)
            .map_err(|b| LockNotAvailable { holder: b.holder })
    }

    /// `SELECT … WHERE pred FOR UPDATE SKIP LOCKED LIMIT n`: locks and returns up to
    /// `limit` matching rows that no other transaction holds, in key order.
    pub fn select_for_update_skip_locked(
        &mut self,
        txn: TxnId,
        limit: usize,
        pred: impl Fn(&K, &R) -> bool,
    ) -> Vec<(K, R)> {
        let mut out = Vec::new();
        for (k, slot) in self.slots.iter_mut() {
            if out.len() == limit {
                break;
            }
            if slot.locked_by_other(Some(txn)).is_some() {
                continue;
            }
            if let Some(row) = slot.visible_to(Some(txn)).filter(|r| pred(k, r)).cloned() {
                slot.lock = Some(txn);
                out.push((k.clone(), row));
            }
        }
        out
    }

    /// `UPDATE … SET … WHERE id = k AND pred`: one atomic compare-and-set. Returns the
    /// number of rows updated (0 or 1). Waits while another transaction holds the
    /// row; re-issued after it ends, `pred` sees the newest committed version.
    pub fn update_where(
        &mut self,
        k: &K,
        by: Option<TxnId>,
        pred: impl FnOnce(&R) -> bool,
        set: impl FnOnce(&mut R),
    ) -> Result<usize, Blocked> {
        let Some(slot) = self.slots.get_mut(k) else {
            return Ok(0);
        };
        if let Some(blocked) = slot.locked_by_other(by) {
            return Err(blocked);
        }
        let Some(mut row) = slot.visible_to(by).cloned() else {
            return Ok(0);
        };
        if !pred(&row) {
            return Ok(0);
        }
        set(&mut row);
        slot.write(by, Some(row));
        Ok(1)
    }

    /// `UPDATE … SET … WHERE pred` over the whole table. Waits if any row that
    /// matches (as committed) is held by another transaction.
    pub fn update_all_where(
        &mut self,
        by: Option<TxnId>,
        pred: impl Fn(&K, &R) -> bool,
        set: impl Fn(&mut R),
    ) -> Result<usize, Blocked> {
        for (k, slot) in &self.slots {
            if let (Some(blocked), Some(row)) = (slot.locked_by_other(by), slot.visible_to(by)) {
                if pred(k, row) {
                    return Err(blocked);
                }
            }
        }
        let mut n = 0;
        for (k, slot) in self.slots.iter_mut() {
            if let Some(mut row) = slot.visible_to(by).filter(|r| pred(k, r)).cloned() {
                set(&mut row);
                slot.write(by, Some(row));
                n += 1;
            }
        }
        Ok(n)
    }

    /// `INSERT`: fails with [`UniqueViolation`] if the key exists; waits if another
    /// transaction has an uncommitted row (or lock) at that key.
    pub fn insert(
        &mut self,
        k: K,
        row: R,
        by: Option<TxnId>,
    ) -> Result<Result<(), UniqueViolation>, Blocked> {
        let slot = self.slots.entry(k).or_insert_with(Slot::empty);
        if let Some(blocked) = slot.locked_by_other(by) {
            return Err(blocked);
        }
        if slot.visible_to(by).is_some() {
            return Ok(Err(UniqueViolation));
        }
        slot.write(by, Some(row));
        Ok(Ok(()))
    }

    /// `INSERT … ON CONFLICT DO NOTHING`: whether a row was inserted.
    pub fn insert_on_conflict_do_nothing(
        &mut self,
        k: K,
        row: R,
        by: Option<TxnId>,
    ) -> Result<bool, Blocked> {
        self.insert(k, row, by).map(|r| r.is_ok())
    }

    /// `INSERT … ON CONFLICT DO UPDATE`: inserts `row`, or applies `update` to the
    /// existing one. Returns whether it inserted.
    pub fn upsert(
        &mut self,
        k: K,
        row: R,
        by: Option<TxnId>,
        update: impl FnOnce(&mut R),
    ) -> Result<bool, Blocked> {
        let slot = self.slots.entry(k).or_insert_with(Slot::empty);
        if let Some(blocked) = slot.locked_by_other(by) {
            return Err(blocked);
        }
        match slot.visible_to(by).cloned() {
            Some(mut existing) => {
                update(&mut existing);
                slot.write(by, Some(existing));
                Ok(false)
            }
            None => {
                slot.write(by, Some(row));
                Ok(true)
            }
        }
    }

    /// `DELETE … WHERE id = k AND pred`: whether a row was deleted.
    pub fn delete_where(
        &mut self,
        k: &K,
        by: Option<TxnId>,
        pred: impl FnOnce(&R) -> bool,
    ) -> Result<bool, Blocked> {
        let Some(slot) = self.slots.get_mut(k) else {
            return Ok(false);
        };
        if let Some(blocked) = slot.locked_by_other(by) {
            return Err(blocked);
        }
        match slot.visible_to(by) {
            Some(row) if pred(row) => {
                slot.write(by, None);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// `COMMIT`: `txn`'s writes become visible and its row locks are released.
    pub fn commit(&mut self, txn: TxnId) {
        self.end(txn, true);
    }

    /// `ROLLBACK` (or the connection died): `txn`'s writes vanish, its locks are released.
    pub fn rollback(&mut self, txn: TxnId) {
        self.end(txn, false);
    }

    fn end(&mut self, txn: TxnId, keep: bool) {
        for slot in self.slots.values_mut().filter(|s| s.lock == Some(txn)) {
            if let (true, Some(draft)) = (keep, slot.draft.take()) {
                slot.committed = draft;
            }
            slot.draft = None;
            slot.lock = None;
        }
        for slot in self.slots.values_mut() {
            slot.sharers.retain(|&s| s != txn);
        }
        self.slots
            .retain(|_, s| s.committed.is_some() || s.lock.is_some() || !s.sharers.is_empty());
    }

    /// The transaction holding the row lock at `k`, if any.
    pub fn lock_holder(&self, k: &K) -> Option<TxnId> {
        self.slots.get(k).and_then(|s| s.lock)
    }

    /// Every committed row, in key order (for properties and reports).
    pub fn committed(&self) -> impl Iterator<Item = (&K, &R)> {
        self.slots
            .iter()
            .filter_map(|(k, s)| s.committed.as_ref().map(|r| (k, r)))
    }
}

/// The committed rows of a [`Table`] at one instant (see [`Table::snapshot`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Snapshot<K: Ord, R> {
    rows: BTreeMap<K, R>,
}

impl<K: Ord + Clone, R: Clone> Snapshot<K, R> {
    /// `SELECT … WHERE id = k`, as of the snapshot.
    pub fn select(&self, k: &K) -> Option<&R> {
        self.rows.get(k)
    }

    /// Every row matching `pred`, in key order, as of the snapshot.
    pub fn select_where(&self, pred: impl Fn(&K, &R) -> bool) -> Vec<(K, R)> {
        self.rows
            .iter()
            .filter(|(k, r)| pred(k, r))
            .map(|(k, r)| (k.clone(), r.clone()))
            .collect()
    }
}
