//! The `locks` table: the write-up's acquire (select, sweep, insert), the fenced
//! acquire (one statement), and the release in `finally`. Every statement here is
//! autocommit.

use crate::sim::Tick;

use super::super::world::{LockRow, ShopWorld};
use super::AUTOCOMMIT;

/// `SELECT * FROM locks WHERE key = $k`.
pub fn select_lock(w: &ShopWorld, key: &str) -> Option<LockRow> {
    w.locks.select(&key.to_owned(), None)
}

/// `DELETE FROM locks WHERE key = $k`: the write-up's sweep of an expired row, with no
/// `AND expires_at <= now()`, so a lease taken since the `SELECT` goes too.
pub fn delete_lock(w: &mut ShopWorld, key: &str) {
    w.locks
        .delete_where(&key.to_owned(), None, |_| true)
        .expect(AUTOCOMMIT);
}

/// `INSERT INTO locks (key, holder, token, expires_at) VALUES ($k, $holder,
/// nextval(…), $expires_at)`: the token, or `None` on a duplicate key (busy). A
/// failed insert uses up no token.
pub fn insert_lock(w: &mut ShopWorld, key: &str, holder: usize, expires_at: Tick) -> Option<u64> {
    let token = w.next_token;
    let row = LockRow {
        holder,
        token,
        expires_at,
    };
    match w.locks.insert(key.to_owned(), row, None) {
        Ok(Ok(())) => {
            w.next_token += 1;
            Some(token)
        }
        _ => None,
    }
}

/// The fenced acquire: `INSERT … ON CONFLICT (key) DO UPDATE … WHERE
/// locks.expires_at <= now() RETURNING token`, the token (the fence) from a sequence.
/// `Err` with the live lease that refused it.
pub fn acquire_lease(
    w: &mut ShopWorld,
    key: &str,
    holder: usize,
    now: Tick,
    ttl: Tick,
) -> Result<u64, LockRow> {
    if let Some(existing) = select_lock(w, key).filter(|r| r.live_at(now)) {
        return Err(existing);
    }
    let token = w.next_token;
    w.next_token += 1;
    let row = LockRow {
        holder,
        token,
        expires_at: now + ttl,
    };
    w.locks
        .upsert(key.to_owned(), row.clone(), None, |r| *r = row)
        .expect(AUTOCOMMIT);
    Ok(token)
}

/// Which rows the release in `finally` deletes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReleaseBy {
    /// `DELETE FROM locks WHERE key = $k`: whoever holds it.
    KeyAlone,
    /// `… AND holder = $me` (the write-up).
    Holder(usize),
    /// `… AND token = $t` (fenced).
    Token(u64),
}

/// The release: whether it deleted the row.
pub fn release_lock(w: &mut ShopWorld, key: &str, by: ReleaseBy) -> bool {
    w.locks
        .delete_where(&key.to_owned(), None, |r| match by {
            ReleaseBy::KeyAlone => true,
            ReleaseBy::Holder(holder) => r.holder == holder,
            ReleaseBy::Token(token) => r.token == token,
        })
        .expect(AUTOCOMMIT)
}
