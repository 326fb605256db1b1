//! The store against a plain sequential reference, on random statement sequences
//! from two transactions and autocommit.

use std::collections::{BTreeMap, BTreeSet};

use locklab_models::sim::store::{Kv, Table, TxnId};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Select(Option<u8>, u8),
    ForUpdate(u8, u8),
    UpdateIfEven(Option<u8>, u8, i64),
    Insert(Option<u8>, u8, i64),
    Delete(Option<u8>, u8),
    Commit(u8),
    Rollback(u8),
}

fn by() -> impl Strategy<Value = Option<u8>> {
    prop_oneof![Just(None), (0u8..2).prop_map(Some)]
}

fn op() -> impl Strategy<Value = Op> {
    let key = 0u8..4;
    prop_oneof![
        (by(), key.clone()).prop_map(|(b, k)| Op::Select(b, k)),
        (0u8..2, key.clone()).prop_map(|(t, k)| Op::ForUpdate(t, k)),
        (by(), key.clone(), -5i64..5).prop_map(|(b, k, d)| Op::UpdateIfEven(b, k, d)),
        (by(), key.clone(), -5i64..5).prop_map(|(b, k, v)| Op::Insert(b, k, v)),
        (by(), key).prop_map(|(b, k)| Op::Delete(b, k)),
        (0u8..2).prop_map(Op::Commit),
        (0u8..2).prop_map(Op::Rollback),
    ]
}

/// The reference: committed rows, and per transaction its private writes and locks.
#[derive(Default)]
struct Reference {
    committed: BTreeMap<u8, i64>,
    writes: [BTreeMap<u8, Option<i64>>; 2],
    locks: [BTreeSet<u8>; 2],
}

impl Reference {
    fn visible(&self, by: Option<u8>, k: u8) -> Option<i64> {
        match by.and_then(|t| self.writes[t as usize].get(&k)) {
            Some(w) => *w,
            None => self.committed.get(&k).copied(),
        }
    }
    /// Whether a transaction other than `by` holds `k`.
    fn blocked(&self, by: Option<u8>, k: u8) -> bool {
        (0..2u8).any(|t| Some(t) != by && self.locks[t as usize].contains(&k))
    }
    fn write(&mut self, by: Option<u8>, k: u8, v: Option<i64>) {
        match (by, v) {
            (None, Some(v)) => {
                self.committed.insert(k, v);
            }
            (None, None) => {
                self.committed.remove(&k);
            }
            (Some(t), v) => {
                self.writes[t as usize].insert(k, v);
                self.locks[t as usize].insert(k);
            }
        }
    }
    fn end(&mut self, t: u8, keep: bool) {
        let writes = std::mem::take(&mut self.writes[t as usize]);
        if keep {
            for (k, v) in writes {
                self.write(None, k, v);
            }
        }
        self.locks[t as usize].clear();
    }
}

