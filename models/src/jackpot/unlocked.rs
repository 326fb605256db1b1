//! Operations made of autocommit statements: each statement is its own transaction,
//! so nothing is held between steps.

use crate::sim::{Actor, Halt};

use super::statements;
use super::world::{audit, pay, tally_cas, who, JackpotWorld, PoolRow, POOL};
use super::{Config, FAILED_OP_NO_EFFECT, OP_SUCCEEDS_WITHIN_ATTEMPTS};

pub(super) fn read_pool(a: &Actor<JackpotWorld>, me: usize) -> Result<PoolRow, Halt> {
    a.step("read pool", |s| {
        let row = statements::read_pool(&s.state.pools, POOL);
        s.saw(|| {
            format!(
                "{} reads the pool: amount = {}, version = {}",
                who(me),
                row.amount,
                row.version
            )
        });
        row
    })
}

pub(super) fn read_modify_write_win(
    a: &Actor<JackpotWorld>,
    cfg: &Config,
    me: usize,
    win_id: u32,
) -> Result<(), Halt> {
    let read = a.step("read pool", |s| {
        let amount = statements::read_pool(&s.state.pools, POOL).amount;
        s.saw(|| format!("{} reads the pool: amount = {amount}", who(me)));
        amount
    })?;
    if read < cfg.win {
        return Ok(());
    }
    let new = read - cfg.win;
    a.step("write amount", |s| {
        statements::write_amount(&mut s.state.pools, POOL, new);
        pay(s, win_id, POOL, cfg.win);
        s.saw(|| {
            format!(
                "{} pays its {} win from the {read} it read and writes amount = {new}",
                who(me),
                cfg.win
            )
        });
        audit(s);
    })
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
        let done = a.step("compare-and-set", |s| {
            let set = statements::compare_and_set(&mut s.state.pools, POOL, read.version, new);
            tally_cas(s, POOL, read.version, set);
            let now = s.state.committed(POOL);
            if set {
                s.state.contributed(POOL, cfg.contribution);
                s.saw(|| format!("{} adds {}: SET amount = {new}, version = {} WHERE version = {}: 1 row (attempt {attempt})", who(me), cfg.contribution, now.version, read.version));
                audit(s);
                s.checked(OP_SUCCEEDS_WITHIN_ATTEMPTS);
                return true;
            }
            s.saw(|| format!("{} adds {}: SET amount = {new} WHERE version = {}: 0 rows, the pool is at version {} (attempt {attempt} of {})", who(me), cfg.contribution, read.version, now.version, cfg.attempts));
            if last {
                // The operation gives up; it must leave the pool as if it never ran.
                let expected = s.state.expected(POOL);
                s.check(now.amount == expected, FAILED_OP_NO_EFFECT, || {
                    format!("{}'s failed contribution left the pool at {} instead of {expected}", who(me), now.amount)
                });
                s.violate(OP_SUCCEEDS_WITHIN_ATTEMPTS, || {
                    format!("{}'s contribution failed after {} attempt(s) with {} contenders", who(me), cfg.attempts, cfg.contenders)
                });
            }
            false
        })?;
        if done {
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
    a.step_when("write amount", |s| {
        statements::write_unversioned(&mut s.state.pools, POOL, new).ok()?;
        s.state.contributed(POOL, cfg.contribution);
        s.saw(|| {
            format!(
                "{} adds {} to the {} it read: SET amount = {new}, version = version + 1 (no version check)",
                who(me),
                cfg.contribution,
                read.amount
            )
        });
        audit(s);
        Some(())
    })
}

pub(super) fn reset(a: &Actor<JackpotWorld>, cfg: &Config) -> Result<(), Halt> {
    a.step("reset pool", |s| {
        statements::reset(&mut s.state.pools, POOL, cfg.reset_to);
        s.state.rebased(POOL, cfg.reset_to);
        s.saw(|| {
            format!(
                "admin resets the pool to {}, version = 1 (as a freshly inserted row)",
                cfg.reset_to
            )
        });
        audit(s);
    })
}

pub(super) fn additive_contribution(
    a: &Actor<JackpotWorld>,
    cfg: &Config,
    me: usize,
) -> Result<(), Halt> {
    a.step_when("contribute", |s| {
        statements::add(&mut s.state.pools, POOL, None, cfg.contribution).ok()?;
        s.state.contributed(POOL, cfg.contribution);
        let amount = s.state.committed(POOL).amount;
        s.saw(|| {
            format!(
                "{}: SET amount = amount + {}: the pool holds {amount}",
                who(me),
                cfg.contribution
            )
        });
        audit(s);
        Some(())
    })
}
