//! Device claim (seed 003) on OS threads: the `devices` table, one row per device
//! (key), servers (threads) claiming a device, connecting (the critical section) and
//! giving it back.

use locklab::sim::store::Table;
use locklab::sim::Tick;

use crate::kernel::{back_off, LockKernel, Resource, Store, LEASE_TTL};

const AUTOCOMMIT: &str = "autocommit statements never wait for a row lock";

/// A row of `devices` as the write-up has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct OwnedRow {
    owner: Option<usize>,
}

/// The write-up's fix: `UPDATE devices SET owner = $me WHERE id = $d AND owner IS
/// NULL`, re-validate ownership with a `SELECT`, connect, then `SET owner = NULL WHERE
/// owner = $me` when the server lets the device go.
pub struct ConditionalUpdate {
    devices: Store<Table<usize, OwnedRow>>,
    connections: Resource,
}

impl ConditionalUpdate {
    /// `keys` unowned devices.
    pub fn new(keys: usize) -> Self {
        ConditionalUpdate {
            devices: Store::new(Table::with_rows(
                (0..keys).map(|d| (d, OwnedRow { owner: None })),
            )),
            connections: Resource::new(keys),
        }
    }
}

impl LockKernel for ConditionalUpdate {
    fn operation(&self, me: usize, d: usize) -> bool {
        loop {
            let claimed = self.devices.statement(|t| {
                t.update_where(&d, None, |r| r.owner.is_none(), |r| r.owner = Some(me))
                    .expect(AUTOCOMMIT)
            });
            if claimed == 0 {
                back_off();
                continue;
            }
            let valid = self
                .devices
                .statement(|t| t.select(&d, None).and_then(|r| r.owner) == Some(me));
            if valid {
                break;
            }
        }
        self.connections.increment(d);
        self.devices.statement(|t| {
            t.update_where(&d, None, |r| r.owner == Some(me), |r| r.owner = None)
                .expect(AUTOCOMMIT)
        });
        true
    }

    fn completed_at_resource(&self, d: usize) -> u64 {
        self.connections.count(d)
    }
}

/// A row of `devices` with an epoch and a lease.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LeasedRow {
    owner: Option<usize>,
    epoch: u64,
    lease_until: Tick,
}

/// The devices table and the database's clock, which `now()` reads.
struct LeasedDevices {
    rows: Table<usize, LeasedRow>,
    now: Tick,
}

/// The correct fix: the claim sets owner, `epoch + 1` and a lease deadline where the
/// device is free or its lease has expired; the connection is opened under that lease
/// (it is the fence); the release matches owner and epoch.
pub struct EpochLease {
    devices: Store<LeasedDevices>,
    connections: Resource,
}

impl EpochLease {
    /// `keys` unowned devices at epoch 0.
    pub fn new(keys: usize) -> Self {
        let free = LeasedRow {
            owner: None,
            epoch: 0,
            lease_until: 0,
        };
        EpochLease {
            devices: Store::new(LeasedDevices {
                rows: Table::with_rows((0..keys).map(|d| (d, free))),
                now: 0,
            }),
            connections: Resource::new(keys),
        }
    }
}

impl LockKernel for EpochLease {
    fn operation(&self, me: usize, d: usize) -> bool {
        let epoch = loop {
            let won = self.devices.statement(|s| {
                s.now += 1;
                let now = s.now;
                let mut won = None;
                s.rows
                    .update_where(
                        &d,
                        None,
                        |r| r.owner.is_none() || r.lease_until <= now,
                        |r| {
                            r.owner = Some(me);
                            r.epoch += 1;
                            r.lease_until = now + LEASE_TTL;
                            won = Some(r.epoch);
                        },
                    )
                    .expect(AUTOCOMMIT);
                won
            });
            match won {
                Some(epoch) => break epoch,
                None => back_off(),
            }
        };
        self.connections.increment(d);
        self.devices.statement(|s| {
            s.rows
                .update_where(
                    &d,
                    None,
                    |r| r.owner == Some(me) && r.epoch == epoch,
                    |r| r.owner = None,
                )
                .expect(AUTOCOMMIT)
        });
        true
    }

    fn completed_at_resource(&self, d: usize) -> u64 {
        self.connections.count(d)
    }
}
