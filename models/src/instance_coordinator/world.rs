//! The world of an instance-coordinator execution: the shop's tables (`users`,
//! `user_pets`), the write-up's `locks` table, the shop's fence register, and the
//! ghost state the properties need (who believes they hold which lease).

use crate::sim::store::{Table, TxnId};
use crate::sim::{Step, Tick};

use super::{Config, BALANCE_CONSERVED, PURCHASE_ONCE};

/// The user who buys.
pub const USER: u32 = 1;
/// The pet they buy.
pub const PET: u32 = 7;
/// The write-up's lock key for this purchase.
pub const LOCK_KEY: &str = "pet_buy_1_7";

/// A row of `users`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserRow {
    /// Coins.
    pub balance: u64,
}

/// A row of `user_pets`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PetRow {
    /// What was paid for it.
    pub price: u64,
}

/// `user_pets` is keyed by (user, pet, n). Under a unique (user, pet) constraint
/// every row has n = 0, so a second insert collides; without one, n is a serial.
pub type PetKey = (u32, u32, u32);

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
    /// `users`.
    pub users: Table<u32, UserRow>,
    /// `user_pets`.
    pub pets: Table<PetKey, PetRow>,
    /// `locks`, keyed by lock key.
    pub locks: Table<String, LockRow>,
    /// Next serial for `user_pets` rows without the unique constraint.
    pub next_pet_serial: u32,
    /// Next token (a database sequence).
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
    pub fn new(cfg: &Config) -> Self {
        let mut locks = Table::new();
        let mut next_token = 1;
        if cfg.stale_lock {
            // Left by an instance that crashed before the run; it is nobody here.
            let stale = LockRow {
                holder: usize::MAX,
                token: next_token,
                expires_at: 0,
            };
            next_token += 1;
            locks = Table::with_rows([(LOCK_KEY.to_owned(), stale)]);
        }
        ShopWorld {
            users: Table::with_rows([(
                USER,
                UserRow {
                    balance: cfg.balance,
                },
            )]),
            pets: Table::new(),
            locks,
            next_pet_serial: 0,
            next_token,
            fence: Fence::default(),
            leases: Vec::new(),
            initial_balance: cfg.balance,
            acquired: vec![None; cfg.instances],
        }
    }

    /// The committed (balance, pets owned, sum of their prices) of the user.
    pub fn profile(&self) -> (u64, usize, u64) {
        super::statements::shop::select_profile(self)
    }

    /// The lock row, as committed.
    pub fn lock_row(&self) -> Option<LockRow> {
        super::statements::locks::select_lock(self, LOCK_KEY)
    }
}

/// After a commit, at the shop: the money adds up and the pet is owned at most once.
pub fn check_shop(s: &mut Step<'_, ShopWorld>) {
    let initial = s.state.initial_balance;
    let (balance, pets, paid) = s.state.profile();
    s.check(
        paid <= initial && balance == initial - paid,
        BALANCE_CONSERVED,
        || format!("user {USER} owns {pets} × pet {PET} worth {paid} but the balance is {balance} (started at {initial}): expected {}", initial.saturating_sub(paid)),
    );
    s.check(pets <= 1, PURCHASE_ONCE, || {
        format!("user {USER} owns pet {PET} {pets} times")
    });
}

/// The transaction an instance uses.
pub fn txn(instance: usize) -> TxnId {
    TxnId(instance as u32 + 1)
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
