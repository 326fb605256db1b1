//! Plain-data stores a scheme keeps in its state, faithful where locking schemes care.
//!
//! The stores have no runtime and never block. A scheme calls them from inside one
//! step, so every statement is atomic exactly as a single SQL statement (one Redis
//! command, one system call) is. A statement that would wait for another
//! transaction's row lock returns [`Blocked`] instead; the scheme issues it from
//! [`Actor::step_when`](crate::sim::Actor::step_when), which retries it each time the
//! world changes.
//!
//! - [`Table`]: rows by primary key with Read Committed visibility; `UPDATE … WHERE`
//!   as compare-and-set, `INSERT … ON CONFLICT`, `DELETE … WHERE`; transactions whose
//!   writes stay invisible to others until commit; row locks held until commit or
//!   rollback (`FOR UPDATE`, `FOR SHARE`, `NOWAIT`, `SKIP LOCKED`); snapshot reads.
//! - [`Kv`]: a Redis-like key-value area with expiry (`SET NX PX`, `PEXPIREAT`,
//!   compare-and-delete).
//! - [`Host`]: a filesystem with `O_CREAT|O_EXCL` files, a process table and `flock`s
//!   the kernel releases when their process dies.
//! - [`sql`]: a PostgreSQL model that executes SQL text (parsed once per statement).
//! - [`redis`]: a Redis model that executes commands as sent to the server, on a
//!   virtual clock.

mod host;
mod kv;
pub mod redis;
pub mod sql;
mod table;

pub use host::{Host, Pid};
pub use kv::Kv;
pub use table::{Blocked, LockNotAvailable, Snapshot, Table, TxnId, UniqueViolation};
