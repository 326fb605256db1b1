//! What the bot instances send to the shop's database: one SQL text per statement,
//! the only definition there is. The model's steps run it on the kit's PostgreSQL
//! model ([`Db`]), [`super::CoordinatorWorkload`] runs it on OS threads, and
//! `locklab check --backend postgres` sends the very same text to a real server.
//! [`locks`] holds the `locks` table's statements, [`shop`] those of `users` and
//! `user_pets`, and the shop's fence register (the shop's memory, not a table).
//!
//! Time is the harness's clock, passed as a parameter (`expires_at <= $5`), so a real
//! server runs a schedule at the model's virtual times. The lock token comes from
//! [`super::ShopWorld::next_token`], standing in for a database sequence (the SQL
//! model has none), and is passed as a parameter too.
//!
//! [`Db`]: crate::sim::store::sql::Db

pub mod locks;
pub mod shop;

pub use crate::sim::store::sql::Call;
/// The transaction statements every scheme shares (the kit's).
pub use crate::sim::store::sql::{begin, commit, rollback, BEGIN, COMMIT, ROLLBACK};
use crate::sim::store::sql::{Statement, Value};

use super::world::USER;
use super::{Config, Protocol};

/// `CREATE TABLE users`.
pub const CREATE_USERS: &str = "CREATE TABLE users (id int PRIMARY KEY, balance bigint NOT NULL)";
/// `user_pets` as the write-up has it: nothing stops a second row for one pet.
pub const CREATE_USER_PETS: &str =
    "CREATE TABLE user_pets (user_id int NOT NULL, pet_id int NOT NULL, price int NOT NULL)";
/// `user_pets` with the single transaction's unique (user, pet).
pub const CREATE_USER_PETS_UNIQUE: &str = "CREATE TABLE user_pets (user_id int NOT NULL, \
     pet_id int NOT NULL, price int NOT NULL, UNIQUE (user_id, pet_id))";
/// The write-up's lock table: one row per lock key, with holder, token and expiry.
pub const CREATE_LOCKS: &str = "CREATE TABLE locks (key text PRIMARY KEY, holder bigint NOT NULL, \
     token bigint NOT NULL, expires_at bigint NOT NULL)";
/// The user, `$2` coins.
pub const INSERT_USER: &str = "INSERT INTO users VALUES ($1, $2)";

/// Opens a transaction with one snapshot for all its statements.
pub const BEGIN_SNAPSHOT: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ";

/// Parses `text` once per call site, for the process's lifetime.
macro_rules! parsed {
    ($text:expr) => {{
        static PARSED: std::sync::LazyLock<&'static $crate::sim::store::sql::Statement> =
            std::sync::LazyLock::new(|| $crate::sim::store::sql::parse_static($text));
        *PARSED
    }};
}
pub(crate) use parsed;

/// A [`Call`] of an already parsed statement.
pub(crate) fn call(stmt: &'static Statement, params: Vec<Value>) -> Call {
    Call { stmt, params }
}

/// An integer parameter.
pub(crate) fn int(n: impl TryInto<i64>) -> Value {
    Value::Int(n.try_into().unwrap_or(i64::MAX))
}

/// [`BEGIN_SNAPSHOT`].
pub fn begin_snapshot() -> Call {
    call(parsed!(BEGIN_SNAPSHOT), vec![])
}

/// The set-up of a fresh database: the three tables (`user_pets` with its unique
/// (user, pet) only in the single transaction), the user with `cfg.balance`, and the
/// stale lock row of [`Config::stale_lock`].
pub fn setup(cfg: &Config) -> Vec<(&'static str, Vec<Value>)> {
    let pets = if cfg.protocol == Protocol::SingleTransaction {
        CREATE_USER_PETS_UNIQUE
    } else {
        CREATE_USER_PETS
    };
    let mut setup = vec![
        (CREATE_USERS, vec![]),
        (pets, vec![]),
        (CREATE_LOCKS, vec![]),
        (INSERT_USER, vec![int(USER), int(cfg.balance)]),
    ];
    if cfg.stale_lock {
        // Left by an instance that crashed before the run; it is nobody here.
        let stale = locks::insert_lock(super::world::LOCK_KEY, usize::MAX, 1, 0);
        setup.push((locks::INSERT_LOCK, stale.params));
    }
    setup
}

/// Parses every statement now (once per process), so no engine's task parses on its
/// small coroutine stack or counts the parse as part of a step.
pub fn prepare() {
    let key = "k";
    for _ in [
        begin(),
        begin_snapshot(),
        commit(),
        rollback(),
        locks::select_lock(key),
        locks::delete_lock(key),
        locks::insert_lock(key, 0, 0, 0),
        locks::acquire_lease(key, 0, 0, 0, 0),
        locks::release_lock(key, locks::ReleaseBy::KeyAlone),
        locks::release_lock(key, locks::ReleaseBy::Holder(0)),
        locks::release_lock(key, locks::ReleaseBy::Token(0)),
        shop::select_balance(),
        shop::select_pets(),
        shop::set_balance(0),
        shop::debit(0),
        shop::insert_pet(0),
        shop::lock_user(),
    ] {}
}

/// The integer in column `i` of the first row (`None`: no row, or `NULL`).
pub(crate) fn int_at(o: &crate::sim::store::sql::Outcome, i: usize) -> Option<i64> {
    o.rows.first()?.get(i)?.as_int()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_statement_parses() {
        for text in [
            CREATE_USERS,
            CREATE_USER_PETS,
            CREATE_USER_PETS_UNIQUE,
            CREATE_LOCKS,
            INSERT_USER,
            BEGIN,
            BEGIN_SNAPSHOT,
            COMMIT,
            ROLLBACK,
            locks::SELECT_LOCK,
            locks::DELETE_LOCK,
            locks::INSERT_LOCK,
            locks::ACQUIRE_LEASE,
            locks::RELEASE_BY_KEY,
            locks::RELEASE_BY_HOLDER,
            locks::RELEASE_BY_TOKEN,
            shop::SELECT_BALANCE,
            shop::SELECT_PETS,
            shop::SET_BALANCE,
            shop::DEBIT,
            shop::INSERT_PET,
            shop::LOCK_USER,
        ] {
            Statement::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        }
    }

    #[test]
    fn every_set_up_runs() {
        for protocol in [Protocol::UnlockedPurchase, Protocol::SingleTransaction] {
            let mut cfg = Config::new(protocol, 2);
            cfg.stale_lock = true;
            crate::sim::store::sql::Db::set_up(&setup(&cfg), 2).unwrap();
        }
    }
}
