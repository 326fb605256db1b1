//! What a bot instance does with a "buy pet 7" command: according to its
//! [`Protocol`], take the lock (or not), read the profile, pay and insert the pet,
//! release the lock.

use crate::sim::store::sql::sqlstate;
use crate::sim::{Actor, Halt};

use super::lease::{acquire_expiring, acquire_fenced, release};
use super::sql::{begin_then, sql_then, statements, Batch};
use super::statements::{self as stmts, shop};
use super::world::{check_shop, ShopWorld, PET, USER};
use super::{Config, Protocol, FENCE_MONOTONIC};

/// An instance's life: wait for the command, handle it, done.
pub fn run(a: &Actor<ShopWorld>, cfg: &Config, me: usize) -> Result<(), Halt> {
    let arrival = cfg.arrival(me);
    if arrival > 0 && !a.sleep_until(arrival)? {
        return Ok(());
    }
    match cfg.protocol {
        Protocol::UnlockedPurchase => unlocked_purchase(a, cfg, me),
        Protocol::SingleTransaction => single_transaction(a, cfg, me),
        Protocol::ExpiringLockTable => {
            let Some(lease) = acquire_expiring(a, cfg, me)? else {
                return Ok(());
            };
            if let Some(balance) = read_profile(a, cfg, me, None)? {
                pay(a, cfg, me, balance, None)?;
            }
            if cfg.slow_finally == Some(me) {
                // The reply to the chat API stalls between the purchase and `finally`.
                a.step("reply to the user", |s| {
                    s.saw(|| format!("the chat API stalls; finally runs at t={}", cfg.ttl));
                })?;
                a.sleep_until(cfg.ttl)?;
            }
            release(a, cfg, me, lease)
        }
        Protocol::FencedLease => {
            let Some(lease) = acquire_fenced(a, cfg, me)? else {
                return Ok(());
            };
            if let Some(balance) = read_profile(a, cfg, me, Some(lease.token))? {
                pay(a, cfg, me, balance, Some(lease.token))?;
            }
            release(a, cfg, me, lease)
        }
    }
}

/// The profile as one snapshot (`BEGIN ISOLATION LEVEL REPEATABLE READ`, both
/// `SELECT`s, `COMMIT`): (balance, pets owned, sum of their prices).
pub(super) fn snapshot(b: &mut Batch<'_, '_>) -> (i64, usize, u64) {
    b.ok(stmts::begin_snapshot());
    let balance = shop::balance(&b.ok(shop::select_balance()));
    let (pets, paid) = shop::pets(&b.ok(shop::select_pets()));
    b.ok(stmts::commit());
    (balance, pets, paid)
}

/// `SELECT balance, pets`: the balance, if the user can and should buy. With a fence,
/// the shop notes it, so a holder older than this reader can no longer write.
fn read_profile(
    a: &Actor<ShopWorld>,
    cfg: &Config,
    me: usize,
    fence: Option<u64>,
) -> Result<Option<i64>, Halt> {
    statements(a, "read profile", me, |b| {
        if let Some(f) = fence {
            shop::note_fence(&mut b.s.state.fence, f);
        }
        let (balance, pets, _) = snapshot(b);
        let affordable = u64::try_from(balance).is_ok_and(|b| b >= cfg.price);
        let buy = pets == 0 && affordable;
        b.s.saw(|| {
            let shown = fence
                .map(|f| format!("with fence {f}: "))
                .unwrap_or_default();
            let verdict = if pets > 0 {
                "already owned, nothing to do"
            } else if !affordable {
                "cannot afford it"
            } else {
                "will buy"
            };
            format!("{shown}user {USER} has balance {balance}, owns {pets} × pet {PET}: {verdict}")
        });
        buy.then_some(balance)
    })
}

