//! Taking and giving back the `pet_buy_1_7` lock: the write-up's acquire (check the
//! row, sweep it if expired, insert mine), the fenced acquire (one statement), and
//! the release in `finally`. The lock-side properties are checked here.

use crate::sim::store::sql::sqlstate;
use crate::sim::{Actor, Halt, Step};

use super::sql::statements;
use super::statements::locks::{self, ReleaseBy};
use super::world::{describe, inst, Lease, LockRow, ShopWorld, LOCK_KEY};
use super::{Config, ACQUIRE_WHEN_FREE, EXCLUSIVE_HOLDER, RELEASE_OWN_TOKEN};

/// The write-up's acquire: `SELECT` the row; if it has expired, `DELETE … WHERE key`
/// (nothing re-checks the expiry, so a lease taken in between is deleted too); then
/// `INSERT`, which fails on a duplicate key. `None`: busy, the user is told to retry.
pub fn acquire_expiring(
    a: &Actor<ShopWorld>,
    cfg: &Config,
    me: usize,
) -> Result<Option<Lease>, Halt> {
    // What the `SELECT` found: no row, an expired row (to sweep), or a live lease.
    let found = statements(a, "check lock", me, |b| {
        let row = locks::lock_row(&b.ok(locks::select_lock(LOCK_KEY)));
        let s = &mut *b.s;
        // The instance compares the row's expiry with its own clock.
        let now = cfg.local_now(me, s.now);
        let clock = own_clock(cfg, me, s.now);
        let live = row.as_ref().is_some_and(|r| r.live_at(now));
        s.saw(|| match &row {
            Some(r) if live => format!("{LOCK_KEY} {}{clock}: busy, try later", describe(r, now)),
            Some(r) => format!("{LOCK_KEY} {}{clock}: sweep it", describe(r, now)),
            None => format!("{LOCK_KEY}: no row"),
        });
        if live {
            s.state.acquired[me] = Some(false);
        }
        row.map(|_| live)
    })?;
    match found {
        Some(true) => return Ok(None),
        Some(false) => sweep(a, me)?,
        None => {}
    }
    statements(a, "insert lock", me, |b| {
        let now = cfg.local_now(me, b.s.now);
        let clock = own_clock(cfg, me, b.s.now);
        let holder = cfg.holder_id(me);
        let token = b.s.state.next_token;
        let inserted = b.run(locks::insert_lock(LOCK_KEY, holder, token, now + cfg.ttl));
        let s = &mut *b.s;
        match inserted {
            Ok(_) => {
                // The sequence moves on; a failed insert uses up no token.
                s.state.next_token += 1;
                s.saw(|| {
                    format!(
                        "holder {}, token {token}, until t={}{}: acquired{}",
                        inst(holder),
                        now + cfg.ttl,
                        clock,
                        if holder == me {
                            String::new()
                        } else {
                            format!(" ({} runs in {}'s process)", inst(me), inst(holder))
                        }
                    )
                });
                Some(granted(s, me, token, now + cfg.ttl))
            }
            Err(e) if e.code == sqlstate::UNIQUE_VIOLATION => {
                let now = s.now;
                let existing = s.state.lock_row().expect("the duplicate key is there");
                s.saw(|| {
                    format!(
                        "duplicate key: {LOCK_KEY} {}; busy",
                        describe(&existing, now)
                    )
                });
                refused(s, me, &existing);
                None
            }
            Err(e) => panic!("insert lock: unexpected {e:?}"),
        }
    })
}

/// How an instance whose clock is off says what time it thinks it is.
fn own_clock(cfg: &Config, me: usize, now: u64) -> String {
    let local = cfg.local_now(me, now);
    if local == now {
        String::new()
    } else {
        format!(" (by {}'s clock, t={local})", inst(me))
    }
}

/// `DELETE FROM locks WHERE key = $k`, with no `AND expires_at <= now`.
fn sweep(a: &Actor<ShopWorld>, me: usize) -> Result<(), Halt> {
    statements(a, "sweep expired lock", me, |b| {
        let now = b.s.now;
        let row = b.s.state.lock_row();
        b.ok(locks::delete_lock(LOCK_KEY));
        b.s.saw(|| match &row {
            Some(r) => format!("removed the row {}", describe(r, now)),
            None => "0 rows".to_owned(),
        });
    })
}

