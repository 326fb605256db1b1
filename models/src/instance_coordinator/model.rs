//! The instance-coordinator [`Scheme`]: the instances, the crash, the profile viewer,
//! and the end-of-execution liveness check. The kit runs the clock.

use crate::sim::{ActorId, Cast, Property, Scheme, Step};

use super::world::{inst, txn, ShopWorld};
use super::{instance, profile, statements, Config, LONE_CONTENDER_ACQUIRES};

/// An instance-coordinator model, ready to run under any engine.
#[derive(Debug, Clone, Hash)]
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

impl Scheme for InstanceCoordinator {
    type State = ShopWorld;

    fn init(&self) -> ShopWorld {
        ShopWorld::new(&self.cfg)
    }

    fn cast(&self, cast: &mut Cast<ShopWorld>) {
        let cfg = &self.cfg;
        if cfg.horizon > 0 {
            cast.clock(cfg.horizon);
        }
        for i in 0..cfg.instances {
            let c = cfg.clone();
            let instance = cast.actor(inst(i), move |a| instance::run(a, &c, i));
            if cfg.pausable == Some(i) {
                instance.pausable();
            }
        }
        if let Some(read) = cfg.profile {
            cast.actor("viewer", move |a| profile::run(a, read))
                .pausable();
        }
        // The victim's open transaction dies with its connection; its lock row stays.
        if let Some(crash) = cfg.crash {
            cast.crash(ActorId(crash.instance), crash.at, move |s| {
                statements::shop::rollback(s.state, txn(crash.instance));
            });
        }
    }

    fn at_end(&self, s: &mut Step<'_, ShopWorld>) {
        if let Some(i) = self.cfg.lone_contender {
            let arrival = self.cfg.arrival(i);
            s.check(s.state.acquired[i] != Some(false), LONE_CONTENDER_ACQUIRES, || {
                format!("{} arrived alone at t={arrival} after every lease had expired, and was refused", inst(i))
            });
        }
    }

    fn properties(&self) -> Vec<Property> {
        super::declared(&self.cfg)
    }
}
