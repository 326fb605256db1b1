//! The world of an instance-coordinator execution: the shop's database (`users`,
//! `user_pets` and the write-up's `locks` table, on the kit's PostgreSQL model), the
//! shop's fence register, and the ghost state the properties need (who believes they
//! hold which lease).

use crate::sim::store::sql::{Db, SessionId, Value};
use crate::sim::{Step, Tick};

use super::{statements, Config, BALANCE_CONSERVED, PURCHASE_ONCE};

/// The user who buys.
pub const USER: u32 = 1;
/// The pet they buy.
pub const PET: u32 = 7;
/// The write-up's lock key for this purchase.
pub const LOCK_KEY: &str = "pet_buy_1_7";

/// A row of `locks`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LockRow {
    /// The instance that wrote it (the write-up's instance id).
    pub holder: usize,
    /// Per-acquisition token; the fence in [`super::Protocol::FencedLease`].
    pub token: u64,
    /// The lease is over from this tick on.
    pub expires_at: Tick,
}

impl LockRow {
    /// Whether the lease is live at `now`, as the instance that reads the row judges it.
    pub fn live_at(&self, now: Tick) -> bool {
        self.expires_at > now
    }
}

/// What the shop remembers of the fences it was shown
/// ([`super::Protocol::FencedLease`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Fence {
    /// The highest fence the shop has seen on any request.
    pub seen: u64,
    /// The last fence the shop accepted a write with.
    pub accepted: Option<u64>,
}

/// A lease as its holder believes it has it (ghost state for the properties).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Lease {
    /// Who.
    pub holder: usize,
    /// Its token.
    pub token: u64,
    /// Its expiry.
    pub expires_at: Tick,
}

/// The shared state.
#[derive(Debug, Hash)]
pub struct ShopWorld {
    /// `users`, `user_pets` and `locks` ([`statements::setup`]).
    pub db: Db,
    /// Next token: the database sequence the write-up's `nextval(…)` reads, which
    /// the SQL model lacks; the token goes to the statement as a parameter.
    pub next_token: u64,
    /// The shop's fence register.
    pub fence: Fence,
    /// Leases acquired and not yet released (a crashed holder's stays).
    pub leases: Vec<Lease>,
    /// The balance before the run.
    pub initial_balance: u64,
    /// Per instance, whether its acquire succeeded (`None`: it never tried).
    pub acquired: Vec<Option<bool>>,
}

impl ShopWorld {
    /// The user with the configured balance, no pets, and no lock (or the stale one).
    ///
    /// Session 0 sets the database up; instance `i` connects as session `i + 1`
    /// ([`ShopWorld::session`]), the viewer as the last one.
    pub fn new(cfg: &Config) -> Self {
        let db = Db::set_up(&statements::setup(cfg), cfg.instances + 1)
            .unwrap_or_else(|e| panic!("{e}"));
        ShopWorld {
            db,
            // The stale row took token 1.
            next_token: if cfg.stale_lock { 2 } else { 1 },
            fence: Fence::default(),
            leases: Vec::new(),
            initial_balance: cfg.balance,
            acquired: vec![None; cfg.instances],
        }
    }

    /// The connection instance `actor` uses (`instances`: the viewer's).
    pub fn session(actor: usize) -> SessionId {
        SessionId(u32::try_from(actor + 1).unwrap_or(u32::MAX))
    }

    /// The committed (balance, pets owned, sum of their prices) of the user, for the
    /// world's checks (read without a statement: the properties look, no actor does).
    pub fn profile(&self) -> (i64, usize, u64) {
        let int = |v: Option<&Value>| match v {
            Some(Value::Int(n)) => *n,
            _ => 0,
        };
        let balance = self
            .db
            .committed_rows("users")
            .iter()
            .find(|r| int(r.first()) == i64::from(USER))
            .map_or(0, |r| int(r.get(1)));
        let pets: Vec<u64> = self
            .db
            .committed_rows("user_pets")
            .iter()
            .filter(|r| int(r.first()) == i64::from(USER) && int(r.get(1)) == i64::from(PET))
            .map(|r| u64::try_from(int(r.get(2))).unwrap_or(0))
            .collect();
        (balance, pets.len(), pets.iter().sum())
    }

    /// The lock row, as committed (for the world's checks and the timeline).
    pub fn lock_row(&self) -> Option<LockRow> {
        self.db
            .committed_rows("locks")
            .iter()
            .find(|r| r.first() == Some(&Value::from(LOCK_KEY)))
            .and_then(|r| statements::locks::decode(&r[1..]))
    }
}

/// After a commit, at the shop: the money adds up and the pet is owned at most once.
pub fn check_shop(s: &mut Step<'_, ShopWorld>) {
    let initial = s.state.initial_balance;
    let (balance, pets, paid) = s.state.profile();
    let expected = i64::try_from(initial).unwrap_or(i64::MAX) - i64::try_from(paid).unwrap_or(0);
    // Conserved, and never below zero: a purchase the user could not afford adds up
    // (100 − 101 = −1) but was paid with money they did not have.
    s.check(
        balance == expected && balance >= 0,
        BALANCE_CONSERVED,
        || if balance == expected {
            format!("user {USER} owns {pets} × pet {PET} worth {paid}, more than the {initial} they had: the balance is {balance}")
        } else {
            format!("user {USER} owns {pets} × pet {PET} worth {paid} but the balance is {balance} (started at {initial}): expected {expected}")
        },
    );
    s.check(pets <= 1, PURCHASE_ONCE, || {
        format!("user {USER} owns pet {PET} {pets} times")
    });
}

/// Instance names for the timeline: `A`, `B`, `C`, ...
pub fn inst(i: usize) -> String {
    if i == usize::MAX {
        return "a crashed instance".to_owned();
    }
    char::from(b'A' + (i % 26) as u8).to_string()
}

/// A lock row as a person would say it: whose, which token, live or expired.
pub fn describe(row: &LockRow, now: Tick) -> String {
    let until = if row.expires_at <= now {
        format!("expired at t={}", row.expires_at)
    } else {
        format!("live until t={}", row.expires_at)
    };
    format!(
        "held by {} (token {}), {until}",
        inst(row.holder),
        row.token
    )
}
