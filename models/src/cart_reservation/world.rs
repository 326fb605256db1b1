//! The world of a cart-reservation execution: the reservation maps, the shop's stock,
//! and the ghost state the properties need (every reservation, what it wrote, whether
//! its holder still counts on it), plus the names the timeline uses.

use crate::sim::store::sql::{Db, SessionId};
use crate::sim::Tick;

use super::cache::{Cache, Entry, Owner};
use super::{statements, Config};

/// An item, by index (`a`, `b`, ...).
pub type Item = usize;

/// One reservation attempt that got as far as writing (or being about to write)
/// entries: ghost state, never read by the protocols themselves.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reservation {
    /// The tab that made it.
    pub user: usize,
    /// The cart it covers.
    pub cart: Vec<Item>,
    /// The map it lives in.
    pub cache: usize,
    /// Items whose entry it wrote, with the expiry it wrote.
    pub written: Vec<(Item, Tick)>,
    /// Its holder no longer counts on it (released, or consumed by the sale).
    pub ended: bool,
}

impl Reservation {
    /// Whether its holder believes it holds `item` at `now`: it wrote the entry, has
    /// not ended the reservation, and the expiry it wrote has not passed.
    pub fn holds(&self, item: Item, now: Tick) -> bool {
        !self.ended
            && self
                .written
                .iter()
                .any(|&(x, until)| x == item && until > now)
    }
}

/// The shared state.
#[derive(Debug, Hash)]
pub struct CartWorld {
    /// The reservation maps: one per instance, or the single shared store.
    pub caches: Vec<Cache>,
    /// The shop's database: the `items` table with each item's stock
    /// ([`statements::CREATE_ITEMS`]); session `1 + i` is tab `i`'s connection.
    pub db: Db,
    /// Units sold per item (ghost: what the sales believe they sold).
    pub sold: Vec<u32>,
    /// Units per item before the run.
    pub initial_stock: u32,
    /// Every reservation so far; its index is its id, its token is id + 1.
    pub reservations: Vec<Reservation>,
    /// Reservation length.
    pub ttl: Tick,
    /// Tab names, for the timeline.
    pub names: Vec<String>,
    /// Account names, for the owner column of the write-up's map.
    pub accounts: Vec<String>,
}

impl CartWorld {
    /// Empty maps and full stock.
    pub fn new(cfg: &Config) -> Self {
        CartWorld {
            caches: vec![Cache::default(); cfg.caches()],
            db: Db::set_up(
                &statements::setup(cfg.items(), i64::from(cfg.stock)),
                cfg.users,
            )
            .unwrap_or_else(|e| panic!("{e}")),
            sold: vec![0; cfg.items()],
            initial_stock: cfg.stock,
            reservations: Vec::new(),
            ttl: cfg.ttl,
            names: (0..cfg.users).map(|i| tab_name(cfg, i)).collect(),
            accounts: (0..cfg.accounts()).map(account_name).collect(),
        }
    }

    /// Opens a reservation for tab `user` (no entry written yet); returns its id.
    pub fn open_reservation(&mut self, cfg: &Config, user: usize) -> usize {
        self.reservations.push(Reservation {
            user,
            cart: cfg.cart(user),
            cache: cfg.cache_of(user),
            written: Vec::new(),
            ended: false,
        });
        self.reservations.len() - 1
    }

    /// Tab `user`'s connection to the shop's database.
    pub fn session(user: usize) -> SessionId {
        SessionId(u32::try_from(user + 1).unwrap_or(u32::MAX))
    }

    /// The shop's database, for the kit's SQL steps.
    pub fn db(&mut self) -> &mut Db {
        &mut self.db
    }

    /// The token of reservation `rid`.
    pub fn token(rid: usize) -> u64 {
        rid as u64 + 1
    }

    /// Who an owner is, as a person would say it.
    pub fn owner_name(&self, owner: Owner) -> String {
        match owner {
            Owner::User(u) => self.accounts[u].clone(),
            Owner::Token(t) => format!("token {t}"),
        }
    }

    /// Who holds an entry and until when, as the timeline shows it: `held by X until
    /// t=3`, `held by X via tab X#2 (expired at t=2)`, `held by token 4 (Y) until t=5`.
    pub fn describe(&self, entry: &Entry, now: Tick) -> String {
        let tab = &self.names[self.reservations[entry.reservation].user];
        let whose = match entry.owner {
            Owner::Token(t) => format!("token {t} ({tab})"),
            // The owner column alone does not say which of a user's tabs wrote it.
            Owner::User(u) if self.accounts[u] != *tab => {
                format!("{} via tab {tab}", self.accounts[u])
            }
            Owner::User(u) => self.accounts[u].clone(),
        };
        if entry.live(now) {
            format!("held by {whose} until t={}", entry.expires_at)
        } else {
            format!("held by {whose} (expired at t={})", entry.expires_at)
        }
    }

    /// One item's state in a map: `a free`, `b held by X until t=3`.
    pub fn item_state(&self, cache: usize, item: Item, now: Tick) -> String {
        match self.caches[cache].get(item) {
            None => format!("{} free", item_name(item)),
            Some(e) => self.entry_state(item, e, now),
        }
    }

    /// One item's entry, described: `b held by X until t=3`.
    pub fn entry_state(&self, item: Item, entry: &Entry, now: Tick) -> String {
        format!("{} {}", item_name(item), self.describe(entry, now))
    }

    /// Every item of a cart, described.
    pub fn cart_state(&self, cache: usize, cart: &[Item], now: Tick) -> String {
        let parts: Vec<String> = cart
            .iter()
            .map(|&x| self.item_state(cache, x, now))
            .collect();
        parts.join(", ")
    }
}

/// Item names: `a`, `b`, ...
pub fn item_name(item: Item) -> String {
    char::from(b'a' + (item % 26) as u8).to_string()
}

/// A cart as `{a, b}`.
pub fn cart_name(cart: &[Item]) -> String {
    let names: Vec<String> = cart.iter().map(|&x| item_name(x)).collect();
    format!("{{{}}}", names.join(", "))
}

/// Account names: X, Y, Z, then W, V, U.
pub fn account_name(u: usize) -> String {
    const NAMES: [&str; 6] = ["X", "Y", "Z", "W", "V", "U"];
    NAMES
        .get(u)
        .map_or_else(|| format!("U{u}"), |n| (*n).to_owned())
}

/// Tab names: the account's name, or `X#1` / `X#2` for the two tabs of one user.
pub fn tab_name(cfg: &Config, i: usize) -> String {
    let account = account_name(cfg.user_of(i));
    if cfg.second_tab && i <= 1 {
        format!("{account}#{}", i + 1)
    } else {
        account
    }
}
