//! Operations made of autocommit statements: each statement is its own transaction,
//! so nothing is held between steps.

use crate::sim::{Actor, Halt};

use super::sql::{nothing, ok};
use super::statements;
use super::world::{audit, pay, tally_cas, who, JackpotWorld, PoolRow, POOL};
use super::{Config, FAILED_OP_NO_EFFECT, OP_SUCCEEDS_WITHIN_ATTEMPTS};

pub(super) fn read_pool(a: &Actor<JackpotWorld>, me: usize) -> Result<PoolRow, Halt> {
    let o = ok(a, "read pool", me, statements::read_pool(POOL), nothing)?;
    Ok(statements::pool_row(&o).expect("pools are never deleted"))
}

pub(super) fn read_modify_write_win(
    a: &Actor<JackpotWorld>,
    cfg: &Config,
    me: usize,
    win_id: u32,
) -> Result<(), Halt> {
    let read = read_pool(a, me)?.amount;
    if read < cfg.win {
        return Ok(());
    }
    let new = read - cfg.win;
    ok(
        a,
        "write amount",
        me,
        statements::write_amount(POOL, new),
        |s, _| {
            pay(s, win_id, POOL, cfg.win);
            audit(s);
        },
    )
    .map(drop)
}

pub(super) fn cas_contribution(
    a: &Actor<JackpotWorld>,
    cfg: &Config,
    me: usize,
) -> Result<(), Halt> {
    for attempt in 1..=cfg.attempts {
        let read = read_pool(a, me)?;
        let new = read.amount + cfg.contribution;
        let last = attempt == cfg.attempts;
        let call = statements::compare_and_set(POOL, read.version, new);
        let done = ok(a, "compare-and-set", me, call, |s, o| {
            let set = o.affected == 1;
            tally_cas(s, POOL, read.version, set);
            if set {
                s.state.contributed(POOL, cfg.contribution);
                audit(s);
                s.checked(OP_SUCCEEDS_WITHIN_ATTEMPTS);
                return;
            }
            if last {
                // The operation gives up; it must leave the pool as if it never ran.
                let now = s.state.committed(POOL);
                let expected = s.state.expected(POOL);
                s.check(now.amount == expected, FAILED_OP_NO_EFFECT, || {
                    format!(
                        "{}'s failed contribution left the pool at {} instead of {expected}",
                        who(me),
                        now.amount
                    )
                });
                s.violate(OP_SUCCEEDS_WITHIN_ATTEMPTS, || {
                    format!("{}'s contribution failed after {} attempt(s) with {} contenders (0 rows: the pool is at version {})", who(me), cfg.attempts, cfg.contenders, now.version)
                });
            }
        })?;
        if done.affected == 1 {
            return Ok(());
        }
        // Backoff: there is no clock here, and none is needed: any amount of waiting
        // is just another interleaving, which the engine explores anyway.
    }
    Ok(())
}

pub(super) fn blind_contribution(
    a: &Actor<JackpotWorld>,
    cfg: &Config,
    me: usize,
) -> Result<(), Halt> {
    let read = read_pool(a, me)?;
    let new = read.amount + cfg.contribution;
    // The write waits for a row lock like any UPDATE, then overwrites whatever the
    // lock holder committed: the version is bumped but never compared.
    let call = statements::write_unversioned(POOL, new);
    ok(a, "write amount", me, call, |s, _| {
        s.state.contributed(POOL, cfg.contribution);
        audit(s);
    })
    .map(drop)
}

pub(super) fn reset(a: &Actor<JackpotWorld>, cfg: &Config, me: usize) -> Result<(), Halt> {
    let call = statements::reset(POOL, cfg.reset_to);
    ok(a, "reset pool", me, call, |s, _| {
        s.state.rebased(POOL, cfg.reset_to);
        audit(s);
    })
    .map(drop)
}

pub(super) fn additive_contribution(
    a: &Actor<JackpotWorld>,
    cfg: &Config,
    me: usize,
) -> Result<(), Halt> {
    ok(
        a,
        "contribute",
        me,
        statements::add(POOL, cfg.contribution),
        |s, _| {
            s.state.contributed(POOL, cfg.contribution);
            audit(s);
        },
    )
    .map(drop)
}
