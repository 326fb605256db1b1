//! A Redis-like key-value area whose entries expire on the virtual clock.

use std::collections::BTreeMap;

use crate::sim::Tick;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Entry<V> {
    value: V,
    /// Absent from `now >= expires_at` on (Redis `PX`); `None`: never expires.
    expires_at: Option<Tick>,
}

impl<V> Entry<V> {
    fn live(&self, now: Tick) -> bool {
        self.expires_at.is_none_or(|at| now < at)
    }
}

/// Keys to values with optional expiry. Every method is one atomic command; an
/// expired entry behaves exactly as a missing one (Redis expires lazily, but an
/// expired key is never visible).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Kv<K: Ord + Clone, V: Clone + PartialEq> {
    entries: BTreeMap<K, Entry<V>>,
}

impl<K: Ord + Clone, V: Clone + PartialEq> Default for Kv<K, V> {
    fn default() -> Self {
        Kv {
            entries: BTreeMap::new(),
        }
    }
}

impl<K: Ord + Clone, V: Clone + PartialEq> Kv<K, V> {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// `GET k`.
    pub fn get(&self, k: &K, now: Tick) -> Option<&V> {
        self.entries
            .get(k)
            .filter(|e| e.live(now))
            .map(|e| &e.value)
    }

    /// When a live `k` expires (`PEXPIRETIME`).
    pub fn expires_at(&self, k: &K, now: Tick) -> Option<Tick> {
        self.entries
            .get(k)
            .filter(|e| e.live(now))
            .and_then(|e| e.expires_at)
    }

    /// `SET k v PX ttl`.
    pub fn set_px(&mut self, k: K, v: V, ttl: Tick, now: Tick) {
        self.entries.insert(
            k,
            Entry {
                value: v,
                expires_at: Some(now + ttl),
            },
        );
    }

    /// `SET k v PXAT at`: expires at an absolute tick (absent from `at` on), whatever
    /// the time now. An `at` in the past deletes the key at once, as Redis does.
    pub fn set_px_at(&mut self, k: K, v: V, at: Tick) {
        self.entries.insert(
            k,
            Entry {
                value: v,
                expires_at: Some(at),
            },
        );
    }

    /// `PEXPIREAT k at`: sets a live key's absolute expiry; whether the key existed.
    pub fn expire_at(&mut self, k: &K, at: Tick, now: Tick) -> bool {
        match self.entries.get_mut(k) {
            Some(e) if e.live(now) => {
                e.expires_at = Some(at);
                true
            }
            _ => false,
        }
    }

    /// `SET k v` with no expiry.
    pub fn set(&mut self, k: K, v: V) {
        self.entries.insert(
            k,
            Entry {
                value: v,
                expires_at: None,
            },
        );
    }

    /// `SET k v NX PX ttl`: sets only if `k` is absent or expired; whether it did.
    pub fn set_nx_px(&mut self, k: K, v: V, ttl: Tick, now: Tick) -> bool {
        if self.get(&k, now).is_some() {
            return false;
        }
        self.set_px(k, v, ttl, now);
        true
    }

    /// `DEL k`: whether a live entry was removed.
    pub fn del(&mut self, k: &K, now: Tick) -> bool {
        self.entries.remove(k).is_some_and(|e| e.live(now))
    }

    /// The compare-and-delete script (`if GET k == v then DEL k`): whether it deleted.
    pub fn compare_and_delete(&mut self, k: &K, v: &V, now: Tick) -> bool {
        if self.get(k, now) == Some(v) {
            self.entries.remove(k);
            true
        } else {
            false
        }
    }

    /// The compare-and-renew script (`if GET k == v then PEXPIRE k ttl`).
    pub fn compare_and_expire(&mut self, k: &K, v: &V, ttl: Tick, now: Tick) -> bool {
        match self.entries.get_mut(k) {
            Some(e) if e.live(now) && e.value == *v => {
                e.expires_at = Some(now + ttl);
                true
            }
            _ => false,
        }
    }

    /// Every live entry, in key order.
    pub fn live(&self, now: Tick) -> impl Iterator<Item = (&K, &V)> {
        self.entries
            .iter()
            .filter(move |(_, e)| e.live(now))
            .map(|(k, e)| (k, &e.value))
    }
}
