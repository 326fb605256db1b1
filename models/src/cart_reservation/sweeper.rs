//! The sweeper: a timer (the write-up's `setInterval`) that removes expired entries
//! from every map, in one pass or by finding them first and deleting each afterwards.
//! The ticker fires it when the clock reaches its tick; other actors may take steps
//! between its find and its deletes.

use crate::sim::store::sql::Db;
use crate::sim::{Actor, Halt, Step};

use super::cache::{remove_entry, Entry};
use super::world::{item_name, CartWorld, Item};
use super::{store, Config, SweepStyle, Sweeper};

/// Who removes an entry, in violation reports.
pub(super) const NAME: &str = "the sweeper";

/// Runs one sweep, now, as steps of the actor that fires the timer.
pub fn sweep(a: &Actor<CartWorld>, cfg: &Config, sweeper: Sweeper) -> Result<(), Halt> {
    if cfg.protocol.shared_store() {
        return sweep_store(a, cfg, sweeper);
    }
    match sweeper.style {
        SweepStyle::OneScan => a.step("sweeper: sweep expired", sweep_in_one_pass),
        SweepStyle::FindThenDelete => {
            let found = a.step("sweeper: find expired", find_expired)?;
            for (cache, item, _) in found {
                a.step("sweeper: delete expired", |s| delete_found(s, cache, item))?;
            }
            Ok(())
        }
    }
}

/// The shared store's sweep, on the sweeper's own connection: the expired rows
/// found, then each deleted only if it still carries the token found and has expired
/// (the find and the deletes as one step with [`SweepStyle::OneScan`]).
fn sweep_store(a: &Actor<CartWorld>, cfg: &Config, sweeper: Sweeper) -> Result<(), Halt> {
    let db: fn(&mut CartWorld) -> &mut Db = CartWorld::db;
    let session = CartWorld::sweeper_session(cfg.users);
    match sweeper.style {
        SweepStyle::OneScan => a.sql_batch("sweeper: sweep expired", db, session, |b| {
            for (item, token) in store::find_expired(b) {
                store::delete_expired(b, item, token);
            }
        }),
        SweepStyle::FindThenDelete => {
            let found = a.sql_batch("sweeper: find expired", db, session, store::find_expired)?;
            for (item, token) in found {
                a.sql_batch("sweeper: delete expired", db, session, |b| {
                    store::delete_expired(b, item, token)
                })?;
            }
            Ok(())
        }
    }
}

/// The write-up's lock cleanup: one synchronous pass deleting every expired entry.
fn sweep_in_one_pass(s: &mut Step<'_, CartWorld>) {
    let now = s.now;
    let mut removed = Vec::new();
    for cache in 0..s.state.caches.len() {
        for (item, _) in s.state.caches[cache].expired(now) {
            removed.push(s.state.item_state(cache, item, now));
            remove_entry(s, cache, item, NAME, None);
        }
    }
    s.saw(|| {
        if removed.is_empty() {
            "nothing has expired".to_owned()
        } else {
            format!("removed {}", removed.join("; "))
        }
    });
}

/// The first half of the order cleanup: which entries have expired.
fn find_expired(s: &mut Step<'_, CartWorld>) -> Vec<(usize, Item, Entry)> {
    let now = s.now;
    let found: Vec<(usize, Item, Entry)> = (0..s.state.caches.len())
        .flat_map(|c| {
            s.state.caches[c]
                .expired(now)
                .into_iter()
                .map(move |(x, e)| (c, x, e))
        })
        .collect();
    let shown: Vec<String> = found
        .iter()
        .map(|&(c, x, _)| s.state.item_state(c, x, now))
        .collect();
    s.saw(|| {
        if shown.is_empty() {
            "nothing has expired".to_owned()
        } else {
            format!("{}: will delete", shown.join("; "))
        }
    });
    found
}

/// The second half, for one item found expired: the write-up deletes by key alone,
/// whatever the entry is by now.
fn delete_found(s: &mut Step<'_, CartWorld>, cache: usize, item: Item) {
    let now = s.now;
    let state = s.state.item_state(cache, item, now);
    if s.state.caches[cache].get(item).is_none() {
        s.saw(|| format!("{}: already gone", item_name(item)));
        return;
    }
    remove_entry(s, cache, item, NAME, None);
    s.saw(|| format!("DELETE {} by key: removed {state}", item_name(item)));
}
