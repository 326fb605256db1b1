//! The jackpot [`Scheme`]: which operation each contender runs, and the
//! end-of-execution checks.

use crate::sim::{Cast, Property, Scheme, ServerForm, Step};

use super::actors::{self, Role};
use super::world::{audit, check_cas_tallies, who, JackpotWorld};
use super::{Config, Variant};

/// A jackpot model, ready to run under any engine.
#[derive(Debug, Clone, Hash)]
pub struct Jackpot {
    cfg: Config,
}

impl Jackpot {
    /// Checks `cfg` and wraps it.
    pub fn new(cfg: Config) -> Result<Self, String> {
        cfg.validate()?;
        super::statements::prepare();
        Ok(Jackpot { cfg })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }
}

/// Contender `i`'s operation under `variant`. Win ids are distinct except where a
/// redelivered win is the point (guarded decrement: A and B both get win #1).
fn role(variant: Variant, i: usize) -> Role {
    let win_id = i as u32 + 1;
    match variant {
        Variant::ReadModifyWrite => Role::ReadModifyWriteWin { win_id },
        Variant::VersionCas => Role::CasContribution,
        Variant::RowLockWin => Role::RowLockWin { win_id },
        Variant::BlindWriter if i == 0 => Role::BlindContribution,
        Variant::BlindWriter => Role::RowLockWin { win_id },
        Variant::CheckOutsideLock => Role::CheckOutsideLockWin { win_id },
        Variant::VersionReset if i == 0 => Role::Reset,
        Variant::VersionReset => Role::CasContribution,
        Variant::BatchLockOrder => Role::Batch {
            order: requested_order(i),
        },
        // Callers still name the groups in any order; the fix sorts them by id.
        Variant::CanonicalLockOrder => {
            let mut order = requested_order(i);
            order.sort_unstable();
            Role::Batch { order }
        }
        Variant::GuardedDecrement => match i {
            0 | 1 => Role::GuardedWin { win_id: 1 },
            i if i % 2 == 0 => Role::AdditiveContribution,
            _ => Role::GuardedWin { win_id },
        },
    }
}

/// The order in which batch `i`'s caller names the groups: alternately minor, major
/// and major, minor.
fn requested_order(i: usize) -> [usize; 2] {
    if i % 2 == 0 {
        [0, 1]
    } else {
        [1, 0]
    }
}

impl Scheme for Jackpot {
    type State = JackpotWorld;

    fn init(&self) -> JackpotWorld {
        JackpotWorld::new(&self.cfg)
    }

    /// No clock: every actor may be paused anywhere, which is what interleaving is.
    fn cast(&self, cast: &mut Cast<JackpotWorld>) {
        let cfg = &self.cfg;
        for i in 0..cfg.contenders {
            let role = role(cfg.variant, i);
            let name = match role {
                Role::Reset => "admin".to_owned(),
                _ => who(i),
            };
            let c = cfg.clone();
            cast.actor(name, move |a| actors::run(a, &c, i, role));
        }
    }

    fn at_end(&self, s: &mut Step<'_, JackpotWorld>) {
        audit(s);
        check_cas_tallies(s);
    }

    fn properties(&self) -> Vec<Property> {
        super::declared(&self.cfg)
    }

    fn server(&self) -> Option<ServerForm> {
        Some(ServerForm {
            postgres_setup: super::statements::setup(self.cfg.groups(), self.cfg.pool),
            tables: vec!["jackpots", "paid_wins"],
            // What the server's own rows can show; money lost, a version reset, a
            // refused contribution and an aborted batch are in its answers.
            harm: vec![(
                "a pool below zero".to_owned(),
                "SELECT coalesce(bool_or(amount < 0), false) FROM jackpots".to_owned(),
            )],
            witness: Some(super::witness::witness),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_batches_lock_in_id_order() {
        for i in 0..4 {
            let Role::Batch { order } = role(Variant::CanonicalLockOrder, i) else {
                panic!("a batch");
            };
            assert!(order[0] < order[1]);
        }
    }
}
