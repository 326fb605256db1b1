//! The device-claim [`Model`]: servers, the ticker (which also injects the crash) and
//! the operator, and the end-of-execution liveness check.

use crate::sim::JoinHandle as _;
use crate::sim::{Actor, Halt, Model, Recorder, Runtime, Sim, SimOptions, Step, Timing};

use super::resource::{dev, srv, DeviceWorld};
use super::{server, Config, RECONNECT_AFTER_CRASH};

/// A device-claim model, ready to run under any engine.
#[derive(Debug, Clone)]
pub struct DeviceClaim {
    cfg: Config,
}

impl DeviceClaim {
    /// Checks `cfg` and wraps it.
    pub fn new(cfg: Config) -> Result<Self, String> {
        cfg.validate()?;
        Ok(DeviceClaim { cfg })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }
}

impl Model for DeviceClaim {
    fn run<R: Runtime>(&self, recorder: &Recorder) {
        let cfg = &self.cfg;
        let sim =
            Sim::<R, DeviceWorld>::new(recorder, DeviceWorld::new(cfg), SimOptions::default());
        let servers: Vec<_> = (0..cfg.servers)
            .map(|i| {
                let timing = if cfg.pausable == Some(i) || cfg.horizon == 0 {
                    Timing::Pausable
                } else {
                    Timing::Punctual
                };
                sim.actor(srv(i), timing)
            })
            .collect();
        let ticker = (cfg.horizon > 0).then(|| sim.actor("ticker", Timing::Driver));
        let operator = cfg
            .operator
            .then(|| sim.actor("operator", Timing::Pausable));

        let mut handles = Vec::new();
        for (i, actor) in servers.into_iter().enumerate() {
            let cfg = cfg.clone();
            handles.push(sim.spawn(actor, move |a| server::run(a, &cfg, i)));
        }
        if let Some(actor) = ticker {
            let cfg = cfg.clone();
            handles.push(sim.spawn(actor, move |a| ticker_run(a, &cfg)));
        }
        if let Some(actor) = operator {
            handles.push(sim.spawn(actor, operator_run));
        }
        for h in handles {
            h.join();
        }
        sim.finish(|s| check_reconnected(s, cfg));
    }
}

/// Advances the clock to the horizon, crashing the victim at its tick.
fn ticker_run<R: Runtime>(a: &Actor<R, DeviceWorld>, cfg: &Config) -> Result<(), Halt> {
    for t in 0..cfg.horizon {
        if let Some(crash) = cfg.crash.filter(|c| c.at == t) {
            a.crash(crate::sim::ActorId(crash.server), |s| {
                on_crash(s, cfg, crash.server)
            })?;
        }
        a.tick()?;
    }
    Ok(())
}

/// The process died: its connections drop with it; its rows stay. Devices it owned or
/// was connected to are now offline and owed a reconnect, if some punctual server
/// survives to do it.
fn on_crash(s: &mut Step<'_, DeviceWorld>, cfg: &Config, victim: usize) {
    let now = s.now;
    let survivor = (0..cfg.servers).any(|i| i != victim && cfg.pausable != Some(i));
    for d in 0..cfg.devices {
        let was_connected = s.state.is_connected(d, victim, now);
        let owned = s
            .state
            .devices
            .select(&d, None)
            .is_some_and(|r| r.owner == Some(victim));
        s.state.close(d, victim);
        if survivor && (was_connected || owned) && s.state.connected(d, now).is_empty() {
            s.state.orphaned_since[d] = Some(now);
        }
    }
}

/// "Clear stuck assignments" from the write-up, run by a person who believes S1 is
/// dead: `UPDATE devices SET owner = NULL WHERE owner = 'S1'`.
fn operator_run<R: Runtime>(a: &Actor<R, DeviceWorld>) -> Result<(), Halt> {
    a.step("clear S1's devices", |s| {
        let n = s
            .state
            .devices
            .update_all_where(None, |_, r| r.owner == Some(0), |r| r.owner = None)
            .expect("autocommit never blocks here");
        s.saw(|| format!("SET owner = NULL WHERE owner = S1: {n} rows"));
    })
}

fn check_reconnected(s: &mut Step<'_, DeviceWorld>, cfg: &Config) {
    let now = s.now;
    for d in 0..cfg.devices {
        if let Some(since) = s.state.orphaned_since[d] {
            let deadline = since + cfg.reconnect_bound();
            if now >= deadline {
                s.violate(RECONNECT_AFTER_CRASH, || {
                    format!("{} offline since its server crashed at t={since}; still offline at t={now} (deadline t={deadline})", dev(d))
                });
            }
        }
    }
}
