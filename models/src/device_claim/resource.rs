//! The world of a device-claim execution: the `devices` table, WhatsApp's side (who
//! is connected to which device), and what the properties need to remember.

use crate::sim::store::sql::{Db, SessionId, Value};
use crate::sim::Tick;

use super::{statements, Config};

/// A row of the `devices` table, as the world's checks read it.
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
    /// The database holding the `devices` table ([`statements::CREATE_TABLE`]).
    pub db: Db,
    /// Per device, the connections WhatsApp has open.
    pub connections: Vec<Vec<Connection>>,
    /// Per device, since when it has been offline because its server crashed, and
    /// whether a punctual server survived to be held to the reconnect deadline.
    pub orphaned_since: Vec<Option<Tick>>,
}

impl DeviceWorld {
    /// Every device unassigned, nobody connected.
    ///
    /// Session 0 sets the database up; server `i` connects as session `i + 1`
    /// ([`DeviceWorld::session`]), the operator as the last one.
    pub fn new(cfg: &Config) -> Self {
        let db = Db::set_up(&statements::setup(cfg.devices), cfg.servers + 1)
            .unwrap_or_else(|e| panic!("{e}"));
        DeviceWorld {
            db,
            connections: vec![Vec::new(); cfg.devices],
            orphaned_since: vec![None; cfg.devices],
        }
    }

    /// The connection server `server` uses (`servers`: the operator's).
    pub fn session(server: usize) -> SessionId {
        SessionId(u32::try_from(server + 1).unwrap_or(u32::MAX))
    }

    /// Device `d`'s committed row, for the world's checks (read without a statement:
    /// what the properties look at is not something a server did).
    pub fn row(&self, d: usize) -> DeviceRow {
        let num = |v: &Value| match v {
            Value::Int(n) => *n,
            _ => 0,
        };
        self.db
            .committed_rows("devices")
            .into_iter()
            .find(|r| r.first().map(num) == Some(d as i64))
            .map(|r| DeviceRow {
                owner: r
                    .get(1)
                    .and_then(|v| usize::try_from(num(v)).ok().filter(|_| !v.is_null())),
                epoch: r.get(2).map_or(0, |v| num(v) as u64),
                lease_until: r.get(3).map_or(0, |v| num(v) as Tick),
            })
            .unwrap_or_else(|| panic!("device {d} has no row"))
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
