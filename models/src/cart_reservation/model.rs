//! The cart-reservation [`Scheme`]: the tabs, the crash, the sweeper's timer, and the
//! end-of-execution check. The kit runs the clock.

use crate::sim::{ActorId, Cast, Property, Scheme, ServerForm, Step};

use super::world::{cart_name, tab_name, CartWorld};
use super::{statements, sweeper, user, Config, ALL_OR_NOTHING};

/// A cart-reservation model, ready to run under any engine.
#[derive(Debug, Clone, Hash)]
pub struct CartReservation {
    cfg: Config,
}

impl CartReservation {
    /// Checks `cfg` and wraps it.
    pub fn new(cfg: Config) -> Result<Self, String> {
        cfg.validate()?;
        statements::prepare();
        Ok(CartReservation { cfg })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }
}

impl Scheme for CartReservation {
    type State = CartWorld;

    fn init(&self) -> CartWorld {
        CartWorld::new(&self.cfg)
    }

    fn cast(&self, cast: &mut Cast<CartWorld>) {
        let cfg = &self.cfg;
        cast.max_steps(cfg.step_bound());
        if cfg.horizon > 0 {
            cast.clock(cfg.horizon);
        }
        for i in 0..cfg.users {
            let c = cfg.clone();
            let tab = cast.actor(tab_name(cfg, i), move |a| user::run(a, &c, i));
            if cfg.pausable == Some(i) {
                tab.pausable();
            }
        }
        // A crashed tab leaves its entries behind and never pays; the sweeper is a
        // timer the environment fires (as a thread it made loom's search about 50x
        // larger and left no room for a third user).
        if let Some(crash) = cfg.crash {
            cast.crash(ActorId(crash.user), crash.at, |_| {});
        }
        if let Some(sw) = cfg.sweeper {
            let c = cfg.clone();
            cast.at(sw.at, move |env| sweeper::sweep(env, &c, sw));
        }
    }

    fn at_end(&self, s: &mut Step<'_, CartWorld>) {
        check_all_or_nothing(s);
    }

    fn properties(&self) -> Vec<Property> {
        super::declared(&self.cfg)
    }

    /// The shop's stock is in its database, so a sale beyond it shows on a server's
    /// rows; so is the correct fix's shared reservation store (its rows compared at
    /// the end too). The write-up's reservation maps are in-process memory, so what
    /// goes wrong there shows in the model's verdict, with every stock statement's
    /// answer compared.
    fn server(&self) -> Option<ServerForm> {
        let mut tables = vec!["items"];
        if self.cfg.protocol.shared_store() {
            tables.push("reservations");
        }
        Some(ServerForm {
            postgres_setup: super::world::setup(&self.cfg),
            tables,
            harm: vec![(
                "an item sold beyond its stock".to_owned(),
                "SELECT coalesce(bool_or(stock < 0), false) FROM items".to_owned(),
            )],
            witness: None,
        })
    }
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
    } else {
        s.checked(ALL_OR_NOTHING);
    }
}
