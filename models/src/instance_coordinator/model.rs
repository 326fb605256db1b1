//! The instance-coordinator [`Scheme`]: the instances, the crash, the profile viewer,
//! and the end-of-execution liveness check. The kit runs the clock.

use crate::sim::{ActorId, Cast, Property, Scheme, ServerForm, Step};

use super::world::{inst, ShopWorld, PET, USER};
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
        statements::prepare();
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
            let viewer = cfg.instances;
            cast.actor("viewer", move |a| profile::run(a, viewer, read))
                .pausable();
        }
        // The victim's open transaction dies with its connection; its lock row stays.
        if let Some(crash) = cfg.crash {
            cast.crash(ActorId(crash.instance), crash.at, move |s| {
                let session = ShopWorld::session(crash.instance);
                let db = &s.state.db;
                if db.in_transaction(session) || db.is_waiting(session) {
                    s.drop_connection(|w| &mut w.db, session);
                }
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

    fn server(&self) -> Option<ServerForm> {
        // A crash mid-transaction is in the statement log as a dropped connection
        // (`Step::drop_connection`): the server run terminates that backend there.
        let pets = format!("FROM user_pets WHERE user_id = {USER} AND pet_id = {PET}");
        Some(ServerForm {
            postgres_setup: statements::setup(&self.cfg),
            tables: vec!["users", "user_pets", "locks"],
            // What the server's own rows can show; who held which lease when is the
            // model's ghost state (the statement answers show it instead).
            harm: vec![
                (
                    "a pet owned twice".to_owned(),
                    format!("SELECT count(*) > 1 {pets}"),
                ),
                (
                    "balance below zero".to_owned(),
                    format!(
                        "SELECT coalesce(bool_or(balance < 0), false) FROM users WHERE id = {USER}"
                    ),
                ),
                (
                    "money not conserved".to_owned(),
                    format!(
                        "SELECT (SELECT balance FROM users WHERE id = {USER}) + \
                         (SELECT coalesce(sum(price), 0) {pets}) <> {}",
                        self.cfg.balance
                    ),
                ),
            ],
            witness: Some(super::witness::witness),
        })
    }
}
