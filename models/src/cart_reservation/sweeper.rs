//! The sweeper: a timer (the write-up's `setInterval`) that removes expired entries
//! from every map, in one pass or by finding them first and deleting each afterwards.
//! The ticker fires it when the clock reaches its tick; other actors may take steps
//! between its find and its deletes.

use crate::sim::{Actor, Halt, Step};

use super::cache::{remove_entry, Entry};
use super::world::{item_name, CartWorld, Item};
use super::{Config, SweepStyle, Sweeper};

/// Who removes an entry, in violation reports.
const NAME: &str = "the sweeper";

/// Runs one sweep, now, as steps of the actor that fires the timer.
pub fn sweep(a: &Actor<CartWorld>, cfg: &Config, sweeper: Sweeper) -> Result<(), Halt> {
    match sweeper.style {
        SweepStyle::OneScan => a.step("sweeper: sweep expired", sweep_in_one_pass),
        SweepStyle::FindThenDelete => {
            let found = a.step("sweeper: find expired", find_expired)?;
            for (cache, item, seen) in found {
                a.step("sweeper: delete expired", |s| {
                    delete_found(s, cfg, cache, item, seen)
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

/// The second half, for one item found expired. The write-up deletes by key alone,
/// whatever the entry is by now; the shared store deletes only if the entry still has
/// the token it found and has expired.
fn delete_found(s: &mut Step<'_, CartWorld>, cfg: &Config, cache: usize, item: Item, seen: Entry) {
    let now = s.now;
    let state = s.state.item_state(cache, item, now);
    let current = s.state.caches[cache].get(item).copied();
    let Some(current) = current else {
        s.saw(|| format!("{}: already gone", item_name(item)));
        return;
    };
    if cfg.protocol.shared_store() {
        // Either half of this guard alone keeps the rung correct in this model: a
        // token is drawn per reservation and never renewed, so an entry that still has
        // the token found expired is still expired, and an entry with another token
        // was made after the find and is either live (kept by the other half) or has
        // expired too (and may go). The real store's DELETE keeps both because a
        // renewal (PEXPIRE on the same token) would break the first argument.
        if current.owner != seen.owner || current.live(now) {
            s.saw(|| format!("{state}: not the expired entry it found, kept"));
            return;
        }
        remove_entry(s, cache, item, NAME, None);
        s.saw(|| format!("DELETE WHERE token matches AND expired: removed {state}"));
    } else {
        remove_entry(s, cache, item, NAME, None);
        s.saw(|| format!("DELETE {} by key: removed {state}", item_name(item)));
    }
}
