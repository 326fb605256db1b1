//! Operations inside one transaction: row locks taken by `FOR UPDATE`, `UPDATE` or
//! `INSERT` are held across steps until the commit or rollback step.

use crate::sim::{Actor, Halt};

use super::statements;
use super::world::{audit, group, pay, txn_of, who, JackpotWorld, PoolRow, POOL};
use super::Config;

/// `BEGIN; SELECT … FOR UPDATE`: waits while another transaction holds the row.
pub(super) fn lock_pool(a: &Actor<JackpotWorld>, me: usize) -> Result<PoolRow, Halt> {
    a.step_when("lock pool", |s| {
        let row = statements::lock_pool(&mut s.state.pools, POOL, txn_of(me)).ok()?;
        s.saw(|| {
            format!(
                "{} locks the pool (FOR UPDATE): amount = {}",
                who(me),
                row.amount
            )
        });
        Some(row)
    })
}

/// `UPDATE` inside the transaction, which already holds the row lock.
pub(super) fn pay_locked(
    a: &Actor<JackpotWorld>,
    cfg: &Config,
    me: usize,
    set: impl Fn(&mut PoolRow),
) -> Result<(), Halt> {
    a.step("pay win", |s| {
        let amount = statements::pay_locked(&mut s.state.pools, POOL, txn_of(me), &set);
        s.saw(|| {
            format!(
                "{} pays {}: amount = {amount} (uncommitted)",
                who(me),
                cfg.win
            )
        });
    })
}

pub(super) fn commit_win(
    a: &Actor<JackpotWorld>,
    me: usize,
    win_id: u32,
    win: i64,
) -> Result<(), Halt> {
    a.step("commit", |s| {
        let w = &mut *s.state;
        statements::commit(&mut w.pools, &mut w.paid_wins, txn_of(me));
        pay(s, win_id, POOL, win);
        let amount = s.state.committed(POOL).amount;
        s.saw(|| format!("{} commits win #{win_id}: the pool holds {amount}", who(me)));
        audit(s);
    })
}

pub(super) fn rollback(a: &Actor<JackpotWorld>, me: usize, why: &'static str) -> Result<(), Halt> {
    a.step("rollback", |s| {
        let w = &mut *s.state;
        statements::rollback(&mut w.pools, &mut w.paid_wins, txn_of(me));
        s.saw(|| format!("{} rolls back: {why}", who(me)));
    })
}

pub(super) fn batch(
    a: &Actor<JackpotWorld>,
    cfg: &Config,
    me: usize,
    order: [usize; 2],
) -> Result<(), Halt> {
    let txn = txn_of(me);
    for g in order {
        // The UPDATE takes the row lock and keeps it until COMMIT.
        a.step_when("contribute to group", |s| {
            statements::add(&mut s.state.pools, g, Some(txn), cfg.contribution).ok()?;
            s.saw(|| {
                format!(
                    "{} locks {}: SET amount = amount + {} (uncommitted)",
                    who(me),
                    group(g),
                    cfg.contribution
                )
            });
            Some(())
        })?;
    }
    a.step("commit", |s| {
        let w = &mut *s.state;
        statements::commit(&mut w.pools, &mut w.paid_wins, txn);
        for g in order {
            s.state.contributed(g, cfg.contribution);
        }
        s.saw(|| format!("{} commits its batch", who(me)));
        audit(s);
    })
}

pub(super) fn guarded_win(
    a: &Actor<JackpotWorld>,
    cfg: &Config,
    me: usize,
    win_id: u32,
) -> Result<(), Halt> {
    let txn = txn_of(me);
    // INSERT waits while another transaction has this win id uncommitted, then fails
    // on the committed row: a redelivered win is recognised and skipped.
    let fresh = a.step_when("record win id", |s| {
        let inserted = statements::record_win(&mut s.state.paid_wins, win_id, txn).ok()?;
        s.saw(|| {
            if inserted {
                format!("{} records win #{win_id} (uncommitted)", who(me))
            } else {
                format!("{}: win #{win_id} is already paid, skipping it", who(me))
            }
        });
        Some(inserted)
    })?;
    if !fresh {
        return rollback(a, me, "duplicate win");
    }
    let paid = a.step_when("guarded decrement", |s| {
        let paid = statements::guarded_decrement(&mut s.state.pools, POOL, txn, cfg.win).ok()?;
        let n = usize::from(paid);
        s.saw(|| {
            format!(
                "{}: SET amount = amount − {w} WHERE amount >= {w}: {n} row",
                who(me),
                w = cfg.win
            )
        });
        Some(paid)
    })?;
    if paid {
        commit_win(a, me, win_id, cfg.win)
    } else {
        rollback(a, me, "the pool cannot cover the win")
    }
}
