//! Correct rungs under the faults of [`crate::faults`] (its loop, `with_faults`:
//! killed backends or a server restart), each sending exactly the statements its
//! model sends, in the model's order, and each reading its invariant back from the
//! server's rows afterwards. One file a scheme; here what they share.
//!
//! A client whose connection died while the statement that commits was in flight
//! (`COMMIT`, or an autocommit compare-and-set) cannot know whether it committed: that
//! operation is *in doubt* ([`Commits`]). The server's rows must then show a number of
//! committed operations between those the clients saw commit (`known`) and `known +
//! in doubt` ([`committed_within`]).
//!
//! - `jackpot/guarded-decrement` ([`jackpot_wins`]): wins (`BEGIN; INSERT paid_wins
//!   …; UPDATE … WHERE amount >= $w; COMMIT`), some of them redelivered. Money is
//!   conserved (the pool holds its seed less one win per `paid_wins` row), never
//!   negative, no win paid twice.
//! - `jackpot/version-cas` ([`jackpot_cas`]): contributions by `READ_POOL` then
//!   `COMPARE_AND_SET`, retried up to the model's attempts on a lost CAS.
//! - `jackpot/row-lock-win` ([`jackpot_row_lock_wins`]): `BEGIN; SELECT … FOR UPDATE`,
//!   `ROLLBACK` if the pool cannot cover the win, else the unversioned write of
//!   `amount − win` and `COMMIT`.
//! - `jackpot/canonical-lock-order` ([`jackpot_batches`]): batches adding to two of
//!   three pools in one transaction, the pools sorted by id before the first `UPDATE`.
//! - `device-claim/epoch-lease` ([`device_claims`]): claims of one hot device with a
//!   short lease; a client counts itself holder from a won claim until its release
//!   or its connection's death. No claim may win while another client holds the
//!   device.
//! - `device-claim/conditional-update` ([`device_conditional_claims`]): claim `WHERE
//!   owner IS NULL`, validate with `SELECT owner`, hold ~1 ms, clear.
//! - `instance-coordinator/fenced-lease` ([`fenced_purchases`]): the atomic lease on
//!   `locks` with its fence, the profile read as one snapshot, the fenced purchase,
//!   the release by token.
//! - `instance-coordinator/expiring-lock-table` ([`expiring_lock_purchases`]): the
//!   write-up's `locks` rows (select, sweep if expired, insert, release by holder),
//!   early instances at a command's arrival and a late one alone after their leases.
//! - `instance-coordinator/single-transaction`, `insufficient-balance` and
//!   `profile-snapshot` ([`single_transactions`], one run with a
//!   [`SingleTransactionRung`]): `BEGIN; SELECT … FOR UPDATE`, guarded debit, the pet
//!   under a unique (user, pet), `COMMIT`; a user who cannot pay; a viewer's snapshot.
//! - `cart-reservation/ttl-reservation-cache` ([`ttl_cache_orders`]): the write-up's
//!   reservation map in this process, the stock in PostgreSQL; and
//!   `shared-atomic-reservation` ([`shared_reservation_orders`]): the reservations
//!   as rows of the same database. No item sold beyond its stock, and the units sold
//!   per item between the sales seen commit and those in doubt.

use std::sync::atomic::{AtomicU64, Ordering};

mod cart;
mod device_claim;
mod jackpot;
mod shop;
mod single_transaction;

pub use cart::{shared_reservation_orders, ttl_cache_orders};
pub use device_claim::{device_claims, device_conditional_claims};
pub use jackpot::{jackpot_batches, jackpot_cas, jackpot_row_lock_wins, jackpot_wins};
pub use shop::{expiring_lock_purchases, fenced_purchases};
pub use single_transaction::{single_transactions, SingleTransactionRung};

/// Adds one to `n`.
fn bump(n: &AtomicU64) {
    n.fetch_add(1, Ordering::SeqCst);
}

fn get(n: &AtomicU64) -> u64 {
    n.load(Ordering::SeqCst)
}

/// The operations a run's clients saw commit, and those in doubt.
#[derive(Default)]
struct Commits {
    /// Operations the clients saw commit.
    known: AtomicU64,
    /// Operations whose commit was in flight when their connection died.
    in_doubt: AtomicU64,
}

impl Commits {
    /// Counts the outcome of the statement that commits an operation: known if it
    /// returned, in doubt if it failed (its connection may have died with it in
    /// flight).
    fn count<T, E>(&self, commit: &Result<T, E>) {
        bump(if commit.is_ok() {
            &self.known
        } else {
            &self.in_doubt
        });
    }

    fn known(&self) -> u64 {
        get(&self.known)
    }

    fn in_doubt(&self) -> u64 {
        get(&self.in_doubt)
    }

    /// [`committed_within`] these counts.
    fn within(&self, what: &str, delta: i64, unit: i64) -> Result<u64, String> {
        committed_within(what, delta, unit, self.known(), self.in_doubt())
    }
}

/// Operations that committed on the server, from a change `delta` made of `unit`s:
/// `delta` must be a whole number `n` of units with `known ≤ n ≤ known + in_doubt`.
/// The error says what the server holds and what the clients allow.
fn committed_within(
    what: &str,
    delta: i64,
    unit: i64,
    known: u64,
    in_doubt: u64,
) -> Result<u64, String> {
    if delta % unit != 0 || delta < 0 {
        return Err(format!(
            "{what}: a change of {delta} is not a whole number of {unit}s"
        ));
    }
    let n = (delta / unit) as u64;
    if n < known || n > known + in_doubt {
        return Err(format!(
            "{what}: the server shows {n} committed, but the clients saw {known} commit \
             and {in_doubt} in doubt (allowed {known}..={})",
            known + in_doubt
        ));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_operations_must_lie_within_known_and_in_doubt() {
        assert_eq!(committed_within("x", 30, 10, 2, 1), Ok(3));
        assert_eq!(committed_within("x", 20, 10, 2, 0), Ok(2));
        assert!(committed_within("x", 10, 10, 2, 3).is_err());
        assert!(committed_within("x", 40, 10, 2, 1).is_err());
        assert!(committed_within("x", 25, 10, 2, 1).is_err());
        assert!(committed_within("x", -10, 10, 0, 0).is_err());
    }

    #[test]
    fn a_commit_that_returned_is_known_one_that_failed_in_doubt() {
        let c = Commits::default();
        c.count(&Ok::<_, ()>(1));
        c.count(&Ok::<_, ()>(0));
        c.count(&Err::<u64, _>(()));
        assert_eq!((c.known(), c.in_doubt()), (2, 1));
        assert_eq!(c.within("x", 30, 10), Ok(3));
        assert!(c.within("x", 10, 10).is_err());
    }
}
