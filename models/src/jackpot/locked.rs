//! Operations inside one transaction: row locks taken by `FOR UPDATE`, `UPDATE` or
//! `INSERT` are held across steps until the commit or rollback step.

use crate::sim::{Actor, Halt};

use super::world::{audit, group, pay, txn_of, who, JackpotWorld, PoolRow, POOL};
use super::Config;

/// `BEGIN; SELECT … FOR UPDATE`: waits while another transaction holds the row.
pub(super) fn lock_pool(a: &Actor<JackpotWorld>, me: usize) -> Result<PoolRow, Halt> {
    a.step_when("lock pool", |s| {
        let row = s
            .state
            .pools
            .select_for_update(&POOL, txn_of(me))
            .ok()?
            .expect("pools are never deleted");
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
        let mut amount = 0;
        s.state
            .pools
            .update_where(
                &POOL,
                Some(txn_of(me)),
                |_| true,
                |r| {
                    set(r);
                    r.version += 1;
                    amount = r.amount;
                },
            )
            .expect("the transaction holds the row lock");
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
        s.state.pools.commit(txn_of(me));
        s.state.paid_wins.commit(txn_of(me));
        pay(s, win_id, POOL, win);
        let amount = s.state.committed(POOL).amount;
        s.saw(|| format!("{} commits win #{win_id}: the pool holds {amount}", who(me)));
        audit(s);
    })
}

pub(super) fn rollback(a: &Actor<JackpotWorld>, me: usize, why: &'static str) -> Result<(), Halt> {
    a.step("rollback", |s| {
        s.state.pools.rollback(txn_of(me));
        s.state.paid_wins.rollback(txn_of(me));
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
            s.state
                .pools
                .update_where(
                    &g,
                    Some(txn),
                    |_| true,
                    |r| {
                        r.amount += cfg.contribution;
                        r.version += 1;
                    },
                )
                .ok()?;
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
        s.state.pools.commit(txn);
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
        let inserted = s
            .state
            .paid_wins
            .insert(win_id, (), Some(txn))
            .ok()?
            .is_ok();
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
        let n = s
            .state
            .pools
            .update_where(
                &POOL,
                Some(txn),
                |r| r.amount >= cfg.win,
                |r| {
                    r.amount -= cfg.win;
                    r.version += 1;
                },
            )
            .ok()?;
        s.saw(|| {
            format!(
                "{}: SET amount = amount − {w} WHERE amount >= {w}: {n} row",
                who(me),
                w = cfg.win
            )
        });
        Some(n == 1)
    })?;
    if paid {
        commit_win(a, me, win_id, cfg.win)
    } else {
        rollback(a, me, "the pool cannot cover the win")
    }
}
