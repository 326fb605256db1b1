//! Device claim on OS threads, for the throughput bench: servers (threads) claiming a
//! device (key), connecting to it, holding it (the critical section) and letting it
//! go, with the model's own [`statements`] (the same SQL text, interpreted by the
//! same PostgreSQL model) and [`DeviceWorld`]; server `me` uses its own session.
//!
//! What the workload leaves out, and why:
//! - The model's servers never give a device up: they keep it until they crash or
//!   (with a lease) until it lapses under them. On threads that take turns a device
//!   must be let go, so an operation ends with the model's `disconnect` and the one
//!   modelled statement that frees a device, the operator's `UPDATE devices SET owner
//!   = NULL WHERE owner = $me` ([`statements::clear_owner`]). The catalogue's epoch
//!   lease would also match the epoch on release; the model has no such release, so
//!   the bench has none either.
//! - No ticker: the clock advances one tick per claim attempt, and the lease is
//!   [`LEASE_TTL`] long, so it never lapses under a holder (expiry is not what is
//!   measured). Scans happen back to back: an epoch-lease holder renews once (its
//!   next scan's renewal and timer extension) before it lets the device go.
//! - No crash, pause or operator actor, no property checks and no timeline.

use crate::sim::store::sql::Outcome;
use crate::sim::workload::{back_off, Clocked, Resource, Store, Workload, LEASE_TTL};
use crate::sim::Tick;

use super::resource::{Connection, DeviceWorld};
use super::statements::{self, Call};
use super::{Config, Protocol};

/// The connection closes itself this many ticks before the lease ends.
const MARGIN: Tick = 1;

/// A device-claim rung, runnable on OS threads: the write-up's
/// [`Protocol::ConditionalUpdate`] or the correct [`Protocol::EpochLease`].
pub struct DeviceClaimWorkload {
    protocol: Protocol,
    world: Store<Clocked<DeviceWorld>>,
    /// What a server does while connected: the critical section.
    connected: Resource,
}

impl DeviceClaimWorkload {
    /// `devices` unowned devices, for up to as many servers; an error for a protocol
    /// the bench does not run.
    pub fn new(protocol: Protocol, devices: usize) -> Result<Self, String> {
        if !matches!(protocol, Protocol::ConditionalUpdate | Protocol::EpochLease) {
            return Err(format!("no workload for {protocol:?}"));
        }
        let mut cfg = Config::new(protocol, devices);
        cfg.devices = devices;
        cfg.servers = devices;
        statements::prepare();
        Ok(DeviceClaimWorkload {
            protocol,
            world: Store::new(Clocked::new(DeviceWorld::new(&cfg))),
            connected: Resource::new(devices),
        })
    }

    /// One statement on server `me`'s session, as one critical section; `call` is
    /// built inside it (reading or advancing the clock).
    fn sql(&self, me: usize, call: impl FnOnce(&mut Clocked<DeviceWorld>) -> Call) -> Outcome {
        self.world.statement(|w| {
            let call = call(w);
            w.world
                .db
                .execute(DeviceWorld::session(me), call.stmt, &call.params)
                .unwrap_or_else(|e| panic!("{}: {e:?}", call.stmt.sql()))
        })
    }

    /// The write-up's claim, validated, then the connection: retried, as the next
    /// scan would, until this server is connected.
    fn claim_and_connect(&self, me: usize, d: usize) {
        loop {
            let claimed = self
                .sql(me, |_| statements::claim_if_unowned(d, me))
                .affected
                == 1;
            if !claimed {
                back_off();
                continue;
            }
            let valid =
                statements::owner(&self.sql(me, |_| statements::select_owner(d))) == Some(me);
            if valid && self.connect(me, d, 0, None) {
                return;
            }
        }
    }

    /// The epoch lease: claim where free or expired, connect under a timer that
    /// closes the connection `MARGIN` before the lease ends. Returns the epoch held.
    fn lease_and_connect(&self, me: usize, d: usize) -> u64 {
        loop {
            let won = self.sql(me, |w| {
                statements::claim_if_free_or_expired(d, me, w.tick(), LEASE_TTL, true)
            });
            let Some((epoch, until)) = statements::lease_won(&won) else {
                back_off();
                continue;
            };
            if self.connect(me, d, epoch, Some(until - MARGIN)) {
                return epoch;
            }
        }
    }

    /// The epoch-lease holder's next scan: renew with owner and epoch, move the
    /// connection's timer; a lost lease closes the connection.
    fn renew(&self, me: usize, d: usize, epoch: u64) {
        let renewed = self.sql(me, |w| {
            statements::renew_lease(d, me, epoch, w.now, LEASE_TTL, true)
        });
        match statements::renewed_until(&renewed) {
            // The renewal and the timer are two steps in the model, and two here; a
            // timer that had already fired closed the connection by itself.
            Some(until) => {
                self.world.statement(|w| {
                    let now = w.now;
                    w.world.extend(d, me, until - MARGIN, now)
                });
            }
            None => self.disconnect(me, d),
        }
    }

    /// WhatsApp opens the connection; whether it is open.
    fn connect(&self, me: usize, d: usize, epoch: u64, closes_at: Option<Tick>) -> bool {
        self.world.statement(|w| {
            let now = w.now;
            let conn = Connection {
                server: me,
                epoch,
                closes_at,
            };
            w.world.open(d, conn, now)
        })
    }

    fn disconnect(&self, me: usize, d: usize) {
        self.world.statement(|w| w.world.close(d, me));
    }
}

impl Workload for DeviceClaimWorkload {
    fn operation(&self, me: usize, d: usize) -> bool {
        let epoch = match self.protocol {
            Protocol::EpochLease => Some(self.lease_and_connect(me, d)),
            _ => {
                self.claim_and_connect(me, d);
                None
            }
        };
        self.connected.increment(d);
        if let Some(epoch) = epoch {
            self.renew(me, d, epoch);
        }
        self.disconnect(me, d);
        self.sql(me, |_| statements::clear_owner(me));
        true
    }

    fn completed_at_resource(&self, d: usize) -> u64 {
        self.connected.count(d)
    }
}
