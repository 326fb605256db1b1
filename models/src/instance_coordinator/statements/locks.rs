//! The `locks` table: the write-up's acquire (select, sweep, insert), the fenced
//! acquire (one statement), and the release in `finally`. Every statement here is
//! autocommit; none holds a row lock across steps, so none ever waits.

use crate::sim::store::sql::{Outcome, Value};
use crate::sim::Tick;

use super::super::world::LockRow;
use super::{call, int, parsed, Call};

/// The write-up's check: the row of a key, whose expiry the instance compares with
/// its own clock.
pub const SELECT_LOCK: &str = "SELECT holder, token, expires_at FROM locks WHERE key = $1";
/// The write-up's sweep of an expired row, with no `AND expires_at <= now`, so a
/// lease taken since the `SELECT` goes too.
pub const DELETE_LOCK: &str = "DELETE FROM locks WHERE key = $1";
/// The write-up's acquire: fails with `23505` on a duplicate key (busy).
pub const INSERT_LOCK: &str = "INSERT INTO locks VALUES ($1, $2, $3, $4)";
/// The fenced acquire, one statement: take the key if free or expired at the
/// harness clock `$5`; the token is the fence.
pub const ACQUIRE_LEASE: &str = "INSERT INTO locks VALUES ($1, $2, $3, $4) \
     ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder, token = EXCLUDED.token, \
     expires_at = EXCLUDED.expires_at WHERE locks.expires_at <= $5 RETURNING token";
/// The release by key alone: whoever holds it.
pub const RELEASE_BY_KEY: &str = "DELETE FROM locks WHERE key = $1";
/// The write-up's release: `… AND holder = $me`.
pub const RELEASE_BY_HOLDER: &str = "DELETE FROM locks WHERE key = $1 AND holder = $2";
/// The fenced release: `… AND token = $t`.
pub const RELEASE_BY_TOKEN: &str = "DELETE FROM locks WHERE key = $1 AND token = $2";

/// [`SELECT_LOCK`] of `key`; read the answer with [`lock_row`].
pub fn select_lock(key: &str) -> Call {
    call(parsed!(SELECT_LOCK), vec![key.into()])
}

/// [`DELETE_LOCK`] of `key`.
pub fn delete_lock(key: &str) -> Call {
    call(parsed!(DELETE_LOCK), vec![key.into()])
}

/// [`INSERT_LOCK`]: `key` for `holder` with `token`, until `expires_at`; it was
/// acquired unless it failed.
pub fn insert_lock(key: &str, holder: usize, token: u64, expires_at: Tick) -> Call {
    call(
        parsed!(INSERT_LOCK),
        vec![key.into(), int(holder), int(token), int(expires_at)],
    )
}

/// [`ACQUIRE_LEASE`] at tick `now`; read the fence won with [`fence_won`].
pub fn acquire_lease(key: &str, holder: usize, token: u64, now: Tick, ttl: Tick) -> Call {
    call(
        parsed!(ACQUIRE_LEASE),
        vec![
            key.into(),
            int(holder),
            int(token),
            int(now + ttl),
            int(now),
        ],
    )
}

/// Which rows the release in `finally` deletes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReleaseBy {
    /// [`RELEASE_BY_KEY`]: whoever holds it.
    KeyAlone,
    /// [`RELEASE_BY_HOLDER`] (the write-up).
    Holder(usize),
    /// [`RELEASE_BY_TOKEN`] (fenced).
    Token(u64),
}

/// The release of `key`; it deleted the row if one row was deleted.
pub fn release_lock(key: &str, by: ReleaseBy) -> Call {
    match by {
        ReleaseBy::KeyAlone => call(parsed!(RELEASE_BY_KEY), vec![key.into()]),
        ReleaseBy::Holder(h) => call(parsed!(RELEASE_BY_HOLDER), vec![key.into(), int(h)]),
        ReleaseBy::Token(t) => call(parsed!(RELEASE_BY_TOKEN), vec![key.into(), int(t)]),
    }
}

/// A `(holder, token, expires_at)` row (the crashed instance's holder is `i64::MAX`).
pub fn decode(row: &[Value]) -> Option<LockRow> {
    let n = |i: usize| row.get(i)?.as_int();
    let holder = n(0)?;
    Some(LockRow {
        holder: if holder == i64::MAX {
            usize::MAX
        } else {
            usize::try_from(holder).ok()?
        },
        token: u64::try_from(n(1)?).ok()?,
        expires_at: Tick::try_from(n(2)?).ok()?,
    })
}

/// The row [`select_lock`] read (`None`: no row).
pub fn lock_row(o: &Outcome) -> Option<LockRow> {
    decode(o.rows.first()?)
}

/// The fence [`acquire_lease`] won (`None`: a live lease refused it).
pub fn fence_won(o: &Outcome) -> Option<u64> {
    u64::try_from(super::int_at(o, 0)?).ok()
}
