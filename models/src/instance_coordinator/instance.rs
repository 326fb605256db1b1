//! What a bot instance does with a "buy pet 7" command: according to its
//! [`Protocol`], take the lock (or not), read the profile, pay and insert the pet,
//! release the lock.

use crate::sim::{Actor, Halt};

use super::lease::{acquire_expiring, acquire_fenced, release};
use super::statements::shop;
use super::world::{check_shop, txn, ShopWorld, PET, USER};
use super::{Config, Protocol, FENCE_MONOTONIC};

/// An instance's life: wait for the command, handle it, done.
pub fn run(a: &Actor<ShopWorld>, cfg: &Config, me: usize) -> Result<(), Halt> {
    let arrival = cfg.arrival(me);
    if arrival > 0 && !a.sleep_until(arrival)? {
        return Ok(());
    }
    match cfg.protocol {
        Protocol::UnlockedPurchase => unlocked_purchase(a, cfg),
        Protocol::SingleTransaction => single_transaction(a, cfg, me),
        Protocol::ExpiringLockTable => {
            let Some(lease) = acquire_expiring(a, cfg, me)? else {
                return Ok(());
            };
            if let Some(balance) = read_profile(a, cfg, None)? {
                pay(a, cfg, balance, None)?;
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
            if let Some(balance) = read_profile(a, cfg, Some(lease.token))? {
                pay(a, cfg, balance, Some(lease.token))?;
            }
            release(a, cfg, me, lease)
        }
    }
}

/// `SELECT balance, pets`: the balance, if the user can and should buy. With a fence,
/// the shop notes it, so a holder older than this reader can no longer write.
fn read_profile(
    a: &Actor<ShopWorld>,
    cfg: &Config,
    fence: Option<u64>,
) -> Result<Option<u64>, Halt> {
    a.step("read profile", |s| {
        if let Some(f) = fence {
            shop::note_fence(&mut s.state.fence, f);
        }
        let (balance, pets, _) = s.state.profile();
        let buy = pets == 0 && balance >= cfg.price;
        s.saw(|| {
            let shown = fence
                .map(|f| format!("with fence {f}: "))
                .unwrap_or_default();
            let verdict = if pets > 0 {
                "already owned, nothing to do"
            } else if balance < cfg.price {
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
fn unlocked_purchase(a: &Actor<ShopWorld>, cfg: &Config) -> Result<(), Halt> {
    let Some(read) = read_profile(a, cfg, None)? else {
        return Ok(());
    };
    a.step("pay and insert pet", |s| {
        // One transaction whose statements take no row lock another purchase holds
        // across steps, so running it as one step loses no interleaving.
        let new_balance = read - cfg.price;
        shop::set_balance(s.state, new_balance);
        shop::insert_pet(s.state, cfg.price);
        let (balance, pets, _) = s.state.profile();
        s.saw(|| {
            format!("UPDATE users SET balance = {new_balance}; INSERT pet {PET}; COMMIT → balance {balance}, {pets} × pet {PET}")
        });
        check_shop(s);
    })
}

/// The locked handler's write: `balance = balance − price WHERE balance >= price` and
/// the pet insert, in one transaction. With a fence, the shop first refuses a fence
/// older than one it has seen. No other handler holds the user row across steps, so
/// the transaction as one step loses no interleaving a reader or writer could see.
fn pay(a: &Actor<ShopWorld>, cfg: &Config, read: u64, fence: Option<u64>) -> Result<(), Halt> {
    let label = if fence.is_some() {
        "fenced pay and insert pet"
    } else {
        "pay and insert pet"
    };
    a.step(label, |s| {
        if let Some(f) = fence {
            match shop::fenced_write(&mut s.state.fence, f) {
                Err(seen) => {
                    s.saw(|| format!("shop refuses fence {f}: it has already seen fence {seen}"));
                    return;
                }
                Ok(last) => s.check(last.is_none_or(|l| l <= f), FENCE_MONOTONIC, || {
                    format!("shop accepted fence {f} after fence {}", last.unwrap_or(0))
                }),
            }
        }
        if shop::debit(s.state, None, cfg.price) == 0 {
            s.saw(|| format!("balance no longer covers {}: ROLLBACK", cfg.price));
            return;
        }
        shop::insert_pet(s.state, cfg.price);
        let (balance, pets, _) = s.state.profile();
        s.saw(|| {
            format!("read {read}; UPDATE balance = balance - {} WHERE balance >= {}; INSERT pet {PET}; COMMIT → balance {balance}, {pets} × pet {PET}", cfg.price, cfg.price)
        });
        check_shop(s);
    })
}

/// The correct handler, with no lease: the user row lock serialises purchases, the
/// guard keeps the balance non-negative, the unique (user, pet) refuses a second pet.
fn single_transaction(a: &Actor<ShopWorld>, cfg: &Config, me: usize) -> Result<(), Halt> {
    let t = txn(me);
    a.step_when("BEGIN; SELECT user FOR UPDATE", |s| {
        let row = shop::lock_user(s.state, t).ok()?;
        let balance = row.map_or(0, |u| u.balance);
        s.saw(|| format!("{t}: locked user {USER}, balance {balance}"));
        Some(())
    })?;
    let paid = a.step("guarded debit", |s| {
        let n = shop::debit(s.state, Some(t), cfg.price);
        if n == 0 {
            shop::rollback(s.state, t);
            s.saw(|| format!("UPDATE … WHERE balance >= {}: 0 rows, ROLLBACK", cfg.price));
            // Nothing was bought: the shop must still add up (a purchase the user
            // cannot afford would show up here as a balance below zero, wrapped).
            check_shop(s);
        } else {
            s.saw(|| {
                format!(
                    "UPDATE balance = balance - {} WHERE balance >= {}: 1 row",
                    cfg.price, cfg.price
                )
            });
        }
        n == 1
    })?;
    if !paid {
        return Ok(());
    }
    let inserted = a.step_when("INSERT pet", |s| {
        let result = shop::insert_unique_pet(s.state, t, cfg.price).ok()?;
        if result.is_err() {
            shop::rollback(s.state, t);
            s.saw(|| {
                format!("unique (user, pet) violated: user {USER} already owns pet {PET}, ROLLBACK")
            });
        } else {
            s.saw(|| format!("INSERT user_pets ({USER}, {PET}) (not visible to others yet)"));
        }
        Some(result.is_ok())
    })?;
    if !inserted {
        return Ok(());
    }
    a.step("COMMIT", |s| {
        shop::commit(s.state, t);
        let (balance, pets, _) = s.state.profile();
        s.saw(|| format!("{t} committed → balance {balance}, {pets} × pet {PET}"));
        check_shop(s);
    })
}
