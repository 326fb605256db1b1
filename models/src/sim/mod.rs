//! The modelling kit: what every scheme is built from.
//!
//! - [`Scheme`]: a scheme says what its world is ([`Scheme::init`]), who acts in it
//!   ([`Scheme::cast`]) and what must hold at the end ([`Scheme::at_end`]); the kit
//!   runs it once per explored schedule, on whichever [`Runtime`] the engine chose.
//! - [`Actor`]: an actor changes the shared world one atomic [`Step`] at a time; the
//!   engine may switch actors between any two steps and nowhere else. Steps that
//!   wait ([`Actor::step_when`], [`Actor::lock`], [`Actor::sleep_until`]) go through
//!   the kit, which reports a cycle of waiters as `deadlock` instead of hanging.
//! - Time is virtual: a [`Cast::clock`] the kit's environment actor advances, one
//!   tick at a time, once every punctual actor has done the tick's work. Faults and
//!   timers are the environment's too ([`Cast::crash`], [`Cast::at`]), and an actor
//!   may stall at a [`Actor::pause_point`] or choose ([`Actor::choose`]).
//! - [`store`]: plain-data stores (a Read Committed table, a Redis-like key-value
//!   store, a host's files and kernel locks) whose statements are atomic steps.
//! - [`scenario`]: a scheme with its sizes and expected verdict, ready for the CLI.
//! - [`trace`]: the out-of-band recorder of events, violations and property checks.
//! - [`workload`]: a scheme's statements run on OS threads, for the throughput bench.

mod actor;
mod cast;
pub mod choice;
mod exec;
mod focus;
mod mutex;
mod property;
pub mod quiet;
mod redis_step;
pub mod runtime;
pub mod scenario;
mod scheme;
pub mod served;
mod sql_batch;
mod sql_step;
mod step;
pub mod store;
pub mod trace;
pub mod workload;
mod world;

pub use actor::{Actor, Halt};
pub use cast::{ActorRef, Body, Cast, CastSummary, DEFAULT_MAX_STEPS};
pub use focus::focus;
pub use mutex::Mutex;
pub use property::{builtin, Property, PropertyKind, Violation};
pub use redis_step::{
    describe as describe_reply, lapse_tick, lapses_at, RedisArg, RedisCall, RedisCommand,
    MS_PER_TICK,
};
pub use runtime::Runtime;
pub use scenario::{Expected, LoomPlan, Param, Params, Scenario, ShuttlePlan, StatesPlan};
pub use scheme::{Model, RedisForm, Scheme, ServerForm, SharedModel};
pub use served::{Answer, Harm, RedisWitness, Served, ServedStep, Witness};
pub use sql_batch::SqlBatch;
pub use sql_step::SqlCall;
pub use step::Step;
pub use trace::{CheckCount, Event, Recorder, Trace};
pub use world::{ActorId, Timing};

/// Virtual time, in ticks. Schemes choose what a tick means (a second, a scan interval).
pub type Tick = u64;
