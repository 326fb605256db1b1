//! The world of a device-claim execution: the `devices` table, WhatsApp's side (who
//! is connected to which device), and what the properties need to remember.

use crate::sim::store::Table;
use crate::sim::Tick;

use super::Config;

/// A row of the `devices` table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeviceRow {
    /// `assigned_server_id` (server index), `None` when unassigned.
    pub owner: Option<usize>,
    /// Bumped by every claim ([`super::Protocol::EpochLease`] only).
    pub epoch: u64,
    /// The lease ends at this tick (the expiring protocols only).
    pub lease_until: Tick,
}

/// One open connection to a device, as WhatsApp sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Connection {
    /// Which server.
    pub server: usize,
    /// The epoch the server believed it held.
    pub epoch: u64,
    /// Closes by itself at this tick (an armed timer outside the process), if set.
    pub closes_at: Option<Tick>,
}

impl Connection {
    fn open(&self, now: Tick) -> bool {
        self.closes_at.is_none_or(|at| now < at)
    }
}

/// The shared state.
#[derive(Debug, Hash)]
pub struct DeviceWorld {
    /// `devices`, keyed by device index.
    pub devices: Table<usize, DeviceRow>,
    /// Per device, the connections WhatsApp has open.
    pub connections: Vec<Vec<Connection>>,
    /// Per device, since when it has been offline because its server crashed, and
    /// whether a punctual server survived to be held to the reconnect deadline.
    pub orphaned_since: Vec<Option<Tick>>,
}

impl DeviceWorld {
    /// Every device unassigned, nobody connected.
    pub fn new(cfg: &Config) -> Self {
        let row = DeviceRow {
            owner: None,
            epoch: 0,
            lease_until: 0,
        };
        DeviceWorld {
            devices: Table::with_rows((0..cfg.devices).map(|d| (d, row.clone()))),
            connections: vec![Vec::new(); cfg.devices],
            orphaned_since: vec![None; cfg.devices],
        }
    }

    /// Servers with an open connection to `device` at `now`.
    pub fn connected(&self, device: usize, now: Tick) -> Vec<usize> {
        self.connections[device]
            .iter()
            .filter(|c| c.open(now))
            .map(|c| c.server)
            .collect()
    }

    /// Whether `server`'s connection to `device` is still open.
    pub fn is_connected(&self, device: usize, server: usize, now: Tick) -> bool {
        self.connected(device, now).contains(&server)
    }

    /// Opens a connection; returns whether it is open (a connection whose timer has
    /// already fired never opens).
    pub fn open(&mut self, device: usize, conn: Connection, now: Tick) -> bool {
        self.connections[device].retain(|c| c.open(now) && c.server != conn.server);
        let open = conn.open(now);
        if open {
            self.connections[device].push(conn);
            self.orphaned_since[device] = None;
        }
        open
    }

    /// Closes `server`'s connection to `device`.
    pub fn close(&mut self, device: usize, server: usize) {
        self.connections[device].retain(|c| c.server != server);
    }

    /// Moves `server`'s self-closing timer for `device`; false if it already fired.
    pub fn extend(&mut self, device: usize, server: usize, closes_at: Tick, now: Tick) -> bool {
        match self.connections[device]
            .iter_mut()
            .find(|c| c.server == server && c.open(now))
        {
            Some(conn) => {
                conn.closes_at = Some(closes_at);
                true
            }
            None => false,
        }
    }
}

/// Short device name for the timeline: `d1`, `d2`, ...
pub fn dev(d: usize) -> String {
    format!("d{}", d + 1)
}

/// Short server name for the timeline: `S1`, `S2`, ...
pub fn srv(s: usize) -> String {
    format!("S{}", s + 1)
}

/// `S2`, or `NULL` for no owner.
pub fn owner(o: Option<usize>) -> String {
    o.map_or_else(|| "NULL".to_owned(), srv)
}
