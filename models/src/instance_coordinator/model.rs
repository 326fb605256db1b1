//! The instance-coordinator [`Model`]: the instances, the ticker (which also injects
//! the crash), the profile viewer, and the end-of-execution liveness check.

use crate::sim::JoinHandle as _;
use crate::sim::{Actor, ActorId, Halt, Model, Recorder, Runtime, Sim, SimOptions, Timing};

use super::world::{inst, txn, ShopWorld};
use super::{instance, profile, Config, LONE_CONTENDER_ACQUIRES};

/// An instance-coordinator model, ready to run under any engine.
#[derive(Debug, Clone)]
pub struct InstanceCoordinator {
    cfg: Config,
}

impl InstanceCoordinator {
    /// Checks `cfg` and wraps it.
    pub fn new(cfg: Config) -> Result<Self, String> {
        cfg.validate()?;
        Ok(InstanceCoordinator { cfg })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }
}

impl Model for InstanceCoordinator {
    fn run<R: Runtime>(&self, recorder: &Recorder) {
        let cfg = &self.cfg;
        let sim = Sim::<R, ShopWorld>::new(recorder, ShopWorld::new(cfg), SimOptions::default());
        let instances: Vec<_> = (0..cfg.instances)
            .map(|i| {
                // With no clock nobody waits on it; a pausable instance lets the clock
                // run past its lease while it is inside.
                let timing = if cfg.pausable == Some(i) || cfg.horizon == 0 {
                    Timing::Pausable
                } else {
                    Timing::Punctual
                };
                sim.actor(inst(i), timing)
            })
            .collect();
        let viewer = cfg
            .profile
            .map(|read| (sim.actor("viewer", Timing::Pausable), read));
        let ticker = (cfg.horizon > 0 || cfg.crash.is_some()).then(|| {
            // With no clock it only injects the crash.
            if cfg.horizon > 0 {
                sim.actor("ticker", Timing::Driver)
            } else {
                sim.actor("fault", Timing::Pausable)
            }
        });

        let mut handles = Vec::new();
        for (i, actor) in instances.into_iter().enumerate() {
            let cfg = cfg.clone();
            handles.push(sim.spawn(actor, move |a| instance::run(a, &cfg, i)));
        }
        if let Some((actor, read)) = viewer {
            handles.push(sim.spawn(actor, move |a| profile::run(a, read)));
        }
        if let Some(actor) = ticker {
            let cfg = cfg.clone();
            handles.push(sim.spawn(actor, move |a| ticker_run(a, &cfg)));
        }
        for h in handles {
            h.join();
        }
        sim.finish(|s| {
            if let Some(i) = cfg.lone_contender {
                s.check(s.state.acquired[i] != Some(false), LONE_CONTENDER_ACQUIRES, || {
                    format!("{} arrived alone at t={} after every lease had expired, and was refused", inst(i), cfg.arrival(i))
                });
            }
        });
    }
}

/// Advances the clock to the horizon, crashing the victim at its tick. The victim's
/// open transaction dies with its connection; its lock row stays behind.
fn ticker_run<R: Runtime>(a: &Actor<R, ShopWorld>, cfg: &Config) -> Result<(), Halt> {
    for t in 0..cfg.horizon.max(1) {
        if let Some(crash) = cfg.crash.filter(|c| c.at == t) {
            a.crash(ActorId(crash.instance), |s| {
                s.state.users.rollback(txn(crash.instance));
                s.state.pets.rollback(txn(crash.instance));
            })?;
        }
        if cfg.horizon > 0 {
            a.tick()?;
        }
    }
    Ok(())
}
