#![doc = include_str!("guide.md")]
#![deny(missing_docs)]

pub mod agreement;
pub mod check;
pub mod comparison;
pub mod coverage;
pub mod engine;
mod quiet;
pub mod replay;
pub mod server_bench;
mod testing;
pub mod verdict;

pub use locklab_models as models;
pub use locklab_models::sim;
pub use locklab_models::sim::store;
pub use locklab_models::sim::{
    builtin, Actor, ActorId, ActorRef, Cast, Expected, Halt, LoomPlan, Mutex, Param, Params,
    Property, Scenario, Scheme, ShuttlePlan, Step, Tick,
};
pub use locklab_scenarios as scenarios;

pub use coverage::{Coverage, StoppedBy};
pub use engine::{explore, replay as replay_schedule, Budget, Engine};
pub use testing::{assert_holds, assert_violates};
pub use verdict::{Outcome, Verdict};
