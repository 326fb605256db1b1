//! Device claim (seed 003): backend servers claim WhatsApp devices and connect to
//! them. Two connections to one device make both fail ("Stream Errored (conflict)").
//!
//! The ladder, as [`Protocol`]s plus the faults a scenario adds:
//! - [`Protocol::SelectThenUpdate`]: read the owner, write mine if it was empty (the
//!   original bug: both servers read "unowned").
//! - [`Protocol::ConditionalUpdate`]: `UPDATE … WHERE owner IS NULL`, validate, connect
//!   (the write-up's fix). Holds alone; with an operator who clears a device it is the
//!   TOCTOU `ValidateThenConnect`; with a crash it is `ManualRecovery` (nobody ever
//!   reconnects the dead server's devices).
//! - [`Protocol::ExpiringClaim`]: claims expire after a TTL and are renewed, but a
//!   paused holder keeps its connection open past its lease.
//! - [`Protocol::EpochLease`]: claim bumps an epoch and sets a lease; the connection is
//!   armed to close at `lease − margin` by a timer the process does not run (so a
//!   paused process is fenced too); renew only with matching owner and epoch.

mod model;
mod resource;
mod server;
pub mod statements;
mod witness;
mod workload;

pub use model::DeviceClaim;
pub use resource::{Connection, DeviceRow, DeviceWorld};
pub use workload::DeviceClaimWorkload;

use crate::sim::{Property, Tick};

/// Two servers connected to one device at once.
pub const EXCLUSIVE_CONNECTION: Property = Property::safety("exclusive-connection");
/// A server connected while it did not own the device with a live lease and the
/// current epoch (checked for the lease protocols that promise it).
pub const CONNECT_WITH_LIVE_LEASE: Property = Property::safety("connect-with-live-lease");
/// A crashed server's devices were not connected again within TTL + margin + scan
/// interval.
pub const RECONNECT_AFTER_CRASH: Property = Property::liveness("reconnect-after-crash");

/// How servers claim and keep devices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// `SELECT owner`, then `UPDATE SET owner = me` if it was empty, then connect.
    SelectThenUpdate,
    /// `UPDATE SET owner = me WHERE owner IS NULL`, `SELECT owner` to validate, connect.
    ConditionalUpdate,
    /// Claim when free or expired, renew each scan, disconnect when renewal fails.
    ExpiringClaim,
    /// Claim bumps the epoch; renew with owner and epoch; self-fencing connection.
    EpochLease,
}

/// A crash fault: server `server` (0-based) crashes at virtual time `at`, at any step
/// boundary of that tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Crash {
    /// Index of the victim.
    pub server: usize,
    /// Tick at which the ticker crashes it.
    pub at: Tick,
}

/// Everything one device-claim execution needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Config {
    /// How servers claim.
    pub protocol: Protocol,
    /// Number of servers (actors).
    pub servers: usize,
    /// Number of devices.
    pub devices: usize,
    /// Lease length, in ticks.
    pub ttl: Tick,
    /// Safety margin: the connection closes `margin` ticks before the lease ends.
    pub margin: Tick,
    /// Ticks between two scans of a server.
    pub scan_interval: Tick,
    /// The clock runs from 0 to `horizon`; 0 means no clock (each server scans once).
    pub horizon: Tick,
    /// A crash fault, if any.
    pub crash: Option<Crash>,
    /// Index of a server that may be paused while the clock moves.
    pub pausable: Option<usize>,
    /// An operator clears the first server's devices once, believing it dead.
    pub operator: bool,
    /// Check [`CONNECT_WITH_LIVE_LEASE`] at every connect.
    pub check_lease_at_connect: bool,
}

impl Config {
    /// A config with no clock and no faults.
    pub fn new(protocol: Protocol, servers: usize) -> Self {
        Config {
            protocol,
            servers,
            devices: 1,
            ttl: 3,
            margin: 1,
            scan_interval: 1,
            horizon: 0,
            crash: None,
            pausable: None,
            operator: false,
            check_lease_at_connect: false,
        }
    }

    /// The liveness bound: a crashed server's devices must be connected again this
    /// many ticks after the crash.
    pub fn reconnect_bound(&self) -> Tick {
        self.ttl + self.margin + self.scan_interval
    }

    /// Checks the sizes make sense; the error says what to change.
    pub fn validate(&self) -> Result<(), String> {
        if self.servers < 1 || self.devices < 1 {
            return Err("needs at least one server and one device".into());
        }
        if self.margin >= self.ttl {
            return Err(format!(
                "margin ({}) must be smaller than ttl ({})",
                self.margin, self.ttl
            ));
        }
        if self.scan_interval == 0 {
            return Err("scan-interval must be at least 1".into());
        }
        if let Some(c) = self.crash {
            if c.server >= self.servers {
                return Err(format!(
                    "crash victim {} does not exist ({} servers)",
                    c.server + 1,
                    self.servers
                ));
            }
            if self.horizon < c.at + self.reconnect_bound() {
                return Err(format!(
                    "horizon ({}) must reach the crash tick + ttl + margin + scan-interval ({})",
                    self.horizon,
                    c.at + self.reconnect_bound()
                ));
            }
        }
        if self.pausable.is_some_and(|p| p >= self.servers) {
            return Err("the pausable server does not exist".into());
        }
        Ok(())
    }
}
