//! The cart-reservation [`Model`]: the tabs, the ticker (which also injects the crash
//! and fires the sweeper's timer), and the end-of-execution check.

use crate::sim::JoinHandle as _;
use crate::sim::{Actor, ActorId, Halt, Model, Recorder, Runtime, Sim, SimOptions, Step, Timing};

use super::world::{cart_name, tab_name, CartWorld};
use super::{sweeper, user, Config, ALL_OR_NOTHING};

/// A cart-reservation model, ready to run under any engine.
#[derive(Debug, Clone)]
pub struct CartReservation {
    cfg: Config,
}

impl CartReservation {
    /// Checks `cfg` and wraps it.
    pub fn new(cfg: Config) -> Result<Self, String> {
        cfg.validate()?;
        Ok(CartReservation { cfg })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }
}

impl Model for CartReservation {
    fn run<R: Runtime>(&self, recorder: &Recorder) {
        let cfg = &self.cfg;
        let options = SimOptions {
            max_steps: cfg.step_bound(),
        };
        let sim = Sim::<R, CartWorld>::new(recorder, CartWorld::new(cfg), options);
        let tabs: Vec<_> = (0..cfg.users)
            .map(|i| {
                // With no clock nobody waits on it; a pausable tab lets the clock run
                // past its reservation wherever it is.
                let timing = if cfg.pausable == Some(i) || cfg.horizon == 0 {
                    Timing::Pausable
                } else {
                    Timing::Punctual
                };
                sim.actor(tab_name(cfg, i), timing)
            })
            .collect();
        let ticker = if cfg.horizon > 0 {
            Some(sim.actor("ticker", Timing::Driver))
        } else {
            // With no clock it only injects the crash.
            cfg.crash.map(|_| sim.actor("fault", Timing::Pausable))
        };

        let mut handles = Vec::new();
        for (i, actor) in tabs.into_iter().enumerate() {
            let cfg = cfg.clone();
            handles.push(sim.spawn(actor, move |a| user::run(a, &cfg, i)));
        }
        if let Some(actor) = ticker {
            let cfg = cfg.clone();
            handles.push(sim.spawn(actor, move |a| ticker_run(a, &cfg)));
        }
        for h in handles {
            h.join();
        }
        sim.finish(check_all_or_nothing);
    }
}

/// Advances the clock to the horizon, crashing the victim at its tick (a crashed tab
/// leaves its entries behind and never pays) and firing the sweeper at its tick. One
/// environment actor does all three, so loom has room for three tabs.
fn ticker_run<R: Runtime>(a: &Actor<R, CartWorld>, cfg: &Config) -> Result<(), Halt> {
    for t in 0..=cfg.horizon {
        if let Some(crash) = cfg.crash.filter(|c| c.at == t) {
            a.crash(ActorId(crash.user), |_| {})?;
        }
        if let Some(sw) = cfg.sweeper.filter(|sw| sw.at == t) {
            sweeper::sweep(a, cfg, sw)?;
        }
        if t < cfg.horizon {
            a.tick()?;
        }
    }
    Ok(())
}

/// Every reservation wrote an entry for each item of its cart or for none: a tab that
/// died half-way through locking its cart leaves part of it reserved.
fn check_all_or_nothing(s: &mut Step<'_, CartWorld>) {
    let partial = s.state.reservations.iter().find(|r| {
        let written = r
            .cart
            .iter()
            .filter(|x| r.written.iter().any(|w| w.0 == **x));
        !matches!(written.count(), n if n == 0 || n == r.cart.len())
    });
    if let Some(r) = partial {
        let written: Vec<usize> = r.written.iter().map(|w| w.0).collect();
        let detail = format!(
            "{}'s reservation of {} wrote entries for {} only",
            s.state.names[r.user],
            cart_name(&r.cart),
            cart_name(&written)
        );
        s.violate(ALL_OR_NOTHING, || detail);
    }
}
