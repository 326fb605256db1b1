//! The device-claim [`Scheme`]: the servers, the crash and the operator, and the
//! end-of-execution liveness check. The kit runs the clock.

use crate::sim::{Actor, ActorId, Cast, Halt, Property, Scheme, ServerForm, Step};

use super::resource::{dev, DeviceWorld};
use super::statements;
use super::{server, Config, CONNECT_WITH_LIVE_LEASE, EXCLUSIVE_CONNECTION, RECONNECT_AFTER_CRASH};

/// A device-claim model, ready to run under any engine.
#[derive(Debug, Clone, Hash)]
pub struct DeviceClaim {
    cfg: Config,
}

impl DeviceClaim {
    /// Checks `cfg` and wraps it.
    pub fn new(cfg: Config) -> Result<Self, String> {
        cfg.validate()?;
        statements::prepare();
        Ok(DeviceClaim { cfg })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }
}

impl Scheme for DeviceClaim {
    type State = DeviceWorld;

    fn init(&self) -> DeviceWorld {
        DeviceWorld::new(&self.cfg)
    }

    fn cast(&self, cast: &mut Cast<DeviceWorld>) {
        let cfg = &self.cfg;
        if cfg.horizon > 0 {
            cast.clock(cfg.horizon);
        }
        for i in 0..cfg.servers {
            let c = cfg.clone();
            let server = cast.actor(super::resource::srv(i), move |a| server::run(a, &c, i));
            if cfg.pausable == Some(i) {
                server.pausable();
            }
        }
        if cfg.operator {
            let operator = cfg.servers;
            cast.actor("operator", move |a| operator_run(a, operator))
                .pausable();
        }
        if let Some(crash) = cfg.crash {
            let c = cfg.clone();
            cast.crash(ActorId(crash.server), crash.at, move |s| {
                on_crash(s, &c, crash.server)
            });
        }
    }

    fn at_end(&self, s: &mut Step<'_, DeviceWorld>) {
        if self.cfg.crash.is_some() {
            check_reconnected(s, &self.cfg);
        }
    }

    fn server(&self) -> Option<ServerForm> {
        // Two servers connected to one device is WhatsApp's view, not a row: on the
        // server the harm shows in the statements' answers (both claims won).
        Some(ServerForm {
            postgres_setup: statements::setup(self.cfg.devices),
            tables: vec!["devices"],
            harm: Vec::new(),
            witness: Some(super::witness::witness),
        })
    }

    fn properties(&self) -> Vec<Property> {
        let mut properties = vec![EXCLUSIVE_CONNECTION];
        if self.cfg.crash.is_some() {
            properties.push(RECONNECT_AFTER_CRASH);
        }
        if self.cfg.check_lease_at_connect {
            properties.push(CONNECT_WITH_LIVE_LEASE);
        }
        properties
    }
}

/// The process died: its connections drop with it (its database connection too, so a
/// server run terminates that backend here); its rows stay. Devices it owned or was
/// connected to are now offline and owed a reconnect, if some punctual server
/// survives to do it.
fn on_crash(s: &mut Step<'_, DeviceWorld>, cfg: &Config, victim: usize) {
    s.drop_connection(|w| &mut w.db, DeviceWorld::session(victim));
    let now = s.now;
    let survivor = (0..cfg.servers).any(|i| i != victim && cfg.pausable != Some(i));
    for d in 0..cfg.devices {
        let was_connected = s.state.is_connected(d, victim, now);
        let owned = s.state.row(d).owner == Some(victim);
        s.state.close(d, victim);
        if survivor && (was_connected || owned) && s.state.connected(d, now).is_empty() {
            s.state.orphaned_since[d] = Some(now);
        }
    }
}

/// "Clear stuck assignments" from the write-up, run by a person who believes S1 is
/// dead ([`statements::CLEAR_OWNER`] of S1), on its own connection (`session`).
fn operator_run(a: &Actor<DeviceWorld>, session: usize) -> Result<(), Halt> {
    server::sql(a, "clear S1's devices", session, statements::clear_owner(0)).map(drop)
}

/// Every device a crash left offline is connected again by its deadline.
fn check_reconnected(s: &mut Step<'_, DeviceWorld>, cfg: &Config) {
    let now = s.now;
    for d in 0..cfg.devices {
        let overdue = s.state.orphaned_since[d]
            .map(|since| (since, since + cfg.reconnect_bound()))
            .filter(|&(_, deadline)| now >= deadline);
        s.check(overdue.is_none(), RECONNECT_AFTER_CRASH, || {
            let (since, deadline) = overdue.unwrap_or_default();
            format!("{} offline since its server crashed at t={since}; still offline at t={now} (deadline t={deadline})", dev(d))
        });
    }
}