/// The fenced acquire, one statement: `INSERT … ON CONFLICT (key) DO UPDATE … WHERE
/// locks.expires_at <= now() RETURNING token`, the token from a sequence.
pub fn acquire_fenced(
    a: &Actor<ShopWorld>,
    cfg: &Config,
    me: usize,
) -> Result<Option<Lease>, Halt> {
    statements(a, "acquire lease", me, |b| {
        let now = b.s.now;
        let token = b.s.state.next_token;
        let won = b.ok(locks::acquire_lease(LOCK_KEY, me, token, now, cfg.ttl));
        let s = &mut *b.s;
        if locks::fence_won(&won).is_none() {
            let existing = s.state.lock_row().expect("a live lease refused it");
            s.saw(|| format!("{LOCK_KEY} {}; busy", describe(&existing, now)));
            refused(s, me, &existing);
            return None;
        }
        s.state.next_token += 1;
        s.saw(|| {
            format!(
                "{LOCK_KEY} free or expired: acquired with fence {token}, until t={}",
                now + cfg.ttl
            )
        });
        Some(granted(s, me, token, now + cfg.ttl))
    })
}

/// A lock was granted: nobody else may hold a live lease on the key.
fn granted(s: &mut Step<'_, ShopWorld>, me: usize, token: u64, expires_at: u64) -> Lease {
    let now = s.now;
    let other = s
        .state
        .leases
        .iter()
        .find(|l| l.holder != me && l.expires_at > now)
        .copied();
    s.check(other.is_none(), EXCLUSIVE_HOLDER, || {
        let o = other.expect("checked");
        format!(
            "{} acquired {LOCK_KEY} at t={now} while {}'s lease (token {}) is live until t={}",
            inst(me),
            inst(o.holder),
            o.token,
            o.expires_at
        )
    });
    let lease = Lease {
        holder: me,
        token,
        expires_at,
    };
    s.state.leases.push(lease);
    s.state.acquired[me] = Some(true);
    // A grant is an acquire nothing refused.
    s.checked(ACQUIRE_WHEN_FREE);
    lease
}

/// An acquire was refused: only a live lease may refuse it.
fn refused(s: &mut Step<'_, ShopWorld>, me: usize, existing: &LockRow) {
    let now = s.now;
    s.state.acquired[me] = Some(false);
    s.check(existing.expires_at > now, ACQUIRE_WHEN_FREE, || {
        format!(
            "{} was refused {LOCK_KEY} at t={now} by a lease that expired at t={}",
            inst(me),
            existing.expires_at
        )
    });
}

/// The `finally` block: `DELETE FROM locks WHERE key = $k` and, unless the scenario
/// drops it, `AND holder = $me` (the write-up) or `AND token = $t` (fenced).
pub fn release(a: &Actor<ShopWorld>, cfg: &Config, me: usize, lease: Lease) -> Result<(), Halt> {
    let fenced = cfg.protocol == super::Protocol::FencedLease;
    statements(a, "release lock", me, |b| {
        let now = b.s.now;
        let row = b.s.state.lock_row();
        let by = if cfg.release_by_key_alone {
            ReleaseBy::KeyAlone
        } else if fenced {
            ReleaseBy::Token(lease.token)
        } else {
            ReleaseBy::Holder(cfg.holder_id(me))
        };
        let deleted = b.ok(locks::release_lock(LOCK_KEY, by)).affected == 1;
        let s = &mut *b.s;
        s.state.leases.retain(|l| l.token != lease.token);
        s.saw(|| match (&row, deleted) {
            (Some(r), true) => format!("removed the row {}", describe(r, now)),
            _ => "0 rows (my lease was already gone)".to_owned(),
        });
        if let (Some(r), true) = (&row, deleted) {
            s.check(
                r.token == lease.token || r.expires_at <= now,
                RELEASE_OWN_TOKEN,
                || {
                    format!(
                        "{}'s release (token {}) deleted {}'s live lease (token {}, until t={})",
                        inst(me),
                        lease.token,
                        inst(r.holder),
                        r.token,
                        r.expires_at
                    )
                },
            );
        }
    })
}
