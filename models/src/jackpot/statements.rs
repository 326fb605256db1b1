//! What the service sends to the `jackpots` and `paid_wins` tables: one SQL text per
//! statement, the only definition there is. The model's steps run it on the kit's
//! PostgreSQL model, [`super::JackpotWorkload`] on OS threads, and `locklab explore
//! --backend postgres` on a real server. Inside `BEGIN … COMMIT` a statement keeps
//! the row locks it takes until the transaction ends; one that must wait for another
//! transaction's lock makes the step that issued it wait, and a cycle of such waits
//! is PostgreSQL's deadlock: one of them fails with `40P01`.

pub use crate::sim::store::sql::Call;
/// The transaction statements every scheme shares (the kit's).
pub use crate::sim::store::sql::{begin, commit, rollback, BEGIN, COMMIT, ROLLBACK};
use crate::sim::store::sql::{Outcome, Value};
use crate::sql_call;

use super::world::PoolRow;

/// The pools, by group (0 = minor, 1 = major); a row starts at version 1.
pub const CREATE_JACKPOTS: &str =
    "CREATE TABLE jackpots (id int PRIMARY KEY, amount bigint NOT NULL, version bigint NOT NULL)";
/// The idempotency record of the guarded decrement: one row per paid win id.
pub const CREATE_PAID_WINS: &str = "CREATE TABLE paid_wins (win_id int PRIMARY KEY)";
/// A pool holding `$2`, at version 1.
pub const INSERT_POOL: &str = "INSERT INTO jackpots VALUES ($1, $2, 1)";

/// The committed pool, as an autocommit read sees it.
pub const READ_POOL: &str = "SELECT amount, version FROM jackpots WHERE id = $1";
/// The original code's write of an amount computed from what it read.
pub const WRITE_AMOUNT: &str = "UPDATE jackpots SET amount = $1 WHERE id = $2";
/// The write-up's compare-and-set.
pub const COMPARE_AND_SET: &str =
    "UPDATE jackpots SET amount = $1, version = version + 1 WHERE id = $2 AND version = $3";
/// The blind writer: bumps the version but never compares it.
pub const WRITE_UNVERSIONED: &str =
    "UPDATE jackpots SET amount = $1, version = version + 1 WHERE id = $2";
/// The admin reset: the row restarts at version 1.
pub const RESET: &str = "UPDATE jackpots SET amount = $1, version = 1 WHERE id = $2";
/// The correct contribution (autocommit) and a batch's (in its transaction).
pub const ADD: &str =
    "UPDATE jackpots SET amount = amount + $1, version = version + 1 WHERE id = $2";
/// The check-outside-lock path's payment, relative to whatever the locked row holds.
pub const SUBTRACT: &str =
    "UPDATE jackpots SET amount = amount - $1, version = version + 1 WHERE id = $2";
/// The row-lock win path's lock.
pub const LOCK_POOL: &str = "SELECT amount, version FROM jackpots WHERE id = $1 FOR UPDATE";
/// Records a win id; a redelivered win finds the committed row and inserts nothing
/// (after waiting, while another transaction has the same id uncommitted).
pub const RECORD_WIN: &str = "INSERT INTO paid_wins VALUES ($1) ON CONFLICT DO NOTHING";
/// The guarded decrement: pay only what the pool covers.
pub const GUARDED_DECREMENT: &str =
    "UPDATE jackpots SET amount = amount - $1, version = version + 1 \
     WHERE id = $2 AND amount >= $1";

/// The set-up of a fresh database: the tables and `groups` pools holding `amount`.
pub fn setup(groups: usize, amount: i64) -> Vec<(&'static str, Vec<Value>)> {
    [(CREATE_JACKPOTS, vec![]), (CREATE_PAID_WINS, vec![])]
        .into_iter()
        .chain((0..groups).map(|g| (INSERT_POOL, vec![Value::Int(g as i64), Value::Int(amount)])))
        .collect()
}

/// Parses every statement now (once per process), outside any engine's task.
pub fn prepare() {
    for _ in [
        begin(),
        commit(),
        rollback(),
        read_pool(0),
        write_amount(0, 0),
        compare_and_set(0, 0, 0),
        write_unversioned(0, 0),
        reset(0, 0),
        add(0, 0),
        subtract(0, 0),
        lock_pool(0),
        record_win(0),
        guarded_decrement(0, 0),
    ] {}
}

/// [`READ_POOL`] of group `g`; read the answer with [`pool_row`].
pub fn read_pool(g: usize) -> Call {
    sql_call!(READ_POOL, g)
}

/// [`WRITE_AMOUNT`]: group `g` to `new`.
pub fn write_amount(g: usize, new: i64) -> Call {
    sql_call!(WRITE_AMOUNT, new, g)
}

/// [`COMPARE_AND_SET`]: group `g` to `new` if it is still at `read_version`; it set
/// the row if one row was updated.
pub fn compare_and_set(g: usize, read_version: u64, new: i64) -> Call {
    sql_call!(COMPARE_AND_SET, new, g, read_version)
}

/// [`WRITE_UNVERSIONED`]: group `g` to `new`.
pub fn write_unversioned(g: usize, new: i64) -> Call {
    sql_call!(WRITE_UNVERSIONED, new, g)
}

/// [`RESET`]: group `g` to `to`, version 1.
pub fn reset(g: usize, to: i64) -> Call {
    sql_call!(RESET, to, g)
}

/// [`ADD`]: `c` to group `g`.
pub fn add(g: usize, c: i64) -> Call {
    sql_call!(ADD, c, g)
}

/// [`SUBTRACT`]: `w` from group `g`.
pub fn subtract(g: usize, w: i64) -> Call {
    sql_call!(SUBTRACT, w, g)
}

/// [`LOCK_POOL`] of group `g`; read the answer with [`pool_row`].
pub fn lock_pool(g: usize) -> Call {
    sql_call!(LOCK_POOL, g)
}

/// [`RECORD_WIN`] of `win_id`: a new win if one row was inserted.
pub fn record_win(win_id: u32) -> Call {
    sql_call!(RECORD_WIN, win_id)
}

/// [`GUARDED_DECREMENT`]: `win` from group `g`; it paid if one row was updated.
pub fn guarded_decrement(g: usize, win: i64) -> Call {
    sql_call!(GUARDED_DECREMENT, win, g)
}

/// The `(amount, version)` row [`read_pool`] or [`lock_pool`] returned.
pub fn pool_row(o: &Outcome) -> Option<PoolRow> {
    decode_pool(o.rows.first()?)
}

/// An `(amount, version)` row.
pub fn decode_pool(row: &[Value]) -> Option<PoolRow> {
    match row {
        [Value::Int(amount), Value::Int(version)] => Some(PoolRow {
            amount: *amount,
            version: u64::try_from(*version).ok()?,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::store::sql::Statement;

    #[test]
    fn every_statement_parses() {
        for text in [
            CREATE_JACKPOTS,
            CREATE_PAID_WINS,
            INSERT_POOL,
            BEGIN,
            COMMIT,
            ROLLBACK,
            READ_POOL,
            WRITE_AMOUNT,
            COMPARE_AND_SET,
            WRITE_UNVERSIONED,
            RESET,
            ADD,
            SUBTRACT,
            LOCK_POOL,
            RECORD_WIN,
            GUARDED_DECREMENT,
        ] {
            Statement::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        }
    }
}