fn txn(t: Option<u8>) -> Option<TxnId> {
    t.map(|t| TxnId(u32::from(t)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn table_matches_the_sequential_reference(ops in proptest::collection::vec(op(), 1..40)) {
        let mut table: Table<u8, i64> = Table::new();
        let mut reference = Reference::default();
        for op in ops {
            match op {
                Op::Select(b, k) => prop_assert_eq!(table.select(&k, txn(b)), reference.visible(b, k)),
                Op::ForUpdate(t, k) => {
                    let got = table.select_for_update(&k, TxnId(u32::from(t)));
                    if reference.blocked(Some(t), k) {
                        prop_assert!(got.is_err());
                    } else {
                        let row = reference.visible(Some(t), k);
                        prop_assert_eq!(got, Ok(row));
                        if row.is_some() {
                            reference.locks[t as usize].insert(k);
                        }
                    }
                }
                Op::UpdateIfEven(b, k, d) => {
                    let got = table.update_where(&k, txn(b), |v| v % 2 == 0, |v| *v += d);
                    if reference.blocked(b, k) {
                        prop_assert!(got.is_err());
                    } else {
                        let hit = reference.visible(b, k).filter(|v| v % 2 == 0);
                        prop_assert_eq!(got, Ok(usize::from(hit.is_some())));
                        if let Some(v) = hit {
                            reference.write(b, k, Some(v + d));
                        }
                    }
                }
                Op::Insert(b, k, v) => {
                    let got = table.insert_on_conflict_do_nothing(k, v, txn(b));
                    if reference.blocked(b, k) {
                        prop_assert!(got.is_err());
                    } else {
                        let free = reference.visible(b, k).is_none();
                        prop_assert_eq!(got, Ok(free));
                        if free {
                            reference.write(b, k, Some(v));
                        }
                    }
                }
                Op::Delete(b, k) => {
                    let got = table.delete_where(&k, txn(b), |_| true);
                    if reference.blocked(b, k) {
                        prop_assert!(got.is_err());
                    } else {
                        let present = reference.visible(b, k).is_some();
                        prop_assert_eq!(got, Ok(present));
                        if present {
                            reference.write(b, k, None);
                        }
                    }
                }
                Op::Commit(t) => {
                    table.commit(TxnId(u32::from(t)));
                    reference.end(t, true);
                }
                Op::Rollback(t) => {
                    table.rollback(TxnId(u32::from(t)));
                    reference.end(t, false);
                }
            }
            let committed: BTreeMap<u8, i64> = table.committed().map(|(k, v)| (*k, *v)).collect();
            prop_assert_eq!(&committed, &reference.committed);
        }
    }

    #[test]
    fn kv_set_nx_behaves_as_a_lease(ops in proptest::collection::vec((0u8..3, 0u8..3, 1u64..4, 0u64..3), 1..40)) {
        let mut kv: Kv<u8, u8> = Kv::new();
        let mut reference: BTreeMap<u8, (u8, u64)> = BTreeMap::new();
        let mut now = 0;
        for (k, v, ttl, advance) in ops {
            now += advance;
            let live = reference.get(&k).filter(|(_, exp)| now < *exp).map(|(val, _)| *val);
            prop_assert_eq!(kv.get(&k, now).copied(), live);
            let set = kv.set_nx_px(k, v, ttl, now);
            prop_assert_eq!(set, live.is_none());
            if set {
                reference.insert(k, (v, now + ttl));
            }
        }
    }
}

#[test]
fn skip_locked_skips_rows_another_transaction_holds() {
    let mut table = Table::with_rows((0u8..4).map(|k| (k, i64::from(k))));
    assert_eq!(table.select_for_update(&1, TxnId(1)), Ok(Some(1)));
    let got = table.select_for_update_skip_locked(TxnId(2), 2, |_, _| true);
    assert_eq!(got, vec![(0, 0), (2, 2)]);
    assert_eq!(
        table
            .select_for_update_nowait(&1, TxnId(2))
            .unwrap_err()
            .holder,
        TxnId(1)
    );
    table.commit(TxnId(1));
    assert_eq!(table.select_for_update_nowait(&1, TxnId(3)), Ok(Some(1)));
}

#[test]
fn uncommitted_writes_are_invisible_to_others_and_vanish_on_rollback() {
    let mut table = Table::with_rows([(0u8, 100i64)]);
    assert_eq!(
        table.update_where(&0, Some(TxnId(1)), |_| true, |v| *v -= 80),
        Ok(1)
    );
    assert_eq!(table.select(&0, None), Some(100));
    assert_eq!(table.select(&0, Some(TxnId(1))), Some(20));
    assert!(
        table
            .update_where(&0, None, |_| true, |v| *v -= 80)
            .is_err(),
        "a writer waits for the row lock"
    );
    table.rollback(TxnId(1));
    assert_eq!(table.select(&0, None), Some(100));
}

#[test]
fn kv_compare_and_delete_removes_only_a_matching_live_value() {
    let mut kv: Kv<&str, u32> = Kv::new();
    assert!(kv.set_nx_px("lock", 7, 3, 0));
    assert!(
        !kv.compare_and_delete(&"lock", &8, 1),
        "a foreign token is not removed"
    );
    assert!(
        !kv.compare_and_delete(&"lock", &7, 3),
        "an expired entry is gone already"
    );
    assert!(kv.set_nx_px("lock", 8, 3, 3));
    assert!(kv.compare_and_delete(&"lock", &8, 4));
}

#[test]
fn kv_compare_and_expire_renews_only_a_matching_live_value() {
    let mut kv: Kv<&str, u32> = Kv::new();
    assert!(kv.set_nx_px("lock", 7, 3, 0));
    assert!(
        !kv.compare_and_expire(&"lock", &8, 10, 1),
        "another holder's lock is not renewed"
    );
    assert_eq!(
        kv.expires_at(&"lock", 1),
        Some(3),
        "and its expiry is untouched"
    );
    assert!(
        kv.compare_and_expire(&"lock", &7, 10, 2),
        "the holder renews"
    );
    assert_eq!(kv.expires_at(&"lock", 2), Some(12));
    assert!(
        !kv.compare_and_expire(&"lock", &7, 10, 12),
        "an expired lock cannot be renewed, even by its last holder"
    );
    assert_eq!(kv.get(&"lock", 12), None);
}