/// The original handler: the new balance is computed from the balance it read, so a
/// purchase that committed in between is overwritten (a lost update).
fn unlocked_purchase(a: &Actor<ShopWorld>, cfg: &Config, me: usize) -> Result<(), Halt> {
    let Some(read) = read_profile(a, cfg, me, None)? else {
        return Ok(());
    };
    statements(a, "pay and insert pet", me, |b| {
        // One transaction whose statements take no row lock another purchase holds
        // across steps, so running it as one step loses no interleaving.
        let new_balance = read - i64::try_from(cfg.price).unwrap_or(i64::MAX);
        b.ok(stmts::begin());
        b.ok(shop::set_balance(new_balance));
        b.ok(shop::insert_pet(cfg.price));
        b.ok(stmts::commit());
        let (balance, pets, _) = b.s.state.profile();
        b.s.saw(|| format!("→ balance {balance}, {pets} × pet {PET}"));
        check_shop(b.s);
    })
}

/// The locked handler's write: `balance = balance − price WHERE balance >= price` and
/// the pet insert, in one transaction. With a fence, the shop first refuses a fence
/// older than one it has seen. No other handler holds the user row across steps, so
/// the transaction as one step loses no interleaving a reader or writer could see.
fn pay(
    a: &Actor<ShopWorld>,
    cfg: &Config,
    me: usize,
    read: i64,
    fence: Option<u64>,
) -> Result<(), Halt> {
    let label = if fence.is_some() {
        "fenced pay and insert pet"
    } else {
        "pay and insert pet"
    };
    statements(a, label, me, |b| {
        if let Some(f) = fence {
            match shop::fenced_write(&mut b.s.state.fence, f) {
                Err(seen) => {
                    b.s.saw(|| format!("shop refuses fence {f}: it has already seen fence {seen}"));
                    return;
                }
                Ok(last) => b.s.check(last.is_none_or(|l| l <= f), FENCE_MONOTONIC, || {
                    format!("shop accepted fence {f} after fence {}", last.unwrap_or(0))
                }),
            }
        }
        b.ok(stmts::begin());
        if b.ok(shop::debit(cfg.price)).affected == 0 {
            b.ok(stmts::rollback());
            b.s.saw(|| format!("balance no longer covers {}", cfg.price));
            return;
        }
        b.ok(shop::insert_pet(cfg.price));
        b.ok(stmts::commit());
        let (balance, pets, _) = b.s.state.profile();
        b.s.saw(|| format!("read {read} → balance {balance}, {pets} × pet {PET}"));
        check_shop(b.s);
    })
}

/// The correct handler, with no lease: the user row lock serialises purchases, the
/// guard keeps the balance non-negative, the unique (user, pet) refuses a second pet.
fn single_transaction(a: &Actor<ShopWorld>, cfg: &Config, me: usize) -> Result<(), Halt> {
    let locked = begin_then(
        a,
        "BEGIN; SELECT user FOR UPDATE",
        me,
        shop::lock_user(),
        |_, _| {},
    )?;
    locked.unwrap_or_else(|e| panic!("SELECT … FOR UPDATE: unexpected {e:?}"));
    let paid = statements(a, "guarded debit", me, |b| {
        // This transaction holds the user row: the UPDATE cannot wait.
        let n = b.ok(shop::debit(cfg.price)).affected;
        if n == 0 {
            b.ok(stmts::rollback());
            // Nothing was bought: the shop must still add up (a purchase the user
            // cannot afford would show up here as a balance below zero).
            check_shop(b.s);
        }
        n == 1
    })?;
    if !paid {
        return Ok(());
    }
    // The user row lock lets one transaction at a time reach the INSERT, so it never
    // waits for another's uncommitted pet.
    let inserted = statements(a, "INSERT pet", me, |b| {
        match b.run(shop::insert_pet(cfg.price)) {
            Ok(_) => true,
            Err(e) if e.code == sqlstate::UNIQUE_VIOLATION => {
                b.ok(stmts::rollback());
                b.s.saw(|| format!("user {USER} already owns pet {PET}"));
                false
            }
            Err(e) => panic!("INSERT pet: unexpected {e:?}"),
        }
    })?;
    if !inserted {
        return Ok(());
    }
    let committed = sql_then(
        a,
        "COMMIT",
        me,
        |_| stmts::commit(),
        |s, _| {
            let (balance, pets, _) = s.state.profile();
            s.saw(|| format!("committed → balance {balance}, {pets} × pet {PET}"));
            check_shop(s);
        },
    )?;
    committed
        .map(drop)
        .map_err(|e| e.code)
        .unwrap_or_else(|c| panic!("COMMIT: unexpected {c}"));
    Ok(())
}
