//! Contention: what only a check on the whole state graph can judge — runs that never
//! end. Seed 001's two bot processes "cancel each other forever"; seed 002's
//! contributors "keep colliding" without jitter. Here two clients race for one
//! critical section, with no clock, for as long as they like:
//!
//! - [`Protocol::PoliteBackoff`]: each raises a flag, checks the other's, and lowers
//!   its own to let the other go first. In lockstep both see the other's flag, both
//!   lower, both raise again — for ever: a livelock; nobody ever enters.
//! - [`Protocol::OrderedBackoff`]: the same flags, but only the second client backs
//!   off; the first waits for the second's flag to drop. Everyone enters.
//! - [`Protocol::BargingLock`]: a worker takes a mutex, works, releases it, and takes
//!   it again, for ever; a client wants it once. The mutex lets whoever asks first
//!   after a release have it, and the worker always asks first: the client starves.
//! - [`Protocol::FairLock`]: the same, with a mutex granted in arrival order.
//!
//! A loop that can run for ever declares its state at its head with
//! [`Actor::local`](crate::sim::Actor::local): that is what lets the search see it
//! come back to where it was, and a loop without it would look like an endless
//! line of new states.

mod model;

pub use model::Contention;

use crate::sim::Property;

/// At most one client in the critical section.
pub const EXCLUSIVE: Property = Property::safety("exclusive");
/// Every client that wants the critical section enters it eventually.
pub const EVERYONE_ENTERS: Property = Property::liveness("everyone-enters");

/// How the two clients take turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// Both back off when they see the other's flag (livelock).
    PoliteBackoff,
    /// Only the second backs off (correct).
    OrderedBackoff,
    /// A worker re-takes an unfair mutex for ever; a client starves.
    BargingLock,
    /// The same with a mutex granted in arrival order (correct).
    FairLock,
}
