//! What each actor does: one operation (a win, a contribution, a batch, a reset), as
//! the statements the service sends, one atomic step per statement.

use crate::sim::{Actor, Halt};

use super::locked::{batch, commit_win, guarded_win, lock_pool, pay_locked, rollback};
use super::statements;
use super::unlocked::{
    additive_contribution, blind_contribution, cas_contribution, read_modify_write_win, read_pool,
    reset,
};
use super::world::{JackpotWorld, POOL};
use super::Config;

/// One actor's operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Read the amount, check it covers the win, write `read − win`.
    ReadModifyWriteWin { win_id: u32 },
    /// Version compare-and-set contribution, up to `attempts` times.
    CasContribution,
    /// `SELECT … FOR UPDATE`, check, pay, commit.
    RowLockWin { win_id: u32 },
    /// Read, then write `read + contribution` without the version check.
    BlindContribution,
    /// Check the amount unlocked, then lock and pay.
    CheckOutsideLockWin { win_id: u32 },
    /// Contribute to both groups in one transaction, locking them in `order`.
    Batch { order: [usize; 2] },
    /// Admin: reset the pool to its seed, at version 1.
    Reset,
    /// Record the win id, guarded decrement, commit: paid at most once, never below 0.
    GuardedWin { win_id: u32 },
    /// `SET amount = amount + c`.
    AdditiveContribution,
}

/// Runs actor `me`'s operation.
pub fn run(a: &Actor<JackpotWorld>, cfg: &Config, me: usize, role: Role) -> Result<(), Halt> {
    match role {
        Role::ReadModifyWriteWin { win_id } => read_modify_write_win(a, cfg, me, win_id),
        Role::CasContribution => cas_contribution(a, cfg, me),
        Role::RowLockWin { win_id } => {
            let row = lock_pool(a, me)?;
            if row.amount < cfg.win {
                // The pool cannot cover the win.
                return rollback(a, me);
            }
            pay_locked(
                a,
                me,
                statements::write_unversioned(POOL, row.amount - cfg.win),
            )?;
            commit_win(a, me, win_id, cfg.win)
        }
        Role::BlindContribution => blind_contribution(a, cfg, me),
        Role::CheckOutsideLockWin { win_id } => {
            let read = read_pool(a, me)?;
            if read.amount < cfg.win {
                return Ok(());
            }
            // The check above is the only one: the locked row is not looked at again.
            lock_pool(a, me)?;
            pay_locked(a, me, statements::subtract(POOL, cfg.win))?;
            commit_win(a, me, win_id, cfg.win)
        }
        Role::Batch { order } => batch(a, cfg, me, order),
        Role::Reset => reset(a, cfg, me),
        Role::GuardedWin { win_id } => guarded_win(a, cfg, me, win_id),
        Role::AdditiveContribution => additive_contribution(a, cfg, me),
    }
}
