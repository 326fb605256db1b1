//! The shop's side: `users` and `user_pets` (autocommit, in a short transaction, or
//! inside the single transaction that locks the user row), and the fence register
//! that refuses a write older than a fence the shop has seen (the shop's memory, not
//! a table).

use crate::sim::store::sql::Outcome;

use super::super::world::{Fence, PET, USER};
use super::{call, int, int_at, parsed, Call};

/// The user's balance.
pub const SELECT_BALANCE: &str = "SELECT balance FROM users WHERE id = $1";
/// The user's pets of this kind, and what they paid for them.
pub const SELECT_PETS: &str =
    "SELECT count(*), sum(price) FROM user_pets WHERE user_id = $1 AND pet_id = $2";
/// The original handler's write of a balance it computed from what it read.
pub const SET_BALANCE: &str = "UPDATE users SET balance = $1 WHERE id = $2";
/// The guarded debit: pay only what the balance covers.
pub const DEBIT: &str = "UPDATE users SET balance = balance - $1 WHERE id = $2 AND balance >= $1";
/// The pet, bought for `$3` (under a unique (user, pet) a second one fails with
/// `23505`).
pub const INSERT_PET: &str = "INSERT INTO user_pets VALUES ($1, $2, $3)";
/// The single transaction's lock of the user row.
pub const LOCK_USER: &str = "SELECT balance FROM users WHERE id = $1 FOR UPDATE";

/// [`SELECT_BALANCE`]; read it with [`balance`].
pub fn select_balance() -> Call {
    call(parsed!(SELECT_BALANCE), vec![int(USER)])
}

/// [`SELECT_PETS`]; read it with [`pets`].
pub fn select_pets() -> Call {
    call(parsed!(SELECT_PETS), vec![int(USER), int(PET)])
}

/// [`SET_BALANCE`] to `new`.
pub fn set_balance(new: i64) -> Call {
    call(parsed!(SET_BALANCE), vec![int(new), int(USER)])
}

/// [`DEBIT`] of `price`; it paid if one row was updated.
pub fn debit(price: u64) -> Call {
    call(parsed!(DEBIT), vec![int(price), int(USER)])
}

/// [`INSERT_PET`] bought for `price`.
pub fn insert_pet(price: u64) -> Call {
    call(parsed!(INSERT_PET), vec![int(USER), int(PET), int(price)])
}

/// [`LOCK_USER`]; read the balance with [`balance`].
pub fn lock_user() -> Call {
    call(parsed!(LOCK_USER), vec![int(USER)])
}

/// The balance [`select_balance`] or [`lock_user`] read (0: no such user).
pub fn balance(o: &Outcome) -> i64 {
    int_at(o, 0).unwrap_or(0)
}

/// The (count, sum of prices) [`select_pets`] read.
pub fn pets(o: &Outcome) -> (usize, u64) {
    let count = int_at(o, 0).and_then(|n| usize::try_from(n).ok());
    let paid = int_at(o, 1).and_then(|n| u64::try_from(n).ok());
    (count.unwrap_or(0), paid.unwrap_or(0))
}

/// A request shows the shop `fence`: it remembers the highest it has seen.
pub fn note_fence(fence: &mut Fence, f: u64) {
    fence.seen = fence.seen.max(f);
}

/// A fenced write: refused (`Err` with the fence seen) if `f` is older than a fence
/// the shop has seen; otherwise accepted, returning the fence it last accepted.
pub fn fenced_write(fence: &mut Fence, f: u64) -> Result<Option<u64>, u64> {
    if f < fence.seen {
        return Err(fence.seen);
    }
    let last = fence.accepted.replace(f);
    note_fence(fence, f);
    Ok(last)
}
