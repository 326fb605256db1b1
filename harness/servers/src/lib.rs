//! The real servers, step by step: forced interleavings on PostgreSQL and Redis, and
//! the same steps on the locklab model store, so the model can be specified against
//! the servers it stands for.
//!
//! - [`PgProbe`]: N real PostgreSQL connections and a control connection; sends each
//!   step on its connection and decides whether it is *waiting* by polling
//!   `pg_blocking_pids` until it either returns or is blocked. Every run lives in a
//!   fresh schema, dropped at the end even when a test fails.
//! - [`RedisProbe`]: one connection per client; keys under a per-run prefix, deleted
//!   at the end.
//! - [`PgCase`] / [`RedisCase`]: a case written once, run on the server and on the
//!   model, compared step by step.
//! - [`LogRunner`]: a model execution's own statements (its SQL log), in the model's
//!   order, on the server, compared statement by statement; [`RedisLogRunner`] the
//!   same for Redis commands, with virtual time mapped onto the server's clock.
//! - [`reproduce`] / [`agreement`]: a rung's counterexample, and every schedule of a
//!   bounded search, run on the server from the model's own statement logs;
//!   [`follow_harm`] a buggy rung whose first symptom is in process, followed to a
//!   harm the server shows.
//! - [`jackpot_wins`] / [`device_claims`]: correct rungs' statements under killed
//!   connections or a server restart, the invariants read back from the server;
//!   [`lease_holders`] the lease's commands on Redis under the same faults;
//!   [`jackpot_cas`], [`jackpot_row_lock_wins`], [`jackpot_batches`],
//!   [`device_conditional_claims`] and [`fenced_purchases`] more correct rungs under
//!   the same faults on PostgreSQL; [`expiring_lock_purchases`],
//!   [`single_transactions`] (single-transaction, insufficient-balance and
//!   profile-snapshot), [`ttl_cache_orders`] and [`shared_reservation_orders`] the
//!   rest of the correct rungs with a server form, and [`late_renewals`] the lease's
//!   late renewal on Redis.
//! - [`require`]: what to do when a server is unreachable (fail under `CI=true`,
//!   skip otherwise).
#![deny(missing_docs)]

mod against;
mod availability;
mod fault_runs;
mod faults;
mod follow;
mod load;
mod log_run;
mod pg;
mod pg_case;
mod pg_value;
mod redis_case;
mod redis_client;
mod redis_faults;
mod redis_load;
mod redis_log_run;
mod redis_probe;
mod run_name;

pub use against::{
    agreement, agreement_on_redis, redis_runner_for, reproduce, reproduce_on_redis, runner_for,
    AgainstError, Agreement, Reproduction, ServerRun,
};
pub use availability::{in_ci, require, ServerUnavailable};
pub use fault_runs::{
    device_claims, device_conditional_claims, expiring_lock_purchases, fenced_purchases,
    jackpot_batches, jackpot_cas, jackpot_row_lock_wins, jackpot_wins, shared_reservation_orders,
    single_transactions, ttl_cache_orders, SingleTransactionRung,
};
pub use faults::{Fault, FaultReport};
pub use follow::{follow_harm, Followed};
pub use load::{Claim, LoadDb, Measured};
pub use log_run::{completion_of, Compared, LogRun, LogRunner};
pub use pg::{PgConfig, PgProbe, PgStep, TERMINATED};
pub use pg_case::{Completion, Expect, Observed, PgCase, Run};
pub use redis_case::{At, RedisCase, RedisObserved};
pub use redis_faults::{late_renewals, lease_holders};
pub use redis_load::{LeaseLoad, RedisBenchmark, LEASE_TICKS};
pub use redis_log_run::{HeldKey, RedisCompared, RedisLogRun, RedisLogRunner};
pub use redis_probe::{RedisConfig, RedisProbe};
pub use run_name::run_name;
