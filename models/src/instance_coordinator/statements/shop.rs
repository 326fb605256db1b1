//! The shop's side: `users` and `user_pets` (autocommit, or inside the single
//! transaction that locks the user row), and the fence register that refuses a write
//! older than a fence the shop has seen.

use crate::sim::store::{Blocked, TxnId, UniqueViolation};

use super::super::world::{Fence, PetRow, ShopWorld, UserRow, PET, USER};
use super::AUTOCOMMIT;

/// `SELECT balance, pets` as one snapshot: the committed (balance, pets owned, sum
/// of their prices) of the user.
pub fn select_profile(w: &ShopWorld) -> (u64, usize, u64) {
    let balance = w.users.select(&USER, None).map_or(0, |u| u.balance);
    let pets: Vec<PetRow> = w
        .pets
        .select_where(None, |k, _| k.0 == USER && k.1 == PET)
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    (balance, pets.len(), pets.iter().map(|p| p.price).sum())
}

/// `UPDATE users SET balance = $new`: the original handler's write of a balance it
/// computed from what it read.
pub fn set_balance(w: &mut ShopWorld, new: u64) {
    w.users
        .update_where(&USER, None, |_| true, |u| u.balance = new)
        .expect(AUTOCOMMIT);
}

/// `UPDATE users SET balance = balance − $price WHERE balance >= $price`, in `txn`
/// (which must hold the row lock) or autocommit. Rows updated.
pub fn debit(w: &mut ShopWorld, txn: Option<TxnId>, price: u64) -> usize {
    w.users
        .update_where(&USER, txn, |u| u.balance >= price, |u| u.balance -= price)
        .expect("autocommit, or this transaction holds the row lock")
}

/// `INSERT INTO user_pets` with no unique constraint (the write-up's schema).
pub fn insert_pet(w: &mut ShopWorld, price: u64) {
    let serial = w.next_pet_serial;
    w.next_pet_serial += 1;
    w.pets
        .insert((USER, PET, serial), PetRow { price }, None)
        .expect(AUTOCOMMIT)
        .expect("a fresh serial never collides");
}

/// `BEGIN; SELECT * FROM users WHERE id = $user FOR UPDATE`: waits while another
/// transaction holds the row.
pub fn lock_user(w: &mut ShopWorld, txn: TxnId) -> Result<Option<UserRow>, Blocked> {
    w.users.select_for_update(&USER, txn)
}

/// `INSERT INTO user_pets` under a unique (user, pet), in `txn`: waits while another
/// transaction has the same pet uncommitted.
pub fn insert_unique_pet(
    w: &mut ShopWorld,
    txn: TxnId,
    price: u64,
) -> Result<Result<(), UniqueViolation>, Blocked> {
    w.pets.insert((USER, PET, 0), PetRow { price }, Some(txn))
}

/// `COMMIT`.
pub fn commit(w: &mut ShopWorld, txn: TxnId) {
    w.users.commit(txn);
    w.pets.commit(txn);
}

/// `ROLLBACK` (also what the database does to a dead connection's transaction).
pub fn rollback(w: &mut ShopWorld, txn: TxnId) {
    w.users.rollback(txn);
    w.pets.rollback(txn);
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
