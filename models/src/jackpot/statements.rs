//! What the service sends to the `jackpots` and `paid_wins` tables, one function per
//! statement. The model's steps call these, and so does [`super::JackpotWorkload`] on
//! OS threads: the bench runs the statements that were checked. A statement with a
//! transaction (`txn: Some(…)`) keeps the row locks it takes until [`commit`] or
//! [`rollback`]; one that would wait for another transaction's lock returns
//! [`Blocked`], and the step that issued it waits.

use crate::sim::store::{Blocked, Table, TxnId};

use super::world::PoolRow;

/// Why an autocommit statement of the variants that use it cannot wait.
const AUTOCOMMIT: &str = "no transaction holds a row lock in this variant";

/// `jackpots`, keyed by group index (0 = minor, 1 = major).
pub type Pools = Table<usize, PoolRow>;

/// `paid_wins`, keyed by win id.
pub type PaidWins = Table<u32, ()>;

/// `SELECT amount, version FROM jackpots WHERE id = $g`, committed.
pub fn read_pool(pools: &Pools, g: usize) -> PoolRow {
    pools.select(&g, None).expect("pools are never deleted")
}

/// `UPDATE jackpots SET amount = $new WHERE id = $g`: the original code's write of an
/// amount computed from what it read.
pub fn write_amount(pools: &mut Pools, g: usize, new: i64) {
    update_row(pools, g, None, |r| r.amount = new).expect(AUTOCOMMIT);
}

/// The write-up's compare-and-set: `UPDATE jackpots SET amount = $new, version =
/// version + 1 WHERE id = $g AND version = $read`. Whether it updated the row.
pub fn compare_and_set(pools: &mut Pools, g: usize, read_version: u64, new: i64) -> bool {
    let n = pools
        .update_where(
            &g,
            None,
            |r| r.version == read_version,
            |r| {
                r.amount = new;
                r.version += 1;
            },
        )
        .expect(AUTOCOMMIT);
    n == 1
}

/// `UPDATE jackpots SET amount = $new, version = version + 1 WHERE id = $g`: the
/// blind writer bumps the version but never compares it.
pub fn write_unversioned(pools: &mut Pools, g: usize, new: i64) -> Result<(), Blocked> {
    update_row(pools, g, None, |r| {
        r.amount = new;
        r.version += 1;
    })
}

/// The admin reset: `UPDATE jackpots SET amount = $to, version = 1 WHERE id = $g`.
pub fn reset(pools: &mut Pools, g: usize, to: i64) {
    update_row(pools, g, None, |r| {
        r.amount = to;
        r.version = 1;
    })
    .expect(AUTOCOMMIT);
}

/// `UPDATE jackpots SET amount = amount + $c, version = version + 1 WHERE id = $g`,
/// autocommit (the correct contribution) or in a batch's transaction.
pub fn add(pools: &mut Pools, g: usize, txn: Option<TxnId>, c: i64) -> Result<(), Blocked> {
    update_row(pools, g, txn, |r| {
        r.amount += c;
        r.version += 1;
    })
}

/// `UPDATE jackpots SET … WHERE id = $g` with no condition on the row, in `txn` or
/// autocommit.
fn update_row(
    pools: &mut Pools,
    g: usize,
    txn: Option<TxnId>,
    set: impl FnOnce(&mut PoolRow),
) -> Result<(), Blocked> {
    pools.update_where(&g, txn, |_| true, set).map(drop)
}

/// `BEGIN; SELECT … FROM jackpots WHERE id = $g FOR UPDATE`.
pub fn lock_pool(pools: &mut Pools, g: usize, txn: TxnId) -> Result<PoolRow, Blocked> {
    let row = pools.select_for_update(&g, txn)?;
    Ok(row.expect("pools are never deleted"))
}

/// `UPDATE` inside `txn`, which holds the row lock: `set` the row and bump the
/// version. The amount it left (uncommitted).
pub fn pay_locked(pools: &mut Pools, g: usize, txn: TxnId, set: impl Fn(&mut PoolRow)) -> i64 {
    let mut amount = 0;
    update_row(pools, g, Some(txn), |r| {
        set(r);
        r.version += 1;
        amount = r.amount;
    })
    .expect("the transaction holds the row lock");
    amount
}

/// `INSERT INTO paid_wins VALUES ($win)` in `txn`: whether it is a new win id (a
/// redelivered win fails on the committed row).
pub fn record_win(paid_wins: &mut PaidWins, win_id: u32, txn: TxnId) -> Result<bool, Blocked> {
    Ok(paid_wins.insert(win_id, (), Some(txn))?.is_ok())
}

/// The guarded decrement: `UPDATE jackpots SET amount = amount − $w, version = version
/// + 1 WHERE id = $g AND amount >= $w`, in `txn`. Whether it paid.
pub fn guarded_decrement(
    pools: &mut Pools,
    g: usize,
    txn: TxnId,
    win: i64,
) -> Result<bool, Blocked> {
    let n = pools.update_where(
        &g,
        Some(txn),
        |r| r.amount >= win,
        |r| {
            r.amount -= win;
            r.version += 1;
        },
    )?;
    Ok(n == 1)
}

/// `COMMIT`.
pub fn commit(pools: &mut Pools, paid_wins: &mut PaidWins, txn: TxnId) {
    pools.commit(txn);
    paid_wins.commit(txn);
}

/// `ROLLBACK`.
pub fn rollback(pools: &mut Pools, paid_wins: &mut PaidWins, txn: TxnId) {
    pools.rollback(txn);
    paid_wins.rollback(txn);
}
