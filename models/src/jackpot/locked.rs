//! Operations inside one transaction: row locks taken by `FOR UPDATE`, `UPDATE` or
//! `INSERT` are held across steps until the commit or rollback step.

use crate::sim::{Actor, Halt};

use super::sql::{begin_ok, begin_then, nothing, ok, sql};
use super::statements::{self, Call};
use super::world::{audit, group, pay, who, JackpotWorld, PoolRow, POOL};
use super::{Config, BATCH_COMMITS};

/// `BEGIN; SELECT … FOR UPDATE`: waits while another transaction holds the row.
pub(super) fn lock_pool(a: &Actor<JackpotWorld>, me: usize) -> Result<PoolRow, Halt> {
    let o = begin_ok(a, "lock pool", me, statements::lock_pool(POOL))?;
    Ok(statements::pool_row(&o).expect("pools are never deleted"))
}

/// The payment inside the transaction, which already holds the row lock.
pub(super) fn pay_locked(a: &Actor<JackpotWorld>, me: usize, call: Call) -> Result<(), Halt> {
    ok(a, "pay win", me, call, nothing).map(drop)
}

pub(super) fn commit_win(
    a: &Actor<JackpotWorld>,
    me: usize,
    win_id: u32,
    win: i64,
) -> Result<(), Halt> {
    ok(a, "commit", me, statements::commit(), |s, _| {
        pay(s, win_id, POOL, win);
        audit(s);
    })
    .map(drop)
}

pub(super) fn rollback(a: &Actor<JackpotWorld>, me: usize) -> Result<(), Halt> {
    ok(a, "rollback", me, statements::rollback(), nothing).map(drop)
}

pub(super) fn batch(
    a: &Actor<JackpotWorld>,
    cfg: &Config,
    me: usize,
    order: [usize; 2],
) -> Result<(), Halt> {
    for (i, g) in order.into_iter().enumerate() {
        // The UPDATE takes the row lock and keeps it until COMMIT. Waiting for a batch
        // that waits for this one is PostgreSQL's deadlock: one of the two fails.
        let add = statements::add(g, cfg.contribution);
        let done = if i == 0 {
            begin_then(a, "contribute to group", me, add, nothing)?
        } else {
            sql(a, "contribute to group", me, add, nothing)?
        };
        if let Err(e) = done {
            return ok(a, "rollback", me, statements::rollback(), |s, _| {
                s.violate(BATCH_COMMITS, || {
                    format!(
                        "{}'s batch failed with {} (PostgreSQL aborted it as a deadlock victim): its {} to {} and {} is lost",
                        who(me),
                        e.code,
                        cfg.contribution,
                        group(order[0]),
                        group(order[1])
                    )
                });
            })
            .map(drop);
        }
    }
    ok(a, "commit", me, statements::commit(), |s, _| {
        for g in order {
            s.state.contributed(g, cfg.contribution);
        }
        s.checked(BATCH_COMMITS);
        audit(s);
    })
    .map(drop)
}

pub(super) fn guarded_win(
    a: &Actor<JackpotWorld>,
    cfg: &Config,
    me: usize,
    win_id: u32,
) -> Result<(), Halt> {
    // INSERT waits while another transaction has this win id uncommitted, then finds
    // the committed row and inserts nothing: a redelivered win is recognised and
    // skipped.
    let fresh = begin_ok(a, "record win id", me, statements::record_win(win_id))?.affected == 1;
    if !fresh {
        // A duplicate win.
        return rollback(a, me);
    }
    let paid = ok(
        a,
        "guarded decrement",
        me,
        statements::guarded_decrement(POOL, cfg.win),
        nothing,
    )?
    .affected
        == 1;
    if paid {
        commit_win(a, me, win_id, cfg.win)
    } else {
        // The pool cannot cover the win.
        rollback(a, me)
    }
}
