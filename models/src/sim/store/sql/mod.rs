//! A PostgreSQL model that interprets SQL: one statement, the same text the real
//! server runs, executed as one atomic step on plain data.
//!
//! [`Statement::parse`] turns SQL into a plan once; [`Db::execute`] runs a plan on a
//! session with parameters, without re-parsing. The semantics are PostgreSQL 15's at
//! Read Committed (and Repeatable Read) where locking schemes depend on them, each
//! pinned by a case in `harness/servers/tests/store_spec.rs` that runs on the real
//! server too:
//!
//! - Statement snapshots (Read Committed) or one transaction snapshot (Repeatable
//!   Read); uncommitted writes are invisible to others.
//! - `UPDATE`/`DELETE`/`SELECT … FOR UPDATE|FOR SHARE` lock each row their snapshot
//!   sees matching; a row another transaction writes or locks in a conflicting mode is
//!   waited for ([`ExecError::Blocked`]); after the wait a concurrent update is
//!   followed to the newest version and the `WHERE` re-checked there (Read
//!   Committed) or raises `40001` (Repeatable Read). A row whose snapshot version does
//!   not match is never waited for; rows inserted after the snapshot are not seen.
//! - `NOWAIT` (`55P03`), `SKIP LOCKED`; waiters on one row queue in arrival order.
//! - Unique constraints as the index checks them: a live key conflicts at once
//!   (`23505`, or the `ON CONFLICT` action) even when the row is merely locked; a key
//!   being inserted or deleted by an in-progress transaction is waited for.
//! - An error aborts the transaction at once (locks released, writes discarded);
//!   later statements fail with `25P02` until `ROLLBACK` (`COMMIT` reports
//!   [`Tag::Rollback`]).
//! - Deadlocks: a waits-for graph; the member of a cycle that began waiting first is
//!   aborted with `40P01`, as PostgreSQL's `deadlock_timeout` check picks it.
//!
//! ```
//! use locklab_models::sim::store::sql::{Db, ExecError, Statement, Value};
//!
//! let claim = Statement::parse("UPDATE devices SET owner = $1 WHERE id = $2 AND owner IS NULL")?;
//! let mut db = Db::new();
//! let (s1, s2) = (db.session(), db.session());
//! db.run(s1, "CREATE TABLE devices (id int PRIMARY KEY, owner text)", &[]).unwrap();
//! db.run(s1, "INSERT INTO devices VALUES (7, NULL)", &[]).unwrap();
//! db.run(s1, "BEGIN", &[]).unwrap();
//! assert_eq!(db.execute(s1, &claim, &["S1".into(), Value::Int(7)]).unwrap().affected, 1);
//! // S2 must wait for S1's row lock; re-issued after S1 commits, it re-checks and loses.
//! let s2_params = ["S2".into(), Value::Int(7)];
//! assert_eq!(db.execute(s2, &claim, &s2_params), Err(ExecError::Blocked { waits_for: s1 }));
//! db.run(s1, "COMMIT", &[]).unwrap();
//! assert_eq!(db.execute(s2, &claim, &s2_params).unwrap().affected, 0);
//! assert_eq!(db.committed_rows("devices"), vec![vec![Value::Int(7), "S1".into()]]);
//! # Ok::<(), locklab_models::sim::store::sql::SqlError>(())
//! ```
//!
//! Not modelled: `CREATE TABLE` is not transactional; text compares bytewise (the "C"
//! collation); `sum` of `bigint` yields `bigint` (PostgreSQL: `numeric`); no
//! `FOR KEY SHARE`/`FOR NO KEY UPDATE` distinction, savepoints, `SERIALIZABLE`,
//! sequences, defaults, joins or subqueries (each rejected with `0A000`).

mod call;
mod coerce;
mod db;
mod deadlock;
mod dispatch;
mod error;
mod eval;
mod fingerprint;
mod heap;
mod insert;
mod mvcc;
mod parse;
mod parse_ddl;
mod parse_expr;
mod plan;
mod rowlock;
mod select;
mod session;
mod value;
mod write;

pub use call::{begin, commit, parse_static, rollback, Call, BEGIN, COMMIT, ROLLBACK};
pub use db::{Db, Outcome, Tag};
pub use error::{sqlstate, ExecError, SqlError};
pub use parse::Statement;
pub use plan::Isolation;
pub use session::SessionId;
pub use value::{rows_text, ColumnType, Value};
