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
    /// The write-up's reservation maps, one per instance, in process memory (none with
    /// the shared store, which is a table of `db`).
    pub caches: Vec<Cache>,
    /// The shop's database: the `items` table with each item's stock
    /// ([`statements::CREATE_ITEMS`]) and, with the shared store, the `reservations`
    /// table ([`statements::CREATE_RESERVATIONS`]); session `1 + i` is tab `i`'s
    /// connection, and the one after the tabs' is the sweeper's.
    pub db: Db,
    /// Whether the reservations are the shared store's rows in `db`.
    pub shared_store: bool,
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
        let shared_store = cfg.protocol.shared_store();
        CartWorld {
            caches: if shared_store {
                Vec::new()
            } else {
                vec![Cache::default(); cfg.caches()]
            },
            db: Db::set_up(&setup(cfg), cfg.users + 1).unwrap_or_else(|e| panic!("{e}")),
            shared_store,
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

    /// The sweeper's connection, after the `users` tabs' own.
    pub fn sweeper_session(users: usize) -> SessionId {
        Self::session(users)
    }

    /// The entry for `item` in map `cache`, live or expired: the write-up's map, or
    /// the shared store's committed row. A look for the properties and the timeline
    /// (a ghost read): the protocols learn what the store holds from their statements.
    pub fn entry(&self, cache: usize, item: Item) -> Option<Entry> {
        if !self.shared_store {
            return self.caches[cache].get(item).copied();
        }
        self.stored()
            .into_iter()
            .find(|e| e.0 == item)
            .map(|(_, e)| e)
    }

    /// Every entry of the shared store, by item (ghost read, as [`CartWorld::entry`]).
    pub fn stored(&self) -> Vec<(Item, Entry)> {
        let rows = self.db.committed_rows("reservations");
        statements::reservation_rows(&rows)
            .into_iter()
            .map(|(item, token, expires_at)| (item, Self::entry_of(token, expires_at)))
            .collect()
    }

    /// The shared store's row of `token`, as an entry: the token is the reservation's
    /// id + 1 ([`CartWorld::token`]).
    pub fn entry_of(token: u64, expires_at: Tick) -> Entry {
        Entry {
            owner: Owner::Token(token),
            expires_at,
            reservation: token.saturating_sub(1) as usize,
        }
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
        match self.entry(cache, item) {
            None => format!("{} free", item_name(item)),
            Some(e) => self.entry_state(item, &e, now),
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

/// The shop's database of `cfg`: the stock, and the shared store if it keeps one
/// (what `init` sets up, and a server run too).
pub fn setup(cfg: &Config) -> Vec<(&'static str, Vec<crate::sim::store::sql::Value>)> {
    statements::setup_with_store(
        cfg.items(),
        i64::from(cfg.stock),
        cfg.protocol.shared_store(),
    )
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
