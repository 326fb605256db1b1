//! A buggy rung's harm followed to the server. Its first counterexample can stop at a
//! symptom the server cannot see (two carts believing they hold one item, in the
//! processes' own memory); the harm it leads to may be one the server does see (the
//! item sold twice in the shop's database). Each other safety property the scheme
//! declares is searched for alone ([`locklab::sim::focus`]), the others' violations
//! let pass, and its shortest counterexample reproduced on the server: the first one
//! whose harm the server shows is the bug followed to its harm.

use std::sync::Arc;

use locklab::engine::{explore, Budget, States};
use locklab::replay::Schedule;
use locklab::sim::{focus, PropertyKind, SharedModel};
use locklab::Property;

use crate::against::{AgainstError, Reproduction, ServerRun};

/// A counterexample of another property than the first one violated, whose harm the
/// server shows.
#[derive(Debug, Clone)]
pub struct Followed<R> {
    /// The property it was searched for alone.
    pub property: Property,
    /// Its schedule, on the model focused on that property.
    pub schedule: Schedule,
    /// Its replay and its statements' run on the server.
    pub reproduction: Reproduction<R>,
}

/// Searches `model` for each declared safety property but `first` alone (the state-
/// caching engine, within `budget`: a shortest counterexample), reproduces each one
/// found with `reproduce`, and returns the first the server answered as the model did
/// and shows harm in; `None` if none does (at these sizes, within `budget`).
pub fn follow_harm<R: ServerRun>(
    model: &SharedModel,
    first: Property,
    budget: Budget,
    mut reproduce: impl FnMut(SharedModel, &Schedule) -> Result<Reproduction<R>, AgainstError>,
) -> Result<Option<Followed<R>>, AgainstError> {
    let others = model
        .properties()
        .into_iter()
        .filter(|p| p.kind == PropertyKind::Safety && *p != first);
    for property in others {
        let focused = focus(Arc::clone(model), property.name).map_err(AgainstError::Server)?;
        let found = explore(Arc::clone(&focused), &States, budget);
        let Some(schedule) = found.failure().and_then(|f| f.schedule.clone()) else {
            continue;
        };
        let reproduction = reproduce(focused, &schedule)?;
        if reproduction.reproduced() && !reproduction.run.harms_seen().is_empty() {
            return Ok(Some(Followed {
                property,
                schedule,
                reproduction,
            }));
        }
    }
    Ok(None)
}
