//! The built-in scenarios: each rung of each scheme's ladder, registered through the
//! same [`Scenario`] builder a user's own scheme uses.
//!
//! A buggy rung names the property it must be caught violating; a correct rung must
//! hold. Each also says how `locklab check` explores it: loom at a size loom can
//! finish, shuttle PCT at a larger size.
#![deny(missing_docs)]

mod cart_reservation;
mod contention;
mod device_claim;
mod instance_coordinator;
mod jackpot;
mod singleton_poller;

use std::sync::LazyLock;

pub use locklab_models::sim::{
    Expected, LoomPlan, Param, Params, Scenario, ShuttlePlan, StatesPlan,
};

static ALL: LazyLock<Vec<Scenario>> = LazyLock::new(|| {
    [
        device_claim::scenarios(),
        instance_coordinator::scenarios(),
        jackpot::scenarios(),
        singleton_poller::scenarios(),
        cart_reservation::scenarios(),
        contention::scenarios(),
    ]
    .into_iter()
    .flatten()
    .collect()
});

/// Every built-in scenario, grouped by scheme, each ladder from the original bug to
/// the correct fix.
pub fn all() -> &'static [Scenario] {
    &ALL
}

/// The built-in scenario with this id.
pub fn find(id: &str) -> Option<&'static Scenario> {
    all().iter().find(|s| s.id() == id)
}
