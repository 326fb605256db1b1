//! A tiny in-memory database, faithful where locking schemes care.
//!
//! The store is plain data: no runtime, no blocking. A model calls it from inside one
//! step, so every statement is atomic exactly as a single SQL statement is. A statement
//! that would wait for another transaction's row lock returns [`Blocked`] instead; the
//! model issues it from [`Actor::step_when`](crate::sim::Actor::step_when), which
//! retries it each time the world changes: that retry re-evaluates the `WHERE` clause
//! on the newest committed row, as PostgreSQL does at Read Committed.
//!
//! - [`Table`]: rows by primary key; `UPDATE … WHERE` as compare-and-set, `INSERT … ON
//!   CONFLICT`, `DELETE … WHERE`; transactions whose writes stay invisible to others
//!   until commit, and row locks held until commit or rollback (`FOR UPDATE`,
//!   `NOWAIT`, `SKIP LOCKED`).
//! - [`Kv`]: a Redis-like key-value area with expiry (`SET NX PX`, compare-and-delete).
//! - [`sql`]: a PostgreSQL model that executes SQL text (parsed once per statement).
//! - [`redis`]: a Redis model that executes commands as sent to the server, on a
//!   virtual clock.

mod kv;
pub mod redis;
pub mod sql;
mod table;

pub use kv::Kv;
pub use table::{Blocked, LockNotAvailable, Table, TxnId, UniqueViolation};
