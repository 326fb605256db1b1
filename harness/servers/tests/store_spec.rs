//! The SQL model's specification: every rule as a forced interleaving, run on the real
//! PostgreSQL and on the model, which must agree step by step (rows, waits, SQLSTATEs,
//! final committed rows). Expectations written in the cases say what PostgreSQL does.
//! Without a server (and without `CI=true`) only the model side runs.

use locklab_models::sim::store::sql::{sqlstate as code, Value};
use locklab_servers::PgCase;

fn t(s: &str) -> Value {
    Value::from(s)
}
fn i(n: i64) -> Value {
    Value::Int(n)
}
const NULL: Value = Value::Null;

const DEVICES: &str = "CREATE TABLE devices (id int PRIMARY KEY, owner text, zone int)";
const DEVICES_1: &str = "INSERT INTO devices VALUES (1, NULL, 0)";
const DEVICES_3: &str = "INSERT INTO devices VALUES (1, NULL, 0), (2, NULL, 0), (3, NULL, 0)";
const CLAIM: &str = "UPDATE devices SET owner = $1 WHERE id = $2 AND owner IS NULL";
const LOCKS: &str = "CREATE TABLE locks (key text PRIMARY KEY, holder text, token int NOT NULL)";
const LOCK_K: &str = "INSERT INTO locks VALUES ('k', 'a', 1)";
const POOLS: &str =
    "CREATE TABLE pools (id int PRIMARY KEY, amount int NOT NULL, version int NOT NULL)";
const POOL_100: &str = "INSERT INTO pools VALUES (1, 100, 1)";
const DEBIT: &str =
    "UPDATE pools SET amount = amount - $1, version = version + 1 WHERE id = 1 AND amount >= $1";

macro_rules! spec {
    ($name:ident, $conns:expr, |$c:ident| $body:expr) => {
        #[test]
        fn $name() {
            let $c = PgCase::new(stringify!($name), $conns);
            let case: PgCase = $body;
            case.check();
        }
    };
}
const COUNTERS: &str = "CREATE TABLE counters (key text PRIMARY KEY, n int NOT NULL)";
const BUMP: &str = "INSERT INTO counters VALUES ('k', 1) ON CONFLICT (key) DO UPDATE SET n = counters.n + 1 RETURNING n";
const RR: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ";

#[path = "store_spec/conditional_updates.rs"]
mod conditional_updates;
#[path = "store_spec/dropped_connections.rs"]
mod dropped_connections;
#[path = "store_spec/errors_and_deadlocks.rs"]
mod errors_and_deadlocks;
#[path = "store_spec/key_conflicts.rs"]
mod key_conflicts;
#[path = "store_spec/on_conflict.rs"]
mod on_conflict;
#[path = "store_spec/row_locks.rs"]
mod row_locks;
#[path = "store_spec/visibility.rs"]
mod visibility;
